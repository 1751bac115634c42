"""engine_dialect.rewrite_small_classes: the run's own classes (reporting periods, policy) given to
the engine as VALUES.

The rewrite is exact (the VALUES rows are the block's solutions, in the block's place): on Oxigraph
every compiled record and duty query gives the same rows rewritten as compiled, over example and
generated record sets, with the rows asked of the same store as EngineDataset asks them of the
engine. What is not of the form, not of those classes, or has more solutions than the limit, or
sits where Virtuoso cannot take VALUES (OPTIONAL, MINUS, EXISTS), stays as it is. No engine needed.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from dutygraph.records_input import load_records
from dutygraph.shacl_engine.engine import compile_checks
from dutygraph.shacl_engine.focus import FocusPatterns
from dutygraph.shacl_engine.shapes_model import load_shapes as shape_model
from dutygraph.validation.day_numbers import derive_day_numbers
from dutygraph.validation.engine_dataset import SMALL_CLASS_LIMIT
from dutygraph.validation.engine_dialect import engine_query, prologue, rewrite_small_classes
from dutygraph.validation.periods import period_quads
from dutygraph.validation.policy import load_policy, policy_quads
from dutygraph.validation.run import build_dataset, load_shapes

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
PREFIXES = ("PREFIX dg: <https://w3id.org/dutygraph/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")


def instances_of(store: ox.Store, declarations: str, limit: int = SMALL_CLASS_LIMIT):
    """The callback EngineDataset gives the rewrite, asked of an Oxigraph store."""
    def instances(pattern: str, variables: list[str]):
        rows = [tuple(str(row[name.lstrip("?$")]) for name in variables) for row in
                store.query(f"{declarations}SELECT DISTINCT {' '.join(variables)} WHERE {{ {pattern} }} LIMIT {limit + 1}")]
        return rows if len(rows) <= limit else None
    return instances


def dataset(quads, years) -> ox.Store:
    store = build_dataset(quads)
    store.bulk_extend(period_quads(years) + policy_quads(load_policy()))
    derive_day_numbers(store)
    return store


def rows_of(store: ox.Store, query: str):
    answer = store.query(query)
    names = [variable.value for variable in answer.variables]
    return sorted({tuple(str(row[name]) for name in names) for row in answer})


@pytest.fixture(scope="module")
def stores():
    from dutygraph.records_generator import generate

    generated = generate(colleges=2, years=2, seed=11, violation_rate=0.3)
    quads = list(ox.parse(generated.ntriples().encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    chosen = [dataset(load_records([EXAMPLES / name]).quads, [2024])
              for name in ("2024-all-duties-met.ttl", "2024-breaks-sit-in.ttl", "2024-breaks-appointment-talk.ttl")]
    return chosen + [dataset(quads, [2024, 2025])]


def test_every_compiled_query_gives_the_same_rows_with_its_small_classes_as_values(stores):
    checks = [check for name in ("records.ttl", "duties.ttl")
              for check in compile_checks(shape_model(load_shapes(name)), FocusPatterns())]
    rewritten_somewhere, found = set(), 0
    for store in stores:
        for check in checks:
            compiled = engine_query(check.query)  # the other rewrites, as the engine gets them
            with_values = engine_query(check.query, instances=instances_of(store, prologue(check.query)))
            if with_values != compiled:
                rewritten_somewhere.add(str(check.shape.node))
            expected = rows_of(store, compiled)
            assert rows_of(store, with_values) == expected, (check.shape.node, with_values)
            found += len(expected)
    assert found > 10
    # the reporting periods and the policy of a run are such classes in most duty shapes
    for shape in ("DecisionProcedureShape", "AppointmentTalkShape", "PromotionChecksShape", "SitInShape"):
        assert f"https://w3id.org/dutygraph/shapes/duties#{shape}" in rewritten_somewhere


def test_a_period_block_becomes_values_of_its_solutions(stores):
    store = stores[-1]
    query = (PREFIXES + "SELECT ?period ?d WHERE { ?period a dg:ReportingPeriod ; dg:periodStart ?ps ; dg:periodEnd ?pe . "
             "?d dg:date ?date FILTER(?ps <= ?date && ?date <= ?pe) }")
    rewritten = rewrite_small_classes(query, instances_of(store, PREFIXES))
    assert "VALUES (?period ?ps ?pe) {" in rewritten and "a dg:ReportingPeriod" not in rewritten
    assert rewritten.count("(<https://w3id.org/dutygraph/id/period/") == 2  # 2024, 2025
    assert rows_of(store, rewritten) == rows_of(store, query) != []


@pytest.mark.parametrize("where", [
    "?p a dg:ReportingPeriod ; dg:periodStart ?ps ; dg:periodEnd ?ps .",  # a variable twice
    "?p a dg:ReportingPeriod ; dg:year 2024 .",  # a constant object
    "?p a ?class ; dg:year ?y .",  # a variable class
    "?p a dg:ReportingPeriod , dg:Other ; dg:year ?y .",  # an object list
    "?p a dg:ReportingPeriod ; dg:year/rdfs:label ?y .",  # a path
    "<urn:x> a dg:ReportingPeriod .",  # a constant subject
    "?x dg:date ?d OPTIONAL { ?p a dg:ReportingPeriod ; dg:year ?y }",
    "?x dg:date ?d FILTER NOT EXISTS { ?p a dg:ReportingPeriod ; dg:year ?y }",
    "?x dg:date ?d MINUS { ?p a dg:ReportingPeriod ; dg:year ?y }",
])
def test_what_is_not_a_class_block_in_a_joined_group_stays(stores, where):
    query = PREFIXES + f"SELECT * WHERE {{ {where} }}"
    assert rewrite_small_classes(query, instances_of(stores[-1], PREFIXES)) == query


def test_a_class_past_the_limit_or_not_the_run_s_stays_and_one_in_a_union_or_subquery_is_rewritten(stores):
    store = stores[-1]
    query = PREFIXES + "SELECT ?d ?y WHERE { ?d a dg:Decision ; dg:date ?date . { SELECT ?p ?y WHERE { ?p a dg:ReportingPeriod ; dg:year ?y } } }"
    rewritten = rewrite_small_classes(query, instances_of(store, PREFIXES))
    assert "?d a dg:Decision" in rewritten and "VALUES (?p ?y)" in rewritten  # a record class is not the run's
    assert rows_of(store, rewritten) == rows_of(store, query) != []
    assert rewrite_small_classes(query, instances_of(store, PREFIXES, limit=1)) == query  # 2 periods
    full = query.replace("dg:ReportingPeriod", "<https://w3id.org/dutygraph/ontology#ReportingPeriod>")
    assert "VALUES (?p ?y)" in rewrite_small_classes(full, instances_of(store, PREFIXES))
    union = PREFIXES + "SELECT ?p ?y WHERE { { ?p a dg:ReportingPeriod ; dg:year ?y } UNION { ?p a dg:ReportingPeriod ; dg:periodStart ?y } }"
    rewritten = rewrite_small_classes(union, instances_of(store, PREFIXES))
    assert rewritten.count("VALUES (?p ?y)") == 2
    assert rows_of(store, rewritten) == rows_of(store, union) != []
    policy = PREFIXES + "SELECT * WHERE { ?policy a dg:ValidationPolicy ; dg:appointmentTalkWithinDays ?days }"
    rewritten = rewrite_small_classes(policy, instances_of(store, PREFIXES))
    assert "VALUES (?policy ?days)" in rewritten and rows_of(store, rewritten) == rows_of(store, policy) != []
