"""Accounts, API tokens and the audit log, in one SQLite file (no Flask here: the CLI uses it too).

The file (``<STORE_DIR>/accounts.sqlite3`` by default) is shared by the service's waitress threads
and by ``dutygraph accounts …`` processes running at the same time, so every call opens its own
connection (cheap for SQLite), the journal is in WAL mode (readers never wait for the writer), and
writes take the write lock up front (``BEGIN IMMEDIATE``) and wait up to ``BUSY_TIMEOUT`` seconds
for it instead of failing. The file is created readable by its owner only: it holds password
hashes.

What is stored, and what is not:

- accounts: the name (unique regardless of case, so that ``alice`` and ``Alice`` cannot be two
  people in the audit log), whether it is an admin, and the password's scrypt hash from
  ``werkzeug.security`` — never the password. ``password=None`` makes a token-only account, which
  cannot sign in with a browser. ``admin`` is reserved: it is the name ``ADMIN_TOKEN`` acts under.
- a session key per account, put in the signed browser session at sign-in and rotated by
  ``set_password`` and by re-creating the name, so that a password change or a deletion ends every
  browser session of the account, even though the sessions themselves live in cookies.
- tokens: ``dg_`` + ``secrets.token_urlsafe(32)``, shown once by ``issue_token``; only their
  SHA-256 is kept (a token is random, so a fast hash is enough; a leaked file yields no token).
- sign-in attempts: see ``authenticate`` for the lockout.
- the audit log: append-only; nothing here deletes or changes a row, and deleting an account keeps
  its rows (the account is recorded by name, not by reference).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from werkzeug.security import check_password_hash, generate_password_hash

__all__ = ["Account", "AccountError", "AccountStore", "TOKEN_PREFIX", "check_new_name"]

NAME_PATTERN = re.compile(r"[A-Za-z0-9._@-]{1,64}")
RESERVED_NAMES = {"admin"}  # ADMIN_TOKEN's identity; an account of that name would be indistinguishable in the log
PASSWORD_MIN = 10
PASSWORD_MAX = 1024  # the hash is cheap in the length, but a megabyte "password" is no password
LABEL_MAX = 200
TOKEN_PREFIX = "dg_"
BUSY_TIMEOUT = 30.0
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    password_hash TEXT,
    is_admin INTEGER NOT NULL DEFAULT 0,
    session_key TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY,
    account TEXT NOT NULL COLLATE NOCASE REFERENCES accounts(name) ON DELETE CASCADE,
    label TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_by_account ON tokens(account);
CREATE TABLE IF NOT EXISTS sign_in_failures (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_by_name ON sign_in_failures(name, at);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    account TEXT,
    action TEXT NOT NULL,
    run_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    remote_addr TEXT
);
CREATE INDEX IF NOT EXISTS audit_by_run ON audit(run_id);
CREATE INDEX IF NOT EXISTS audit_by_account ON audit(account);
"""

AUDIT_KEYS = ("time", "account", "action", "run_id", "detail", "remote_addr")


@dataclass(frozen=True)
class Account:
    name: str
    is_admin: bool


class AccountError(ValueError):
    """A request the account store refuses: a bad name, a duplicate, an unknown account, a bad password."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_dummy_hash_lock = threading.Lock()
_dummy_hash: str | None = None


def _dummy_password_hash() -> str:
    """A hash to check against when there is no real one, so a wrong name costs as long as a wrong password."""
    global _dummy_hash
    with _dummy_hash_lock:
        if _dummy_hash is None:
            _dummy_hash = generate_password_hash(secrets.token_urlsafe(16))
        return _dummy_hash


def check_new_name(name: str) -> None:
    """AccountError unless name can name a new account: the characters, the length, not reserved."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise AccountError(f"bad account name {name!r}: use 1 to 64 of the characters A-Z a-z 0-9 . _ @ -")
    if name.lower() in RESERVED_NAMES:
        raise AccountError(f"the account name {name!r} is reserved: it is the identity of ADMIN_TOKEN")


class AccountStore:
    """The accounts file at ``path``; safe to use from many threads and processes at once."""

    #: ``authenticate`` refuses a name after this many failures within ``LOCKOUT_WINDOW`` seconds.
    LOCKOUT_FAILURES = 10
    LOCKOUT_WINDOW = 15 * 60.0

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:  # owner-only from the first byte (SQLite gives the -wal and -shm files the same mode)
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:  # another process was quicker
                pass
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
        with self._transaction() as connection:
            for statement in filter(str.strip, SCHEMA.split(";")):  # not executescript: it would commit first
                connection.execute(statement)
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:
                raise AccountError(f"{self.path} has accounts schema version {version}; this dutygraph knows version {SCHEMA_VERSION}")

    # -- connections ------------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the write lock from its start, so it never has to upgrade a read lock."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    # -- checks -----------------------------------------------------------------------------------


    @staticmethod
    def _check_password(password: str) -> None:
        if not isinstance(password, str):
            raise AccountError("the password must be text")
        if len(password) < PASSWORD_MIN:
            raise AccountError(f"the password is too short: {len(password)} characters, at least {PASSWORD_MIN} are needed")
        if len(password) > PASSWORD_MAX:
            raise AccountError(f"the password is too long: {len(password)} characters, at most {PASSWORD_MAX} are allowed")

    @staticmethod
    def _require(connection: sqlite3.Connection, name: str) -> tuple:
        row = connection.execute("SELECT name, is_admin FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise AccountError(f"no account named {name!r}")
        return row

    # -- accounts ---------------------------------------------------------------------------------

    def create(self, name: str, password: str | None, *, admin: bool = False) -> Account:
        """A new account; ``password=None`` makes a token-only account (it cannot sign in with a browser)."""
        check_new_name(name)
        password_hash = None
        if password is not None:
            self._check_password(password)
            password_hash = generate_password_hash(password)  # slow on purpose: outside the write lock
        with self._transaction() as connection:
            existing = connection.execute("SELECT name FROM accounts WHERE name = ?", (name,)).fetchone()
            if existing is not None:
                raise AccountError(f"an account named {existing[0]!r} already exists")
            connection.execute(
                "INSERT INTO accounts (name, password_hash, is_admin, session_key, created) VALUES (?, ?, ?, ?, ?)",
                (name, password_hash, int(bool(admin)), secrets.token_urlsafe(24), _now()),
            )
            connection.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))
        return Account(name, bool(admin))

    def set_password(self, name: str, password: str) -> None:
        """Set (or first give) the account's password; this also ends its browser sessions."""
        self._check_password(password)
        password_hash = generate_password_hash(password)
        with self._transaction() as connection:
            self._require(connection, name)
            connection.execute("UPDATE accounts SET password_hash = ?, session_key = ? WHERE name = ?",
                               (password_hash, secrets.token_urlsafe(24), name))

    def delete(self, name: str) -> None:
        """Remove the account and its tokens (its sessions end with it); its audit log rows stay."""
        with self._transaction() as connection:
            self._require(connection, name)
            connection.execute("DELETE FROM tokens WHERE account = ?", (name,))
            connection.execute("DELETE FROM accounts WHERE name = ?", (name,))

    def get(self, name: str) -> Account | None:
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            return None
        with self._connect() as connection:
            row = connection.execute("SELECT name, is_admin FROM accounts WHERE name = ?", (name,)).fetchone()
        return Account(row[0], bool(row[1])) if row else None

    def list(self) -> list[Account]:
        with self._connect() as connection:
            rows = connection.execute("SELECT name, is_admin FROM accounts ORDER BY name").fetchall()
        return [Account(name, bool(is_admin)) for name, is_admin in rows]

    def summaries(self) -> list[dict]:
        """Every account for ``dutygraph accounts list``: name, admin, password (has one), tokens (count), created."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT a.name, a.is_admin, a.password_hash IS NOT NULL, a.created,"
                " (SELECT count(*) FROM tokens t WHERE t.account = a.name) FROM accounts a ORDER BY a.name"
            ).fetchall()
        return [{"name": name, "admin": bool(admin), "password": bool(has_password), "tokens": tokens, "created": created}
                for name, admin, has_password, created, tokens in rows]

    # -- passwords --------------------------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when name and password are right; None on any failure, without saying which.

        Lockout: every attempt for a well-formed name (existing or not, so the lockout tells nothing
        about which names exist) first records a failure, in the same write transaction that counts
        the failures of the last ``LOCKOUT_WINDOW`` seconds (15 minutes); a right password then
        removes its own record. When ``LOCKOUT_FAILURES`` (10) are already recorded, the name is
        refused without looking at the password, until the oldest of them is older than the window,
        so no more than 10 guesses per name get through in any 15 minutes, even in parallel. A
        refusal while locked is not recorded, so the lock lifts on time. A successful sign-in does
        not clear earlier failures (else the owner's sign-ins would reset an attacker's count).

        Time: an unknown name, a token-only account and a locked name still check the password
        against a dummy scrypt hash, so the answer takes about as long either way.
        """
        if not isinstance(name, str) or not isinstance(password, str) or not NAME_PATTERN.fullmatch(name):
            check_password_hash(_dummy_password_hash(), "x")
            return None
        now = time.time()
        with self._transaction() as connection:
            connection.execute("DELETE FROM sign_in_failures WHERE at < ?", (now - self.LOCKOUT_WINDOW,))
            failures = connection.execute(
                "SELECT count(*) FROM sign_in_failures WHERE name = ? AND at >= ?", (name, now - self.LOCKOUT_WINDOW)
            ).fetchone()[0]
            locked = failures >= self.LOCKOUT_FAILURES
            attempt = None
            if not locked:
                attempt = connection.execute("INSERT INTO sign_in_failures (name, at) VALUES (?, ?)", (name, now)).lastrowid
            row = connection.execute("SELECT name, is_admin, password_hash FROM accounts WHERE name = ?", (name,)).fetchone()
        stored_hash = row[2] if row is not None and row[2] else None
        right = check_password_hash(stored_hash or _dummy_password_hash(), password[:PASSWORD_MAX + 1])
        if locked or stored_hash is None or not right:
            return None
        with self._transaction() as connection:
            connection.execute("DELETE FROM sign_in_failures WHERE id = ?", (attempt,))
        return Account(row[0], bool(row[1]))

    def locked_out(self, name: str) -> bool:
        """Whether ``authenticate`` refuses this name now for too many recent failures."""
        with self._connect() as connection:
            failures = connection.execute(
                "SELECT count(*) FROM sign_in_failures WHERE name = ? AND at >= ?", (name, time.time() - self.LOCKOUT_WINDOW)
            ).fetchone()[0]
        return failures >= self.LOCKOUT_FAILURES

    # -- browser sessions -------------------------------------------------------------------------

    def session_key(self, name: str) -> str | None:
        """The account's current session key, stored in its browser session at sign-in."""
        with self._connect() as connection:
            row = connection.execute("SELECT session_key FROM accounts WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def account_for_session(self, name: str, key: str) -> Account | None:
        """The account of a browser session: it must still exist and its session key must not have changed."""
        if not isinstance(name, str) or not isinstance(key, str):
            return None
        with self._connect() as connection:
            row = connection.execute("SELECT name, is_admin, session_key FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None or not hmac.compare_digest(row[2].encode(), key.encode()):
            return None
        return Account(row[0], bool(row[1]))

    # -- tokens -----------------------------------------------------------------------------------

    def issue_token(self, name: str, label: str = "") -> str:
        """A new API token for the account, returned once: only its SHA-256 is kept."""
        if not isinstance(label, str) or len(label) > LABEL_MAX or any(ord(ch) < 32 for ch in label):
            raise AccountError(f"a token label is one line of at most {LABEL_MAX} characters")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._transaction() as connection:
            canonical = self._require(connection, name)[0]
            connection.execute("INSERT INTO tokens (token_sha256, account, label, created) VALUES (?, ?, ?, ?)",
                               (_token_hash(token), canonical, label, _now()))
        return token

    def revoke_tokens(self, name: str) -> int:
        """Remove every token of the account; the number removed."""
        with self._transaction() as connection:
            self._require(connection, name)
            return connection.execute("DELETE FROM tokens WHERE account = ?", (name,)).rowcount

    def account_for_token(self, token: str) -> Account | None:
        """The account a token was issued to, or None (unknown, revoked, or its account deleted)."""
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self._connect() as connection:
            row = connection.execute(
                "SELECT a.name, a.is_admin FROM tokens t JOIN accounts a ON a.name = t.account WHERE t.token_sha256 = ?",
                (_token_hash(token),),
            ).fetchone()
        return Account(row[0], bool(row[1])) if row else None

    # -- the audit log ----------------------------------------------------------------------------

    def log(self, account: str | None, action: str, run_id: str | None = None, detail: str = "",
            remote_addr: str | None = None) -> None:
        """Append one row: now (UTC, ISO 8601 with microseconds), who (None = anonymous), what, on which run."""
        if not isinstance(action, str) or not action:
            raise AccountError("an audit log entry needs an action")
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO audit (time, account, action, run_id, detail, remote_addr) VALUES (?, ?, ?, ?, ?, ?)",
                (_now(), account, action, run_id, detail or "", remote_addr),
            )

    def audit_entries(self, *, run_id: str | None = None, account: str | None = None, limit: int = 1000) -> list[dict]:
        """The newest ``limit`` rows (in the order they were written, newest first), optionally of one run or account."""
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise AccountError(f"the limit must be a positive whole number, not {limit!r}")
        conditions, values = [], []
        if run_id is not None:
            conditions.append("run_id = ?")
            values.append(run_id)
        if account is not None:
            conditions.append("account = ? COLLATE NOCASE")
            values.append(account)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT {', '.join(AUDIT_KEYS)} FROM audit {where} ORDER BY id DESC LIMIT ?", (*values, limit)
            ).fetchall()
        return [dict(zip(AUDIT_KEYS, row)) for row in rows]
