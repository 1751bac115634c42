"""Validation on an external SPARQL engine (Virtuoso): the same results as the embedded path.

``validate_records(…, store=RemoteStore)`` runs the run's steps on the engine
(dutygraph.validation.engine_dataset): every example record set, a generated set and the sub-rules
of test_validate give exactly the embedded path's ``as_json()``; bad input is refused with the same
problems; the temporary and work graphs are gone afterwards; the rewritten queries
(engine_dialect) give the original rows on Oxigraph too. The commands (``validate --store``,
``build --store`` then ``query --store``) and an upload to a service on the engine are checked the
same way. The engine is a Virtuoso of this module's own (``virtuoso`` below): conftest's session one
stops a query at 5 s, for the service's limits, and a validation has no such limit in front of it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from dutygraph.inclusive_comparisons import rewrite_inclusive_comparisons
from dutygraph.records_input import load_records
from dutygraph.remote_store import DOCUMENT_GRAPH, RemoteStore
from dutygraph.shacl_engine.engine import compile_checks
from dutygraph.shacl_engine.focus import FocusPatterns
from dutygraph.shacl_engine.shapes_model import load_shapes as shape_model
from dutygraph.validation import engine_dataset, validate_records
from dutygraph.validation.day_numbers import DAY_PROPERTIES, derive_day_numbers
from dutygraph.validation.engine_dataset import TMP_BASE, load_document
from dutygraph.validation.engine_dialect import engine_query
from dutygraph.validation.periods import period_quads
from dutygraph.validation.policy import load_policy, policy_quads
from dutygraph.validation.run import (RecordStructureError, build_dataset, build_engine_dataset, document_ntriples,
                                     load_shapes)

from engine_validation_support import engine, generated_quads, oxigraph_dataset, quads_of  # noqa: F401 (engine: a fixture)

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"
DG = "https://w3id.org/dutygraph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.ttl"))


def left_over(virtuoso) -> list[str]:
    """The graphs of the engine that a finished validation must not leave: temporary and work graphs."""
    return virtuoso.graphs(TMP_BASE)


def outcome(quads, **options):
    """("ok", as_json) or ("bad", the problems) of one validation."""
    try:
        return "ok", validate_records(quads, **options).as_json()
    except RecordStructureError as error:
        return "bad", error.problems


def updated(quads, update: str):
    store = ox.Store()
    store.bulk_extend(quads)
    store.update(update)
    return list(store)


# --- the same results ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_each_example_gives_the_embedded_results_on_the_engine(engine, virtuoso, name):
    quads = quads_of(name)
    embedded = validate_records(quads)
    on_engine = validate_records(quads, store=engine)
    assert on_engine.as_json() == embedded.as_json()
    assert on_engine.triples == embedded.triples
    assert left_over(virtuoso) == []


def test_generated_records_give_the_embedded_results_on_the_engine(engine, virtuoso):
    quads, generated = generated_quads()
    embedded = validate_records(quads)
    on_engine = validate_records(quads, store=engine)
    assert {(r.shape, r.focus) for r in embedded.results} == generated.expected
    assert on_engine.as_json() == embedded.as_json()
    assert on_engine.years == [2024, 2025]
    assert left_over(virtuoso) == []


def test_three_record_sets_validated_at_once_twice_give_the_embedded_results(engine, virtuoso):
    """The layout that broke Virtuoso's inclusive bounds (dutygraph.inclusive_comparisons):
    on a fresh Virtuoso, after one round of these three sets validated at once, the LiaisonShape,
    AnnualAccountabilityReportShape and IntegrityFileShape queries lost results in every round
    after (seen on a private instance before the rewrite). Each run must give the embedded results."""
    import threading

    from dutygraph.records_generator import generate

    sets = [load_records([(f"set-{colleges}.nt", generate(colleges, 1, seed, 0.1).ntriples().encode())]).quads
            for colleges, seed in ((6, 101), (9, 202), (12, 303))]
    embedded = [validate_records(quads).as_json() for quads in sets]
    for round_ in range(2):
        found: dict[int, object] = {}

        graphs = [f"https://w3id.org/dutygraph/id/run/20260101T00000{round_}Z-0000000{number}/records"
                  for number in range(len(sets))]

        def run(number: int) -> None:  # as an upload to the service: its records kept in the run's graph
            try:
                found[number] = validate_records(sets[number], store=engine, records_graph=graphs[number],
                                                 keep_records=True).as_json()
            except Exception as error:  # noqa: BLE001 - reported below
                found[number] = error

        threads = [threading.Thread(target=run, args=(number,)) for number in range(len(sets))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        for graph in graphs:
            engine.update(f"DROP SILENT GRAPH <{graph}>")
        for number, expected in enumerate(embedded):
            assert found[number] == expected, (round_, number)
    assert left_over(virtuoso) == []


def test_each_sub_rule_of_test_validate_gives_the_embedded_results(engine):
    from test_validate import SUB_RULES, updated as compliant_year_after

    for rule, (update, _) in sorted(SUB_RULES.items()):
        quads = compliant_year_after(update)
        assert outcome(quads, store=engine) == outcome(quads), rule


def test_other_years_a_policy_and_a_separate_institution_give_the_embedded_results(engine):
    records = quads_of("2024-breaks-appointment-talk.ttl")
    strict = dict(load_policy(), appointment_talk_within_days=0, min_sit_ins_per_year=2)
    institution = load_records([REPO / "data" / "institution" / "example-institution.ttl"]).quads
    for options in ({"years": [2024, 2025]}, {"policy": strict}, {"institution_quads": institution}):
        assert outcome(records, store=engine, **options) == outcome(records, **options), options


# Records that break the record vocabulary, each in another way the engine could read otherwise.
BAD_INPUT = {
    "a date as text": f'DELETE {{ ?t <{DG}date> ?d }} INSERT {{ ?t <{DG}date> "2024年3月1日" }} '
                      f'WHERE {{ ?t a <{DG}AppointmentTalk> ; <{DG}date> ?d }}',
    "30 February (Virtuoso casts it)": f'DELETE {{ ?t <{DG}date> ?d }} INSERT {{ ?t <{DG}date> "2024-02-30"^^<{XSD}date> }} '
                                       f'WHERE {{ ?t a <{DG}AppointmentTalk> ; <{DG}date> ?d }}',
    "two dates": f'INSERT {{ ?t <{DG}date> "2024-01-02"^^<{XSD}date> }} WHERE {{ ?t a <{DG}AppointmentTalk> }}',
    "an integer that is not (Virtuoso refuses it)": f'DELETE {{ ?p <{DG}termCount> ?t }} INSERT {{ ?p <{DG}termCount> "x5"^^<{XSD}integer> }} '
                                                    f'WHERE {{ ?p <{DG}termCount> ?t }}',
    "a boolean that is not": f'DELETE {{ ?p <{DG}serious> ?t }} INSERT {{ ?p <{DG}serious> "maybe"^^<{XSD}boolean> }} '
                             f'WHERE {{ ?p <{DG}serious> ?t }}',
    "a stance outside sh:in": f'DELETE {{ ?o <{DG}stance> ?s }} INSERT {{ ?o <{DG}stance> <{DG}Maybe> }} '
                              f'WHERE {{ ?o <{DG}stance> ?s ; <{DG}speakingOrder> 1 }}',
    "an opinion as a blank node": f'DELETE {{ ?d <{DG}opinion> ?o . ?o ?p ?v }} INSERT {{ ?d <{DG}opinion> _:b . _:b ?p ?v }} '
                                  f'WHERE {{ ?d <{DG}opinion> ?o . ?o ?p ?v ; <{DG}speakingOrder> 1 }}',
}


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")
@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_refused_with_the_same_problems(engine, virtuoso, case):
    quads = updated(quads_of("2024-all-duties-met.ttl"), BAD_INPUT[case])
    embedded = outcome(quads)
    assert embedded[0] == "bad"
    assert outcome(quads, store=engine) == embedded
    assert left_over(virtuoso) == []


def test_blank_nodes_and_language_tags_come_back_as_the_embedded_store_has_them(engine):
    """A meeting held by a blank node fails sh:nodeKind sh:IRI on both (the engine holds it as a
    skolem IRI); upper-case language tags are lower-cased as Oxigraph stores them."""
    quads = updated(quads_of("2024-all-duties-met.ttl"), f"""
        DELETE {{ ?m <{DG}heldBy> ?o }} INSERT {{ ?m <{DG}heldBy> [ a <{DG}PartyOrganisation> ] }}
        WHERE {{ ?m <{DG}heldBy> ?o ; <{DG}date> "2024-03-05"^^<{XSD}date> }} ;
        DELETE {{ ?u <{RDFS_LABEL}> ?l }} INSERT {{ ?u <{RDFS_LABEL}> "X"@ZH-Hans, "Y"@zh-hans }}
        WHERE {{ ?u a <{DG}InstitutionUnit> ; <{RDFS_LABEL}> ?l }}""")
    assert outcome(quads, store=engine) == outcome(quads)


DATED = f"""
@prefix dg: <{DG}> . @prefix xsd: <{XSD}> .
<m1> a dg:SecondaryPartyOrganisationMeeting ; dg:date "2024-03-05"^^xsd:date , "2024-03-06Z"^^xsd:date ;
    dg:noticeDate "2024-02-29+08:00"^^xsd:date .
<m2> a dg:SecondaryPartyOrganisationMeeting ; dg:date "2024-02-30"^^xsd:date , "2024-13-01"^^xsd:date ,
    "-0044-03-15"^^xsd:date , "12024-01-01"^^xsd:date , "2024-03-05" , "2024-03-05"^^xsd:dateTime .
[] a dg:Tenure ; dg:startDate "1900-02-28"^^xsd:date ; dg:endDate "2100-03-01"^^xsd:date .
<r1> dg:reportDate "2000-02-29"^^xsd:date ; dg:date <not-a-literal> .
"""


def day_triples(store) -> set[tuple]:
    values = " ".join(f"<{DG}{day}>" for _, day in DAY_PROPERTIES)
    return {(str(row["s"]), row["p"].value, row["n"].value) for row in
            store.query(f"SELECT ?s ?p ?n WHERE {{ ?s ?p ?n VALUES ?p {{ {values} }} }}")}


def test_day_numbers_are_written_with_the_data_as_the_embedded_path_derives_them(engine):
    """On an engine the client writes each date's day number with the data (TermMapping.day_numbers):
    the same numbers as the embedded path's SPARQL on every form of xsd:date — time zones, leap
    days, century years, a year before 0 or past 9999, a blank node's date — and none for a date
    that is not a valid value, a plain string or another datatype, as Oxigraph's YEAR/MONTH/DAY."""
    quads = load_records([("dated.ttl", DATED.encode())]).quads
    years = [2024]
    embedded = build_dataset(quads)
    embedded.bulk_extend(period_quads(years) + policy_quads(load_policy()))
    derive_day_numbers(embedded)
    expected = day_triples(embedded)
    dataset = engine_dataset.EngineDataset(engine, records_graph=None, work_graph=f"{TMP_BASE}test-days/work")
    try:
        build_engine_dataset(dataset, quads)
        dataset.extend(period_quads(years) + policy_quads(load_policy()))
        derive_day_numbers(dataset)
        assert day_triples(dataset) == expected
    finally:
        dataset.drop()
    ours = {triple for triple in expected if "/example/" not in triple[0]}  # not the example institution's
    assert len(ours) == 9 and len(expected) > len(ours)  # m1: 3; m2: -0044, 12024; the tenure (_:): 2; r1; the period
    assert ("<https://example.org/dutygraph/records/m2>", f"{DG}dateDay", "1737108") in ours  # -0044-03-15
    assert sum(subject.startswith("_:") for subject, _, _ in ours) == 2


def test_the_document_graph_holds_no_date_that_needs_a_day_number():
    """The engine copies the document graph into a run's work graph itself, so its dates would get
    no day number there (day_numbers.py): it must hold none."""
    predicates = {f"{DG}{date}" for date, _ in DAY_PROPERTIES}
    assert not [t for t in ox.parse(document_ntriples(), format=ox.RdfFormat.N_TRIPLES) if t.predicate.value in predicates]


def test_the_run_s_periods_reach_the_engine_as_values_and_give_the_same_results(engine, monkeypatch):
    """engine_dialect.rewrite_small_classes on the engine: the duty queries get the run's reporting
    periods as VALUES (Virtuoso mis-plans them as a class of almost no rows), with the same report;
    with the rewrite off (a limit of 0), the same report too."""
    sent = []
    original = engine_dataset.EngineDataset.engine_query

    def recording(self, sparql, **options):
        sent.append(sparql)
        return original(self, sparql, **options)

    monkeypatch.setattr(engine_dataset.EngineDataset, "engine_query", recording)
    quads, _ = generated_quads(colleges=2, years=2, seed=13, violation_rate=0.2)
    embedded = outcome(quads)
    assert outcome(quads, store=engine) == embedded
    decision_queries = [text for text in sent if "dg:madeAt ?meeting" in text and "?period" in text]
    assert decision_queries and all("VALUES (?period ?ps ?pe) {" in text for text in decision_queries)
    sent.clear()
    monkeypatch.setattr(engine_dataset, "SMALL_CLASS_LIMIT", 0)
    assert outcome(quads, store=engine) == embedded
    assert not any("VALUES (?period" in text for text in sent)


def test_records_go_through_the_graph_store_and_without_one_as_insert_data(engine, monkeypatch):
    assert engine_dataset.graph_store_url(engine) == engine.query_url + "-graph-crud"
    monkeypatch.setitem(engine_dataset._graph_stores, engine.query_url, None)
    quads, _ = generated_quads(colleges=2, years=1, seed=7, violation_rate=0.2)
    assert outcome(quads, store=engine) == outcome(quads)


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph store", "insert data"])
def test_records_streamed_from_files_give_the_embedded_results(engine, virtuoso, monkeypatch, tmp_path, graph_store):
    """``validate --store`` streams its files (records_input.stream_records): in chunks of 200
    triples here, each chunk's literals prepared as it is sent, the run is the embedded run."""
    from dutygraph.records_input import stream_records

    _, generated = generated_quads(colleges=2, years=1, seed=11, violation_rate=0.2)
    (tmp_path / "generated.nt").write_text(generated.ntriples(), encoding="utf-8")
    paths = [tmp_path / "generated.nt", EXAMPLES / "2024-breaks-liaison.ttl"]
    monkeypatch.setattr(engine_dataset, "GRAPH_STORE_CHUNK", 200)
    monkeypatch.setattr(engine_dataset, "INSERT_CHUNK", 200)
    if not graph_store:
        monkeypatch.setitem(engine_dataset._graph_stores, engine.query_url, None)
    streamed = stream_records(paths)
    assert outcome(streamed.quads, store=engine) == outcome(load_records(paths).quads)
    assert len(streamed.quads) > 5 * 200  # known once read
    assert left_over(virtuoso) == []


def test_a_file_changed_while_streamed_to_the_engine_fails_the_run_and_leaves_nothing(engine, virtuoso, tmp_path):
    from dutygraph.records_input import RecordInputError, stream_records

    path = tmp_path / "records.ttl"
    path.write_bytes((EXAMPLES / "2024-breaks-sit-in.ttl").read_bytes())
    streamed = stream_records([path])
    path.write_bytes(path.read_bytes().replace(b"2024-", b"2023-"))
    graph = "https://w3id.org/dutygraph/id/run/20260101T000000Z-0000cafe/records"
    with pytest.raises(RecordInputError, match="records.ttl: changed while it was being read"):
        validate_records(streamed.quads, store=engine, records_graph=graph, keep_records=True)
    assert virtuoso.graphs(graph) == [] and left_over(virtuoso) == []


def test_the_records_graph_is_kept_when_asked_and_the_work_graph_never(engine, virtuoso):
    graph = "https://w3id.org/dutygraph/id/run/20260101T000000Z-0000abcd/records"
    quads = quads_of("2024-breaks-sit-in.ttl")
    try:
        validate_records(quads, store=engine, records_graph=graph, keep_records=True)
        assert virtuoso.graphs(graph) == [graph]
        count = engine.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[ox.NamedNode(graph)])
        assert int(next(iter(count))["n"].value) == len({quad.triple for quad in quads})
        assert left_over(virtuoso) == []
    finally:
        engine.update(f"DROP SILENT GRAPH <{graph}>")
    bad = updated(quads, BAD_INPUT["a date as text"])
    with pytest.raises(RecordStructureError):
        validate_records(bad, store=engine, records_graph=graph, keep_records=True)
    assert virtuoso.graphs(graph) == [] and left_over(virtuoso) == []


def test_the_query_log_and_a_kept_work_graph_for_diagnosis(engine, virtuoso, monkeypatch, tmp_path, capsys):
    """DUTYGRAPH_ENGINE_QUERY_LOG gets one JSON line per query (as given to RemoteStore, seconds, rows);
    DUTYGRAPH_ENGINE_KEEP_WORK_GRAPH leaves the work graph, where a logged query gives its rows again."""
    log = tmp_path / "engine-queries.jsonl"
    monkeypatch.setenv("DUTYGRAPH_ENGINE_QUERY_LOG", str(log))
    monkeypatch.setenv("DUTYGRAPH_ENGINE_KEEP_WORK_GRAPH", "1")
    quads = quads_of("2024-breaks-liaison.ttl")
    run = validate_records(quads, store=engine)
    assert run.as_json() == validate_records(quads).as_json()
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    kept = [entry["kept_work_graph"] for entry in entries if "kept_work_graph" in entry]
    assert len(kept) == 1 and kept[0] in capsys.readouterr().err
    try:
        assert left_over(virtuoso) == kept
        queries = [entry for entry in entries if "query" in entry]
        assert len(queries) > 20 and all(entry["graphs"] == kept and entry["seconds"] >= 0 for entry in queries)
        liaison = [entry for entry in queries if "guidedBy" in entry["query"] and "AS ?guided" in entry["query"]]
        # the query over all focus nodes, then its confirmation for the focus node of its result
        # (shacl_engine.engine.confirm_results): the example's one person who guided too few
        assert len(liaison) == 2 and [entry["rows"] for entry in liaison] == [1, 1]
        assert "VALUES ?this {" not in liaison[0]["query"] and "VALUES ?this {" in liaison[1]["query"]
        again = engine.query(liaison[0]["query"], default_graph=[ox.NamedNode(kept[0])])
        assert len(list(again)) == 1
        for entry in queries:  # every logged text, prefixes included, asks the same again
            answer = engine.answer(entry["query"], default_graph=[ox.NamedNode(kept[0])], named_graphs=[]).result
            if entry["rows"] is not None:
                assert len(list(answer)) == entry["rows"], entry["query"][-300:]
    finally:
        engine.update(f"DROP SILENT GRAPH <{kept[0]}>")
    assert left_over(virtuoso) == []


def test_records_not_kept_go_into_the_work_graph_alone(engine, virtuoso, monkeypatch):
    """A run whose records are not kept (``validate --store``) writes them once, into the work
    graph (no records graph, no ADD of it); a kept run writes the records graph and copies it."""
    written, updates = [], []
    post, update = engine_dataset.post_to_graph_store, RemoteStore.update
    monkeypatch.setattr(engine_dataset, "post_to_graph_store",
                        lambda store, url, graph, data, **options: (written.append(graph), post(store, url, graph, data, **options))[1])
    monkeypatch.setattr(RemoteStore, "update", lambda self, sparql, **options: (updates.append(sparql), update(self, sparql, **options))[1])
    quads = quads_of("2024-breaks-sit-in.ttl")
    assert outcome(quads, store=engine) == outcome(quads)
    graphs = {graph for graph in written if not graph.endswith("/graph-store-probe")}
    assert len(graphs) == 1 and next(iter(graphs)).endswith("/work")
    assert not any("/records>" in text for text in updates)
    assert left_over(virtuoso) == []
    written.clear()
    graph = "https://w3id.org/dutygraph/id/run/20260101T000000Z-0000beef/records"
    try:
        validate_records(quads, store=engine, records_graph=graph, keep_records=True)
        assert graph in written and f"ADD SILENT <{graph}> TO " in " ".join(updates)
    finally:
        engine.update(f"DROP SILENT GRAPH <{graph}>")


def test_a_stale_document_graph_is_refused(engine):
    from dutygraph.validation.engine_dataset import StaleDocument

    marker = f"<{engine_dataset.SERVICE_GRAPH}>"
    engine.update(f"WITH {marker} DELETE {{ ?s ?p ?o }} INSERT {{ ?s ?p \"another version\" }} "
                  f"USING {marker} WHERE {{ ?s ?p ?o }}")
    try:
        with pytest.raises(StaleDocument, match="dutygraph build --store URL"):
            validate_records(quads_of("2024-breaks-sit-in.ttl"), store=engine)
    finally:
        load_document(engine, document_ntriples())


# --- the rewritten queries -------------------------------------------------------------------------

def test_the_rewritten_queries_give_the_same_rows_on_oxigraph():
    """engine_dialect's rewrites keep the solutions: on Oxigraph, every compiled query of the record
    and duty shapes gives the same rows rewritten (closures of paths as DISTINCT subqueries)."""
    checks = [check for name in ("records.ttl", "duties.ttl")
              for check in compile_checks(shape_model(load_shapes(name)), FocusPatterns())]
    rewritten = [rewrite_inclusive_comparisons(engine_query(check.query)) for check in checks]  # as sent
    assert sum(text != check.query for text, check in zip(rewritten, checks)) > len(checks) // 2
    generated, _ = generated_quads(colleges=2, years=2, seed=11, violation_rate=0.3)
    datasets = [oxigraph_dataset(quads_of(name), [2024]) for name in ("2024-breaks-sit-in.ttl", "2024-breaks-liaison.ttl",
                                                              "2024-breaks-appointment-talk.ttl")]
    datasets.append(oxigraph_dataset(generated, [2024, 2025]))
    found = 0
    for store in datasets:
        for check, text in zip(checks, rewritten):
            original = store.query(check.query)
            names = [v.value for v in original.variables]
            rows = sorted(tuple(str(row[n]) for n in names) for row in original)
            again = sorted(tuple(str(row[n]) for n in names) for row in store.query(text))
            assert sorted(set(again)) == sorted(set(rows)), (check.shape.node, text)
            found += len(rows)
    assert found > 10


# --- the commands ----------------------------------------------------------------------------------

def test_validate_with_store_prints_what_validate_prints(engine, virtuoso, run_cli):
    for name in ("2024-breaks-decision-procedure.ttl", "2024-all-duties-met.ttl"):
        file = str(EXAMPLES / name)
        here = run_cli("validate", file, "--format", "json")
        there = run_cli("validate", file, "--format", "json", "--store", virtuoso.sparql_url)
        assert (there.returncode, there.stdout) == (here.returncode, here.stdout), there.stderr
        assert json.loads(there.stdout)["results"] == json.loads(here.stdout)["results"]
    text = run_cli("validate", str(EXAMPLES / "2024-breaks-sit-in.ttl"), "--lang", "zh", "--store", virtuoso.sparql_url)
    assert text.returncode == 1 and "纪检监察部门" in text.stdout
    assert left_over(virtuoso) == []


def test_validate_with_store_refuses_a_bad_file_as_validate_does(engine, virtuoso, run_cli, tmp_path):
    """A file that is not UTF-8 is refused before anything is written; a syntax error at the end of
    a file when it is met, the run's graphs dropped: exit 2 with validate's message either way, and
    nothing is left on the engine."""
    good = (EXAMPLES / "2024-breaks-sit-in.ttl").read_bytes()
    for name, content in (("late-error.ttl", good + b"\n<a> <b> .\n"), ("latin1.ttl", good + b'\n<a> <b> "caf\xe9" .\n')):
        bad = tmp_path / name
        bad.write_bytes(content)
        here = run_cli("validate", str(bad))
        there = run_cli("validate", str(bad), "--store", virtuoso.sparql_url)
        assert (there.returncode, there.stderr) == (here.returncode, here.stderr) and here.returncode == 2
        assert f"{name} line" in there.stderr
    assert left_over(virtuoso) == []


def test_build_with_store_then_query_with_store(engine, virtuoso, run_cli, tmp_path):
    engine.remove_graph(ox.NamedNode(DOCUMENT_GRAPH))
    built = run_cli("build", "--output-dir", str(tmp_path), "--store", virtuoso.sparql_url)
    assert built.returncode == 0, built.stderr
    assert "loaded the document graph into" in built.stdout and "37 measures" in built.stdout
    measures = run_cli("query", "measures-by-category", "--format", "json", "--store", virtuoso.sparql_url)
    assert measures.returncode == 0, measures.stderr
    assert len(json.loads(measures.stdout)) == 37
    counted = run_cli("query", "--sparql", "SELECT (COUNT(?m) AS ?n) WHERE { ?m a dg:Measure }", "--format", "json",
                      "--store", virtuoso.sparql_url)
    assert json.loads(counted.stdout) == [{"n": 37}]
    # the build also wrote the marker the validation checks: validating works at once
    again = run_cli("validate", str(EXAMPLES / "2024-breaks-sit-in.ttl"), "--store", virtuoso.sparql_url)
    assert again.returncode == 1, again.stderr


def test_an_engine_that_cannot_be_reached_or_refuses_updates_is_exit_2(engine, virtuoso, run_cli):
    from virtuoso_engine import free_port

    nowhere = f"http://127.0.0.1:{free_port()}/sparql"
    for args in (("validate", str(EXAMPLES / "2024-breaks-sit-in.ttl")), ("query", "graph-counts"),
                 ("build", "--output-dir", "/nonexistent/never-written")):
        result = run_cli(*args, "--store", nowhere)
        assert result.returncode == 2 and "cannot reach the SPARQL engine" in result.stderr, (args, result.stderr)
        assert result.stdout == ""
    not_a_url = run_cli("validate", str(EXAMPLES / "2024-breaks-sit-in.ttl"), "--store", "some/folder")
    assert not_a_url.returncode == 2 and "--store takes the URL" in not_a_url.stderr
    virtuoso.isql('revoke SPARQL_UPDATE from "SPARQL";')
    try:
        refused = run_cli("validate", str(EXAMPLES / "2024-breaks-sit-in.ttl"), "--store", virtuoso.sparql_url)
        assert refused.returncode == 2 and "grant SPARQL_UPDATE" in refused.stderr, refused.stderr
        answered = run_cli("query", "graph-counts", "--store", virtuoso.sparql_url)  # reading needs no grant
        assert answered.returncode == 0, answered.stderr
    finally:
        virtuoso.isql('grant SPARQL_UPDATE to "SPARQL";')


# --- the service -----------------------------------------------------------------------------------

ADMIN_TOKEN = "admin-token-for-the-engine-validation-tests"


@pytest.fixture(scope="module")
def service(engine, virtuoso, tmp_path_factory):
    from dutygraph.web import create_app
    from dutygraph.web.accounts import AccountStore

    store_dir = tmp_path_factory.mktemp("engine-service")
    app = create_app({"STORE_DIR": str(store_dir), "STORE_URL": virtuoso.sparql_url, "ADMIN_TOKEN": ADMIN_TOKEN,
                      "VALIDATION_TIME_LIMIT": 600.0, "QUERY_TIME_LIMIT": 60.0})
    accounts = AccountStore(store_dir / "accounts.sqlite3")
    accounts.create("carol", None)
    return app, {"Authorization": f"Bearer {accounts.issue_token('carol')}"}


def test_an_upload_is_validated_on_the_engine_and_kept_there(service, engine, virtuoso):
    from dutygraph.web.runs_store import records_graph, report_graph, run_iri

    app, carol = service
    data = (EXAMPLES / "2024-breaks-promotion-checks.ttl").read_bytes()
    response = app.test_client().post("/validate", data=data, content_type="text/turtle", headers=carol,
                                      query_string={"name": "promotion.ttl"})
    assert response.status_code == 201, response.data
    run_id = response.headers["Location"].removeprefix("/runs/")
    expected = validate_records(load_records([("promotion.ttl", data)]).quads).as_json()
    assert response.json["results"] == expected["results"] and response.json["counts"] == expected["counts"]
    assert virtuoso.graphs(run_iri(run_id)) == sorted([run_iri(run_id), records_graph(run_id), report_graph(run_id)])
    kept = engine.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[ox.NamedNode(records_graph(run_id))])
    assert int(next(iter(kept))["n"].value) == len({quad.triple for quad in load_records([("p.ttl", data)]).quads})
    assert left_over(virtuoso) == []
    records = app.test_client().get(f"/runs/{run_id}/records", headers=carol | {"Accept": "application/n-triples"})
    assert records.status_code == 200 and b"2024-c002-001" in records.data


def test_a_bad_upload_on_the_engine_keeps_nothing(service, virtuoso):
    app, carol = service
    before = virtuoso.graphs("https://w3id.org/dutygraph/id/run/")
    bad = (EXAMPLES / "2024-all-duties-met.ttl").read_text(encoding="utf-8").replace(
        '"2024-03-01"^^xsd:date', '"2024年3月1日"', 1).encode("utf-8")
    response = app.test_client().post("/validate", data=bad, content_type="text/turtle", headers=carol)
    assert response.status_code == 400 and b"bad input; nothing was kept" in response.data
    assert virtuoso.graphs("https://w3id.org/dutygraph/id/run/") == before
    assert left_over(virtuoso) == []
