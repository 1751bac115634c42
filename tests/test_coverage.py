"""The duty coverage table: each of the 56 items is enforced by named duty shapes or marked not
checkable from records, with why; the graph, the canned query, `dutygraph coverage`, `dutygraph
check` and docs/coverage.md all say the same."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal
from rdflib.namespace import SH

from dutygraph.checks import check_coverage
from dutygraph.curation import CurationError, load_curation
from dutygraph.graph_build import DUTY_SHAPE_METADATA, build_full_graph
from dutygraph.namespaces import DG, ID
from dutygraph.queries import run_canned_query

REPO = Path(__file__).resolve().parents[1]
COVERAGE_CSV = REPO / "data" / "curation" / "coverage.csv"
DUTY_SHAPES = REPO / "shapes" / "duties.ttl"
CJK = re.compile(r"[\u4e00-\u9fff]")


def coverage_rows(path=COVERAGE_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def item_order() -> list[str]:
    with (REPO / "data" / "curation" / "items.csv").open(encoding="utf-8", newline="") as handle:
        return [row["item"] for row in csv.DictReader(handle)]


def duty_shapes() -> Graph:
    return Graph().parse(DUTY_SHAPES, format="turtle")


def enforced_items() -> set[str]:
    """The items some shape of shapes/duties.ttl names with dg:enforces, computed from the file itself."""
    return {str(item).rsplit("/item/", 1)[1] for item in duty_shapes().objects(None, DG.enforces)}


def write_rows(path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["item", "checkable_from_records", "reason_en", "reason_zh"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- coverage.csv ------------------------------------------------------------------------------------

def test_coverage_csv_has_one_row_per_item_exactly_once_in_the_order_of_items_csv():
    rows = coverage_rows()
    assert [row["item"] for row in rows] == item_order()
    assert len(rows) == 56 and len({row["item"] for row in rows}) == 56


def test_the_checkable_items_are_exactly_those_a_shape_of_duties_ttl_enforces():
    rows = coverage_rows()
    assert {row["checkable_from_records"] for row in rows} == {"yes", "no"}
    checkable = {row["item"] for row in rows if row["checkable_from_records"] == "yes"}
    assert checkable == enforced_items()
    assert {"6-1", "16-1", "33-2"} <= checkable and not {"1-1", "4-1", "35-1"} & checkable


def test_every_item_not_checkable_says_why_in_one_english_and_one_chinese_sentence():
    for row in coverage_rows():
        if row["checkable_from_records"] == "no":
            assert row["reason_en"].endswith(".") and row["reason_en"].count(". ") == 0, row
            assert row["reason_en"][0].isupper() and re.search(r"[a-z]{3}", row["reason_en"]), row
            assert row["reason_zh"].endswith("。") and row["reason_zh"].count("。") == 1, row
            assert CJK.search(row["reason_zh"]), row
        else:
            assert row["reason_en"] == row["reason_zh"] == "", row


def test_the_curation_loads_the_coverage_table(curation):
    assert list(curation.coverage) == item_order()
    assert {key for key, entry in curation.coverage.items() if entry.checkable} == enforced_items()
    assert "“两个确立”" in curation.coverage["4-1"].reason_zh


# --- the loader's problems: file, row, column --------------------------------------------------------

def load_copy(root):
    return load_curation(root / "data" / "source", root / "data" / "curation")


@pytest.mark.parametrize("edit, expected", [
    (lambda rows: rows.append(dict(rows[0])), "coverage.csv row 58, column item: '1-1' has a second row (first on row 2)"),
    (lambda rows: rows.pop(), "coverage.csv, column item: '37-1' from the source has no row"),
    (lambda rows: rows[0].update(item="38-1"), "coverage.csv row 2, column item: '38-1' is not an item of the source"),
    (lambda rows: rows[1].update(checkable_from_records="partly"),
     "coverage.csv row 3, column checkable_from_records: 'partly' is not one of ('yes', 'no')"),
    (lambda rows: rows[2].update(reason_zh=""),
     "coverage.csv row 4, column reason_zh: is empty: say why item 3-1's duty cannot be checked from records"),
    (lambda rows: rows[7].update(reason_en="Talks are recorded."),
     "coverage.csv row 9, column reason_en: must be empty for a checkable item: the shapes that enforce 6-1 say what is checked"),
])
def test_a_bad_coverage_row_is_reported_by_file_row_and_column(resource_copy, edit, expected):
    path = resource_copy / "data" / "curation" / "coverage.csv"
    rows = coverage_rows(path)
    edit(rows)
    write_rows(path, rows)
    with pytest.raises(CurationError) as raised:
        load_copy(resource_copy)
    assert expected in raised.value.problems


# --- the graph -----------------------------------------------------------------------------------------

def test_the_graph_states_why_each_item_not_checkable_in_english_and_chinese(graph):
    rows = {row["item"]: row for row in coverage_rows()}
    for key, row in rows.items():
        reasons = set(graph.objects(ID[f"item/{key}"], DG.notCheckableBecause))
        if row["checkable_from_records"] == "no":
            assert reasons == {Literal(row["reason_en"], lang="en"), Literal(row["reason_zh"], lang="zh")}
        else:
            assert reasons == set()


def test_the_graph_holds_the_duty_shapes_names_and_targets_but_not_their_constraints(graph):
    shapes = duty_shapes()
    names = set(shapes.subjects(RDF.type, SH.NodeShape))
    assert set(graph.subjects(RDF.type, SH.NodeShape)) == names
    for shape in names:
        for predicate in DUTY_SHAPE_METADATA:
            assert set(graph.objects(shape, predicate)) == set(shapes.objects(shape, predicate)), (shape, predicate)
        assert {p for p in graph.predicates(shape, None)} <= set(DUTY_SHAPE_METADATA)
    assert not any(True for _ in graph.triples((None, SH.sparql, None)))
    assert not any(True for _ in graph.triples((None, SH.targetClass, None)))


# --- the canned query and the command ------------------------------------------------------------------

def test_the_canned_query_duty_coverage_gives_one_row_per_item_with_shapes_or_reason(store):
    result = run_canned_query(store, "duty-coverage")
    rows = [{k: (v.value if v is not None else None) for k, v in row.items()} for row in result.rows]
    assert len(rows) == 56
    assert [row["item"] for row in rows] == item_order()
    curated = {row["item"]: row for row in coverage_rows()}
    for row in rows:
        assert row["checkable"] == curated[row["item"]]["checkable_from_records"], row
        if row["checkable"] == "no":
            assert row["reason"] == curated[row["item"]]["reason_en"] and not row["shapes"], row
        else:
            assert row["shapes"] and row["reason"] is None, row
    six = next(row for row in rows if row["item"] == "6-1")
    assert sorted(six["shapes"].split(", ")) == ["AppointmentTalkShape", "UpperLeaderReportShape"]
    assert sorted(six["obligations_checked"].split(", ")) == ["6-1-a", "6-1-b"] and six["obligations_stated"] == "5"
    assert six["measure"] == "6" and six["title"] == "Annual reporting and the 'three visits and one talk' mechanism"


def test_dutygraph_coverage_prints_the_table_as_json_csv_and_text(run_cli):
    as_json = run_cli("coverage", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert len(rows) == 56
    assert {row["item"] for row in rows if row["checkable"] == "yes"} == enforced_items()
    sixteen = next(row for row in rows if row["item"] == "16-1")
    assert sixteen["shapes"] == ["DecisionProcedureShape", "DecisionVenueShape"]
    assert sixteen["obligations_checked"] == ["16-1-c", "16-1-e", "16-1-f", "16-1-g", "16-1-i"]
    as_csv = run_cli("coverage", "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.splitlines()[0] == (
        "measure,item,title,checkable,shapes,obligations_checked,obligations_stated,reason,reason_zh"
    )
    assert len(list(csv.DictReader(as_csv.stdout.splitlines()))) == 56
    table = run_cli("coverage")
    assert table.returncode == 0 and table.stdout.rstrip().endswith("(56 rows)")


def test_the_docs_page_is_what_dutygraph_coverage_writes(run_cli):
    """docs/coverage.md is generated; regenerate it with `dutygraph coverage --format markdown > docs/coverage.md`."""
    result = run_cli("coverage", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Duty coverage\n\nGenerated from the graph by `dutygraph coverage --format markdown")
    assert (REPO / "docs" / "coverage.md").read_text(encoding="utf-8") == result.stdout, (
        "docs/coverage.md is stale: run `dutygraph coverage --format markdown > docs/coverage.md`"
    )


# --- the check -----------------------------------------------------------------------------------------

def test_the_coverage_check_passes_on_the_shipped_graph(graph):
    outcome = check_coverage(graph)
    assert outcome.passed, outcome.report()
    assert f"{len(enforced_items())} of 56 items enforced" in outcome.summary


def test_dutygraph_check_fails_when_coverage_csv_disagrees_with_the_duty_shapes(run_cli, resource_copy):
    path = resource_copy / "data" / "curation" / "coverage.csv"
    rows = coverage_rows(path)
    for row in rows:
        if row["item"] == "5-2":  # no shape checks 5-2
            row.update(checkable_from_records="yes", reason_en="", reason_zh="")
        if row["item"] == "9-2":  # SitInShape checks 9-2
            row.update(checkable_from_records="no", reason_en="Meetings are not recorded.", reason_zh="会议没有记录。")
    write_rows(path, rows)
    result = run_cli("check", "--skip-owl", env={"DUTYGRAPH_ROOT": str(resource_copy)})
    assert result.returncode == 1
    assert "[FAILED] duty coverage: 2 disagreement(s) between coverage.csv and the duty shapes" in result.stdout
    assert ("item 5-2 is marked checkable from records (coverage.csv: yes), "
            "but no shape in shapes/duties.ttl enforces it (dg:enforces)") in result.stdout
    assert ("item 9-2 is marked not checkable from records (coverage.csv: no), "
            "but shapes/duties.ttl enforces it: SitInShape") in result.stdout
    assert "check failed: duty coverage" in result.stderr


def test_the_coverage_check_fails_when_a_shape_is_moved_to_another_item(resource_copy, monkeypatch):
    shapes = resource_copy / "shapes" / "duties.ttl"
    text = shapes.read_text(encoding="utf-8")
    assert text.count("dg:enforces item:33-2 ;") == 1
    shapes.write_text(text.replace("dg:enforces item:33-2 ;", "dg:enforces item:33-1 ;"), encoding="utf-8")
    monkeypatch.setenv("DUTYGRAPH_ROOT", str(resource_copy))
    outcome = check_coverage(build_full_graph())
    assert not outcome.passed
    assert outcome.details == [
        "shape WarningConferenceShape enforces obligation https://w3id.org/dutygraph/id/obligation/33-2-a, "
        "which is not an obligation of the item(s) it enforces (33-1)",
        "item 33-1 is marked not checkable from records (coverage.csv: no), but shapes/duties.ttl enforces it: "
        "WarningConferenceShape",
        "item 33-2 is marked checkable from records (coverage.csv: yes), but no shape in shapes/duties.ttl "
        "enforces it (dg:enforces)",
    ]
