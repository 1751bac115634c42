"""Accounts, API tokens, the browser sign-in and the audit log (dutygraph.web.accounts and .auth).

Three parts: the SQLite store on its own (a fresh file per test), the `dutygraph accounts` and
`dutygraph audit` commands as a user runs them, and the Flask side through the test client, with a
test-only route on the app object to see what current_account() makes of a request.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask import jsonify

from conftest import REPO, dutygraph_command
from dutygraph.web import create_app
from dutygraph.web.accounts import Account, AccountError, AccountStore
from dutygraph.web.auth import account_store, current_account, require_account, safe_next

PASSWORD = "correct horse battery"
ADMIN_TOKEN = "admin-token-for-the-tests-0123456789"
ENGLISH = {"Accept-Language": "en"}  # the sign-in pages follow the browser's language (Chinese by default)


@pytest.fixture
def store(tmp_path) -> AccountStore:
    return AccountStore(tmp_path / "accounts.sqlite3")


def dump(path: Path) -> str:
    """Every value of every table, as one text, to look for what must not be stored."""
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for table in tables for row in connection.execute(f"SELECT * FROM {table}"))
    finally:
        connection.close()


# -- accounts -------------------------------------------------------------------------------------

def test_create_get_and_list(store):
    assert store.create("alice", PASSWORD) == Account("alice", False)
    assert store.create("root.ops@example-1", PASSWORD, admin=True) == Account("root.ops@example-1", True)
    assert store.create("ci_bot", None) == Account("ci_bot", False)
    assert store.get("alice") == Account("alice", False)
    assert store.get("ALICE") == Account("alice", False)  # names are one regardless of case
    assert store.get("nobody") is None
    assert store.list() == [Account("alice", False), Account("ci_bot", False), Account("root.ops@example-1", True)]
    summary = {row["name"]: row for row in store.summaries()}
    assert summary["ci_bot"]["password"] is False and summary["alice"]["password"] is True
    assert summary["root.ops@example-1"]["admin"] is True


def test_duplicates_are_refused_whatever_the_case(store):
    store.create("alice", PASSWORD)
    for name in ("alice", "Alice", "ALICE"):
        with pytest.raises(AccountError, match="already exists"):
            store.create(name, PASSWORD)
    assert store.list() == [Account("alice", False)]


@pytest.mark.parametrize("name", ["", "a" * 65, "with space", "semi;colon", "slash/name", "名字", "tab\tname",
                                  "alice\n", "quote'"])
def test_bad_names_are_refused(store, name):
    with pytest.raises(AccountError, match="bad account name"):
        store.create(name, PASSWORD)
    assert store.list() == []


def test_the_longest_name_is_64_characters(store):
    assert store.create("a" * 64, PASSWORD).name == "a" * 64


def test_admin_is_reserved_for_the_admin_token(store):
    with pytest.raises(AccountError, match="reserved"):
        store.create("Admin", PASSWORD)


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_short_passwords_are_refused(store, password):
    with pytest.raises(AccountError, match="too short.*at least 10"):
        store.create("alice", password)
    assert store.get("alice") is None
    store.create("alice", PASSWORD)
    with pytest.raises(AccountError, match="too short"):
        store.set_password("alice", password)
    assert store.authenticate("alice", PASSWORD) == Account("alice", False)


def test_unknown_accounts_are_errors_for_changes(store):
    for change in (lambda: store.set_password("ghost", PASSWORD), lambda: store.delete("ghost"),
                   lambda: store.issue_token("ghost"), lambda: store.revoke_tokens("ghost")):
        with pytest.raises(AccountError, match="no account named 'ghost'"):
            change()


def test_the_file_holds_scrypt_hashes_not_passwords_and_only_its_owner_reads_it(store):
    store.create("alice", PASSWORD)
    store.create("bob", "another password 2")
    text = dump(store.path)
    assert PASSWORD not in text and "another password 2" not in text
    hashes = [row[0] for row in sqlite3.connect(store.path).execute("SELECT password_hash FROM accounts")]
    assert len(hashes) == 2 and all(h.startswith("scrypt:") for h in hashes)
    assert hashes[0] != hashes[1]
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_tables_survive_reopening(store):
    store.create("alice", PASSWORD)
    token = store.issue_token("alice")
    again = AccountStore(store.path)
    assert again.authenticate("alice", PASSWORD) == Account("alice", False)
    assert again.account_for_token(token) == Account("alice", False)


# -- passwords and the lockout --------------------------------------------------------------------

def test_authenticate_right_wrong_and_unknown(store):
    store.create("alice", PASSWORD)
    store.create("bot", None)
    assert store.authenticate("alice", PASSWORD) == Account("alice", False)
    assert store.authenticate("Alice", PASSWORD) == Account("alice", False)
    assert store.authenticate("alice", PASSWORD + "x") is None
    assert store.authenticate("alice", PASSWORD.upper()) is None
    assert store.authenticate("alice", "") is None
    assert store.authenticate("nobody", PASSWORD) is None
    assert store.authenticate("bot", "") is None and store.authenticate("bot", PASSWORD) is None  # token-only
    assert store.authenticate("bad name", PASSWORD) is None
    store.set_password("alice", "a new password")
    assert store.authenticate("alice", PASSWORD) is None
    assert store.authenticate("alice", "a new password") == Account("alice", False)


def test_ten_failures_lock_the_name_even_for_the_right_password(store):
    store.create("alice", PASSWORD)
    store.create("bob", PASSWORD)
    for _ in range(9):
        assert store.authenticate("alice", "wrong password") is None
    assert not store.locked_out("alice")
    assert store.authenticate("alice", PASSWORD) == Account("alice", False)  # 9 failures: still open
    assert store.authenticate("alice", "wrong password") is None  # the 10th
    assert store.locked_out("alice") and store.locked_out("ALICE")
    assert store.authenticate("alice", PASSWORD) is None
    assert store.authenticate("bob", PASSWORD) == Account("bob", False)  # one name's lock is not another's
    assert not store.locked_out("bob")


def test_the_lock_lifts_when_the_window_passes(store):
    store.create("alice", PASSWORD)
    for _ in range(10):  # in the 15-minute window, however long ten password hashes take here
        store.authenticate("alice", "wrong password")
    assert store.authenticate("alice", PASSWORD) is None
    store.LOCKOUT_WINDOW = 1.5  # then a short window, which every failure is older than after 1.6 s
    time.sleep(1.6)
    assert not store.locked_out("alice")
    assert store.authenticate("alice", PASSWORD) == Account("alice", False)


def test_unknown_names_are_locked_too_so_the_lock_tells_nothing(store):
    for _ in range(10):
        store.authenticate("nobody", "wrong password")
    assert store.locked_out("nobody")


def test_parallel_guesses_get_no_more_than_ten_tries(store):
    store.create("alice", PASSWORD)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda i: store.authenticate("alice", f"guess number {i}"), range(30)))
    assert answers == [None] * 30
    failures = sqlite3.connect(store.path).execute("SELECT count(*) FROM sign_in_failures WHERE name = 'alice'").fetchone()[0]
    assert failures == 10
    assert store.authenticate("alice", PASSWORD) is None


def test_a_password_change_or_recreation_changes_the_session_key(store):
    store.create("alice", PASSWORD)
    key = store.session_key("alice")
    assert store.account_for_session("alice", key) == Account("alice", False)
    assert store.account_for_session("alice", key + "x") is None
    store.set_password("alice", "a new password")
    assert store.account_for_session("alice", key) is None
    key = store.session_key("alice")
    store.delete("alice")
    assert store.account_for_session("alice", key) is None
    store.create("alice", PASSWORD)
    assert store.account_for_session("alice", key) is None


# -- tokens ---------------------------------------------------------------------------------------

def test_tokens_work_and_are_stored_only_as_sha256(store):
    import hashlib

    store.create("alice", PASSWORD)
    store.create("bob", None, admin=True)
    token = store.issue_token("alice", label="laptop")
    other = store.issue_token("bob")
    assert re.fullmatch(r"dg_[A-Za-z0-9_-]{43}", token) and token != other
    assert store.account_for_token(token) == Account("alice", False)
    assert store.account_for_token(other) == Account("bob", True)
    assert store.account_for_token(token + "x") is None
    assert store.account_for_token("dg_" + "A" * 43) is None
    assert store.account_for_token(token[3:]) is None
    assert store.account_for_token("") is None
    text = dump(store.path)
    assert token not in text and token[3:] not in text
    assert hashlib.sha256(token.encode()).hexdigest() in text
    assert "laptop" in text


def test_revoking_removes_every_token_of_the_account_only(store):
    store.create("alice", PASSWORD)
    store.create("bob", PASSWORD)
    first, second = store.issue_token("alice"), store.issue_token("alice")
    bobs = store.issue_token("bob")
    assert store.revoke_tokens("alice") == 2
    assert store.account_for_token(first) is None and store.account_for_token(second) is None
    assert store.account_for_token(bobs) == Account("bob", False)
    assert store.revoke_tokens("alice") == 0


def test_a_deleted_accounts_token_no_longer_works_even_if_the_name_returns(store):
    store.create("alice", PASSWORD)
    token = store.issue_token("alice")
    store.delete("alice")
    assert store.get("alice") is None
    assert store.account_for_token(token) is None
    assert sqlite3.connect(store.path).execute("SELECT count(*) FROM tokens").fetchone()[0] == 0
    store.create("alice", PASSWORD)
    assert store.account_for_token(token) is None


def test_token_labels_are_one_short_line(store):
    store.create("alice", PASSWORD)
    with pytest.raises(AccountError, match="label"):
        store.issue_token("alice", "two\nlines")
    with pytest.raises(AccountError, match="label"):
        store.issue_token("alice", "x" * 201)


# -- the audit log --------------------------------------------------------------------------------

def test_audit_rows_have_time_account_action_run_detail_and_address(store):
    before = datetime.now(timezone.utc)
    store.log("alice", "upload", run_id="run-1", detail="3 files", remote_addr="192.0.2.7")
    store.log(None, "read", run_id="run-1")
    store.log("bob", "delete", run_id="run-2", remote_addr="2001:db8::1")
    after = datetime.now(timezone.utc)
    entries = store.audit_entries()
    assert [e["action"] for e in entries] == ["delete", "read", "upload"]  # newest first
    assert set(entries[0]) == {"time", "account", "action", "run_id", "detail", "remote_addr"}
    upload = entries[2]
    assert (upload["account"], upload["run_id"], upload["detail"], upload["remote_addr"]) == ("alice", "run-1", "3 files", "192.0.2.7")
    assert entries[1]["account"] is None and entries[1]["detail"] == "" and entries[1]["remote_addr"] is None
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", entry["time"])
        assert before <= datetime.fromisoformat(entry["time"]) <= after
    assert [e["action"] for e in store.audit_entries(run_id="run-1")] == ["read", "upload"]
    assert [e["action"] for e in store.audit_entries(account="alice")] == ["upload"]
    assert [e["action"] for e in store.audit_entries(account="bob", run_id="run-1")] == []
    assert [e["action"] for e in store.audit_entries(limit=2)] == ["delete", "read"]
    with pytest.raises(AccountError, match="limit"):
        store.audit_entries(limit=0)
    with pytest.raises(AccountError, match="action"):
        store.log("alice", "")


def test_deleting_an_account_keeps_its_audit_rows(store):
    store.create("alice", PASSWORD)
    store.log("alice", "upload", run_id="run-1")
    store.delete("alice")
    assert [(e["account"], e["action"]) for e in store.audit_entries()] == [("alice", "upload")]


# -- many threads and processes at once ----------------------------------------------------------

def test_threads_and_a_second_process_use_one_file_at_once(tmp_path):
    path = tmp_path / "accounts.sqlite3"
    stores = [AccountStore(path), AccountStore(path)]  # as from two waitress apps
    stores[0].create("shared", None)
    start = threading.Barrier(9)

    def work(i: int) -> tuple[str, str]:
        store = stores[i % 2]
        start.wait()
        store.create(f"user{i}", None)
        token = store.issue_token(f"user{i}")
        for n in range(25):
            store.log(f"user{i}", "read", run_id=f"run-{i}", detail=str(n))
            assert store.account_for_token(token) == Account(f"user{i}", False)
        store.issue_token("shared")
        return f"user{i}", token

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(work, i) for i in range(8)]
        start.wait()
        cli = subprocess.run(dutygraph_command() + ["accounts", "token", "shared", "--store", str(tmp_path)],
                             capture_output=True, text=True, timeout=120)
        results = [f.result() for f in futures]
    assert cli.returncode == 0, cli.stderr
    store = AccountStore(path)
    assert store.account_for_token(cli.stdout.strip()) == Account("shared", False)
    assert len(store.list()) == 9
    assert all(store.account_for_token(token) == Account(name, False) for name, token in results)
    assert len(store.audit_entries(limit=10_000)) == 8 * 25
    for i in range(8):
        assert sorted(int(e["detail"]) for e in store.audit_entries(run_id=f"run-{i}")) == list(range(25))
    assert store.revoke_tokens("shared") == 9


# -- the commands ---------------------------------------------------------------------------------

def cli(*args: str, input: str | None = None, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    """`dutygraph ARGS…` with input on its standard input (conftest's run_cli has none)."""
    environment = {k: v for k, v in os.environ.items() if k != "DUTYGRAPH_STORE_DIR"}
    environment.update(env or {})
    return subprocess.run(dutygraph_command() + list(args), input=input, capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=environment, stdin=None if input is not None else subprocess.DEVNULL)


def test_cli_create_with_password_stdin_then_sign_in(run_cli, tmp_path):
    result = cli("accounts", "create", "alice", "--password-stdin", "--store", str(tmp_path), input=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "created alice" in result.stdout
    store = AccountStore(tmp_path / "accounts.sqlite3")
    assert store.authenticate("alice", PASSWORD) == Account("alice", False)
    assert PASSWORD not in dump(store.path)
    # run_cli (no standard input): a duplicate is refused before any password is asked for
    duplicate = run_cli("accounts", "create", "alice", "--password-stdin", "--store", str(tmp_path))
    assert duplicate.returncode == 2
    assert duplicate.stderr.startswith("dutygraph: ") and "already exists" in duplicate.stderr


@pytest.mark.parametrize("args, input, message", [
    (["create", "bad name", "--no-password"], None, "bad account name 'bad name'"),
    (["create", "admin", "--no-password"], None, "reserved"),
    (["create", "bob", "--password-stdin"], "short\n", "too short: 5 characters, at least 10"),
    (["create", "bob", "--password-stdin"], "", "standard input is empty"),
    (["create", "bob", "--no-password", "--password-stdin"], PASSWORD, "contradict"),
    (["create", "bob"], None, "not a terminal"),  # no terminal to ask on
    (["passwd", "ghost", "--password-stdin"], PASSWORD + "\n", "no account named 'ghost'"),
    (["delete", "ghost"], None, "no account named 'ghost'"),
    (["token", "ghost"], None, "no account named 'ghost'"),
])
def test_cli_bad_input_exits_2_with_a_message(tmp_path, args, input, message):
    assert cli("accounts", "create", "alice", "--no-password", "--store", str(tmp_path)).returncode == 0
    result = cli("accounts", *args, "--store", str(tmp_path), input=input)
    assert result.returncode == 2, result
    assert result.stderr.startswith("dutygraph: ") and message in result.stderr, result.stderr
    assert AccountStore(tmp_path / "accounts.sqlite3").list() == [Account("alice", False)]


def test_cli_commands_other_than_create_need_an_existing_file(tmp_path):
    for args in (["accounts", "list"], ["accounts", "token", "alice"], ["audit"]):
        result = cli(*args, "--store", str(tmp_path / "nowhere"))
        assert result.returncode == 2
        assert "there is no accounts file" in result.stderr and "--store" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_cli_token_list_revoke_passwd_delete(tmp_path):
    store_option = ["--store", str(tmp_path)]
    assert cli("accounts", "create", "ci", "--no-password", "--admin", *store_option).returncode == 0
    assert cli("accounts", "create", "alice", "--password-stdin", *store_option, input=PASSWORD + "\n").returncode == 0
    issued = cli("accounts", "token", "ci", "--label", "nightly upload", *store_option)
    assert issued.returncode == 0, issued.stderr
    assert len(issued.stdout.splitlines()) == 1  # the token alone on its line
    token = issued.stdout.strip()
    assert token.startswith("dg_") and "only this once" in issued.stderr
    store = AccountStore(tmp_path / "accounts.sqlite3")
    assert store.account_for_token(token) == Account("ci", True)

    listed = json.loads(cli("accounts", "list", "--format", "json", *store_option).stdout)
    assert [(r["name"], r["admin"], r["password"], r["tokens"]) for r in listed] == [("alice", False, True, 0), ("ci", True, False, 1)]
    table = cli("accounts", "list", *store_option).stdout
    assert table.splitlines()[0].split() == ["name", "admin", "password", "tokens", "created"] and "(2 rows)" in table

    revoked = cli("accounts", "revoke-tokens", "ci", *store_option)
    assert revoked.returncode == 0 and "revoked 1 token of ci" in revoked.stdout
    assert store.account_for_token(token) is None

    changed = cli("accounts", "passwd", "alice", "--password-stdin", *store_option, input="a new password\n")
    assert changed.returncode == 0, changed.stderr
    assert store.authenticate("alice", "a new password") == Account("alice", False)
    assert store.authenticate("alice", PASSWORD) is None

    assert cli("accounts", "delete", "alice", *store_option).returncode == 0
    assert store.get("alice") is None


def test_cli_audit_lists_newest_first_with_filters(tmp_path):
    assert cli("accounts", "create", "alice", "--no-password", "--store", str(tmp_path)).returncode == 0
    store = AccountStore(tmp_path / "accounts.sqlite3")
    store.log("alice", "upload", run_id="run-1", remote_addr="192.0.2.7")
    store.log("alice", "read", run_id="run-1")
    store.log(None, "read", run_id="run-2")
    rows = json.loads(cli("audit", "--format", "json", "--store", str(tmp_path)).stdout)
    assert [(r["account"], r["action"], r["run_id"]) for r in rows] == [(None, "read", "run-2"), ("alice", "read", "run-1"),
                                                                        ("alice", "upload", "run-1")]
    rows = json.loads(cli("audit", "--run", "run-1", "--limit", "1", "--format", "json", "--store", str(tmp_path)).stdout)
    assert [(r["action"], r["run_id"]) for r in rows] == [("read", "run-1")]
    table = cli("audit", "--account", "alice", "--store", str(tmp_path)).stdout
    assert table.splitlines()[0].split() == ["time", "account", "action", "run_id", "detail", "remote_addr"]
    assert "192.0.2.7" in table and "(2 rows)" in table
    bad = cli("audit", "--limit", "0", "--store", str(tmp_path))
    assert bad.returncode == 2 and "at least 1" in bad.stderr


def test_cli_store_defaults_to_the_environment_then_the_working_directory(tmp_path):
    elsewhere = tmp_path / "srv-store"
    assert cli("accounts", "create", "alice", "--no-password", env={"DUTYGRAPH_STORE_DIR": str(elsewhere)}).returncode == 0
    assert (elsewhere / "accounts.sqlite3").is_file()
    assert cli("accounts", "create", "bob", "--no-password", cwd=tmp_path).returncode == 0
    assert AccountStore(tmp_path / ".dutygraph-store" / "accounts.sqlite3").list() == [Account("bob", False)]


# -- the web side ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("auth-store")
    create_app({"STORE_DIR": str(directory)})  # builds the Oxigraph store once for the module
    return directory


def make_app(store_dir: Path, **config):
    app = create_app({"STORE_DIR": str(store_dir), "ADMIN_TOKEN": ADMIN_TOKEN, **config})

    @app.get("/_test/whoami")
    def whoami():
        account = current_account()
        return jsonify(None if account is None else {"name": account.name, "admin": account.is_admin})

    @app.route("/_test/needs-account", methods=["GET", "POST"])
    def needs_account():
        return f"hello {require_account().name}"

    return app


@pytest.fixture
def app(store_dir):
    app = make_app(store_dir)
    with app.app_context():
        for account in account_store().list():
            account_store().delete(account.name)
        account_store().create("alice", PASSWORD)
        account_store().create("robot", None, admin=True)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def whoami(client, **headers):
    return client.get("/_test/whoami", headers=headers).get_json()


def csrf_of(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(client, name: str = "alice", password: str = PASSWORD, next_path: str | None = None, **headers):
    form = {"name": name, "password": password, "csrf": csrf_of(client)}
    if next_path is not None:
        form["next"] = next_path
    return client.post("/login", data=form, headers=headers)


def test_the_login_form_is_plain_html_with_no_scripts_or_outside_resources(client):
    response = client.get("/login?next=/runs/7")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<form method="post" action="/login">' in page
    for field in ('name="name"', 'name="password"', 'type="password"', 'name="next" value="/runs/7"', 'name="csrf"'):
        assert field in page
    assert "<script" not in page.lower() and "http://" not in page and "https://" not in page and " src=" not in page
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_form_escapes_next(client):
    page = client.get('/login?next=/x"><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>" not in page


def test_sign_in_sets_a_httponly_samesite_lax_session_and_logs_it(app, client):
    assert whoami(client) is None
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "; Secure" not in cookie  # SESSION_COOKIE_SECURE is the deployment's choice
    assert whoami(client) == {"name": "alice", "admin": False}
    assert client.get("/_test/needs-account").get_data(as_text=True) == "hello alice"
    with app.app_context():
        entry = account_store().audit_entries(limit=1)[0]
    assert (entry["account"], entry["action"], entry["remote_addr"]) == ("alice", "sign-in", "127.0.0.1")


def test_session_cookie_secure_is_configurable(store_dir):
    client = make_app(store_dir, SESSION_COOKIE_SECURE=True).test_client()
    response = sign_in(client)
    assert response.status_code == 303 and "; Secure" in response.headers["Set-Cookie"]


def test_a_failed_sign_in_is_401_with_the_form_again_and_logged(app, client):
    response = sign_in(client, password="wrong password", **ENGLISH)  # the page is in the browser's language
    assert response.status_code == 401 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "wrong account name or password" in page and 'name="password"' in page
    assert whoami(client) is None
    unknown = sign_in(client, name="nobody", **ENGLISH)
    assert unknown.status_code == 401 and "wrong account name or password" in unknown.get_data(as_text=True)
    with app.app_context():
        entries = account_store().audit_entries(limit=2)
    assert [(e["account"], e["action"], e["detail"]) for e in entries] == [
        (None, "sign-in-failed", "unknown name"), ("alice", "sign-in-failed", "wrong password")]


def test_a_password_typed_as_the_name_is_not_logged(app, client):
    sign_in(client, name="MySecretPassword1", password="x")
    with app.app_context():
        assert "MySecretPassword1" not in json.dumps(account_store().audit_entries())


def test_the_lockout_shows_on_the_sign_in_page(app, client):
    with app.app_context():
        for _ in range(10):
            account_store().authenticate("alice", "wrong password")
    response = sign_in(client, **ENGLISH)
    assert response.status_code == 401 and "too many failed sign-ins" in response.get_data(as_text=True)
    assert whoami(client) is None


def test_a_sign_in_without_the_forms_token_is_refused(client):
    response = client.post("/login", data={"name": "alice", "password": PASSWORD}, headers=ENGLISH)
    assert response.status_code == 400 and "sign in again" in response.get_data(as_text=True)
    assert whoami(client) is None
    other = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": "made-up"})
    assert other.status_code == 400
    assert whoami(client) is None


def test_another_sites_token_does_not_fit_this_browsers_session(app, client):
    attacker = app.test_client()
    token = csrf_of(attacker)  # valid in the attacker's session only
    response = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": token})
    assert response.status_code == 400 and whoami(client) is None


def test_a_cross_site_sign_in_post_is_refused(client):
    response = sign_in(client, **{"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403 and whoami(client) is None


def test_sign_in_starts_a_fresh_session(client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session and session["account"] == "alice"


@pytest.mark.parametrize("next_path, location", [
    ("/runs/42?format=html", "/runs/42?format=html"),
    ("/sparql", "/sparql"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("/\t/evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("runs/42", "/"),
    ("", "/"),
])
def test_next_is_followed_only_to_a_local_path(client, next_path, location):
    response = sign_in(client, next_path=next_path)
    assert response.status_code == 303 and response.headers["Location"] == location


def test_safe_next():
    assert safe_next(None) == "/" and safe_next("/a/b") == "/a/b" and safe_next("///x") == "/"


def test_logout_ends_the_session(app, client):
    sign_in(client)
    assert whoami(client)["name"] == "alice"
    assert client.get("/logout").status_code == 200  # a page with the button, not a sign-out
    assert whoami(client)["name"] == "alice"
    response = client.post("/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert whoami(client) is None
    with app.app_context():
        assert account_store().audit_entries(limit=1)[0]["action"] == "sign-out"


def test_a_password_change_or_deletion_ends_the_browser_sessions(app, client):
    sign_in(client)
    with app.app_context():
        account_store().set_password("alice", "a new password")
    assert whoami(client) is None
    sign_in(client, password="a new password")
    assert whoami(client)["name"] == "alice"
    with app.app_context():
        account_store().delete("alice")
        account_store().create("alice", PASSWORD)  # the same name again is not the same account
    assert whoami(client) is None


def test_sessions_survive_a_restart_through_the_secret_key_file(store_dir, client):
    sign_in(client)
    key_file = store_dir / "secret-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_text().strip()) >= 32
    restarted = make_app(store_dir).test_client()
    restarted.set_cookie("session", client.get_cookie("session").value)
    assert whoami(restarted) == {"name": "alice", "admin": False}
    other_key = make_app(store_dir, SECRET_KEY="a different secret key for this test").test_client()
    other_key.set_cookie("session", client.get_cookie("session").value)
    assert whoami(other_key) is None


def test_a_bearer_token_is_its_account(app, client):
    with app.app_context():
        token = account_store().issue_token("alice")
        robots = account_store().issue_token("robot")
    assert whoami(client, Authorization=f"Bearer {token}") == {"name": "alice", "admin": False}
    assert whoami(client, Authorization=f"bearer {robots}") == {"name": "robot", "admin": True}
    assert client.post("/_test/needs-account", headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True) == "hello alice"
    with app.app_context():
        account_store().revoke_tokens("alice")
    assert client.get("/_test/whoami", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize("header", ["Bearer dg_not-a-token", "Bearer " + ADMIN_TOKEN[:-1], "Bearer ", "Bearer"])
def test_an_unknown_bearer_token_is_401_never_anonymous(client, header):
    for path in ("/_test/whoami", "/_test/needs-account"):
        response = client.get(path, headers={"Authorization": header})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="dutygraph"'
        assert response.mimetype == "text/plain" and "token" in response.get_data(as_text=True)


def test_a_bad_token_is_401_even_with_a_signed_in_session(client):
    sign_in(client)
    assert client.get("/_test/whoami", headers={"Authorization": "Bearer dg_wrong"}).status_code == 401


def test_the_admin_token_gives_an_admin(client, store_dir):
    assert whoami(client, Authorization=f"Bearer {ADMIN_TOKEN}") == {"name": "admin", "admin": True}
    without = make_app(store_dir, ADMIN_TOKEN=None).test_client()
    assert without.get("/_test/whoami", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code == 401
    empty = make_app(store_dir, ADMIN_TOKEN="").test_client()  # empty means none, not "Bearer " gets in
    assert empty.get("/_test/whoami", headers={"Authorization": "Bearer "}).status_code == 401


def test_other_authorization_schemes_are_ignored(client):
    assert whoami(client, Authorization="Basic YWxpY2U6cGFzc3dvcmQ=") is None


def test_no_account_is_401_text_for_scripts_and_a_sign_in_link_for_browsers(client):
    response = client.get("/_test/needs-account?a=1", headers={"Accept": "*/*"})
    assert response.status_code == 401 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        "sign in or send an API token (Authorization: Bearer …) to GET /_test/needs-account\n")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="dutygraph"'
    browser = client.get("/_test/needs-account?a=1", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 401 and browser.mimetype == "text/html"
    assert browser.headers["WWW-Authenticate"] == 'Bearer realm="dutygraph"'
    page = browser.get_data(as_text=True)
    link = re.search(r'<a class="sign-in-link[^"]*" href="([^"]+)"', page).group(1)  # in the site's layout (templates/login.html)
    assert link == "/login?next=/_test/needs-account%3Fa%3D1"
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'name="next" value="/_test/needs-account?a=1"' in form


def test_accounts_db_can_be_placed_elsewhere(store_dir, tmp_path):
    app = make_app(store_dir, ACCOUNTS_DB=str(tmp_path / "elsewhere.sqlite3"))
    with app.app_context():
        assert account_store().path == tmp_path / "elsewhere.sqlite3"
        account_store().create("carol", PASSWORD)
    assert AccountStore(tmp_path / "elsewhere.sqlite3").get("carol") == Account("carol", False)
