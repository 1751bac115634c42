"""A resource's RDF, and which representation of a resource a request gets.

The RDF of a resource is its concise bounded description in the document graph — every triple
with it as subject, and the triples of the blank nodes among their objects (two levels deep: the
instance data has none, so this is the CBD) — plus the ``rdfs:label`` of every resource it points
to, so that a client can show the links without another request. It is one CONSTRUCT through
``query_service.execute`` (anonymous: the document graph only, never a run), fetched as N-Triples
and written here, sorted, with the project's prefixes, so the same graph always gives the same bytes.

Negotiation (``representation``): a page URL answers HTML when the client's Accept ranks
``text/html`` (or ``application/xhtml+xml``) highest, and otherwise Turtle, JSON-LD, N-Triples or
RDF/XML by Accept; ``*/*`` or no Accept gets Turtle (a linked-data client asking for nothing in
particular gets data), any other type is 406. A suffix (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``,
``.json``, ``.html``) chooses without negotiation.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import current_app

from ..namespaces import BASE, PREFIXES
from . import negotiation, query_service
from .duty_api import RowLimitReached
from .negotiation import GRAPH_FORMATS, Format
from .resource_links import SEGMENTS, SHAPES_NS

RDF_FORMATS = tuple(f for f in GRAPH_FORMATS if f.oxigraph in ("TURTLE", "JSON_LD", "N_TRIPLES", "RDF_XML"))
HTML_PAGE = Format("text/html", True, ("html",), ("application/xhtml+xml",))
JSON_API = Format("application/json", False, ("json",))
NEGOTIATED = RDF_FORMATS + (HTML_PAGE,)  # Turtle first: what */* gets
_BY_OXIGRAPH = {f.oxigraph: f for f in RDF_FORMATS}
SUFFIXES = {"ttl": _BY_OXIGRAPH["TURTLE"], "jsonld": _BY_OXIGRAPH["JSON_LD"], "nt": _BY_OXIGRAPH["N_TRIPLES"],
            "rdf": _BY_OXIGRAPH["RDF_XML"], "json": JSON_API, "html": HTML_PAGE}
VARY = "Accept, Accept-Language, Cookie"
# The project's prefixes, with one per kind of resource instead of id: (so ``item:16-1``, not ``id:item\/16-1``).
SERIALIZE_PREFIXES = {**{name: ns for name, ns in PREFIXES.items() if name != "id"},
                      **{segment: f"{BASE}{segment}/" for segment in SEGMENTS}, "dgd": SHAPES_NS}


def representation(accept) -> Format:
    """The format a page URL answers for this Accept (werkzeug MIMEAccept); NotAcceptable (406) when none."""
    return negotiation.choose(NEGOTIATED, "a resource of the graph", [], accept)


def split_suffix(name: str) -> tuple[str, Format | None]:
    """"16.ttl" -> ("16", Turtle); "16" -> ("16", None); an unknown suffix leaves the name whole."""
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix in SUFFIXES:
        return stem, SUFFIXES[suffix]
    return name, None


def describe_query(iri: str) -> str:
    node = ox.NamedNode(iri)
    return f"""CONSTRUCT {{ ?r ?p ?o . ?x rdfs:label ?label . ?b ?bp ?bo . ?c ?cp ?co . }} WHERE {{
  VALUES ?r {{ {node} }}
  {{ ?r ?p ?o }}
  UNION {{ ?r ?px ?x . FILTER(isIRI(?x)) ?x rdfs:label ?label }}
  UNION {{ ?r ?pb ?b . FILTER(isBlank(?b)) ?b ?bp ?bo }}
  UNION {{ ?r ?pb ?b . FILTER(isBlank(?b)) ?b ?pc ?c . FILTER(isBlank(?c)) ?c ?cp ?co }}
}}"""


def serialize(triples: list, fmt: Format) -> bytes:
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if fmt.oxigraph == "N_TRIPLES":
        return ox.serialize(ordered, format=ox.RdfFormat.N_TRIPLES)
    used = {name: ns for name, ns in SERIALIZE_PREFIXES.items()
            if any(str(term).startswith("<" + ns) for t in ordered for term in (t.subject, t.predicate, t.object))}
    return ox.serialize(ordered, format=negotiation.oxigraph_format(fmt), prefixes=used)


def describe(iri: str, fmt: Format) -> bytes | None:
    """The resource's RDF in fmt, or None when the document graph says nothing about it."""
    answer = query_service.execute(describe_query(iri), oxigraph_format="N_TRIPLES")
    if answer.truncated:
        limit = current_app.config["RESULT_ROW_LIMIT"]
        raise RowLimitReached(f"the resource's description reached the row limit of {limit} triples; raise RESULT_ROW_LIMIT")
    triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
    if not any(t.subject == ox.NamedNode(iri) for t in triples):
        return None
    return serialize(triples, fmt)


__all__ = ["HTML_PAGE", "JSON_API", "RDF_FORMATS", "SUFFIXES", "VARY", "describe", "representation",
           "split_suffix"]
