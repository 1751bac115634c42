"""The SPARQL 1.1 Protocol endpoint /sparql (dutygraph.web), read-only and hardened.

Most cases use Flask's test client; the `server` fixture runs `dutygraph serve` (waitress) on a free
loopback port and SPARQLWrapper talks to it as a real client would. Each case reads request ->
status -> content type -> exact content. Every case runs on both backends (`backend`: the embedded
Oxigraph store, and Virtuoso as an external engine) with the same expected answers, except those
marked `embedded_only` (the store folder, worker processes).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper

from rdflib import Graph
from rdflib.compare import isomorphic

from dutygraph.web import create_app
from dutygraph.web.store_access import MARKER, STORE_SUBDIR, data_version


# -- the queries and their exact answers ---------------------------------------------------------

SELECT = 'SELECT ?x ?y WHERE { VALUES (?x ?y) { (<http://example.org/a> "b"@en) (<http://example.org/c> UNDEF) } }'
SELECT_ANSWERS = {
    "json": ("application/sparql-results+json",
             b'{"head":{"vars":["x","y"]},"results":{"bindings":[{"x":{"type":"uri","value":"http://example.org/a"},'
             b'"y":{"type":"literal","value":"b","xml:lang":"en"}},{"x":{"type":"uri","value":"http://example.org/c"}}]}}'),
    "xml": ("application/sparql-results+xml",
            b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/>'
            b'<variable name="y"/></head><results><result><binding name="x"><uri>http://example.org/a</uri></binding>'
            b'<binding name="y"><literal xml:lang="en">b</literal></binding></result><result><binding name="x">'
            b'<uri>http://example.org/c</uri></binding></result></results></sparql>'),
    "csv": ("text/csv; charset=utf-8", b"x,y\r\nhttp://example.org/a,b\r\nhttp://example.org/c,\r\n"),
    "tsv": ("text/tab-separated-values; charset=utf-8", b'?x\t?y\n<http://example.org/a>\t"b"@en\n<http://example.org/c>\t\n'),
}
# Measure 1 of the document, as a one-triple graph.
CONSTRUCT = ("PREFIX dg: <https://w3id.org/dutygraph/ontology#> CONSTRUCT { ?m a dg:Measure } "
             "WHERE { BIND(<https://w3id.org/dutygraph/id/measure/1> AS ?m) ?m a dg:Measure }")
MEASURE_1_NT = (b"<https://w3id.org/dutygraph/id/measure/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                b"<https://w3id.org/dutygraph/ontology#Measure> .\n")
MEASURE_1_TTL = b"<https://w3id.org/dutygraph/id/measure/1> a <https://w3id.org/dutygraph/ontology#Measure> .\n"
CONSTRUCT_ANSWERS = {
    "turtle": ("text/turtle; charset=utf-8", MEASURE_1_TTL),
    "ntriples": ("application/n-triples; charset=utf-8", MEASURE_1_NT),
    "jsonld": ("application/ld+json",
               b'[{"@id":"https://w3id.org/dutygraph/id/measure/1","http://www.w3.org/1999/02/22-rdf-syntax-ns#type":'
               b'[{"@id":"https://w3id.org/dutygraph/ontology#Measure"}]}]'),
    "rdfxml": ("application/rdf+xml",
               b'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               b'xmlns:its="http://www.w3.org/2005/11/its">\n\t<Measure xmlns="https://w3id.org/dutygraph/ontology#" '
               b'rdf:about="https://w3id.org/dutygraph/id/measure/1">\n\t</Measure>\n</rdf:RDF>'),
    "trig": ("application/trig; charset=utf-8", MEASURE_1_TTL),
    "nquads": ("application/n-quads; charset=utf-8", MEASURE_1_NT),
}
COUNT_MEASURES = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a dg:Measure }"  # dg: is predeclared


def count_json(n: int) -> bytes:
    return (b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"%d",'
            b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}' % n)


# Four copies of the whole graph side by side: far more rows than any time limit lets it count.
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT_MESSAGE = b"the query did not finish within the time limit of 1.5 s and was stopped\n"
TEXT = "text/plain; charset=utf-8"


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, backend) -> Path:
    directory = tmp_path_factory.mktemp("store")
    create_app(backend.config(directory))  # builds it (or loads the engine's document graph) once for the module
    return directory


@pytest.fixture
def app(store_dir, backend):
    return create_app(backend.config(store_dir, QUERY_TIME_LIMIT=1.5))


@pytest.fixture
def client(app):
    return app.test_client()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def query_workers(parent_pid: int, state: str | None = None) -> list[int]:
    """The live query worker processes that parent_pid started (from /proc); only those in state
    (R running, S sleeping …) when it is given. Idle pooled workers sleep; a worker evaluating runs."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent_pid and fields[0] != "Z" and b"query_worker.py" in cmdline:
            if state is None or fields[0] == state:
                found.append(int(entry.name))
    return found


def wait_for_worker(parent_pid: int, timeout: float = 5.0, count: int = 1) -> list[int]:
    """The workers of parent_pid that are evaluating a query, once count of them are."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = query_workers(parent_pid, "R")
        if len(workers) >= count:
            return workers
        time.sleep(0.02)
    raise AssertionError(f"fewer than {count} query workers started evaluating")


# -- the store -----------------------------------------------------------------------------------

def test_store_is_built_once_then_reopened_and_its_document_replaced_when_stale(tmp_path):
    """(The embedded store's folder: not run on the engine.) A stale data version replaces the document graph (the default graph) only: named graphs (kept runs) stay."""
    store_dir = tmp_path / "store"
    app = create_app({"STORE_DIR": str(store_dir)})
    assert (store_dir / MARKER).read_text() == data_version() + "\n"
    built = (store_dir / STORE_SUBDIR).stat().st_ino
    kept = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                   ox.Literal("kept"), ox.NamedNode("http://example.org/a-named-graph"))
    stray = ox.Quad(ox.NamedNode("http://example.org/stray"), ox.NamedNode("http://example.org/p"), ox.Literal("gone"))
    with app.extensions["dutygraph.store"].write() as store:
        store.extend([kept, stray])
    create_app({"STORE_DIR": str(store_dir)}).test_client()
    assert (store_dir / STORE_SUBDIR).stat().st_ino == built  # reopened, not rebuilt
    assert stray in app.extensions["dutygraph.store"].store  # same version: the document graph untouched
    (store_dir / MARKER).write_text("an older data version\n")
    response = create_app({"STORE_DIR": str(store_dir)}).test_client().get("/sparql", query_string={"query": COUNT_MEASURES})
    assert (store_dir / MARKER).read_text() == data_version() + "\n"
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json"
    assert response.data == count_json(37)
    store = app.extensions["dutygraph.store"].store
    assert stray not in store and kept in store


# -- the three ways of sending a query -----------------------------------------------------------

def test_get_query_counts_the_37_measures(client):
    response = client.get("/sparql", query_string={"query": COUNT_MEASURES})
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json"
    assert response.data == count_json(37)
    assert response.headers["Result-Row-Limit"] == "10000"
    assert "Result-Truncated" not in response.headers


def test_post_form_query(client):
    response = client.post("/sparql", data={"query": COUNT_MEASURES})
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json"
    assert response.data == count_json(37)


def test_post_direct_query(client):
    response = client.post("/sparql", data=COUNT_MEASURES.encode(), content_type="application/sparql-query")
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json"
    assert response.data == count_json(37)


# -- formats -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(SELECT_ANSWERS))
def test_select_in_every_results_format_by_format_parameter(client, name):
    response = client.get("/sparql", query_string={"query": SELECT, "format": name})
    assert response.status_code == 200
    assert (response.content_type, response.data) == SELECT_ANSWERS[name]


@pytest.mark.parametrize("name", list(SELECT_ANSWERS))
def test_select_in_every_results_format_by_accept(client, name):
    media_type = SELECT_ANSWERS[name][0].split(";")[0]
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert (response.content_type, response.data) == SELECT_ANSWERS[name]


@pytest.mark.parametrize("name", list(CONSTRUCT_ANSWERS))
def test_construct_in_every_graph_format(client, name):
    by_parameter = client.get("/sparql", query_string={"query": CONSTRUCT, "format": name})
    assert by_parameter.status_code == 200
    assert (by_parameter.content_type, by_parameter.data) == CONSTRUCT_ANSWERS[name]
    media_type = CONSTRUCT_ANSWERS[name][0].split(";")[0]
    by_accept = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert by_accept.status_code == 200
    assert (by_accept.content_type, by_accept.data) == CONSTRUCT_ANSWERS[name]


def test_describe_and_ask(client):
    describe = client.get("/sparql", query_string={
        "query": "DESCRIBE <https://w3id.org/dutygraph/id/measure/1>", "format": "ntriples"})
    assert describe.status_code == 200
    assert describe.content_type == "application/n-triples; charset=utf-8"
    assert MEASURE_1_NT in describe.data
    ask = client.get("/sparql", query_string={"query": "ASK { ?m a dg:Measure }"})
    assert ask.status_code == 200
    assert ask.content_type == "application/sparql-results+json"
    assert ask.data == b'{"head":{},"boolean":true}'


def test_describe_is_the_concise_bounded_description(client, store):
    """DESCRIBE answers Oxigraph's description on both stores: the resource's triples in the default
    graph and, recursively, those of the blank nodes they lead to (Virtuoso's own DESCRIBE adds the
    triples pointing at the resource; on the engine the blank nodes are skolem IRIs, given back as
    blank nodes). The order of the triples is each store's own, so the graphs are compared."""
    for query in ("DESCRIBE <https://w3id.org/dutygraph/id/measure/1>",
                  "DESCRIBE ?x WHERE { ?x a owl:AllDisjointClasses }",  # blank nodes, and their rdf:List members
                  "DESCRIBE <https://w3id.org/dutygraph/id/measure/2> ?m WHERE { ?m dg:number 3 ; a dg:Measure }"):
        response = client.get("/sparql", query_string={"query": query, "format": "ntriples"})
        assert response.status_code == 200, response.data
        assert response.content_type == "application/n-triples; charset=utf-8"
        expected = ox.serialize(store.query(query, prefixes={"owl": "http://www.w3.org/2002/07/owl#",
                                                             "dg": "https://w3id.org/dutygraph/ontology#"}),
                                format=ox.RdfFormat.N_TRIPLES)
        answer, wanted = Graph().parse(data=response.data, format="nt"), Graph().parse(data=expected, format="nt")
        assert len(answer) == len(wanted) > 0 and isomorphic(answer, wanted), query


def test_literals_and_blank_nodes_are_the_embedded_stores(client):
    """Typed literals in Oxigraph's form (Virtuoso writes 1E3 as 1000.0 and .120000 as .120, and
    refuses "x5"^^xsd:integer), white space and NUL kept (Oxigraph's XML results reader drops the
    first, Virtuoso's parser stops at the second), language tags in lower case; isBlank true of the
    document's blank nodes (skolem IRIs on the engine)."""
    values = 'VALUES ?x { "0042"^^xsd:integer "1.50"^^xsd:decimal "2024-01-05T10:00:00.120000Z"^^xsd:dateTime ' \
             '"1E3"^^xsd:double "x5"^^xsd:integer "  padded  " "a\\u0000b" "b"@EN-gb }'
    response = client.get("/sparql", query_string={"query": f"SELECT ?x WHERE {{ {values} }}", "format": "tsv"})
    assert (response.status_code, response.data) == (200, (
        b'?x\n42\n1.5\n"2024-01-05T10:00:00.12Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>\n'
        b'"1000"^^<http://www.w3.org/2001/XMLSchema#double>\n"x5"^^<http://www.w3.org/2001/XMLSchema#integer>\n'
        b'"  padded  "\n"a\x00b"\n"b"@en-gb\n'))
    blank = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isBlank(?s)) }"})
    assert (blank.status_code, blank.data) == (200, count_json(40))
    iris = client.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?o) && isBlank(?s)) }"})
    assert (iris.status_code, iris.data) == (200, count_json(23))


def test_a_graph_outside_the_dataset_matches_nothing(client):
    """GRAPH <g> with g not a named graph of the dataset is empty (Virtuoso 7.2 alone answers it with one
    empty solution: ASK true, COUNT(*) 1)."""
    for graph in ("https://w3id.org/dutygraph/graph/nothing-here", "http://example.org/none"):
        ask = client.get("/sparql", query_string={"query": f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
        assert (ask.status_code, ask.data) == (200, b'{"head":{},"boolean":false}')
        count = client.get("/sparql", query_string={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
        assert (count.status_code, count.data) == (200, count_json(0))


def test_engine_extensions_and_function_iris_never_run(client):
    """Only SPARQL 1.1 reaches a store: an engine's extension is Oxigraph's syntax error, a function
    named by an IRI (Virtuoso would call the SQL procedure of that name) Oxigraph's refusal."""
    define = client.get("/sparql", query_string={"query": "define input:default-graph-uri <http://example.org/g> SELECT * WHERE { ?s ?p ?o }"})
    assert (define.status_code, define.content_type, define.data) == (400, TEXT, b"SPARQL syntax error: error at 1:10: expected CONSTRUCT\n")
    called = client.get("/sparql", query_string={"query": 'SELECT (<bif:sprintf>("%d", 5) AS ?x) WHERE {}'})
    assert (called.status_code, called.content_type, called.data) == (
        500, TEXT, b"the query could not be evaluated: The custom function <bif:sprintf> is not supported\n")
    cast = client.get("/sparql", query_string={"query": 'SELECT (xsd:integer("7") AS ?x) WHERE {}', "format": "csv"})
    assert (cast.status_code, cast.data) == (200, b"x\r\n7\r\n")


@pytest.mark.parametrize("accept, expected", [
    ("text/csv;q=0.5, text/tab-separated-values", "tsv"),
    ("application/sparql-results+json;q=0.1, text/csv;q=0.9", "csv"),
    ("application/sparql-results+xml;q=0.8, */*;q=0.1", "xml"),
    ("*/*", "json"),
    ("text/turtle, application/*;q=0.2", "json"),  # turtle cannot carry SELECT results; */json is the first application/*
])
def test_accept_q_values_are_honoured(client, accept, expected):
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert (response.content_type, response.data) == SELECT_ANSWERS[expected]


def test_format_parameter_wins_over_accept(client):
    response = client.get("/sparql", query_string={"query": SELECT, "format": "tsv"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert (response.content_type, response.data) == SELECT_ANSWERS["tsv"]


def test_csv_for_construct_is_406_never_a_mislabelled_body(client):
    by_accept = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert by_accept.status_code == 406
    assert by_accept.content_type == TEXT
    assert by_accept.data == (
        b"none of the media types accepted (text/csv) can carry the answer of a CONSTRUCT query (a graph); available: "
        b"text/turtle (turtle), application/n-triples (ntriples), application/ld+json (jsonld), application/rdf+xml (rdfxml), "
        b"application/trig (trig), application/n-quads (nquads)\n")
    by_parameter = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "csv"})
    assert by_parameter.status_code == 406
    assert by_parameter.content_type == TEXT
    assert by_parameter.data.startswith(b"format 'csv' cannot carry the answer of a CONSTRUCT query (a graph); use one of: text/turtle")


def test_turtle_for_select_is_406(client):
    response = client.get("/sparql", query_string={"query": SELECT, "format": "turtle"})
    assert response.status_code == 406
    assert response.content_type == TEXT
    assert response.data == (
        b"format 'turtle' cannot carry the answer of a SELECT query (query results); use one of: "
        b"application/sparql-results+json (json), application/sparql-results+xml (xml), text/csv (csv), "
        b"text/tab-separated-values (tsv)\n")


def test_unknown_format_is_400(client):
    response = client.get("/sparql", query_string={"query": SELECT, "format": "yaml"})
    assert response.status_code == 400
    assert response.content_type == TEXT
    assert response.data.startswith(b"unknown format 'yaml'; for the answer of a SELECT query (query results) use one of:")


# -- the dataset ---------------------------------------------------------------------------------

def test_default_graph_uri_and_named_graph_uri_set_the_dataset(client):
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    other_graph = client.get("/sparql", query_string={"query": everything, "default-graph-uri": "http://example.org/none"})
    assert other_graph.status_code == 200
    assert other_graph.content_type == "application/sparql-results+json"
    assert other_graph.data == count_json(0)
    named = client.post("/sparql?named-graph-uri=http://example.org/none", data="SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                        content_type="application/sparql-query")
    assert named.status_code == 200
    assert named.content_type == "application/sparql-results+json"
    assert named.data == count_json(0)


def test_from_names_a_graph_and_fetches_nothing(client, listener):
    response = client.get("/sparql", query_string={"query": f"SELECT (COUNT(*) AS ?n) FROM <{listener.url}> WHERE {{ ?s ?p ?o }}"})
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json"
    assert response.data == count_json(0)
    assert listener.connections() == 0


# -- read-only -----------------------------------------------------------------------------------

@pytest.mark.parametrize("update, keywords", [
    ("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }", "INSERT"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("CLEAR ALL", "CLEAR"),
    ("DROP DEFAULT", "DROP"),
    ("WITH <http://example.org/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "DELETE, INSERT, WITH"),
    ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }", "INSERT"),
])
def test_updates_are_refused(client, update, keywords):
    response = client.post("/sparql", data={"query": update})
    assert response.status_code == 403
    assert response.content_type == TEXT
    assert response.data == f"this endpoint is read-only: SPARQL Update operations ({keywords}) are not accepted\n".encode()


def test_load_is_refused_before_anything_runs(client, listener):
    response = client.post("/sparql", data=f"LOAD <{listener.url}>", content_type="application/sparql-query")
    assert response.status_code == 403
    assert response.content_type == TEXT
    assert response.data == b"this endpoint is read-only: SPARQL Update operations (LOAD) are not accepted\n"
    assert listener.connections() == 0


READ_ONLY = b"this endpoint is read-only: SPARQL Update requests are not accepted (updates need an admin token)\n"
ADMIN_TOKEN = "an-admin-token-of-the-configuration-0123"


@pytest.mark.parametrize("kwargs", [
    {"data": {"update": "CLEAR ALL"}},
    {"data": "CLEAR ALL", "content_type": "application/sparql-update"},
])
def test_update_requests_are_refused_without_the_admin_token(client, kwargs):
    response = client.post("/sparql", **kwargs)
    assert response.status_code == 403
    assert response.content_type == TEXT
    assert response.data == READ_ONLY
    assert client.get("/sparql", query_string={"query": COUNT_MEASURES}).data == count_json(37)


def test_admin_token_may_update_but_never_load(tmp_path, listener, backend):
    app = create_app(backend.config(tmp_path / "store", ADMIN_TOKEN=ADMIN_TOKEN))
    client, admin = app.test_client(), {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    graph = "https://w3id.org/dutygraph/graph/admin-notes"  # a graph of dutygraph's: one an engine lets the service write
    inserted = client.post("/sparql", data=f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/a> <http://example.org/b> 7 }} }}",
                           content_type="application/sparql-update", headers=admin)
    assert inserted.status_code == 204
    query = f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    seen = client.get("/sparql", query_string={"query": query, "format": "csv"})
    asked = client.get("/sparql", query_string={"query": query, "format": "csv", "named-graph-uri": graph})
    assert asked.data == b"o\r\n7\r\n"  # the next query that names it sees it (a graph outside the run namespace)
    if backend.remote:
        # On an engine the public dataset is the document graph only (datasets.public_named_graphs: the
        # engine's graphs are not the service's to publish), and an admin writes dutygraph's graphs only.
        assert seen.data == b"o\r\n"
        other = client.post("/sparql", data="INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 7 } }",
                            content_type="application/sparql-update", headers=admin)
        assert other.status_code == 403
        assert other.data.startswith(b"graph <http://example.org/g> is not one of dutygraph's: on an external SPARQL engine")
    else:
        assert seen.data == b"o\r\n7\r\n"  # an anonymous query sees it too: a public graph outside the run namespace
        other = client.post("/sparql", data="INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 7 } }",
                            content_type="application/sparql-update", headers=admin)
        assert other.status_code == 204
    # The default graph is the document graph on both: an update without GRAPH changes it.
    into_document = client.post("/sparql", data={"update": "INSERT DATA { <http://example.org/a> <http://example.org/b> 8 }"},
                                headers=admin)
    assert into_document.status_code == 204
    document = client.get("/sparql", query_string={"query": "SELECT ?o WHERE { <http://example.org/a> <http://example.org/b> ?o }",
                                                   "format": "csv"})
    assert document.data == b"o\r\n8\r\n"
    deleted = client.post("/sparql", data={"update": "DELETE WHERE { <http://example.org/a> ?p ?o }"}, headers=admin)
    assert deleted.status_code == 204
    assert client.get("/sparql", query_string={"query": "SELECT ?o WHERE { <http://example.org/a> ?p ?o }",
                                               "format": "csv"}).data == b"o\r\n"
    loading = client.post("/sparql", data={"update": f"LOAD <{listener.url}> INTO GRAPH <http://example.org/g>"}, headers=admin)
    assert loading.status_code == 403
    assert loading.data == b"LOAD is not accepted, even from an admin: the service never fetches a URL\n"
    assert listener.connections() == 0
    broken = client.post("/sparql", data={"update": "INSERT DATA { <a> }"}, headers=admin)
    assert broken.status_code == 400 and broken.data.startswith(b"SPARQL syntax error: ")
    wrong = client.post("/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ ?x ?y ?z .service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p \"\"\"x\"\"\" # comment\n SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX ex: <http://example.org/> SELECT * WHERE {{ ?s ex:a\\#b ?o SERVICE <{url}> {{ ?s ?p ?o }} }}",
])
def test_service_is_refused_and_nothing_connects(client, listener, template):
    response = client.get("/sparql", query_string={"query": template.format(url=listener.url)})
    assert response.status_code == 403
    assert response.content_type == TEXT
    assert response.data == b"federated queries (SERVICE) are not accepted: this endpoint never fetches other services\n"
    assert listener.connections() == 0


@pytest.mark.parametrize("query", [
    'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }" AS ?x) }',
    "SELECT ?x WHERE { BIND('''LOAD\nINSERT DATA''' AS ?x) }",
    "SELECT ?x WHERE { BIND(<http://example.org/SERVICE/insert> AS ?x) }",
    "PREFIX service: <http://example.org/> SELECT ?x WHERE { BIND(service:delete AS ?x) } # SERVICE <http://x/>",
    'SELECT ?x WHERE { BIND("drop"@en AS ?service) BIND(STR(?service) AS ?x) }',
])
def test_keywords_inside_strings_iris_names_and_comments_are_not_refused(client, query):
    response = client.get("/sparql", query_string={"query": query, "format": "csv"})
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.data.startswith(b"x\r\n") and response.data.count(b"\r\n") == 2


# -- bad requests --------------------------------------------------------------------------------

def test_bad_query_is_400_with_the_parsers_message(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT x"})
    assert response.status_code == 400
    assert response.content_type == TEXT
    assert response.data == b"SPARQL syntax error: error at 1:35: expected one of HAVING, OFFSET, OPTIONAL, VALUES, ['0'..='9']\n"
    still = client.get("/sparql", query_string={"query": COUNT_MEASURES})
    assert (still.status_code, still.data) == (200, count_json(37))


@pytest.mark.parametrize("kwargs, status, message", [
    ({"data": {"query": ""}}, 400, b"no query: give the SPARQL query in the query parameter\n"),
    ({"data": b"", "content_type": "application/sparql-query"}, 400, b"no query: give the SPARQL query in the query parameter\n"),
    ({"data": "SELECT * {}", "content_type": "text/plain"}, 415,
     b"POST a query as application/x-www-form-urlencoded (query=\xe2\x80\xa6) or as application/sparql-query, not as text/plain\n"),
    ({"data": b"SELECT * {\xff}", "content_type": "application/sparql-query"}, 400, b"the query body is not valid UTF-8\n"),
    ({"data": {"query": ["ASK {}", "ASK {}"]}}, 400, b"give exactly one query parameter\n"),
    ({"data": {"query": "hello"}}, 400, b"not a SPARQL query: it has no SELECT, ASK, CONSTRUCT or DESCRIBE\n"),
])
def test_bad_requests_are_4xx_with_a_message(client, kwargs, status, message):
    response = client.post("/sparql", **kwargs)
    assert response.status_code == status
    assert response.content_type == TEXT
    assert response.data == message


def test_other_methods_are_405(client):
    response = client.put("/sparql", data="x")
    assert response.status_code == 405
    assert response.content_type == TEXT
    assert response.data == b"method not allowed here; use GET, POST\n"
    assert response.headers["Allow"] == "GET, POST"


# -- limits --------------------------------------------------------------------------------------

def test_body_over_the_cap_is_413(store_dir, backend):
    client = create_app(backend.config(store_dir, MAX_CONTENT_LENGTH=100)).test_client()
    big = "SELECT * WHERE { ?s ?p ?o } " + "#" * 200
    for kwargs in ({"data": {"query": big}}, {"data": big, "content_type": "application/sparql-query"}):
        response = client.post("/sparql", **kwargs)
        assert response.status_code == 413
        assert response.content_type == TEXT
        assert response.data == b"the request body is larger than the limit of 100 bytes\n"
    small = client.post("/sparql", data="ASK {}", content_type="application/sparql-query")
    assert (small.status_code, small.data) == (200, b'{"head":{},"boolean":true}')  # the empty pattern has one solution


def test_results_beyond_the_row_cap_are_truncated_and_say_so(store_dir, backend):
    client = create_app(backend.config(store_dir, RESULT_ROW_LIMIT=3)).test_client()
    five = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 } }"
    response = client.get("/sparql", query_string={"query": five, "format": "csv"})
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.data == b"n\r\n1\r\n2\r\n3\r\n"
    assert (response.headers["Result-Truncated"], response.headers["Result-Row-Limit"]) == ("true", "3")
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT { ?m a dg:Measure } WHERE { ?m a dg:Measure }", "format": "ntriples"})
    assert graph.status_code == 200
    assert graph.content_type == "application/n-triples; charset=utf-8"
    assert graph.data.count(b" .\n") == 3
    assert graph.headers["Result-Truncated"] == "true"
    three = client.get("/sparql", query_string={"query": "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }", "format": "csv"})
    assert (three.status_code, three.data) == (200, b"n\r\n1\r\n2\r\n3\r\n")
    assert "Result-Truncated" not in three.headers


def ask_explosive_query(client) -> tuple[threading.Thread, dict]:
    """The explosive query asked in a thread (started); the thread and {"response", "elapsed"} it fills."""
    outcome = {}

    def ask():
        started = time.monotonic()
        outcome["response"] = client.get("/sparql", query_string={"query": EXPLOSIVE})
        outcome["elapsed"] = time.monotonic() - started

    asking = threading.Thread(target=ask)
    asking.start()
    return asking, outcome


@pytest.mark.embedded_only("the embedded store's query worker processes")
def test_time_limit_kills_the_worker(client):
    """An explosive query is stopped at the limit: 504, and its worker process is gone (the pool's
    idle workers stay, asleep)."""
    asking, outcome = ask_explosive_query(client)
    [worker] = wait_for_worker(os.getpid())
    asking.join(10)
    response = outcome["response"]
    assert response.status_code == 504
    assert response.content_type == TEXT
    assert response.data == TIMEOUT_MESSAGE
    assert 1.5 <= outcome["elapsed"] < 1.5 + 3
    assert not Path(f"/proc/{worker}").exists()
    assert query_workers(os.getpid(), "R") == []  # no CPU is still spent on it
    assert client.get("/sparql", query_string={"query": COUNT_MEASURES}).data == count_json(37)


def test_time_limit_answers_504_and_others_are_answered_meanwhile(client):
    """What the service promises on both stores: an explosive query is answered 504 at the limit, and
    while it runs other queries are answered at once."""
    asking, outcome = ask_explosive_query(client)
    time.sleep(0.3)
    meanwhile = []
    while asking.is_alive() and len(meanwhile) < 5:
        started = time.monotonic()
        response = client.get("/sparql", query_string={"query": COUNT_MEASURES})
        meanwhile.append((response.status_code, response.data, time.monotonic() - started < 1.0))
    asking.join(10)
    assert meanwhile and all(answer == (200, count_json(37), True) for answer in meanwhile)
    response = outcome["response"]
    assert (response.status_code, response.content_type, response.data) == (504, TEXT, TIMEOUT_MESSAGE)
    assert 1.5 <= outcome["elapsed"] < 1.5 + 3
    assert client.get("/sparql", query_string={"query": COUNT_MEASURES}).data == count_json(37)


@pytest.mark.embedded_only("the embedded store's query worker processes")
def test_a_pooled_worker_outlives_the_thread_that_started_it(tmp_path):
    """A worker asks Linux to kill it when its parent thread ends (PR_SET_PDEATHSIG); the pool keeps
    it past the request's thread, so it must not be that thread's child: the next query, on another
    thread, is answered by the same worker, alive."""
    from dutygraph.web.query_runner import WorkerPool

    path = tmp_path / "empty-store"
    ox.Store(str(path)).flush()
    pool = WorkerPool(1)
    ask = dict(store_path=path, query="SELECT (1 AS ?n) {}", prefixes={}, default_graph=None, named_graphs=None,
               oxigraph_format="JSON", row_limit=10, time_limit=10)
    try:
        asking = threading.Thread(target=lambda: pool.run(**ask))
        asking.start()
        asking.join(30)
        [worker] = pool._idle
        time.sleep(0.3)  # a death signal, had there been one, has come by now
        assert worker.process.poll() is None
        assert pool.run(**ask).rows == 1
        assert pool._idle == [worker]
    finally:
        pool.close()


def wait_until_busy(app, backend, count: int = 1) -> None:
    """Until count queries hold the app's query slots (on the embedded store: their workers evaluate)."""
    if not backend.remote:
        wait_for_worker(os.getpid(), count=count)
        return
    slots = app.extensions["dutygraph.query_slots"]
    deadline = time.monotonic() + 5
    while slots._value > app.config["MAX_CONCURRENT_QUERIES"] - count:
        assert time.monotonic() < deadline, "the slow queries did not start"
        time.sleep(0.01)


def test_concurrency_cap_answers_503_with_retry_after(store_dir, backend):
    app = create_app(backend.config(store_dir, QUERY_TIME_LIMIT=1.5, MAX_CONCURRENT_QUERIES=1))
    slow = threading.Thread(target=lambda: app.test_client().get("/sparql", query_string={"query": EXPLOSIVE}))
    slow.start()
    wait_until_busy(app, backend)
    response = app.test_client().get("/sparql", query_string={"query": COUNT_MEASURES})
    assert response.status_code == 503
    assert response.content_type == TEXT
    assert response.data == b"too many queries at once (limit 1); retry in 2 s\n"
    assert response.headers["Retry-After"] == "2"
    slow.join(10)
    after = app.test_client().get("/sparql", query_string={"query": COUNT_MEASURES})
    assert (after.status_code, after.data) == (200, count_json(37))


# -- service description and the HTML form ------------------------------------------------------

def test_get_without_query_is_the_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.content_type == "text/turtle; charset=utf-8"
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(response.data, format=ox.RdfFormat.TURTLE)}
    sd = "http://www.w3.org/ns/sparql-service-description#"
    service = "http://localhost/sparql#service"
    assert (service, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", sd + "Service") in triples
    assert (service, sd + "endpoint", "http://localhost/sparql") in triples
    assert (service, sd + "supportedLanguage", sd + "SPARQL11Query") in triples
    assert {o for s, p, o in triples if p == sd + "resultFormat"} == {
        "http://www.w3.org/ns/formats/SPARQL_Results_JSON", "http://www.w3.org/ns/formats/SPARQL_Results_XML",
        "http://www.w3.org/ns/formats/SPARQL_Results_CSV", "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
        "http://www.w3.org/ns/formats/Turtle", "http://www.w3.org/ns/formats/N-Triples",
        "https://www.w3.org/ns/formats/data/JSON-LD", "http://www.w3.org/ns/formats/RDF_XML",
        "http://www.w3.org/ns/formats/TriG", "http://www.w3.org/ns/formats/N-Quads",
    }
    assert not any(p == sd + "feature" for s, p, o in triples)  # no federation, no union default graph
    ntriples = client.get("/sparql", query_string={"format": "ntriples"})
    assert ntriples.status_code == 200
    assert ntriples.content_type == "application/n-triples; charset=utf-8"
    assert len(list(ox.parse(ntriples.data, format=ox.RdfFormat.N_TRIPLES))) == len(triples)


def test_a_browser_is_sent_to_the_editor(client):
    """A browser asking /sparql for no query gets the SPARQL editor; its <noscript> form is the old one."""
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/editor"
    assert "Accept" in response.headers["Vary"]
    assert client.get("/sparql", query_string={"format": "html", "lang": "en"}).headers["Location"] == "/editor?lang=en"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert page.content_type == "text/html; charset=utf-8"
    html = page.data.decode()
    assert html.startswith("<!DOCTYPE html>\n")
    noscript = html[html.index("<noscript>"):html.index("</noscript>")]
    assert '<form id="sparql-form" method="post" action="/sparql">' in noscript
    assert '<textarea id="sparql-form-query" name="query" rows="12"' in noscript


# -- a real server and a real client -------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory, backend):
    store_dir = tmp_path_factory.mktemp("server-store")  # a store is open in one process only
    port = free_port()
    environment = dict(os.environ, DUTYGRAPH_QUERY_TIME_LIMIT="1.5", DUTYGRAPH_MAX_CONCURRENT_QUERIES="2", **backend.env())
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dutygraph"), "serve", "--port", str(port), "--store", str(store_dir)],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"dutygraph serve did not start: {process.stdout.read().decode()}")
            time.sleep(0.1)
    yield process, url
    process.terminate()
    process.wait(10)


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, content type, body) of a plain HTTP request, errors included."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


METHODS = {"GET": (GET, URLENCODED), "POST form": (POST, URLENCODED), "POST direct": (POST, POSTDIRECTLY)}
WRAPPER_SELECT_FORMATS = {"json": JSON, "xml": XML, "csv": CSV, "tsv": TSV}
WRAPPER_GRAPH_FORMATS = {"turtle": TURTLE, "jsonld": JSONLD, "rdfxml": RDFXML}


def wrapper(url: str, query: str, method: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setMethod(METHODS[method][0])
    client.setRequestMethod(METHODS[method][1])
    client.setReturnFormat(return_format)
    return client


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("name", list(WRAPPER_SELECT_FORMATS))
def test_sparqlwrapper_select_in_every_results_format(server, method, name):
    result = wrapper(server[1], SELECT, method, WRAPPER_SELECT_FORMATS[name]).query()
    assert result.response.status == 200
    assert (result.info()["content-type"], result.response.read()) == SELECT_ANSWERS[name]


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("name", list(WRAPPER_GRAPH_FORMATS))
def test_sparqlwrapper_construct_in_every_graph_format(server, method, name):
    result = wrapper(server[1], CONSTRUCT, method, WRAPPER_GRAPH_FORMATS[name]).query()
    assert result.response.status == 200
    assert (result.info()["content-type"], result.response.read()) == CONSTRUCT_ANSWERS[name]


@pytest.mark.parametrize("method", list(METHODS))
def test_sparqlwrapper_n3_and_ntriples_by_accept(server, method):
    n3 = wrapper(server[1], CONSTRUCT, method, N3).query()
    assert n3.response.status == 200
    assert (n3.info()["content-type"], n3.response.read()) == CONSTRUCT_ANSWERS["turtle"]  # Turtle is N3
    client = wrapper(server[1], CONSTRUCT, method, TURTLE)
    client.setOnlyConneg(True)
    client.addCustomHttpHeader("Accept", "application/n-triples")
    ntriples = client.query()
    assert ntriples.response.status == 200
    assert (ntriples.info()["content-type"], ntriples.response.read()) == CONSTRUCT_ANSWERS["ntriples"]


@pytest.mark.parametrize("method", list(METHODS))
def test_sparqlwrapper_ask_and_convert(server, method):
    assert wrapper(server[1], "ASK { ?m a dg:Measure }", method, JSON).query().convert() == {"head": {}, "boolean": True}
    counted = wrapper(server[1], COUNT_MEASURES, method, JSON).query().convert()
    assert counted["results"]["bindings"][0]["n"]["value"] == "37"


def test_server_answers_bad_input_with_4xx_and_keeps_serving(server, listener):
    process, url = server
    quoted = urllib.parse.quote
    cases = [
        (url + "?query=" + quoted("SELECT * WHERE { ?s ?p ?o } LIMIT x"), None, {}, 400,
         b"SPARQL syntax error: error at 1:35: expected one of HAVING, OFFSET, OPTIONAL, VALUES, ['0'..='9']\n"),
        (url, f"LOAD <{listener.url}>".encode(), {"Content-Type": "application/sparql-query"}, 403,
         b"this endpoint is read-only: SPARQL Update operations (LOAD) are not accepted\n"),
        (url + "?query=" + quoted(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"), None, {}, 403,
         b"federated queries (SERVICE) are not accepted: this endpoint never fetches other services\n"),
        (url + "?format=csv&query=" + quoted(CONSTRUCT), None, {}, 406, None),
        (url, b"query=" + b"x" * (1024 * 1024 + 1), {"Content-Type": "application/x-www-form-urlencoded"}, 413,
         b"the request body is larger than the limit of 1048576 bytes\n"),
    ]
    for target, body, headers, status, message in cases:
        answer = fetch(target, body, headers)
        assert answer[:2] == (status, TEXT)
        if message is not None:
            assert answer[2] == message
    assert listener.connections() == 0
    assert fetch(url + "?query=" + quoted(COUNT_MEASURES)) == (200, "application/sparql-results+json", count_json(37))
    assert process.poll() is None


def test_server_time_limit_and_concurrency_cap(server, backend):
    """Two explosive queries fill the server's two slots: a third is 503; both stop at 1.5 s (on the
    embedded store: their workers killed)."""
    process, url = server
    explosive = url + "?query=" + urllib.parse.quote(EXPLOSIVE)
    answers = []

    def ask():
        started = time.monotonic()
        answers.append((fetch(explosive), time.monotonic() - started))

    slow = [threading.Thread(target=ask) for _ in range(2)]
    for thread in slow:
        thread.start()
    if backend.remote:  # no worker to watch: the slow queries wait on the engine
        workers = []
        time.sleep(0.5)
    else:
        workers = wait_for_worker(process.pid, count=2)
        assert len(workers) == 2
    busy = urllib.request.Request(url + "?query=" + urllib.parse.quote(COUNT_MEASURES))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(busy, timeout=15)
    assert refused.value.code == 503
    assert refused.value.headers["Content-Type"] == TEXT
    assert refused.value.read() == b"too many queries at once (limit 2); retry in 2 s\n"
    assert refused.value.headers["Retry-After"] == "2"
    for thread in slow:
        thread.join(10)
    assert [answer for answer, _ in answers] == [(504, TEXT, TIMEOUT_MESSAGE)] * 2
    assert all(elapsed < 1.5 + 3 for _, elapsed in answers)
    assert query_workers(process.pid, "R") == []
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert fetch(url + "?query=" + urllib.parse.quote(COUNT_MEASURES)) == (200, "application/sparql-results+json", count_json(37))
