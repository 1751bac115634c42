"""The duty shapes page (/shapes/duties): what each shape of shapes/duties.ttl checks, and its RDF.

The document graph holds each shape's metadata (``graph_build.DUTY_SHAPE_METADATA``: labels,
comment, severity, the item and obligations it enforces), so the page reads those through the
query service like every other page, with the labels of the items and obligations in the same
query. What the graph leaves out — the ``sh:message`` of each constraint, and the record class a
shape targets — is read from ``shapes/duties.ttl`` itself with rdflib, once per process (the file
is part of the installed package and does not change under a running service).

The RDF answer of ``/shapes/duties`` is the shapes graph itself: the IRI
``https://w3id.org/dutygraph/shapes/duties`` names that file, and a client asking for it wants the
shapes that ``dutygraph validate`` runs, constraints and all. Turtle is the file byte for byte
(comments included); the other formats are rdflib's serialization of it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from .. import paths
from ..namespaces import DG
from .duty_api import by_part, labelled, ref_of, run, union_query
from .resource_links import SHAPES_NS, key_of

DUTY_SHAPES_FILE = "duties.ttl"
RDFLIB_FORMATS = {"TURTLE": "turtle", "N_TRIPLES": "nt", "JSON_LD": "json-ld", "RDF_XML": "xml"}


def shapes_file() -> Path:
    return paths.shapes_dir() / DUTY_SHAPES_FILE


@lru_cache(maxsize=4)
def _shapes_graph(path: str) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=4)
def file_details(path: str) -> dict[str, dict]:
    """shape IRI -> {"messages": [{lang: text}] one per constraint, "targets": [class IRIs]}, from the file."""
    graph = _shapes_graph(path)
    out: dict[str, dict] = {}
    for shape in graph.subjects(RDF.type, SH.NodeShape):
        if not isinstance(shape, URIRef):
            continue
        messages = []
        for constraint in graph.objects(shape, SH.sparql):
            words = {value.language or "": str(value) for value in graph.objects(constraint, SH.message)
                     if isinstance(value, Literal)}
            if words:
                messages.append(words)
        own = {value.language or "": str(value) for value in graph.objects(shape, SH.message) if isinstance(value, Literal)}
        if own:
            messages.insert(0, own)
        messages.sort(key=lambda m: m.get("en", ""))
        targets = sorted(str(t) for t in graph.objects(shape, SH.targetClass))
        out[str(shape)] = {"messages": messages, "targets": targets}
    return out


@lru_cache(maxsize=16)
def _serialized(path: str, rdflib_format: str) -> bytes:
    if rdflib_format == "turtle":
        return Path(path).read_bytes()
    return _shapes_graph(path).serialize(format=rdflib_format, encoding="utf-8")


def shapes_rdf(oxigraph_format: str) -> bytes:
    """The shapes graph in a format of negotiation.GRAPH_FORMATS (by its oxigraph name)."""
    return _serialized(str(shapes_file()), RDFLIB_FORMATS[oxigraph_format])


def catalogue_query() -> str:
    shape = f'?s a sh:NodeShape . FILTER(STRSTARTS(STR(?s), "{SHAPES_NS}"))'
    return union_query({
        "shapes": f"SELECT ?s ?s_zh ?s_en ?severity WHERE {{ {shape} ?s sh:severity ?severity . {labelled('?s')} }}",
        "comments": f"SELECT ?s ?v WHERE {{ {shape} ?s rdfs:comment ?v }}",
        "items": f"SELECT ?s ?i ?i_zh ?i_en ?m_n ?i_n WHERE {{ {shape} ?s dg:enforces ?i . ?i dg:number ?i_n ; "
                 f"dg:ofMeasure/dg:number ?m_n . {labelled('?i')} }}",
        "obligations": f"SELECT ?s ?o ?o_zh ?o_en WHERE {{ {shape} ?s dg:enforcesObligation ?o . {labelled('?o')} }}",
    })


def catalogue() -> list[dict]:
    """Every duty shape, in the order of the items it enforces: name, labels, description, severity,
    item(s), obligations, messages and target classes."""
    parts = by_part(run(catalogue_query()))
    details = file_details(str(shapes_file()))
    shapes: dict[str, dict] = {}
    for row in parts.get("shapes", []):
        reference = ref_of(row, "s")
        reference.pop("api", None)
        reference["key"] = key_of(row["s"])
        shapes[row["s"]] = {**reference, "severity": row["severity"].rsplit("#", 1)[-1], "description": {},
                            "items": [], "obligations": [], "order": (999, 999),
                            **details.get(row["s"], {"messages": [], "targets": []})}
    for row in parts.get("comments", []):
        if row["s"] in shapes:
            shapes[row["s"]]["description"][row["lang"] or ""] = row["v"]
    for row in sorted(parts.get("items", []), key=lambda r: (r["m_n"], r["i_n"])):
        if row["s"] in shapes:
            shape = shapes[row["s"]]
            shape["items"].append(ref_of(row, "i"))
            shape["order"] = min(shape["order"], (row["m_n"], row["i_n"]))
    for row in sorted(parts.get("obligations", []), key=lambda r: r["o"]):
        if row["s"] in shapes:
            shapes[row["s"]]["obligations"].append(ref_of(row, "o"))
    return sorted(shapes.values(), key=lambda s: (s["order"], s["key"]))


def class_name(iri: str) -> str:
    """dg:Tenure for a class of the ontology, else the IRI."""
    return "dg:" + iri[len(str(DG)):] if iri.startswith(str(DG)) else iri
