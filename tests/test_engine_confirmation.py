"""The results of aggregating checks, asked again for their focus nodes alone (``confirm_results``).

On an external engine the focus nodes of the results of each aggregating SHACL-SPARQL check
(LiaisonShape, SitInShape's two, PartTimePostShape) are asked again with the focus subquery
replaced by their VALUES — SHACL's pre-binding, a few hundred focus nodes at a time — and their
results are that second answer's. Checked here: which checks are confirmed; on Oxigraph the second
answer equals the first for every such check and data set, across batch boundaries; a result that
is not a violation (a focus node that meets the duty) is dropped and a missing one comes back; and
on the engine the same, with the change written to the engine query log.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from rdflib import URIRef

from dutygraph.shacl_engine.engine import _records, compile_checks, confirm_results
from dutygraph.shacl_engine.focus import FocusPatterns
from dutygraph.shacl_engine.shapes_model import load_shapes as shape_model
from dutygraph.validation import validate_records
from dutygraph.validation.engine_dataset import TMP_BASE, EngineDataset, new_key, temporary_graph
from dutygraph.validation.engine_log import LOG_ENV
from dutygraph.validation.periods import period_quads
from dutygraph.validation.policy import load_policy, policy_quads
from dutygraph.validation.run import build_engine_dataset, load_shapes
from dutygraph.validation.day_numbers import derive_day_numbers

from engine_validation_support import engine, generated_quads, oxigraph_dataset, quads_of  # noqa: F401 (engine: a fixture)

DUTIES = "https://w3id.org/dutygraph/shapes/duties#"
# A second part-time post for each holder of one: more than the policy's max_part_time_posts (1).
SECOND_PART_TIME_POST = """
    PREFIX dg: <https://w3id.org/dutygraph/ontology#>
    INSERT { ?second a dg:PartTimePost ; dg:holder ?person ; dg:startDate ?start ; dg:organisationName "另一学会" }
    WHERE { ?post a dg:PartTimePost ; dg:holder ?person ; dg:startDate ?start BIND(IRI(CONCAT(STR(?post), "-second")) AS ?second) }"""
CONFIRMED = {"LiaisonShape", "SitInShape", "PartTimePostShape"}


def duty_checks():
    return compile_checks(shape_model(load_shapes("duties.ttl")), FocusPatterns())


def confirmed_checks():
    return [check for check in duty_checks() if check.confirm_focus is not None]


def local(check) -> str:
    return str(check.shape.node)[len(DUTIES):]


def identities(records) -> set:
    return {(r.focus, r.value, r.messages) for r in records}


def test_the_aggregating_sparql_checks_and_only_they_are_confirmed():
    checks = duty_checks()
    confirmed = confirmed_checks()
    assert {local(check) for check in confirmed} == CONFIRMED
    assert len(confirmed) == 4  # SitInShape has two constraints
    for check in checks:
        aggregates = any(word in check.query for word in ("COUNT(", "GROUP BY", "HAVING"))
        if check.source_constraint is not None:
            assert (check.confirm_focus is not None) == aggregates, check.shape.node
        if check.confirm_focus is not None:
            assert check.query.count(check.confirm_focus) >= 1


@pytest.mark.parametrize("batch", [1, 3, 200])
def test_on_oxigraph_the_focused_answer_is_the_first_one(batch):
    generated, _ = generated_quads(colleges=3, years=2, seed=17, violation_rate=0.3)
    datasets = [oxigraph_dataset(quads_of(name), [2024]) for name in
                ("2024-breaks-sit-in.ttl", "2024-breaks-liaison.ttl", "2024-breaks-part-time-post.ttl")]
    datasets.append(oxigraph_dataset(generated, [2024, 2025]))
    datasets.append(oxigraph_dataset(quads_of("2024-all-duties-met.ttl"), [2024]))
    datasets[-1].update(SECOND_PART_TIME_POST)
    seen = {}
    for store in datasets:
        for check in confirmed_checks():
            first = _records(check, store, check.query, False, False)
            again = confirm_results(check, store, first, batch=batch)
            assert identities(again) == identities(first), check.shape.node
            assert len(again) == len(first)
            seen[local(check)] = seen.get(local(check), 0) + len(first)
    assert all(seen.get(name, 0) > 0 for name in CONFIRMED), seen  # every check had results to confirm


def _liaison(check_list):
    return next(check for check in check_list if local(check) == "LiaisonShape")


def _met_and_broken(store, check):
    """LiaisonShape's results on the data set, and a person holding a leadership post who met the duty."""
    records = _records(check, store, check.query, False, False)
    broken = {record.focus for record in records}
    holders = store.query("""
        PREFIX dg: <https://w3id.org/dutygraph/ontology#>
        SELECT DISTINCT ?person WHERE { ?meeting a dg:DemocraticLifeMeeting ; dg:guidedBy ?person }""")
    met = sorted(str(row["person"].value) for row in holders if URIRef(row["person"].value) not in broken)
    assert records and met
    return records, URIRef(met[0])


def test_a_result_that_is_no_violation_is_dropped_and_a_missing_one_comes_back(caplog):
    store = oxigraph_dataset(quads_of("2024-breaks-liaison.ttl"), [2024])
    check = _liaison(confirmed_checks())
    records, met = _met_and_broken(store, check)
    wrong = replace(records[0], focus=met)  # as if the engine had counted no meeting for him
    with caplog.at_level("WARNING", logger="dutygraph.validation"):
        again = confirm_results(check, store, records + [wrong], batch=1)
    assert identities(again) == identities(records)
    assert "1 result(s) dropped, 0 added" in caplog.text
    # The second answer stands for the focus nodes asked: a result of theirs that the first lacked
    # (here: the first answer's message lost) is the second's.
    caplog.clear()
    focus = records[0].focus
    with caplog.at_level("WARNING", logger="dutygraph.validation"):
        again = confirm_results(check, store, [replace(records[0], messages=())])
    assert identities(again) == identities([record for record in records if record.focus == focus])
    assert "1 result(s) dropped, 1 added" in caplog.text


def test_on_the_engine_a_wrong_result_is_dropped_and_logged(engine, virtuoso, monkeypatch, tmp_path):  # noqa: F811
    log = tmp_path / "queries.jsonl"
    monkeypatch.setenv(LOG_ENV, str(log))
    quads = quads_of("2024-breaks-liaison.ttl")
    key = new_key()
    dataset = EngineDataset(engine, records_graph=None, work_graph=temporary_graph(key, "work"), key=key)
    try:
        build_engine_dataset(dataset, quads)
        dataset.bulk_extend(period_quads([2024]) + policy_quads(load_policy()))
        derive_day_numbers(dataset)
        check = _liaison(confirmed_checks())
        records, met = _met_and_broken(dataset, check)
        assert identities(confirm_results(check, dataset, records)) == identities(records)
        wrong = replace(records[0], focus=met)
        again = confirm_results(check, dataset, records + [wrong])
        assert identities(again) == identities(records)
    finally:
        dataset.drop(records=True)
    assert virtuoso.graphs(TMP_BASE) == []
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    focused = [line for line in lines if "VALUES ?this {" in line.get("query", "")]
    assert len(focused) == 2 and all(line["rows"] >= 1 for line in focused)
    changes = [line for line in lines if "confirmation" in line]
    assert len(changes) == 1 and changes[0]["confirmation"] == f"{DUTIES}LiaisonShape"
    assert [entry["focus"] for entry in changes[0]["dropped"]] == [str(met)] and changes[0]["added"] == []


def test_a_validation_on_the_engine_confirms_and_gives_the_embedded_results(engine, virtuoso, monkeypatch, tmp_path):  # noqa: F811
    log = tmp_path / "queries.jsonl"
    monkeypatch.setenv(LOG_ENV, str(log))
    quads, _ = generated_quads(colleges=3, years=2, seed=19, violation_rate=0.3)
    assert validate_records(quads, store=engine).as_json() == validate_records(quads).as_json()
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert any("VALUES ?this {" in line.get("query", "") for line in lines)
    assert not [line for line in lines if "confirmation" in line]
