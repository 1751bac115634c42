"""Validation runs over HTTP (dutygraph.web.runs_api): POST /validate, /runs, and who may see a run.

Flask's test client on one module-scoped store. Each case reads request -> status -> content type ->
exact content. The reports are compared with what `dutygraph validate --format json` computes for
the same files (``load_records`` + ``validate_records`` in this process); the kept records with the
uploaded graph (rdflib isomorphism). Bad input must be a 4xx with a clear message and keep nothing:
the admin's run count, the store's run graphs and STORE_DIR/jobs are the same before and after.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import socket
from html import escape
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from dutygraph.records_input import load_records
from dutygraph.validation import load_policy, validate_records
from dutygraph.web import create_app
from dutygraph.web.accounts import AccountStore
from dutygraph.web.runs_store import RUN_BASE, run_graphs
from dutygraph.web.validation_jobs import JOBS_SUBDIR

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"
INSTITUTION = REPO / "data" / "institution" / "example-institution.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")
TEXT = "text/plain; charset=utf-8"
ADMIN_TOKEN = "admin-token-for-the-runs-tests-abcdefgh"
RUN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
# xsd:dateTime as both stores give it back: the value's canonical form, whose fraction of a second
# may lose its trailing zeros (".120000" is ".12", ".000000" nothing): a 6-digit pattern failed 1 run in 10.
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")
COUNT_MEASURES = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a dg:Measure }"

# A distinctive literal, a record IRI, a label and a file name that only the kept records carry:
# an anonymous client must never see any of them, by any route.
CANARY = "canary-literal-5d1f7e-only-in-the-uploaded-records"
CANARY_RECORD = "https://example.org/dutygraph/example/audit/2024-c002-001"
CANARY_LABEL = "canary-label-9b2c Office of the Discipline Committee"
CANARY_FILE = "canary-file-4e8a.ttl"
SECRETS = (CANARY, CANARY_RECORD, CANARY_LABEL, CANARY_FILE)


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def canary_records() -> bytes:
    """2024-breaks-expert-review.ttl (one Violation) with the canary literal on one audit record."""
    data = example("2024-breaks-expert-review.ttl")
    marked = data.replace(b"audit:2024-c002-001 a dg:Audit ;",
                          b'audit:2024-c002-001 a dg:Audit ;\n\trdfs:comment "' + CANARY.encode() + b'" ;', 1)
    assert marked != data
    return marked


def expected_report(files: list[tuple[str, bytes]], institution: list[tuple[str, bytes]] | None = None,
                    years: list[int] | None = None):
    """What `dutygraph validate --format json` prints for these files, as parsed JSON, and the run."""
    records = load_records(files)
    institution_quads = load_records(institution).quads if institution else None
    run = validate_records(records.quads, years=years or None, policy=load_policy(None),
                           institution_quads=institution_quads, engine="fast")
    return json.loads(json.dumps(run.as_json(), ensure_ascii=False)), run


def rdflib_graph(data: bytes, fmt: str) -> Graph:
    graph = Graph()
    graph.parse(data=data, format=fmt)
    return graph


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(ADMIN_TOKEN)


# -- fixtures ------------------------------------------------------------------------------------

# Every case runs on both backends (conftest's `backend`): the embedded store and Virtuoso, the same
# expectations — the access rules included: no anonymous route reaches a run graph on the engine either.

@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, backend) -> Path:
    return tmp_path_factory.mktemp("runs-store")


@pytest.fixture(scope="module")
def app(store_dir, backend):
    return create_app(backend.config(store_dir, ADMIN_TOKEN=ADMIN_TOKEN, QUERY_TIME_LIMIT=20.0))


@pytest.fixture(scope="module")
def tokens(app, store_dir) -> dict[str, str]:
    accounts = AccountStore(store_dir / "accounts.sqlite3")
    issued = {}
    for name in ("alice", "bob"):
        accounts.create(name, None)
        issued[name] = accounts.issue_token(name)
    return issued


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def alice(tokens) -> dict:
    return bearer(tokens["alice"])


@pytest.fixture(scope="module")
def bob(tokens) -> dict:
    return bearer(tokens["bob"])


def run_id_of(response) -> str:
    location = response.headers["Location"]
    assert location.startswith("/runs/")
    run_id = location[len("/runs/"):]
    assert RUN_ID.match(run_id), location
    return run_id


def upload(client, headers: dict, data: bytes, content_type: str, **query):
    return client.post("/validate", query_string=query, data=data, content_type=content_type, headers=headers)


@pytest.fixture(scope="module")
def kept(app, alice) -> dict:
    """Two runs of alice: the canary records (one Violation) and 2024-breaks-decision-venue.ttl (one Violation)."""
    client = app.test_client()
    canary = upload(client, alice, canary_records(), "text/turtle", name=CANARY_FILE, label=CANARY_LABEL)
    venue = upload(client, alice, example("2024-breaks-decision-venue.ttl"), "text/turtle",
                   name="2024-breaks-decision-venue.ttl", label="decision venue")
    assert (canary.status_code, venue.status_code) == (201, 201), (canary.data, venue.data)
    return {"canary": run_id_of(canary), "venue": run_id_of(venue),
            "canary_violations": canary.json["counts"]["Violation"], "venue_violations": venue.json["counts"]["Violation"]}


def run_graph_names(app) -> set[str]:
    """The named graphs of the service's store under …/id/run/."""
    store = app.extensions["dutygraph.store"].store
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(RUN_BASE)}


def state(app, client) -> tuple:
    """(the admin's runs, the run graphs of the store, the job folders): what an upload may change."""
    listing = client.get("/runs", headers=ADMIN)
    assert listing.status_code == 200
    jobs = sorted(p.name for p in (Path(app.config["STORE_DIR"]) / JOBS_SUBDIR).iterdir())
    return sorted(run["id"] for run in listing.json["runs"]), run_graph_names(app), jobs


def sparql(client, query: str, headers: dict | None = None, **params):
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers or {})


def graphs_seen(client, headers: dict | None = None) -> set[str]:
    response = sparql(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", headers)
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json"
    return {row["g"]["value"] for row in response.json["results"]["bindings"]}


def count_json(n: int) -> bytes:
    return (b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"%d",'
            b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}' % n)


class Listener:
    """A local listening socket that records whether anything connected to it."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except (TimeoutError, socket.timeout):
                return count
            connection.close()
            count += 1

    def close(self):
        self.socket.close()


@pytest.fixture
def listener():
    opened = Listener()
    yield opened
    opened.close()


# -- uploads -------------------------------------------------------------------------------------

def test_raw_turtle_upload_keeps_a_run_and_answers_the_report_as_json(app, client, alice):
    data = example("2024-breaks-decision-venue.ttl")
    response = upload(client, alice, data, "text/turtle", name="venue.ttl", label="raw turtle")
    assert response.status_code == 201, response.data
    assert response.content_type == "application/json"
    run_id = run_id_of(response)
    expected, _ = expected_report([("venue.ttl", data)])
    body = response.json
    run = body.pop("run")
    assert body == expected  # conforms, years, counts, results: exactly `dutygraph validate --format json`
    assert expected["counts"] == {"Violation": 1, "Warning": 0, "Info": 0}
    assert ISO_UTC.match(run.pop("started")) and ISO_UTC.match(run.pop("ended"))
    assert run == {
        "id": run_id, "iri": RUN_BASE + run_id, "url": f"/runs/{run_id}", "owner": "alice", "label": "raw turtle",
        "engine": "fast", "conforms": False, "years": [2024], "counts": expected["counts"],
        "record_triples": len(load_records([("venue.ttl", data)]).quads),
        "files": [{"name": "venue.ttl", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                   "format": "turtle", "triples": len(load_records([("venue.ttl", data)]).quads), "role": "records"}],
        "graphs": {"description": RUN_BASE + run_id, "records": f"{RUN_BASE}{run_id}/records",
                   "report": f"{RUN_BASE}{run_id}/report"},
    }
    assert set(run_graphs(run_id)) <= run_graph_names(app)


def split_records(data: bytes) -> tuple[bytes, bytes]:
    """The triples of a Turtle file split in two by subject: the first half as Turtle, the rest as N-Triples."""
    triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    subjects = sorted({t.subject.value for t in triples})
    first = set(subjects[: len(subjects) // 2])
    one = [t for t in triples if t.subject.value in first]
    two = [t for t in triples if t.subject.value not in first]
    assert one and two and not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                                   for t in triples)
    return (ox.serialize(one, format=ox.RdfFormat.TURTLE, prefixes={"dg": "https://w3id.org/dutygraph/ontology#"}),
            ox.serialize(two, format=ox.RdfFormat.N_TRIPLES))


def test_multipart_upload_of_records_split_over_two_files_with_a_label(app, client, alice):
    whole = example("2024-breaks-petition-handling.ttl")
    part_1, part_2 = split_records(whole)
    response = client.post("/validate", headers=alice, content_type="multipart/form-data", data={
        "files": [(io.BytesIO(part_1), "petitions-1.ttl"), (io.BytesIO(part_2), "petitions-2.nt")],
        "label": "two files",
    })
    assert response.status_code == 201, response.data
    assert response.content_type == "application/json"
    run_id = run_id_of(response)
    files = [("petitions-1.ttl", part_1), ("petitions-2.nt", part_2)]
    expected, _ = expected_report(files)
    body = response.json
    run = body.pop("run")
    assert body == expected
    assert body == expected_report([("whole.ttl", whole)])[0]  # the split changes nothing
    assert expected["counts"] == {"Violation": 0, "Warning": 2, "Info": 0}
    loaded = load_records(files).files
    assert [f["name"] for f in run["files"]] == ["petitions-1.ttl", "petitions-2.nt"]
    assert run["files"] == [{"name": f.name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                             "format": f.format, "triples": f.triples, "role": "records"} for f, (_, data) in zip(loaded, files)]
    assert [f["format"] for f in run["files"]] == ["turtle", "n-triples"]
    assert run["record_triples"] == sum(f.triples for f in loaded) == len(list(ox.parse(whole, format=ox.RdfFormat.TURTLE)))
    assert (run["label"], run["owner"]) == ("two files", "alice")
    records = client.get(f"/runs/{run_id}/records", headers=alice)
    assert records.status_code == 200
    assert records.content_type == "text/turtle; charset=utf-8"
    assert isomorphic(rdflib_graph(records.data, "turtle"), rdflib_graph(whole, "turtle"))


def test_an_institution_file_is_used_and_described_like_every_uploaded_file(client, alice):
    records = example("2024-breaks-appointment-talk.ttl")
    institution = INSTITUTION.read_bytes()
    response = client.post("/validate", headers=alice, content_type="multipart/form-data", data={
        "files": [(io.BytesIO(records), "talk.ttl")], "institution": [(io.BytesIO(institution), "institution.ttl")],
        "year": "2024",
    })
    assert response.status_code == 201, response.data
    assert response.content_type == "application/json"
    expected, _ = expected_report([("talk.ttl", records)], [("institution.ttl", institution)], [2024])
    body = response.json
    run = body.pop("run")
    assert body == expected  # `dutygraph validate talk.ttl --institution institution.ttl --year 2024`
    described = [(f["name"], f["sha256"], f["size"], f["role"]) for f in run["files"]]
    uploaded = [(name, hashlib.sha256(data).hexdigest(), len(data), role)
                for name, data, role in (("talk.ttl", records, "records"), ("institution.ttl", institution, "institution"))]
    assert described == uploaded  # the institution checked against is described like the records
    kept = client.get(f"/runs/{run['id']}", headers=alice).json["run"]["files"]
    assert [(f["name"], f["role"]) for f in kept] == [("talk.ttl", "records"), ("institution.ttl", "institution")]


def test_a_csv_body_named_after_its_template(client, alice):
    people = "https://example.org/dutygraph/example/person/"
    data = (f"id,kind,date,conducted_by,talked_with\n"
            f"t-1,appointment,2024-02-10,{people}000001,{people}000009\n").encode()
    response = upload(client, alice, data, "text/csv", name="2024_talks.csv", label="one talk")
    assert response.status_code == 201, response.data
    assert response.content_type == "application/json"
    expected, _ = expected_report([("2024_talks.csv", data)])
    body = response.json
    run = body.pop("run")
    assert body == expected
    assert run["files"] == [{"name": "2024_talks.csv", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                             "format": "csv", "triples": 4, "role": "records"}]
    assert run["record_triples"] == 4
    records = client.get(f"/runs/{run['id']}/records", query_string={"format": "ntriples"}, headers=alice)
    assert records.status_code == 200
    assert records.content_type == "application/n-triples; charset=utf-8"
    talk = "<https://example.org/dutygraph/records/talks/t-1>"
    assert sorted(records.data.decode().splitlines()) == sorted([
        f"{talk} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/dutygraph/ontology#AppointmentTalk> .",
        f'{talk} <https://w3id.org/dutygraph/ontology#date> "2024-02-10"^^<http://www.w3.org/2001/XMLSchema#date> .',
        f"{talk} <https://w3id.org/dutygraph/ontology#conductedBy> <{people}000001> .",
        f"{talk} <https://w3id.org/dutygraph/ontology#talkedWith> <{people}000009> .",
    ])


def report_nodes(graph: Graph) -> list:
    return list(graph.subjects(RDF.type, SH.ValidationReport))


@pytest.mark.parametrize("how, content_type, parse_as", [
    ({"headers": {"Accept": "text/turtle"}}, "text/turtle; charset=utf-8", "turtle"),
    ({"query": {"format": "jsonld"}}, "application/ld+json", "json-ld"),
])
def test_the_report_as_turtle_and_json_ld(client, alice, how, content_type, parse_as):
    data = example("2024-breaks-petition-handling.ttl")
    response = client.post("/validate", query_string={"name": "petitions.ttl", **how.get("query", {})}, data=data,
                           content_type="text/turtle", headers={**alice, **how.get("headers", {})})
    assert response.status_code == 201, response.data
    assert response.content_type == content_type
    expected, run = expected_report([("petitions.ttl", data)])
    report = rdflib_graph(response.data, parse_as)
    node, = report_nodes(report)
    assert report.value(node, SH.conforms).toPython() is False
    assert len(list(report.objects(node, SH.result))) == len(expected["results"]) == 2
    assert isomorphic(report, run.report_graph)
    kept = client.get(f"/runs/{run_id_of(response)}/report", headers=alice)
    assert kept.status_code == 200
    assert kept.content_type == "text/turtle; charset=utf-8"
    assert isomorphic(rdflib_graph(kept.data, "turtle"), report)


def test_the_report_as_html(client, alice):
    """The run page (templates/run.html, in the language of Accept-Language), as POST /validate's HTML answer."""
    data = example("2024-breaks-petition-handling.ttl")
    response = upload(client, {**alice, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "Accept-Language": "en"},
                      data, "text/turtle", name="petitions <b>.ttl", label="html & label")
    assert response.status_code == 201, response.data
    assert response.content_type == "text/html; charset=utf-8"
    run_id = run_id_of(response)
    page = response.data.decode()
    expected, _ = expected_report([("petitions <b>.ttl", data)])
    assert page.startswith("<!DOCTYPE html>\n")
    assert f"<title>Validation run {run_id} · dutygraph</title>" in page
    assert "<dt>Uploaded by</dt><dd>alice</dd>" in page and '<p class="run-label">html &amp; label</p>' in page
    assert "<dt>Years</dt><dd>2024</dd>" in page and "0 violation(s), 2 warning(s), 0 note(s)." in page
    assert '<span class="file-name">petitions &lt;b&gt;.ttl</span> <span class="tag">turtle</span>' in page
    assert f"{len(data)} bytes, " in page and f'<code class="digest">{hashlib.sha256(data).hexdigest()}</code>' in page
    assert "<b>" not in page
    for result in expected["results"]:
        assert f'<a href="/id/measure/{result["measure"]}">Measure {result["measure"]}</a>' in page
        assert escape(result["message"]["en"]) in page
    shown = sum(len(result["units"]) for result in expected["results"]) + len(expected["results"])  # by unit, by measure
    assert page.count('<article class="result result-Warning">') == shown
    assert f'href="/runs/{run_id}/records"' in page
    for external in ("<script", "src=", "@import"):
        assert external not in page
    assert all(href.startswith("/static/") for href in re.findall(r'<link [^>]*href="([^"]*)"', page))


# -- the kept run --------------------------------------------------------------------------------

def test_a_kept_run_describes_its_upload(client, alice, kept):
    run_id = kept["canary"]
    data = canary_records()
    response = client.get(f"/runs/{run_id}", headers=alice)
    assert response.status_code == 200
    assert response.content_type == "application/json"
    expected, _ = expected_report([(CANARY_FILE, data)])
    body = response.json
    run = body.pop("run")
    assert body == expected
    loaded = load_records([(CANARY_FILE, data)])
    assert ISO_UTC.match(run.pop("started")) and ISO_UTC.match(run.pop("ended"))
    assert run == {
        "id": run_id, "iri": RUN_BASE + run_id, "url": f"/runs/{run_id}", "owner": "alice", "label": CANARY_LABEL,
        "engine": "fast", "conforms": False, "years": [2024], "counts": {"Violation": 1, "Warning": 0, "Info": 0},
        "record_triples": len(loaded.quads),
        "files": [{"name": CANARY_FILE, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                   "format": "turtle", "triples": len(loaded.quads), "role": "records"}],
        "graphs": {"description": RUN_BASE + run_id, "records": f"{RUN_BASE}{run_id}/records",
                   "report": f"{RUN_BASE}{run_id}/report"},
    }
    listing = client.get("/runs", headers=alice)
    assert listing.status_code == 200
    assert listing.content_type == "application/json"
    listed = {r["id"]: r for r in listing.json["runs"]}
    assert listed[run_id]["files"] == run["files"] and listed[run_id]["label"] == CANARY_LABEL
    assert {r["owner"] for r in listed.values()} == {"alice"}


@pytest.mark.parametrize("fmt, content_type, parse_as", [
    (None, "text/turtle; charset=utf-8", "turtle"),
    ("ntriples", "application/n-triples; charset=utf-8", "nt"),
    ("jsonld", "application/ld+json", "json-ld"),
    ("rdfxml", "application/rdf+xml", "xml"),
])
def test_the_kept_records_are_the_uploaded_graph(client, alice, kept, fmt, content_type, parse_as):
    response = client.get(f"/runs/{kept['canary']}/records", query_string={"format": fmt} if fmt else {}, headers=alice)
    assert response.status_code == 200
    assert response.content_type == content_type
    assert isomorphic(rdflib_graph(response.data, parse_as), rdflib_graph(canary_records(), "turtle"))


def test_the_owner_queries_the_runs_graphs_through_sparql(client, alice, kept):
    seen = graphs_seen(client, alice)
    for run_id in (kept["canary"], kept["venue"]):
        assert set(run_graphs(run_id)) <= seen
    total = kept["canary_violations"] + kept["venue_violations"]
    assert total == 2
    violations = "SELECT (COUNT(?r) AS ?n) {dataset} WHERE {{ GRAPH ?g {{ ?r sh:resultSeverity sh:Violation }} }}"
    from_named = " ".join(f"FROM NAMED <{RUN_BASE}{run_id}/report>" for run_id in (kept["canary"], kept["venue"]))
    by_graph_var = sparql(client, "PREFIX sh: <http://www.w3.org/ns/shacl#> " + violations.format(dataset=""), alice)
    by_from_named = sparql(client, "PREFIX sh: <http://www.w3.org/ns/shacl#> " + violations.format(dataset=from_named), alice)
    by_protocol = client.get("/sparql", headers=alice, query_string=[
        ("query", "PREFIX sh: <http://www.w3.org/ns/shacl#> " + violations.format(dataset="")),
        ("named-graph-uri", f"{RUN_BASE}{kept['canary']}/report"), ("named-graph-uri", f"{RUN_BASE}{kept['venue']}/report")])
    for response in (by_from_named, by_protocol):
        assert response.status_code == 200
        assert response.content_type == "application/sparql-results+json"
        assert response.data == count_json(total)
    assert by_graph_var.status_code == 200
    # GRAPH ?g alone ranges over every run alice may read (she has more than these two)
    assert int(by_graph_var.json["results"]["bindings"][0]["n"]["value"]) >= total
    canary = sparql(client, f'SELECT ?s FROM <{RUN_BASE}{kept["canary"]}/records> WHERE {{ ?s ?p "{CANARY}" }}', alice)
    assert canary.status_code == 200
    assert canary.json["results"]["bindings"] == [{"s": {"type": "uri", "value": CANARY_RECORD}}]
    document = sparql(client, COUNT_MEASURES, alice)
    assert (document.status_code, document.data) == (200, count_json(37))  # the default graph stays the document


# -- bad input: a 4xx with a clear message, and nothing kept -------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://example.org/bomb"><rdfs:comment>&lol9;</rdfs:comment></rdf:Description>
</rdf:RDF>
"""
BAD_TURTLE = b"""@prefix dg: <https://w3id.org/dutygraph/ontology#> .
<https://example.org/t-1> a dg:AppointmentTalk ;
  dg:date "2024-03-04"
<https://example.org/t-2> a dg:AppointmentTalk .
"""
BAD_SHAPES = b"""@prefix dg: <https://w3id.org/dutygraph/ontology#> .
<https://example.org/t-1> a dg:AppointmentTalk ; dg:date "2024-13-45" .
"""
PEOPLE = "https://example.org/dutygraph/example/person/"
BAD_CSV = (f"id,kind,date,conducted_by,talked_with\n"
           f"t-1,appointment,2024-02-30,{PEOPLE}000001,{PEOPLE}000009\n").encode()


@pytest.mark.parametrize("case, body, content_type, query, status, message", [
    ("malformed turtle", BAD_TURTLE, "text/turtle", {"name": "talks.ttl"}, 400,
     b"bad input; nothing was kept: talks.ttl line 4, column 1: turtle syntax error: A dot is expected at the end of statements\n"),
    ("entity bomb", BOMB, "application/rdf+xml", {}, 400,
     b"bad input; nothing was kept: records.rdf line 2: DOCTYPE declarations are refused in RDF/XML "
     b"(entity expansion and external entities are unsafe); remove the DOCTYPE\n"),
    ("bad csv cell", BAD_CSV, "text/csv", {"name": "2024_talks.csv"}, 400,
     b"bad input; nothing was kept: 2024_talks.csv row 2, column date: '2024-02-30' is not a real date\n"),
    ("csv without a template name", BAD_CSV, "text/csv", {}, 400,
     b"a CSV body needs ?name=TEMPLATE.csv (e.g. ?name=2024_talks.csv) to say which template it follows\n"),
    ("empty body", b"", "text/turtle", {}, 400, b"the request body is empty: no records\n"),
    ("wrong content type", b"%PDF-1.4", "application/pdf", {}, 415,
     b"records cannot be read from application/pdf; see /openapi.json for the formats\n"),
    ("a form instead of records", b"a=1", "application/x-www-form-urlencoded", {}, 415,
     b"send records as multipart/form-data (field 'files') or as a raw body with its Content-Type (text/turtle, "
     b"application/trig, application/n-triples, application/n-quads, application/ld+json, application/rdf+xml, "
     b"text/csv, the XLSX type)\n"),
    ("non-numeric year", example("2024-all-duties-met.ttl"), "text/turtle", {"year": "20x4"}, 400,
     b"year must be a four-digit year, not '20x4'\n"),
    ("records that break the record shapes", BAD_SHAPES, "text/turtle", {}, 400,
     b"bad input; nothing was kept: 3 record(s) do not follow the record vocabulary:\n"
     b"  - https://example.org/t-1: Talk dg:conductedBy: is required, a dg:Person\n"
     b"  - https://example.org/t-1: Talk dg:talkedWith: is required, a dg:Person\n"
     b"  - https://example.org/t-1: dg:date must be an xsd:date (YYYY-MM-DD) (value: 2024-13-45)\n"),
])
def test_bad_input_is_4xx_with_a_clear_message_and_keeps_nothing(app, client, alice, case, body, content_type, query,
                                                                  status, message):
    before = state(app, client)
    response = upload(client, alice, body, content_type, **query)
    assert response.status_code == status
    assert response.content_type == TEXT
    assert response.data == message
    assert "Location" not in response.headers
    assert state(app, client) == before


def test_json_ld_with_a_remote_context_is_refused_and_nothing_is_fetched(app, client, alice, listener):
    before = state(app, client)
    document = {"@context": listener.url + "context.jsonld", "@id": "https://example.org/t-1",
                "@type": "https://w3id.org/dutygraph/ontology#AppointmentTalk"}
    response = upload(client, alice, json.dumps(document).encode(), "application/ld+json")
    assert response.status_code == 400
    assert response.content_type == TEXT
    assert response.data == (f'bad input; nothing was kept: records.jsonld: remote @context "{listener.url}context.jsonld" '
                             "refused: give the context inline (nothing is fetched from the network)\n").encode()
    assert listener.connections() == 0
    assert state(app, client) == before


def test_rdf_xml_with_an_external_entity_is_refused_and_nothing_is_fetched(app, client, alice, listener):
    before = state(app, client)
    document = (f'<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY x SYSTEM "{listener.url}secret"> ]>\n'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
                '<rdf:Description rdf:about="https://example.org/x"><rdfs:comment>&x;</rdfs:comment></rdf:Description>'
                "</rdf:RDF>\n").encode()
    response = upload(client, alice, document, "application/rdf+xml", name="x.rdf")
    assert response.status_code == 400
    assert response.content_type == TEXT
    assert response.data.startswith(b"bad input; nothing was kept: x.rdf line 2: DOCTYPE declarations are refused")
    assert listener.connections() == 0
    assert state(app, client) == before


def test_an_upload_over_upload_max_bytes_is_413_and_keeps_nothing(app, store_dir, client, alice, backend):
    small = create_app(backend.config(store_dir, ADMIN_TOKEN=ADMIN_TOKEN, UPLOAD_MAX_BYTES=2048)).test_client()
    before = state(app, client)
    data = example("2024-all-duties-met.ttl")
    assert len(data) > 2048
    raw = upload(small, alice, data, "text/turtle")
    assert raw.status_code == 413
    assert raw.content_type == TEXT
    assert raw.data == b"the upload is larger than the limit of 2048 bytes; nothing was kept\n"
    multipart = small.post("/validate", headers=alice, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(data[:1500]), "a.ttl"), (io.BytesIO(data[1500:3000]), "b.ttl")]})
    assert multipart.status_code == 413
    assert multipart.content_type == TEXT
    assert multipart.data == b"the upload is larger than the limit of 2048 bytes; nothing was kept\n"
    assert state(app, client) == before
    under = (f"id,kind,date,conducted_by,talked_with\nt-1,appointment,2024-02-10,{PEOPLE}000001,{PEOPLE}000009\n").encode()
    kept = upload(small, alice, under, "text/csv", name="2024_talks.csv")  # the limit refuses only what is over it
    assert kept.status_code == 201, kept.data


def test_multipart_without_files_is_400(app, client, alice):
    before = state(app, client)
    response = client.post("/validate", headers=alice, content_type="multipart/form-data", data={"label": "nothing"})
    assert response.status_code == 400
    assert response.content_type == TEXT
    assert response.data == b"no records: upload one or more files in the form field 'files'\n"
    assert state(app, client) == before


# -- who may see what ----------------------------------------------------------------------------

def run_routes(run_id: str) -> list[tuple[str, str]]:
    return [("POST", "/validate"), ("GET", "/runs"), ("GET", f"/runs/{run_id}"), ("GET", f"/runs/{run_id}/records"),
            ("GET", f"/runs/{run_id}/report"), ("DELETE", f"/runs/{run_id}"), ("POST", f"/runs/{run_id}/delete")]


def test_anonymous_gets_401_on_every_run_route(app, client, kept):
    before = state(app, client)
    for method, path in run_routes(kept["canary"]):
        body = canary_records() if path == "/validate" else None
        response = client.open(path, method=method, data=body, content_type="text/turtle" if body else None)
        assert response.status_code == 401, (method, path)
        assert response.content_type == TEXT
        assert response.data == f"sign in or send an API token (Authorization: Bearer …) to {method} {path}\n".encode()
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="dutygraph"'
    assert state(app, client) == before


def test_a_bad_bearer_token_is_401_never_anonymous(app, client, kept):
    message = b"the API token is not valid: it is unknown, was revoked, or its account was deleted\n"
    for method, path in run_routes(kept["canary"]) + [("GET", "/sparql?query=ASK%7B%7D")]:
        response = client.open(path, method=method, headers=bearer("dg_not-a-real-token"))
        assert response.status_code == 401, (method, path)
        assert response.content_type == TEXT
        assert response.data == message


def test_anonymous_sparql_sees_no_run_graph(client, kept):
    assert not any(g.startswith(RUN_BASE) for g in graphs_seen(client))
    run_id = kept["canary"]
    records = f"{RUN_BASE}{run_id}/records"
    ask_everywhere = f'ASK {{ {{ ?s ?p "{CANARY}" }} UNION {{ GRAPH ?g {{ ?s ?p "{CANARY}" }} }} }}'
    for query in (ask_everywhere, f"ASK {{ GRAPH <{records}> {{ ?s ?p ?o }} }}",
                  f"ASK {{ GRAPH ?g {{ <{CANARY_RECORD}> ?p ?o }} }}", f"ASK {{ <{CANARY_RECORD}> ?p ?o }}"):
        response = sparql(client, query)
        assert response.status_code == 200, query
        assert response.content_type == "application/sparql-results+json"
        assert response.data == b'{"head":{},"boolean":false}', query
    # ?g bound to a run graph (VALUES, BIND, FILTER): still outside the dataset, nothing of it comes back
    for pattern in (f"VALUES ?g {{ <{records}> }} GRAPH ?g {{ ?s ?p ?o }}", f"BIND(<{records}> AS ?g) GRAPH ?g {{ ?s ?p ?o }}",
                    f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{records}>)"):
        response = sparql(client, f"SELECT ?s ?o WHERE {{ {pattern} }}", format="csv")
        assert (response.status_code, response.data) == (200, b"s,o\r\n"), pattern
    for query in (f"DESCRIBE <{CANARY_RECORD}>",
                  f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} "
                  f"FILTER(?s = <{CANARY_RECORD}>) }}"):
        for fmt, content_type in (("turtle", "text/turtle; charset=utf-8"), ("ntriples", "application/n-triples; charset=utf-8")):
            response = sparql(client, query, format=fmt)
            assert response.status_code == 200, query
            assert response.content_type == content_type
            assert response.data == b"", query


def refusal(iri: str, who: str = "an anonymous query") -> bytes:
    return (f"graph <{iri}> is not readable by {who}: the public dataset is the default graph (the document); "
            "kept runs are readable by their owner and by admins only\n").encode()


def test_anonymous_sparql_naming_a_run_graph_is_refused_the_same_whether_it_exists_or_not(client, kept):
    run_id = kept["canary"]
    missing = run_id[:-8] + "00000000"
    for graph in (RUN_BASE + run_id, f"{RUN_BASE}{run_id}/records", f"{RUN_BASE}{run_id}/report",
                  f"{RUN_BASE}{missing}/records"):
        cases = [
            {"query": f"SELECT * FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
            {"query": f"SELECT * FROM <{graph}> WHERE {{ ?s ?p ?o }}"},
            {"query": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{graph}> WHERE {{ ?s ?p ?o }}"},
            {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5", "default-graph-uri": graph},
            {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 5", "named-graph-uri": graph},
        ]
        for params in cases:
            response = client.get("/sparql", query_string=params)
            assert response.status_code == 403, params
            assert response.content_type == TEXT
            assert response.data == refusal(graph)
    # other spellings of a run graph name no run graph: an empty answer, never a record
    spelled = [
        f"BASE <https://w3id.org/dutygraph/id/> SELECT * FROM NAMED <run/{run_id}/records> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * FROM NAMED id:run\\/{run_id}\\/records WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * FROM NAMED <https://w3id.org/dutygraph/id/r\\u0075n/{run_id}/records> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <https://w3id.org/dutygraph/id/r\\u0075n/{run_id}/records> WHERE {{ ?s ?p ?o }}",
        f"SELECT * WHERE {{ GRAPH <https://w3id.org/dutygraph/id/r\\u0075n/{run_id}/records> {{ ?s ?p ?o }} }}",
    ]
    for query in spelled:
        response = sparql(client, query)
        assert response.status_code in (200, 403), query
        assert CANARY.encode() not in response.data and CANARY_RECORD.encode() not in response.data, query
        assert not any(row.get("s", {}).get("value", "").startswith("https://example.org/dutygraph/example/")
                       for row in (response.json["results"]["bindings"] if response.status_code == 200 else [])), query


def test_a_from_clause_with_an_escaped_iri_names_the_same_graph(client, alice, kept):
    """SPARQL 1.1 Query 19.2: \\u escapes are decoded anywhere in a query, so <…/r\\u0075n/ID/records> IS the
    records graph (Oxigraph reads it so). The dataset must then be that graph: refused for anonymous
    (403, like the plain spelling), the records for the owner — never silently the document instead."""
    run_id = kept["canary"]
    escaped = f"https://w3id.org/dutygraph/id/r\\u0075n/{run_id}/records"
    count = f"SELECT (COUNT(*) AS ?n) FROM <{escaped}> WHERE {{ ?s ?p ?o }}"
    records = len(load_records([(CANARY_FILE, canary_records())]).quads)
    anonymous = sparql(client, count)  # regression: the guard once missed escaped IRIs and ran over the document
    owner = sparql(client, count, alice)
    assert (anonymous.status_code, owner.status_code, owner.data) == (403, 200, count_json(records))


def anonymous_requests(app, run_id: str):
    """Every rule of app.url_map, with the run id (or records/report) for each variable part, by each method."""
    for rule in app.url_map.iter_rules():
        names = re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule)
        fillings = [{name: run_id for name in names}]
        if names:
            fillings += [{**fillings[0], names[-1]: part} for part in ("records", "report")]
        for filling in fillings:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: filling[m.group(1)], rule.rule)
            for method in sorted(rule.methods - {"OPTIONS"}):
                yield method, path


def test_every_route_hit_anonymously_shows_no_record(app, client, kept):
    run_id = kept["canary"]
    asked = 0
    for method, path in anonymous_requests(app, run_id):
        for extra in ({}, {"query_string": {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "run": run_id,
                                            "id": run_id, "graph": f"{RUN_BASE}{run_id}/records"}},
                      {"data": canary_records(), "content_type": "text/turtle"} if method in ("POST", "PUT") else {}):
            response = client.open(path, method=method, **extra)
            asked += 1
            text = response.get_data() + str(response.headers).encode()
            for secret in SECRETS:
                assert secret.encode() not in text, (method, path, extra.keys(), response.status_code)
            if path.startswith("/runs") or path == "/validate":
                assert response.status_code == 401, (method, path)
    assert asked >= 30
    listing = client.get("/runs", headers=ADMIN)
    assert run_id in {r["id"] for r in listing.json["runs"]}  # still there: nothing anonymous deleted it


def test_another_account_cannot_see_or_delete_the_run(app, client, alice, bob, kept):
    run_id = kept["canary"]
    missing = run_id[:-8] + "00000000"
    for target in (run_id, missing):
        for method, path in [("GET", f"/runs/{target}"), ("GET", f"/runs/{target}/records"),
                             ("GET", f"/runs/{target}/report"), ("DELETE", f"/runs/{target}"),
                             ("POST", f"/runs/{target}/delete")]:
            response = client.open(path, method=method, headers=bob)
            assert response.status_code == 404, (method, path)
            assert response.content_type == TEXT
            assert response.data == f"no run {target!r} that you may read\n".encode()  # the same for a missing run
    listing = client.get("/runs", headers=bob)
    assert listing.status_code == 200
    assert listing.content_type == "application/json"
    assert listing.json == {"runs": []}
    seen = graphs_seen(client, bob)
    assert not any(g.startswith(RUN_BASE) for g in seen)
    for graph in run_graphs(run_id):
        response = sparql(client, f"SELECT * FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", bob)
        assert response.status_code == 403
        assert response.data == refusal(graph, "account 'bob'")
    ask = sparql(client, f'ASK {{ {{ ?s ?p "{CANARY}" }} UNION {{ GRAPH ?g {{ ?s ?p "{CANARY}" }} }} }}', bob)
    assert (ask.status_code, ask.data) == (200, b'{"head":{},"boolean":false}')
    assert client.get(f"/runs/{run_id}", headers=alice).status_code == 200  # bob's DELETE did nothing
    assert set(run_graphs(run_id)) <= run_graph_names(app)


def test_the_admin_reads_and_deletes_anyones_run(app, client, alice):
    data = example("2024-breaks-sit-in.ttl")
    created = upload(client, alice, data, "text/turtle", name="sit-in.ttl")
    assert created.status_code == 201
    run_id = run_id_of(created)
    shown = client.get(f"/runs/{run_id}", headers=ADMIN)
    assert shown.status_code == 200
    assert shown.content_type == "application/json"
    assert shown.json["run"]["owner"] == "alice"
    records = client.get(f"/runs/{run_id}/records", headers=ADMIN)
    assert records.status_code == 200
    assert isomorphic(rdflib_graph(records.data, "turtle"), rdflib_graph(data, "turtle"))
    assert set(run_graphs(run_id)) <= graphs_seen(client, ADMIN)
    deleted = client.delete(f"/runs/{run_id}", headers=ADMIN)
    assert deleted.status_code == 204
    assert deleted.data == b""
    assert client.get(f"/runs/{run_id}", headers=alice).status_code == 404
    assert not set(run_graphs(run_id)) & run_graph_names(app)


def test_the_owner_deletes_a_run_whole_and_the_audit_log_tells_the_story(app, client, alice, bob):
    data = example("2024-breaks-liaison.ttl")
    created = upload(client, alice, data, "text/turtle", name="liaison.ttl", label="to delete")
    assert created.status_code == 201
    run_id = run_id_of(created)
    assert set(run_graphs(run_id)) <= run_graph_names(app)
    for path in (f"/runs/{run_id}", f"/runs/{run_id}/records", f"/runs/{run_id}/report"):
        assert client.get(path, headers=alice).status_code == 200
    assert client.get(f"/runs/{run_id}", headers=bob).status_code == 404
    deleted = client.delete(f"/runs/{run_id}", headers=alice)
    assert deleted.status_code == 204
    assert deleted.data == b""
    for path in (f"/runs/{run_id}", f"/runs/{run_id}/records", f"/runs/{run_id}/report"):
        gone = client.get(path, headers=alice)
        assert gone.status_code == 404
        assert gone.content_type == TEXT
        assert gone.data == f"no run {run_id!r} that you may read\n".encode()
    again = client.delete(f"/runs/{run_id}", headers=alice)
    assert again.status_code == 404
    assert not set(run_graphs(run_id)) & run_graph_names(app)  # the three graphs are gone from the store
    assert not set(run_graphs(run_id)) & graphs_seen(client, alice)
    assert run_id not in {r["id"] for r in client.get("/runs", headers=alice).json["runs"]}
    with app.app_context():
        from dutygraph.web.auth import account_store

        entries = list(reversed(account_store().audit_entries(run_id=run_id)))
    assert [(e["account"], e["action"], e["run_id"], e["detail"]) for e in entries] == [
        ("alice", "upload", run_id, f"liaison.ttl ({len(load_records([('liaison.ttl', data)]).quads)} record triples)"),
        ("alice", "read", run_id, "run and report"),
        ("alice", "read", run_id, "records"),
        ("alice", "read", run_id, "report"),
        ("alice", "delete", run_id, "owner alice"),
    ]
    times = [e["time"] for e in entries]
    assert times == sorted(times)


def test_queries_over_runs_and_refused_uploads_are_in_the_audit_log(app, client, alice, kept):
    response = sparql(client, f"ASK FROM NAMED <{RUN_BASE}{kept['canary']}/records> {{ GRAPH ?g {{ ?s ?p ?o }} }}", alice)
    assert (response.status_code, response.data) == (200, b'{"head":{},"boolean":true}')
    refused = upload(client, alice, BAD_TURTLE, "text/turtle", name="refused.ttl")
    assert refused.status_code == 400
    accounts = AccountStore(Path(app.config["STORE_DIR"]) / "accounts.sqlite3")
    newest = accounts.audit_entries(account="alice", limit=2)
    assert [(e["action"], e["run_id"], e["detail"]) for e in reversed(newest)] == [
        ("query-runs", None, f"runs in the dataset: {kept['canary']}"),
        ("upload-refused", None, "refused.ttl: bad input"),
    ]
