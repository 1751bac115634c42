"""The browser's forms that change runs (upload, delete): who sent them, and a token against CSRF.

A script says who it is with ``Authorization: Bearer``, which no other site can make a browser
send. A browser is known by its session cookie, which it sends with every request to this site —
SameSite=Lax keeps it off other sites' POSTs, but not off a sibling subdomain's ("same-site"), and
not in every browser. So a request that changes runs and is signed in by the session must also
carry this session's form token (the ``csrf`` field of the form, or an ``X-CSRF-Token`` header from
a script of these pages): another site can make the browser send the cookie, never read the token.
Bearer requests need no token. The token is one per session (``session["form_csrf"]``), which a
sign-in replaces (``auth`` starts a fresh session).

"A browser form post" is what answers with pages rather than the report: a multipart POST signed in
by the session, from a client that ranks text/html above text/plain, with no ``format`` asked.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

SESSION_FORM_TOKEN = "form_csrf"
FIELD = "csrf"
HEADER = "X-CSRF-Token"


def by_bearer() -> bool:
    """Whether the request says who it is with a Bearer token (a script), not the session."""
    scheme, _, _ = request.headers.get("Authorization", "").strip().partition(" ")
    return scheme.lower() == "bearer"


def prefers_html() -> bool:
    return request.accept_mimetypes["text/html"] > request.accept_mimetypes["text/plain"]


def is_browser_form_post() -> bool:
    return (request.mimetype == "multipart/form-data" and not by_bearer() and prefers_html()
            and not request.args.getlist("format"))


def form_token() -> str:
    """This session's form token (made on first use); only for pages of a signed-in session."""
    token = session.get(SESSION_FORM_TOKEN)
    if not token:
        token = session[SESSION_FORM_TOKEN] = secrets.token_urlsafe(32)
    return token


def form_token_ok() -> bool:
    """True for a Bearer request, else whether the form or header carries this session's token.

    Reading the form parses the body, so call it after the request's size limit is set."""
    if by_bearer():
        return True
    expected = session.get(SESSION_FORM_TOKEN)
    given = request.headers.get(HEADER) or request.form.get(FIELD) or ""
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


REFUSAL = ("the form was not sent from this site's page (its token is missing or out of date): "
           "reload the page and send it again")
