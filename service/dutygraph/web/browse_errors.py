"""Error answers of the browsing pages: an HTML page for a browser, the plain text for everyone else.

A request "prefers HTML" when its Accept ranks ``text/html`` above ``text/plain`` — what a browser
sends; ``*/*`` (curl), no Accept, or a client asking for JSON or Turtle do not. ``not_found`` is the
app's 404 answer: the same plain text it always gave for clients, a page in the reader's language
with a way back for a browser. ``failure_answer`` does the same for the query service's failures
(busy, time limit, a failed query) on a page's way to its facts.
"""

from __future__ import annotations

from flask import current_app, request

from . import browse_words, page_context  # noqa: F401  (browse_words registers the words)
from .duty_api import RowLimitReached
from .limits import Busy
from .query_runner import QueryFailed, QuerySyntaxError, QueryTimeout
from .sparql_protocol import plain

NOT_FOUND_TEXT = "not found: the SPARQL endpoint is /sparql; see /openapi.json for every route"


def prefers_html() -> bool:
    accept = request.accept_mimetypes
    return accept["text/html"] > accept["text/plain"]


def error_page(status: int, title_key: str, body_key: str | None = None, detail: str | None = None, **headers):
    response = page_context.render("error.html", status=status, status_code=status, title_key=title_key,
                                   body_key=body_key, detail=detail, bt=browse_words.t)
    response.headers.update(headers)
    return response


def not_found():
    if prefers_html():
        return error_page(404, "error.404.title", "error.404.body")
    return plain(404, NOT_FOUND_TEXT)


FAILURES = (Busy, QueryTimeout, QueryFailed, QuerySyntaxError, RowLimitReached)


def failure_answer(failure: Exception, html: bool):
    """The answer to a failure of the query service while making a page (or its RDF)."""
    config = current_app.config
    if isinstance(failure, Busy):
        retry = str(config["RETRY_AFTER_SECONDS"])
        message = f"too many queries at once (limit {config['MAX_CONCURRENT_QUERIES']}); retry in {retry} s"
        if html:
            return error_page(503, "error.busy.title", "error.busy.body", **{"Retry-After": retry})
        return plain(503, message, **{"Retry-After": retry})
    if isinstance(failure, QueryTimeout):
        return error_page(504, "error.timeout.title", detail=str(failure)) if html else plain(504, str(failure))
    current_app.logger.error("a browsing page's query failed: %s", failure)
    message = f"the page could not be made: {failure}"
    return error_page(500, "error.failed.title", detail=message) if html else plain(500, message)
