"""/sparql: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), query operation only.

- ``GET /sparql?query=…``, ``POST`` with ``application/x-www-form-urlencoded`` (``query=…``) or
  ``POST`` with ``application/sparql-query`` (the query is the body); ``default-graph-uri`` and
  ``named-graph-uri`` (repeatable) set the dataset, over any FROM / FROM NAMED of the query. A graph
  IRI only names a graph of the store: nothing is ever fetched.
- The answer's format comes from ``format`` or ``Accept`` (see ``negotiation``); 406 when the asked
  format cannot carry the query form.
- ``GET /sparql`` without a query: the service description (RDF), or for a browser (HTML preferred)
  a 303 to the SPARQL editor ``/editor`` (``sparql_editor``).
- Errors are ``text/plain`` messages: 400 bad request or query (with Oxigraph's parser message),
  403 update or SERVICE, 406, 413 body too large, 415 unsupported POST content type, 503 too many
  queries (with ``Retry-After``), 504 time limit.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, request

from ..namespaces import PREFIXES
from .auth import current_account
from .limits import Busy
from .negotiation import DESCRIPTION_FORMATS, GRAPH_FORMATS, HTML, RESULT_FORMATS, NotAcceptable, UnknownFormat, choose
from .query_guard import NotAQuery, QueryRefused, inspect_query
from .query_runner import QueryFailed, QuerySyntaxError, QueryTimeout
from .query_service import execute
from .sparql_update import run_admin_update, update_text
from .service_description import description

bp = Blueprint("sparql_protocol", __name__)

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"


def plain(status: int, message: str, **headers) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")
    response.headers.update(headers)
    return response


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, **headers):
        super().__init__(message)
        self.response = plain(status, message, **headers)


def _query_text() -> str | None:
    """The query of the request, by the protocol's three ways of sending it; None when none is sent."""
    if request.method == "GET":
        queries = request.args.getlist("query")
    elif request.mimetype == FORM_TYPE:
        if "query" in request.args:
            raise ProtocolError(400, "with a form POST the query goes in the body, not in the URL")
        queries = request.form.getlist("query")
    elif request.mimetype == QUERY_TYPE:
        if "query" in request.args:
            raise ProtocolError(400, "with application/sparql-query the query is the body, not a URL parameter")
        if request.mimetype_params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
            raise ProtocolError(415, "the query must be sent in UTF-8")
        try:
            queries = [request.get_data(cache=False).decode("utf-8")]
        except UnicodeDecodeError:
            raise ProtocolError(400, "the query body is not valid UTF-8") from None
    else:
        raise ProtocolError(
            415, f"POST a query as {FORM_TYPE} (query=…) or as {QUERY_TYPE}, not as {request.mimetype or 'no content type'}"
        )
    if len(queries) > 1:
        raise ProtocolError(400, "give exactly one query parameter")
    if not queries or not queries[0].strip():
        if request.method == "GET" and not queries:
            return None
        raise ProtocolError(400, "no query: give the SPARQL query in the query parameter")
    return queries[0]


def _graphs(name: str) -> list[str]:
    return request.values.getlist(name)


def _service_description() -> Response:
    fmt = choose(DESCRIPTION_FORMATS, "the service description", request.args.getlist("format"), request.accept_mimetypes)
    endpoint = request.base_url
    if fmt is HTML:
        # A browser gets the SPARQL editor (sparql_editor), whose <noscript> form is the old plain form.
        kept = [(k, v) for k, v in request.args.items(multi=True) if k != "format"]
        response = redirect(f"{request.script_root}/editor" + (f"?{urlencode(kept)}" if kept else ""), code=303)
        response.headers["Vary"] = "Accept"
        return response
    body = description(endpoint, fmt)
    return Response(body, content_type=fmt.content_type, headers={"Vary": "Accept"})


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    try:
        if request.content_length and request.content_length > current_app.config["MAX_CONTENT_LENGTH"]:
            raise ProtocolError(413, f"the request body is larger than the limit of {current_app.config['MAX_CONTENT_LENGTH']} bytes")
        account = current_account()
        update = update_text(request)
        if update is not None:
            return run_admin_update(update, account)
        query = _query_text()
        if query is None:
            return _service_description()
        info = inspect_query(query, PREFIXES)
        table, what = (GRAPH_FORMATS, "a graph") if info.returns_graph else (RESULT_FORMATS, "query results")
        fmt = choose(table, f"the answer of a {info.form} query ({what})", request.values.getlist("format"),
                     request.accept_mimetypes)
        config = current_app.config
        answer = execute(query, oxigraph_format=fmt.oxigraph, account=account, info=info,
                         protocol_default=_graphs("default-graph-uri"), protocol_named=_graphs("named-graph-uri"))
    except ProtocolError as error:
        return error.response
    except QueryRefused as error:
        return plain(403, str(error))
    except (NotAQuery, UnknownFormat) as error:
        return plain(400, str(error))
    except QuerySyntaxError as error:
        return plain(400, f"SPARQL syntax error: {error}")
    except NotAcceptable as error:
        return plain(406, str(error))
    except Busy:
        retry = str(current_app.config["RETRY_AFTER_SECONDS"])
        return plain(503, f"too many queries at once (limit {current_app.config['MAX_CONCURRENT_QUERIES']}); retry in {retry} s",
                     **{"Retry-After": retry})
    except QueryTimeout as error:
        return plain(504, str(error))
    except QueryFailed as error:
        current_app.logger.error("query failed: %s", error)
        return plain(500, f"the query could not be evaluated: {error}")
    headers = {"Vary": "Accept", "Result-Row-Limit": str(config["RESULT_ROW_LIMIT"])}
    if answer.truncated:
        headers["Result-Truncated"] = "true"
    return Response(answer.body, content_type=fmt.content_type, headers=headers)
