"""/queries: the canned questions of ``queries/*.rq`` over HTTP, for people and for scripts.

- ``GET /queries`` (also ``/queries.json``): the list of questions with their titles, description,
  parameters and URL — an HTML page for a browser, JSON for ``Accept: application/json``,
  ``format=json`` or the ``.json`` suffix (and for a client that accepts anything).
- ``GET /queries/NAME?param=value…``: runs the question with the parameters of the URL, bound by
  ``CannedQuery.bind`` (a ``VALUES`` block of escaped RDF terms, so a value can never change the
  query). The answer is JSON (``{"query", "parameters", "variables", "rows", "bindings"}``), CSV
  (a header row of the variables, UTF-8) or an HTML table with a form for the parameters, chosen by
  ``format=json|csv|html``, by the suffixes ``.json`` and ``.csv``, or by ``Accept`` (a browser gets
  HTML, anyone else JSON).

The query runs through ``query_service.select`` with the service's limits, over the document graph
(the questions are about the document, so no account is needed or used). A question whose answer
reaches ``RESULT_ROW_LIMIT`` rows is cut there and says so with ``Result-Truncated: true``, as
``/sparql`` does. Errors say what was wrong: 404 for an unknown question (naming those there are),
400 for a bad, missing or unknown parameter (the ``QueryError`` message), 400 for an unknown format
and 406 for a format these answers do not come in, 504 / 500 / 503 from the query service.
"""

from __future__ import annotations

import csv
import io
import json
from html import escape
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from ..queries import CannedQuery, QueryError, get_canned_query, list_canned_queries
from . import query_service
from .limits import Busy
from .negotiation import HTML, Format, NotAcceptable, UnknownFormat, choose
from .query_runner import QueryFailed, QuerySyntaxError, QueryTimeout

bp = Blueprint("canned_queries", __name__)

JSON = Format("application/json", False, ("json",))
CSV = Format("text/csv", True, ("csv",))
LIST_FORMATS = (JSON, HTML)
RESULT_FORMATS = (JSON, CSV, HTML)
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
# Pages load nothing and run nothing; their forms submit only to this site.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"


def as_json(data, status: int = 200) -> Response:
    """JSON with Chinese as itself (not \\u escapes) and keys in the order given (a row's variables)."""
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type=JSON.content_type)


class Refusal(Exception):
    """A request answered with an error: the status, the message, and anything the JSON form adds."""

    def __init__(self, status: int, message: str, query: CannedQuery | None = None, headers=None, **extra):
        super().__init__(message)
        self.status, self.query, self.headers, self.extra = status, query, headers or {}, extra


# -- choosing the format --------------------------------------------------------------------------

def _format(table, what: str, suffix: str | None) -> Format:
    """The answer's format: the URL suffix, else format=…, else Accept (see ``negotiation.choose``)."""
    values = request.args.getlist("format")
    if suffix:
        if values and choose(table, what, values, None) is not choose(table, what, [suffix], None):
            raise UnknownFormat(f"the URL asks for .{suffix} but format={values[0]}: give one of them")
        values = [suffix]
    return choose(table, what, values, request.accept_mimetypes)


def _negotiation_error(error: Exception) -> Response:
    status = 406 if isinstance(error, NotAcceptable) else 400
    return Response(str(error) + "\n", status=status, content_type="text/plain; charset=utf-8")


# -- the list -------------------------------------------------------------------------------------

def describe(query: CannedQuery) -> dict:
    url = f"{request.script_root}/queries/{query.name}"
    return {
        "name": query.name,
        "title": {"zh": query.title_zh, "en": query.title_en},
        "description": query.description,
        "parameters": [{"name": p.name, "type": p.type, "required": p.required, "description": p.description}
                       for p in query.parameters],
        "url": url,
        "formats": {"json": f"{url}.json", "csv": f"{url}.csv", "html": f"{url}?format=html"},
    }


def _list(suffix: str | None):
    try:
        fmt = _format(LIST_FORMATS, "the list of canned queries", suffix)
    except (UnknownFormat, NotAcceptable) as error:
        return _negotiation_error(error)
    queries = list_canned_queries()
    if fmt is HTML:
        return _page("Canned questions · 预设问题", _list_body(queries))
    response = as_json({"count": len(queries), "queries": [describe(q) for q in queries]})
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/queries")
def list_queries():
    return _list(None)


@bp.get("/queries.json")
def list_queries_json():
    return _list("json")


# -- running one ----------------------------------------------------------------------------------

def _value(term: dict | None):
    """A row's value: the term's text, an int for xsd:integer, None when unbound (as ``dutygraph query``)."""
    if term is None:
        return None
    if term.get("type") == "literal" and term.get("datatype") == XSD_INTEGER:
        return int(term["value"])
    return term["value"]


def _known_query(name: str) -> CannedQuery:
    names = [q.name for q in list_canned_queries()]
    if name not in names:
        hint = " (answers come as NAME.json, NAME.csv or NAME?format=json|csv|html)" if "." in name else ""
        raise Refusal(404, f"no canned query {name!r}{hint}; there are: {', '.join(names)}", queries=names)
    return get_canned_query(name)


def _parameters(query: CannedQuery) -> dict[str, str]:
    """The question's parameters from the URL: every argument but ``format``, each given once."""
    values = {}
    for name in request.args:
        if name == "format":
            continue
        given = request.args.getlist(name)
        if len(given) > 1:
            raise Refusal(400, f"give the parameter {name!r} once, not {len(given)} times", query)
        values[name] = given[0]
    return values


def _select(sparql: str) -> dict:
    """query_service.select with its failures turned into refusals."""
    config = current_app.config
    try:
        return query_service.select(sparql)
    except QuerySyntaxError as error:
        raise Refusal(400, f"SPARQL syntax error: {error}") from None
    except QueryTimeout as error:
        raise Refusal(504, str(error)) from None
    except QueryFailed as error:
        current_app.logger.error("canned query failed: %s", error)
        raise Refusal(500, f"the query could not be evaluated: {error}") from None
    except Busy:
        retry = str(config["RETRY_AFTER_SECONDS"])
        raise Refusal(503, f"too many queries at once (limit {config['MAX_CONCURRENT_QUERIES']}); retry in {retry} s",
                      headers={"Retry-After": retry}) from None


def _run(name: str, suffix: str | None):
    try:
        fmt = _format(RESULT_FORMATS, "the answer of a canned query", suffix)
    except (UnknownFormat, NotAcceptable) as error:
        return _negotiation_error(error)
    query, values = None, {}
    try:
        query = _known_query(name)
        values = _parameters(query)
        try:
            sparql = query.bind(values)
        except QueryError as error:
            raise Refusal(400, str(error), query) from None
        results = _select(sparql)
    except Refusal as refusal:
        if refusal.query is None:
            refusal.query = query
        return _refusal(refusal, fmt, values)
    variables = results.get("head", {}).get("vars", [])
    bindings = results.get("results", {}).get("bindings", [])
    rows = [{var: _value(binding.get(var)) for var in variables} for binding in bindings]
    parameters = {p.name: (values.get(p.name) or None) for p in query.parameters}
    limit = current_app.config["RESULT_ROW_LIMIT"]
    headers = {"Vary": "Accept", "Result-Row-Limit": str(limit)}
    if len(rows) >= limit:
        headers["Result-Truncated"] = "true"
    if fmt is CSV:
        body = io.StringIO()
        writer = csv.writer(body, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if row[v] is None else row[v] for v in variables])
        return Response(body.getvalue(), content_type=CSV.content_type, headers=headers)
    if fmt is HTML:
        page = _page(f"{query.title_en} · {query.title_zh}",
                     _result_body(query, values, variables, bindings, truncated="Result-Truncated" in headers))
        page.headers.update(headers)
        return page
    answer = {"query": query.name, "parameters": parameters, "variables": variables, "rows": rows, "bindings": bindings}
    if "boolean" in results:
        answer["boolean"] = results["boolean"]
    response = as_json(answer)
    response.headers.update(headers)
    return response


def _refusal(refusal: Refusal, fmt: Format, values: dict[str, str]) -> Response:
    if fmt is JSON:
        response = as_json({"error": str(refusal), **refusal.extra})
    elif fmt is HTML:
        body = f'<p class="error">{escape(str(refusal))}</p>'
        if refusal.query is not None:
            body = _query_header(refusal.query) + body + _form(refusal.query, values)
        body += f'<p><a href="{escape(request.script_root)}/queries">All canned questions</a></p>'
        response = _page("Error · 错误", body)
    else:
        response = Response(str(refusal) + "\n", content_type="text/plain; charset=utf-8")
    response.status_code = refusal.status
    response.headers.update(refusal.headers)
    return response


@bp.get("/queries/<name>")
def run_query(name):
    return _run(name, None)


@bp.get("/queries/<name>.json")
def run_query_json(name):
    return _run(name, "json")


@bp.get("/queries/<name>.csv")
def run_query_csv(name):
    return _run(name, "csv")


# -- HTML -----------------------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
code {{ background: #f3f3f3; padding: 0 0.2rem; }}
form {{ margin: 0.5rem 0 1.5rem; }}
label {{ margin-right: 1rem; }}
.error {{ color: #a00; font-weight: bold; }}
.note {{ color: #555; }}
</style>
</head>
<body>
<p><a href="{root}/queries">Canned questions 预设问题</a> · <a href="{root}/api/">JSON API</a> · <a href="{root}/sparql">SPARQL</a></p>
{body}
</body>
</html>
"""


def _page(title: str, body: str) -> Response:
    html = _PAGE.format(title=escape(title), root=escape(request.script_root), body=body)
    return Response(html, content_type=HTML.content_type,
                    headers={"Vary": "Accept", "Content-Security-Policy": PAGE_POLICY})


def _form(query: CannedQuery, values: dict[str, str]) -> str:
    """A GET form for the question's parameters (and the format), filled with the values given."""
    fields = []
    for p in query.parameters:
        required = " required" if p.required else ""
        kind = "number" if p.type == "integer" else ("url" if p.type == "iri" else "text")
        fields.append(
            f'<label>{escape(p.name)}{" *" if p.required else ""} '
            f'<input type="{kind}" name="{escape(p.name)}" value="{escape(values.get(p.name, ""))}"{required} '
            f'title="{escape(p.description)}"></label>'
        )
    options = "".join(f'<option value="{name}"{" selected" if name == "html" else ""}>{name}</option>'
                      for name in ("html", "json", "csv"))
    fields.append(f'<label>format <select name="format">{options}</select></label>')
    action = f"{request.script_root}/queries/{query.name}"
    return f'<form method="get" action="{escape(action)}">{" ".join(fields)} <button type="submit">Run 运行</button></form>'


def _query_header(query: CannedQuery) -> str:
    parameters = "".join(
        f"<li><code>{escape(p.name)}</code> ({escape(p.type)}, {'required' if p.required else 'optional'}): "
        f"{escape(p.description)}</li>" for p in query.parameters)
    return (f"<h1>{escape(query.title_en)} · {escape(query.title_zh)}</h1>\n<p>{escape(query.description)}</p>\n"
            + (f"<ul>{parameters}</ul>\n" if parameters else ""))


def _list_body(queries: list[CannedQuery]) -> str:
    sections = []
    for query in queries:
        url = escape(f"{request.script_root}/queries/{query.name}")
        parameters = ", ".join(f"<code>{escape(p.name)}</code>{'' if p.required else ' (optional)'}"
                               for p in query.parameters) or "none"
        sections.append(
            f'<h2 id="{escape(query.name)}"><a href="{url}?format=html">{escape(query.title_en)} · {escape(query.title_zh)}</a></h2>\n'
            f"<p><code>{escape(query.name)}</code> — {escape(query.description)}</p>\n"
            f'<p class="note">Parameters: {parameters}. As <a href="{url}.json">JSON</a> · <a href="{url}.csv">CSV</a>.</p>\n'
            + _form(query, {})
        )
    return ("<h1>Canned questions · 预设问题</h1>\n<p>Questions about 常工党〔2022〕61号 ready to run. "
            "Each is a SPARQL query of the service; its answer comes as HTML, JSON or CSV.</p>\n" + "\n".join(sections))


def _cell(term: dict | None) -> str:
    if term is None:
        return ""
    value = escape(term["value"])
    if term.get("type") == "uri":
        return f'<a href="{value}">{value}</a>'
    return value


def _result_body(query: CannedQuery, values: dict[str, str], variables: list[str], bindings: list[dict],
                 *, truncated: bool) -> str:
    head = "".join(f"<th>{escape(v)}</th>" for v in variables)
    rows = "\n".join("<tr>" + "".join(f"<td>{_cell(b.get(v))}</td>" for v in variables) + "</tr>" for b in bindings)
    given = urlencode({k: v for k, v in values.items() if v})
    url = escape(f"{request.script_root}/queries/{query.name}")
    suffix = escape(f"?{given}") if given else ""
    count = f"{len(bindings)} row{'s' if len(bindings) != 1 else ''}"
    if truncated:
        count += f" (cut at the service's limit of {current_app.config['RESULT_ROW_LIMIT']} rows)"
    return (_query_header(query) + _form(query, values)
            + f'<p class="note">{count} · as <a href="{url}.json{suffix}">JSON</a> · <a href="{url}.csv{suffix}">CSV</a></p>\n'
            + f"<table>\n<tr>{head}</tr>\n{rows}\n</table>")
