"""SELECT answers written as SPARQL JSON results (``query_worker.encode_rows``): the embedded store's
workers and the external engine's path both answer through it, and it writes each distinct term of
an answer once. What it writes must stay the bytes Oxigraph itself writes for the same solutions,
and the bytes ``json.dumps`` gives the whole document (as it did before terms were written once)."""

from __future__ import annotations

import json
import random

import pyoxigraph as ox
import pytest

from dutygraph.web.query_worker import _term, encode_rows

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

TERMS = [
    ox.NamedNode(EX + "a"),
    ox.NamedNode(EX + "组织部?x=1&y=%222%22"),
    ox.BlankNode("b1"),
    ox.Literal("纪检监察部门"),
    ox.Literal(""),
    ox.Literal('quote " backslash \\ newline \n tab \t nul-ish \u0001 line-sep \u2028 emoji \U0001F600'),
    ox.Literal("每年至少1次", language="zh-cn"),
    ox.Literal("once a year", language="en"),
    ox.Literal("5", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1.0E0", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("2022-09-26", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("x", datatype=ox.NamedNode(EX + "own-type")),
]


def reference(variables, rows) -> bytes:
    """The document as one json.dumps call writes it (the encoder before this one)."""
    document = {"head": {"vars": variables}, "results": {"bindings": [
        {name: _term(term) for name, term in zip(variables, row) if term is not None} for row in rows]}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def store_with_terms() -> ox.Store:
    store = ox.Store()
    for number, term in enumerate(TERMS):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{number:02}"), ox.NamedNode(EX + "p"), term))
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{number:02}"), ox.NamedNode(EX + "same"), TERMS[0]))
    return store


QUERIES = [
    "SELECT ?s ?o ?unbound WHERE { ?s <http://example.org/p> ?o OPTIONAL { ?s <http://example.org/none> ?unbound } } ORDER BY ?s",
    # the same terms in row after row (written once each)
    "SELECT ?o ?same WHERE { ?s <http://example.org/p> ?o ; <http://example.org/same> ?same } ORDER BY ?s",
    "SELECT * WHERE { ?s <http://example.org/nothing> ?o }",  # no rows
    "SELECT ?x WHERE { }",  # one row that binds nothing
    "SELECT ?t WHERE { BIND(<<( <http://example.org/s> <http://example.org/p> \"o\"@en )>> AS ?t) }",  # a triple term
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_bytes_are_oxigraphs_own(query):
    store = store_with_terms()
    try:
        expected = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    except SyntaxError:  # a pyoxigraph without triple terms
        pytest.skip("this pyoxigraph does not read triple terms")
    solutions = store.query(query)
    variables = [v.value for v in solutions.variables]
    rows = [list(solution) for solution in solutions]
    header, body = encode_rows(variables, rows, "JSON", False)
    assert body == expected
    assert body == reference(variables, rows)
    assert header == {"status": "ok", "rows": len(rows), "truncated": False}


def test_random_answers_are_what_json_dumps_writes():
    generator = random.Random(61)
    for _ in range(200):
        variables = [generator.choice(["s", "o", "单位", "x_1", "count"]) + str(n) for n in range(generator.randint(0, 5))]
        rows = [[generator.choice(TERMS + [None, None]) for _ in variables] for _ in range(generator.randint(0, 30))]
        assert encode_rows(variables, rows, "JSON", False)[1] == reference(variables, rows)


@pytest.mark.parametrize("format_name", ["XML", "CSV", "TSV"])
def test_the_other_formats_are_read_back_from_the_json(format_name):
    store = store_with_terms()
    query = QUERIES[0]
    expected = store.query(query).serialize(format=getattr(ox.QueryResultsFormat, format_name))
    solutions = store.query(query)
    rows = [list(solution) for solution in solutions]
    _, body = encode_rows([v.value for v in solutions.variables], rows, format_name, True)
    assert body == expected
