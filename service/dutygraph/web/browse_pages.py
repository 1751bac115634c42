"""Browsing the obligation graph: home, a page per resource (HTML or RDF by negotiation), search.

Routes (docs/browsing.md says more):

``/``
    the document, its five categories with their measures, the units with how many content items
    each answers for, a search box, and the ways on (graph view, SPARQL editor, canned questions,
    validation).
``/id/SEGMENT/KEY`` (and ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.json``, ``.html``)
    the resource whose IRI is ``https://w3id.org/dutygraph/id/SEGMENT/KEY``: its page for a
    browser, its RDF for a client (``resource_rdf``), its /api/ JSON for ``.json``. Kept runs
    (``/id/run/…``) are 404 here for everyone, exactly as a resource that does not exist.
``/shapes/duties`` (and the same suffixes)
    every duty shape, each at its anchor ``#NAME``, or the shapes graph as RDF.
``/search?q=…``
    the labels and texts that contain q (``search_query``).

Pages are server-rendered (no script needed), in the language ``i18n`` chooses; each needs one or
two queries through ``query_service.select`` — anonymously, so only the document graph is read.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from . import browse_words, page_context
from .browse_errors import FAILURES, failure_answer, prefers_html
from .browse_home import home_facts
from .browse_words import KIND_WORDS, tf
from .duty_api import NotFound, as_json
from .negotiation import NotAcceptable
from .resource_facts import api_json, by_item, facts, grouped
from .resource_links import SEGMENTS, SHAPES_GRAPH, href, iri_of
from .resource_rdf import HTML_PAGE, JSON_API, SUFFIXES, VARY, describe, representation, split_suffix
from .resource_shapes import catalogue, class_name, shapes_rdf
from .search_query import MAX_LENGTH, BadSearch, cleaned, search
from .sparql_protocol import plain

bp = Blueprint("browse_pages", __name__)

TEMPLATES = {segment: f"resource_{segment}.html" for segment in SEGMENTS}
TEMPLATES.update(frequency="resource_named.html", mechanism="resource_named.html", regulation="resource_named.html")


def page(template: str, status: int = 200, **values) -> Response:
    """A browsing page: page_context.render with the helpers every browsing template uses."""
    return page_context.render(template, status=status, href=href, bt=browse_words.t, tf=tf, kind_words=KIND_WORDS,
                               suffixes=SUFFIXES, **values)


def _with_failures(build, html: bool):
    try:
        return build()
    except NotFound:
        abort(404)
    except FAILURES as failure:
        return failure_answer(failure, html)


@bp.get("/")
def home():
    return _with_failures(lambda: page("home.html", **home_facts()), html=True)


def _negotiated(name: str):
    """(stem, format, whether Accept chose it) for a page URL's last segment; the format is a 406 Response
    when Accept allows none."""
    stem, fmt = split_suffix(name)
    if fmt is not None:
        return stem, fmt, False
    try:
        return stem, representation(request.accept_mimetypes), True
    except NotAcceptable as refusal:
        return stem, plain(406, str(refusal), Vary=VARY), True


def _rdf_answer(body: bytes, fmt, negotiated: bool) -> Response:
    response = Response(body, content_type=fmt.content_type)
    if negotiated:
        response.headers["Vary"] = VARY
    return response


def arranged(segment: str, resource_facts: dict) -> dict:
    """What a page's template needs beyond the facts: the items by key, a unit's items by category and measure."""
    items = resource_facts.get("items", []) if segment in ("category", "measure", "unit") else []
    values = {"items_by_key": {item["key"]: item for item in items}}
    if segment == "unit":
        values["owes"] = grouped(items, category_of=lambda item: item["category"])
    return values


@bp.get("/id/<segment>/<name>")
def resource(segment: str, name: str):
    if segment not in SEGMENTS:  # …/id/run/… among them: never served here, whoever asks
        abort(404)
    key, fmt, negotiated = _negotiated(name)
    if isinstance(fmt, Response):
        return fmt
    iri = iri_of(segment, key)
    if iri is None:
        abort(404)

    def build():
        if fmt is HTML_PAGE:
            resource_facts = facts(segment, key)
            response = page(TEMPLATES[segment], segment=segment, r=resource_facts, by_item=by_item,
                            formats_base=f"{request.script_root}/id/{segment}/{key}", **arranged(segment, resource_facts))
            if not negotiated:
                response.headers["Vary"] = "Accept-Language, Cookie"
            return response
        if fmt is JSON_API:
            return as_json(api_json(segment, key))
        body = describe(iri, fmt)
        if body is None:
            raise NotFound()
        return _rdf_answer(body, fmt, negotiated)
    return _with_failures(build, html=fmt is HTML_PAGE or prefers_html())


@bp.get("/shapes/duties")
def shapes():
    return _shapes("duties")


@bp.get("/shapes/duties.<suffix>")
def shapes_with_suffix(suffix: str):
    if suffix not in SUFFIXES:
        abort(404)
    return _shapes("duties." + suffix)


def _shapes(name: str):
    _, fmt, negotiated = _negotiated(name)
    if isinstance(fmt, Response):
        return fmt

    def build():
        if fmt is HTML_PAGE:
            shapes_list = catalogue()
            return page("shapes.html", shapes=shapes_list, iri=SHAPES_GRAPH, class_name=class_name,
                        formats_base=f"{request.script_root}/shapes/duties",
                        enforced_items=len({i["iri"] for s in shapes_list for i in s["items"]}))
        if fmt is JSON_API:
            return as_json({"iri": SHAPES_GRAPH, "shapes": [{k: v for k, v in s.items() if k != "order"} for s in catalogue()]})
        return _rdf_answer(shapes_rdf(fmt.oxigraph), fmt, negotiated)
    return _with_failures(build, html=fmt is HTML_PAGE or prefers_html())


@bp.get("/search")
def search_page():
    asked = request.args.get("q", "")
    try:
        text = cleaned(asked)
    except BadSearch as bad:
        status = 400 if bad.reason == "search.too_long" else 200
        return page("search.html", status=status, q=asked, problem=tf(bad.reason, max=MAX_LENGTH, n=bad.length),
                    groups=[], total=0)
    return _with_failures(lambda: _search_results(text), html=True)


def _search_results(text: str):
    groups = search(text)
    return page("search.html", q=text, problem=None, groups=groups, total=sum(len(hits) for _, hits in groups))

