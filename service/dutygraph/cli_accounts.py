"""``dutygraph accounts …`` and ``dutygraph audit``: the admin's commands for accounts, tokens and the log.

They work on ``<STORE_DIR>/accounts.sqlite3`` directly (``dutygraph.web.accounts``), so they need
shell access to the store directory, not a running service, and may run while it serves. The store
directory is ``--store``, else ``$DUTYGRAPH_STORE_DIR``, else ``.dutygraph-store`` in the working
directory: the same as ``dutygraph serve``. Only ``accounts create`` makes the file; the others say
so when it is missing, rather than answer from an empty one in the wrong directory.

Exit codes: 0 done; 2 bad input (a bad or unknown name, a short password, no accounts file), with
the reason on standard error.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
import sys
from pathlib import Path

from .output_formats import render

ACCOUNTS_FILE = "accounts.sqlite3"
LIST_COLUMNS = ["name", "admin", "password", "tokens", "created"]
AUDIT_COLUMNS = ["time", "account", "action", "run_id", "detail", "remote_addr"]


class InputError(Exception):
    """Bad input to a command: its message goes to standard error and the exit code is 2."""


def store_dir(args) -> Path:
    if args.store:
        return Path(args.store)
    return Path(os.environ.get("DUTYGRAPH_STORE_DIR") or Path.cwd() / ".dutygraph-store")


def _open(args, *, create: bool = False):
    from .web.accounts import AccountStore

    path = store_dir(args) / ACCOUNTS_FILE
    if not create and not path.is_file():
        raise InputError(f"there is no accounts file {path}: create an account first "
                         "(dutygraph accounts create NAME), or give the service's store directory with --store DIR")
    return AccountStore(path)


def _read_password(args, *, confirm: bool = True) -> str:
    """One line of standard input with --password-stdin, else asked for (twice) without echo."""
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InputError("--password-stdin: standard input is empty; give the password as one line")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():  # getpass would fall back to /dev/tty or echo: neither is what a script meant
        raise InputError("standard input is not a terminal to ask for the password on: give --password-stdin "
                         "(and the password as one line of standard input), or --no-password")
    try:
        password = getpass.getpass("password: ")
        if confirm and getpass.getpass("password again: ") != password:
            raise InputError("the two passwords differ; nothing was changed")
    except (EOFError, KeyboardInterrupt):
        raise InputError("no password was given; nothing was changed (use --password-stdin in scripts)") from None
    return password


def cmd_create(args) -> int:
    from .web.accounts import check_new_name

    if args.no_password and args.password_stdin:
        raise InputError("--no-password and --password-stdin contradict each other: give one")
    check_new_name(args.name)  # before making a file or asking for a password
    store = _open(args, create=True)
    if store.get(args.name) is not None:  # before asking for a password that would be thrown away
        raise InputError(f"an account named {store.get(args.name).name!r} already exists")
    password = None if args.no_password else _read_password(args)
    account = store.create(args.name, password, admin=args.admin)
    kind = ("admin" if account.is_admin else "account") + (", token-only" if password is None else "")
    print(f"created {account.name} ({kind}) in {store.path}")
    return 0


def cmd_passwd(args) -> int:
    store = _open(args)
    if store.get(args.name) is None:
        raise InputError(f"no account named {args.name!r} in {store.path}")
    store.set_password(args.name, _read_password(args))
    print(f"changed the password of {args.name}; its browser sessions have ended")
    return 0


def cmd_delete(args) -> int:
    store = _open(args)
    store.delete(args.name)
    print(f"deleted {args.name} and its tokens (its audit log entries stay)")
    return 0


def cmd_list(args) -> int:
    rows = _open(args).summaries()
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        shown = [{**row, "admin": "yes" if row["admin"] else "no", "password": "yes" if row["password"] else "no"} for row in rows]
        sys.stdout.write(render(LIST_COLUMNS, shown, "table"))
    return 0


def cmd_token(args) -> int:
    token = _open(args).issue_token(args.name, args.label)
    print(token, flush=True)
    print(f"dutygraph: a new API token for {args.name}; it is shown only this once: "
          "send it as 'Authorization: Bearer <token>'", file=sys.stderr)
    return 0


def cmd_revoke_tokens(args) -> int:
    count = _open(args).revoke_tokens(args.name)
    print(f"revoked {count} token{'s' if count != 1 else ''} of {args.name}")
    return 0


def cmd_audit(args) -> int:
    rows = _open(args).audit_entries(run_id=args.run, account=args.account, limit=args.limit)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render(AUDIT_COLUMNS, rows, "table"))
    return 0


def _guarded(handler):
    """Bad input and account errors as `dutygraph: …` on standard error with exit code 2."""
    from .web.accounts import AccountError

    def run(args) -> int:
        try:
            return handler(args)
        except (InputError, AccountError) as error:
            print(f"dutygraph: {error}", file=sys.stderr)
        except (sqlite3.Error, OSError) as error:
            print(f"dutygraph: cannot use the accounts file in {store_dir(args)}: {error}", file=sys.stderr)
        return 2

    return run


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _store_option(parser) -> None:
    parser.add_argument("--store", metavar="DIR",
                        help="the service's store directory (default: $DUTYGRAPH_STORE_DIR, else .dutygraph-store in the working directory)")


def add_parsers(sub) -> None:
    accounts = sub.add_parser("accounts", help="create and delete accounts, set passwords, issue API tokens")
    commands = accounts.add_subparsers(dest="accounts_command", required=True, metavar="COMMAND")

    create = commands.add_parser("create", help="a new account (asks for its password twice)")
    create.add_argument("name", metavar="NAME", help="1 to 64 of A-Z a-z 0-9 . _ @ -")
    create.add_argument("--admin", action="store_true", help="an admin account")
    create.add_argument("--no-password", action="store_true", help="a token-only account: no browser sign-in")
    create.add_argument("--password-stdin", action="store_true", help="read the password as one line of standard input")
    create.set_defaults(handler=_guarded(cmd_create))

    passwd = commands.add_parser("passwd", help="set an account's password (ends its browser sessions)")
    passwd.add_argument("name", metavar="NAME")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password as one line of standard input")
    passwd.set_defaults(handler=_guarded(cmd_passwd))

    delete = commands.add_parser("delete", help="delete an account and its tokens")
    delete.add_argument("name", metavar="NAME")
    delete.set_defaults(handler=_guarded(cmd_delete))

    listing = commands.add_parser("list", help="the accounts: admin or not, password or token-only, tokens")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=_guarded(cmd_list))

    token = commands.add_parser("token", help="issue a new API token (printed once, alone on standard output)")
    token.add_argument("name", metavar="NAME")
    token.add_argument("--label", default="", metavar="TEXT", help="what the token is for (kept with it)")
    token.set_defaults(handler=_guarded(cmd_token))

    revoke = commands.add_parser("revoke-tokens", help="revoke every API token of an account")
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(handler=_guarded(cmd_revoke_tokens))

    for command in (create, passwd, delete, listing, token, revoke):
        _store_option(command)

    audit = sub.add_parser("audit", help="the audit log: who uploaded, read or deleted which run, and sign-ins")
    audit.add_argument("--run", metavar="ID", help="only the entries of this run")
    audit.add_argument("--account", metavar="NAME", help="only the entries of this account")
    audit.add_argument("--limit", type=_positive, default=1000, metavar="N", help="at most N entries, newest first (default 1000)")
    audit.add_argument("--format", choices=("table", "json"), default="table")
    _store_option(audit)
    audit.set_defaults(handler=_guarded(cmd_audit))
