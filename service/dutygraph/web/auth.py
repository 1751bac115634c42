"""Who is asking: API tokens for scripts, a sign-in for the browser, and the 401 answer.

``current_account()`` looks, in this order, at

1. ``Authorization: Bearer <token>``: ``ADMIN_TOKEN`` (when the config sets one; compared in
   constant time) acts as ``Account("admin", is_admin=True)``, else an account's API token. A Bearer
   header with an unknown or revoked token is answered 401 at once — a script with a bad token must
   hear so, not be served as anonymous. Other schemes (say ``Basic`` from a proxy in front) are
   ignored.
2. the browser session: Flask's signed session cookie holding the account name and its session key
   (see ``accounts``); the account must still exist and the key must not have changed, so deleting
   an account or changing its password ends its sessions at once.

What protects the session:

- the cookie is signed with ``SECRET_KEY`` (the config's, else one generated once into
  ``<STORE_DIR>/secret-key``, mode 0600, so sessions survive a restart), ``HttpOnly`` (no script
  can read it) and ``SameSite=Lax`` (a browser does not send it with another site's POST, image or
  frame, so another site cannot act as the signed-in user); set ``SESSION_COOKIE_SECURE = True``
  when the service is behind HTTPS. It is a browser-session cookie, and Flask refuses its signature
  ``PERMANENT_SESSION_LIFETIME`` (default 31 days) after it was last written, i.e. the sign-in.
- login CSRF (another site posting *its* credentials to ``/login`` so that the victim works, and
  uploads, as the attacker): the form carries a random token that must match one kept in the
  visitor's own session; a cross-site POST does not carry that session (SameSite=Lax), so it cannot
  match. A POST the browser marks ``Sec-Fetch-Site: cross-site`` is refused outright.
- fixation: a sign-in starts a fresh session (everything in the old one is dropped) and the form
  token is renewed.
- the sign-in pages are served with ``Cache-Control: no-store``, may not be framed
  (``frame-ancestors 'none'``) and load nothing but this site's stylesheet (no script at all).
  They are rendered with the site's layout in Chinese or English (``templates/login.html``,
  ``logout.html``; the words below, registered with ``i18n``).
- ``next`` after a sign-in is followed only when it is a path of this site (one leading ``/``,
  no ``//``, backslash, control characters or spaces); otherwise the browser goes to ``/``.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, session, url_for

from . import i18n
from .accounts import Account, AccountStore

__all__ = ["bp", "init_app", "account_store", "current_account", "Unauthorized", "require_account", "unauthorized_response"]

bp = Blueprint("auth", __name__)

SECRET_KEY_FILE = "secret-key"
ACCOUNTS_FILE = "accounts.sqlite3"
ADMIN = Account("admin", is_admin=True)
MIN_ADMIN_TOKEN = 20
SESSION_ACCOUNT, SESSION_KEY, SESSION_CSRF = "account", "account_key", "login_csrf"
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Vary": "Accept, Accept-Language, Cookie",
}


class Unauthorized(Exception):
    """The request needs an account; the message says what to send."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# -- set-up ---------------------------------------------------------------------------------------

def _secret_key(store_dir: Path, logger) -> str:
    """The key in store_dir/secret-key, generated there the first time (two processes agree on one)."""
    path = store_dir / SECRET_KEY_FILE
    if not path.exists():
        fresh = store_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(fresh, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(fresh, path)  # unlike rename, fails when another process has just made one: theirs wins
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
    if path.stat().st_mode & 0o077:
        logger.warning("dutygraph: %s can be read by other users; make it mode 0600 (chmod 600)", path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key (fewer than 32 characters); delete it to have a new one made")
    return key


def init_app(app) -> None:
    """The account store, the session's secret key and cookie flags, and the 401 handler."""
    app.config.setdefault("ADMIN_TOKEN", None)
    app.config.setdefault("ACCOUNTS_DB", None)
    admin_token = app.config["ADMIN_TOKEN"]
    if admin_token is not None and not isinstance(admin_token, str):
        raise RuntimeError("ADMIN_TOKEN must be text (in DUTYGRAPH_ADMIN_TOKEN, a value that does not read as JSON "
                           f"number or literal, or a quoted JSON string), not {type(admin_token).__name__}")
    if admin_token and len(admin_token) < MIN_ADMIN_TOKEN:
        app.logger.warning("dutygraph: ADMIN_TOKEN is shorter than %d characters; anyone who guesses it is admin",
                           MIN_ADMIN_TOKEN)
    store_dir = Path(app.config["STORE_DIR"])
    store_dir.mkdir(parents=True, exist_ok=True)
    accounts_db = app.config["ACCOUNTS_DB"]
    app.extensions["dutygraph.accounts"] = AccountStore(Path(accounts_db) if accounts_db else store_dir / ACCOUNTS_FILE)
    if not app.config.get("SECRET_KEY"):
        app.secret_key = _secret_key(store_dir, app.logger)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):  # None (Flask's default) is not enough
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.register_error_handler(Unauthorized, unauthorized_response)


def account_store() -> AccountStore:
    """The account store of the current app."""
    return current_app.extensions["dutygraph.accounts"]


# -- who is asking --------------------------------------------------------------------------------

def _from_bearer(header: str) -> Account | None:
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    if not token:
        raise Unauthorized("the Authorization header says Bearer but gives no token")
    admin_token = current_app.config.get("ADMIN_TOKEN")
    if admin_token and hmac.compare_digest(token.encode("utf-8"), admin_token.encode("utf-8")):
        return ADMIN
    account = account_store().account_for_token(token)
    if account is None:
        raise Unauthorized("the API token is not valid: it is unknown, was revoked, or its account was deleted")
    return account


def _from_session() -> Account | None:
    name, key = session.get(SESSION_ACCOUNT), session.get(SESSION_KEY)
    if name is None:
        return None
    account = account_store().account_for_session(name, key)
    if account is None:  # deleted, or its password changed since: the session is over
        session.pop(SESSION_ACCOUNT, None)
        session.pop(SESSION_KEY, None)
    return account


def current_account() -> Account | None:
    """The account of this request (Bearer token, else browser session), or None for anonymous.

    Raises Unauthorized for a Bearer header with an unknown token. Worked out once per request.
    """
    if "dutygraph_account" not in g:
        header = request.headers.get("Authorization")
        account = _from_bearer(header) if header else None
        if account is None:
            account = _from_session()
        g.dutygraph_account = account
    return g.dutygraph_account


def require_account() -> Account:
    """The account of this request, or Unauthorized (answered 401) when there is none."""
    account = current_account()
    if account is None:
        raise Unauthorized(f"sign in or send an API token (Authorization: Bearer …) to {request.method} {request.path}")
    return account


def _prefers_html() -> bool:
    """A browser's Accept ranks text/html above text/plain; curl's */* and a script's JSON do not."""
    return request.accept_mimetypes["text/html"] > request.accept_mimetypes["text/plain"]


def _this_path() -> str:
    path = request.script_root + request.path
    query = request.query_string.decode("latin-1")
    return f"{path}?{query}" if query and request.method == "GET" else path


def unauthorized_response(error) -> Response:
    """401: a text/plain message and WWW-Authenticate; for a browser, a page linking to the sign-in."""
    message = getattr(error, "message", None) or str(error) or "this needs an account"
    headers = {"WWW-Authenticate": 'Bearer realm="dutygraph"', "Vary": "Accept, Accept-Language", "Cache-Control": "no-store"}
    if _prefers_html():
        login = url_for("auth.login") + "?next=" + quote(_this_path(), safe="/")
        body = render_template("login.html", needed=True, message=_translated(message), login_url=login)
        return Response(body, status=401, content_type="text/html; charset=utf-8", headers={**PAGE_HEADERS, **headers})
    return Response(message.rstrip("\n") + "\n", status=401, content_type="text/plain; charset=utf-8", headers=headers)


# -- the sign-in pages ----------------------------------------------------------------------------

def safe_next(value: str | None) -> str:
    """value when it is a path of this site, else "/": never a redirect to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or len(value) > 2000:
        return "/"
    if "\\" in value or any(ord(ch) <= 32 or ord(ch) == 127 for ch in value):  # browsers read \ as / and drop tabs
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


# The pages' words. The sign-in logic below speaks English (its messages are also what the tests and
# the audit log read); a page shows each known message in the page's language, by its pattern.
i18n.register({
    "login.title": {"zh": "登录", "en": "Sign in"},
    "login.needed_title": {"zh": "需要登录", "en": "Sign-in needed"},
    "login.sign_in": {"zh": "登录", "en": "Sign in"},
    "login.sign_out": {"zh": "退出登录", "en": "Sign out"},
    "login.sign_out_title": {"zh": "退出登录", "en": "Sign out"},
    "login.signed_in_as": {"zh": "当前登录账号：", "en": "Signed in as"},
    "login.not_signed_in": {"zh": "您尚未登录。", "en": "You are not signed in."},
    "login.name": {"zh": "账号名", "en": "Account name"},
    "login.password": {"zh": "密码", "en": "Password"},
    "login.help": {"zh": "账号由管理员用 dutygraph accounts 命令创建；脚本请使用 API 令牌（Authorization: Bearer …）。",
                   "en": "Accounts are made by an administrator with dutygraph accounts; scripts use an API token "
                         "(Authorization: Bearer …)."},
    "login.msg.cross_site": {"zh": "拒绝来自其他网站的登录：请打开本页面并在此登录。",
                             "en": "a sign-in from another site is refused: open this page and sign in here"},
    "login.msg.expired": {"zh": "登录表单已过期或并非本站表单，现已更新：请重新登录。",
                          "en": "the sign-in form had expired or was not this site's; it is renewed: sign in again"},
    "login.msg.missing": {"zh": "请填写账号名和密码。", "en": "give your account name and your password"},
    "login.msg.locked": {"zh": "该账号名登录失败次数过多：请{minutes}分钟后再试。",
                         "en": "too many failed sign-ins for this name: try again in {minutes} minutes"},
    "login.msg.wrong": {"zh": "账号名或密码错误。", "en": "wrong account name or password"},
    "login.msg.needed": {"zh": "请登录，或发送 API 令牌（Authorization: Bearer …），才能访问 {what}。",
                         "en": "sign in or send an API token (Authorization: Bearer …) to {what}"},
    "login.msg.bad_token": {"zh": "API 令牌无效：未知、已撤销，或其账号已删除。",
                            "en": "the API token is not valid: it is unknown, was revoked, or its account was deleted"},
    "login.msg.no_token": {"zh": "Authorization 头写了 Bearer，但没有给出令牌。",
                           "en": "the Authorization header says Bearer but gives no token"},
})
_MESSAGE_PATTERNS = (
    (re.compile(r"^a sign-in from another site is refused"), "login.msg.cross_site"),
    (re.compile(r"^the sign-in form had expired"), "login.msg.expired"),
    (re.compile(r"^give your account name and your password$"), "login.msg.missing"),
    (re.compile(r"^too many failed sign-ins for this name: try again in (?P<minutes>\d+) minutes$"), "login.msg.locked"),
    (re.compile(r"^wrong account name or password$"), "login.msg.wrong"),
    (re.compile(r"^sign in or send an API token \(Authorization: Bearer …\) to (?P<what>.+)$"), "login.msg.needed"),
    (re.compile(r"^the API token is not valid"), "login.msg.bad_token"),
    (re.compile(r"^the Authorization header says Bearer but gives no token$"), "login.msg.no_token"),
)


def _translated(message: str) -> str:
    """A message of this module in the page's language (an unknown one as it is)."""
    for pattern, key in _MESSAGE_PATTERNS:
        match = pattern.match(message)
        if match:
            return i18n.t(key).format(**match.groupdict())
    return message


def _page(template: str, status: int = 200, **values) -> Response:
    return Response(render_template(template, **values), status=status, content_type="text/html; charset=utf-8",
                    headers=PAGE_HEADERS)


def _csrf_token() -> str:
    token = session.get(SESSION_CSRF)
    if not token:
        token = session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return token


def _login_page(status: int, next_path: str, message: str = "", name: str = "") -> Response:
    return _page("login.html", status, needed=False, signed_in=_from_session(), message=_translated(message) if message else "",
                 csrf=_csrf_token(), next_path=next_path, name=name)


@bp.get("/login")
def login_form():
    return _login_page(200, safe_next(request.args.get("next")))


@bp.post("/login")
def login():
    store = account_store()
    next_path = safe_next(request.form.get("next"))
    name = request.form.get("name", "").strip()
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return _login_page(403, next_path, "a sign-in from another site is refused: open this page and sign in here")
    expected, given = session.get(SESSION_CSRF), request.form.get("csrf", "")
    if not expected or not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        return _login_page(400, next_path, "the sign-in form had expired or was not this site's; it is renewed: sign in again",
                           name if store.get(name) else "")
    password = request.form.get("password", "")
    if not name or not password:
        return _login_page(401, next_path, "give your account name and your password", name)
    account = store.authenticate(name, password)
    existing = store.get(name)  # the attempted name goes in the log only when it is an account's (never a typed password)
    if account is None:
        locked = existing is not None and store.locked_out(name)
        store.log(existing.name if existing else None, "sign-in-failed",
                  detail="locked out: too many failures" if locked else ("wrong password" if existing else "unknown name"),
                  remote_addr=request.remote_addr)
        message = (f"too many failed sign-ins for this name: try again in {int(store.LOCKOUT_WINDOW // 60)} minutes" if locked
                   else "wrong account name or password")
        return _login_page(401, next_path, message, name if existing else "")
    session.clear()  # a fresh session: nothing from before the sign-in carries over
    session[SESSION_ACCOUNT] = account.name
    session[SESSION_KEY] = store.session_key(account.name)
    store.log(account.name, "sign-in", detail="browser", remote_addr=request.remote_addr)
    g.pop("dutygraph_account", None)
    return redirect(next_path, code=303)


@bp.get("/logout")
def logout_form():
    """A page with the sign-out button (signing out is a POST, so that a link or an image cannot do it)."""
    return _page("logout.html", signed_in=_from_session())


@bp.post("/logout")
def logout():
    signed_in = _from_session()
    session.clear()
    g.pop("dutygraph_account", None)
    if signed_in is not None:
        account_store().log(signed_in.name, "sign-out", detail="browser", remote_addr=request.remote_addr)
    return redirect(request.script_root + "/", code=303)
