"""What every browser page gets: the language (``i18n``), the signed-in account, and a renderer.

``render(template, status=200, **values)`` renders a template of ``templates/`` with them and the
headers every page carries (``Vary`` on the language's inputs; a CSP that lets a page load only
this site's own scripts, styles and images — nothing from the internet).
"""

from __future__ import annotations

from flask import Response, render_template

from . import i18n
from .auth import Unauthorized, current_account

PAGE_HEADERS = {
    "Vary": "Accept, Accept-Language, Cookie",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
}


def _account():
    try:
        return current_account()
    except Unauthorized:
        return None


def render(template: str, status: int = 200, **values) -> Response:
    body = render_template(template, **values)
    return Response(body, status=status, content_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


def init_app(app) -> None:
    i18n.init_app(app)

    @app.context_processor
    def _who():
        return {"account": _account()}
