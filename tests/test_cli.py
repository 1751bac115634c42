"""The `dutygraph` command as a user runs it: duties, export, build, errors."""

import csv
import io
import json

import pytest
from rdflib import Graph


def test_duties_json_gives_one_object_per_content_item_with_the_documented_fields(run_cli):
    result = run_cli("duties", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 56
    first = rows[0]
    assert {"measure", "item", "iri", "category", "measure_title", "text_zh", "summary_en", "units", "actors",
            "frequencies", "mechanisms"} <= set(first)
    assert (first["measure"], first["item"], first["iri"]) == (1, 1, "https://w3id.org/dutygraph/id/item/1-1")
    assert first["category"]["zh"] == "压实全面从严治政治责任" and first["category"]["en"]
    assert first["measure_title"] == {"zh": "全面落实党内监督制度", "en": first["measure_title"]["en"]}
    assert first["text_zh"].startswith("各级党组织不折不扣落实上级关于加强对“一把手”")
    # line 20: 各级党组织，组织部、 纪检监察部门, in printed order
    assert [u["zh"] for u in first["units"]] == ["各级党组织", "组织部", "纪检监察部门"]
    for row in rows:
        for field in ("units", "actors", "frequencies", "mechanisms"):
            assert all(set(entry) == {"iri", "zh", "en"} for entry in row[field])
    measure_16 = next(r for r in rows if r["measure"] == 16)
    assert "末位表态" in {m["zh"] for m in measure_16["mechanisms"]}


@pytest.mark.parametrize("name", ["审计处", "Audit Office", "audit office", "audit-office"])
def test_duties_of_one_unit_by_chinese_or_english_name(run_cli, name):
    """审计处 is accountable for items 9-3, 11-1, 29-1, 30-1 and 35-1 (lines 37, 41, 72, 73, 84)."""
    result = run_cli("duties", "--unit", name, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [f"{r['measure']}-{r['item']}" for r in json.loads(result.stdout)] == ["9-3", "11-1", "29-1", "30-1", "35-1"]


def test_duties_csv_and_table(run_cli):
    result = run_cli("duties", "--format", "csv", "--unit", "工会")
    assert result.returncode == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["key"] for r in rows] == ["35-1"]  # line 84: the only item naming 工会
    assert "工会" in rows[0]["units"].split("; ")
    table = run_cli("duties", "--lang", "en")
    assert table.returncode == 0 and "(56 rows)" in table.stdout and "Audit Office" in table.stdout


def test_an_unknown_unit_is_a_usage_error_that_lists_the_units(run_cli):
    result = run_cli("duties", "--unit", "财务部")
    assert result.returncode == 2
    assert "no accountable unit is named '财务部'" in result.stderr and "计划财务处" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("fmt, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_export_writes_the_whole_graph_in_each_format(run_cli, graph, fmt, rdflib_format):
    result = run_cli("export", "--format", fmt)
    assert result.returncode == 0, result.stderr
    exported = Graph().parse(data=result.stdout, format=rdflib_format)
    assert len(exported) == len(graph)


def test_build_writes_data_and_merged_graph(run_cli, tmp_path):
    result = run_cli("build", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "5 categories, 37 measures, 56 items" in result.stdout
    data = Graph().parse(tmp_path / "dutygraph-data.ttl")
    full = Graph().parse(tmp_path / "dutygraph.ttl")
    assert len(data) < len(full)


def test_version_and_help(run_cli):
    assert run_cli("--version").stdout.startswith("dutygraph ")
    result = run_cli("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr
