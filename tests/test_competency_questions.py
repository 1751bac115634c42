"""The canned competency questions (queries/*.rq), answered from the source text.

Every expected answer here is read off 常工党〔2022〕61号 itself (data/source/changgongdang-2022-61.txt,
the table 类别/工作措施/主要内容/责任单位 from line 19), not copied from the queries' output. The
transcription below (UNITS, ITEMS, MEASURE_TITLES, CATEGORIES) is made by hand from the printed
table, with each row's line number, and is itself checked against the raw lines of the file. Where a
question depends on the curation tables (obligations, actors, frequencies, mechanisms), the test
derives what the text says (a regex over the source, or the clause the text states) and checks that
the curation, and so the graph, agrees.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import pytest

from dutygraph.output_formats import plain
from dutygraph.queries import QueryError, run_canned_query

REPO = Path(__file__).resolve().parents[1]
SOURCE_LINES = (REPO / "data" / "source" / "changgongdang-2022-61.txt").read_text(encoding="utf-8").split("\n")
CURATION = REPO / "data" / "curation"
TABLE_HEADER_LINE = 19
ID = "https://w3id.org/dutygraph/id/"

CANNED_QUERIES = [
    "acting-not-accountable", "actor-duties", "category-counts", "co-responsibility", "duty-coverage",
    "editorial-notes", "graph-counts", "item-obligations", "items-by-frequency", "measure-units",
    "measures-by-category", "mechanism-invocations", "prohibitions", "regulations-cited", "sole-measures",
    "unit-duties", "unit-load",
]

# --- The source table, transcribed by hand ---------------------------------------------------------

# The 13 accountable units in order of first appearance, with the key and English name of
# data/curation/units.csv (key and English label are the curation's; the Chinese is the source's).
UNITS = {
    "各级党组织": ("party-organisations-all-levels", "Party organisations at all levels"),  # line 20
    "组织部": ("organisation-department", "Organisation Department"),  # line 20
    "纪检监察部门": ("discipline-inspection-department", "Discipline inspection and supervision department"),  # line 20
    "校党委常委分管的部门": ("departments-under-standing-committee-members",
                    "Departments overseen by members of the university Party Committee's standing committee"),  # line 25
    "联系的二级学院党组织": ("liaised-secondary-college-party-organisations",
                    "Secondary-college Party organisations liaised with by standing-committee members"),  # line 25
    "党委办公室": ("party-committee-office", "Party Committee Office"),  # line 35
    "党委巡察工作办公室": ("inspection-office", "Party Committee Inspection Office"),  # line 37
    "审计处": ("audit-office", "Audit Office"),  # line 37
    "各巡察组": ("inspection-teams", "Inspection teams"),  # line 39
    "纪委办公室": ("discipline-committee-office", "Discipline Inspection Commission Office"),  # line 60
    "宣传部": ("publicity-department", "Publicity Department"),  # line 84
    "计划财务处": ("finance-department", "Planning and Finance Office"),  # line 84
    "工会": ("trade-union", "Trade Union"),  # line 84
}

_P3 = ("各级党组织", "组织部", "纪检监察部门")  # the cell 各级党组织，组织部、 纪检监察部门 (and its variants)

# content item -> (source line, accountable units as printed, in order)
ITEMS: dict[str, tuple[int, tuple[str, ...]]] = {
    "1-1": (20, _P3),
    "2-1": (21, _P3),
    "3-1": (22, _P3),
    "4-1": (24, _P3),
    "5-1": (25, ("校党委常委分管的部门", "联系的二级学院党组织")),
    "5-2": (26, ("组织部",)),
    "5-3": (27, ("纪检监察部门", "组织部")),
    "6-1": (28, _P3),
    "7-1": (30, _P3),
    "7-2": (31, ("纪检监察部门",)),
    "7-3": (32, ("组织部", "纪检监察部门")),
    "8-1": (33, ("组织部", "纪检监察部门")),
    "9-1": (35, ("党委办公室", "各级党组织")),  # "党委办公室, 各级党组织"
    "9-2": (36, ("组织部", "纪检监察部门")),
    "9-3": (37, ("党委办公室", "组织部", "党委巡察工作办公室", "审计处")),
    "9-4": (38, ("纪检监察部门",)),
    "10-1": (39, ("党委巡察工作办公室", "各巡察组")),
    "11-1": (41, ("审计处",)),
    "12-1": (42, ("党委办公室", "组织部", "纪检监察部门")),
    "12-2": (43, ("纪检监察部门", "组织部")),
    "12-3": (44, ("纪检监察部门",)),
    "13-1": (45, ("各级党组织",)),
    "14-1": (47, _P3),
    "15-1": (48, _P3),
    "16-1": (49, ("党委办公室", "各级党组织")),  # "党委办公室，各级党 组织"
    "17-1": (51, ("各级党组织",)),
    "18-1": (52, _P3),
    "18-2": (53, ("纪检监察部门",)),
    "19-1": (54, _P3),
    "20-1": (55, _P3),
    "21-1": (57, ("纪检监察部门",)),
    "22-1": (58, ("纪检监察部门",)),
    "23-1": (59, ("组织部", "纪检监察部门")),
    "23-2": (60, ("党委办公室", "纪委办公室")),
    "23-3": (61, ("各级党组织", "党委办公室", "组织部", "纪检监察部门")),
    "24-1": (62, ("组织部", "纪检监察部门")),
    "25-1": (64, ("组织部", "纪检监察部门")),
    "26-1": (65, _P3),
    "27-1": (66, ("组织部",)),
    "27-2": (67, ("组织部", "纪检监察部门")),
    "27-3": (68, ("党委巡察工作办公室",)),
    "28-1": (70, ("组织部",)),
    "28-2": (71, ("组织部",)),
    "29-1": (72, ("组织部", "纪检监察部门", "审计处")),
    "30-1": (73, ("纪检监察部门", "组织部", "审计处")),
    "31-1": (75, ("党委办公室", "纪检监察部门")),
    "31-2": (76, ("纪检监察部门", "组织部")),
    "31-3": (77, ("纪检监察部门",)),
    "32-1": (78, ("纪检监察部门", "组织部")),
    "32-2": (79, ("纪检监察部门",)),
    "33-1": (80, ("纪检监察部门", "党委办公室", "组织部", "各级党组织")),
    "33-2": (81, ("纪检监察部门", "各级党组织")),
    "34-1": (83, ("各级党组织",)),
    "35-1": (84, ("纪检监察部门", "党委办公室", "党委巡察工作办公室", "组织部", "宣传部", "计划财务处", "审计处", "工会")),
    "36-1": (85, ("纪检监察部门",)),
    "37-1": (86, ("组织部", "纪检监察部门")),
}
LINE_TO_ITEM = {line: item for item, (line, _) in ITEMS.items()}

# The 工作措施 cells, "N." dropped and the spaces of line breaks removed (lines 20-86).
MEASURE_TITLES = {
    1: "全面落实党内监督制度", 2: "突出抓好政治监督", 3: "全方位加强对“一把手”的监督",
    4: "“一把手和领导班子自觉接受监督", 5: "强化党组织自上而下的监督", 6: "上级“一把手”抓好下级“一把手”",
    7: "健全落实全面从严治党责任制度", 8: "建立健全“一把手”落实重大事项请示报告制度", 9: "贯彻执行民主集中制",
    10: "聚焦“一把手”加强政治巡察", 11: "完善对“一把手”的审计监督机制", 12: "及时掌握对“一把手”的反映",
    13: "完善“一把手”对班子其他成员教育管理监督机制", 14: "加强领导班子成员相互监督",
    15: "严格民主生活会和组织生活会制度", 16: "完善领导班子议事规则", 17: "健全领导班子权利运行制约机制",
    18: "严格落实领导班子其他成员“一岗双责”职责", 19: "严格执行领导干部插手干预重大事项记录和报告制度",
    20: "健全常态化政治生态分析研判机制", 21: "分领域形成党风廉政建设情况报告",
    22: "完善纪检监察机关负责人谈话提醒和重要事项报告制度", 23: "落实上级党组织对下级党组织的监督责任",
    24: "推进对下级领导班子监督工作规范化", 25: "完善领导干部报告个人有关事项制度", 26: "规范领导干部兼职行为",
    27: "加强对下级领导班子落实民主生活会制度情况的监督指导", 28: "强化选人用人的组织把关",
    29: "优化对领导班子和领导干部的考核", 30: "建立健全领导干部廉政档案", 31: "建立健全信访举报情况分析研判和报告机制",
    32: "完善问题整改常态化机制", 33: "深化以案促改工作机制", 34: "加强基层党组织对监督工作的领导",
    35: "推动各类监督贯通协调", 36: "发挥纪委监委专责机关作用", 37: "鼓励激励干部担当作为",
}

# category -> (类别 cell, spaces removed; its measures). A category repeated at a page break
# (加强对 “一把手” 的监督 on lines 22, 24, 30, 35, 41) continues it.
CATEGORIES = {
    1: ("压实全面从严治政治责任", range(1, 3)),  # line 20 (printed 压实全面 从严治政 治责任)
    2: ("加强对“一把手”的监督", range(3, 13)),  # lines 22-44
    3: ("加强同级领导班子监督", range(13, 23)),  # lines 45-58
    4: ("加强对下级领导班子的监督", range(23, 34)),  # lines 59-81
    5: ("加强组织领导", range(34, 38)),  # lines 83-86
}


def measure_of(item: str) -> int:
    return int(item.split("-")[0])


def category_of(measure: int) -> int:
    return next(number for number, (_, measures) in CATEGORIES.items() if measure in measures)


def item_text(item: str) -> str:
    """The 主要内容 cell of an item, read from the raw source line."""
    return SOURCE_LINES[ITEMS[item][0] - 1].split("\t")[2]


def table_text() -> str:
    return "\n".join(SOURCE_LINES[TABLE_HEADER_LINE - 1:])


def read_csv(name: str) -> list[dict[str, str]]:
    with open(CURATION / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def keys(cell: str) -> list[str]:
    return [k for k in cell.split(";") if k]


def ask(store, name: str, params: dict[str, str] | None = None) -> list[dict]:
    """Run a canned query; rows as dicts of plain Python values."""
    result = run_canned_query(store, name, params or {})
    return [{k: plain(v) for k, v in row.items()} for row in result.rows]


def column(rows: list[dict], name: str) -> list:
    return [row[name] for row in rows]


# --- The transcription itself ----------------------------------------------------------------------

def test_the_hand_transcription_matches_the_raw_source_lines():
    """Sanity check of the expectations: each transcribed row is the printed row (units split on 、，,)."""
    rows = [n for n in range(TABLE_HEADER_LINE + 1, len(SOURCE_LINES) + 1) if SOURCE_LINES[n - 1].strip()]
    assert rows == [line for line, _ in ITEMS.values()]
    assert len(ITEMS) == 56
    for item, (line, units) in ITEMS.items():
        cells = SOURCE_LINES[line - 1].split("\t")
        printed = tuple(re.sub(r"\s+", "", u) for u in re.split(r"[、，,]", cells[3]) if u.strip())
        assert printed == units, (item, line)
        if cells[1].strip():
            number, title = re.match(r"(\d+)\.\s*(.*)", cells[1].strip()).groups()
            assert int(number) == measure_of(item) and re.sub(r"\s+", "", title) == MEASURE_TITLES[int(number)]
    assert sorted({u for _, units in ITEMS.values() for u in units}) == sorted(UNITS)
    assert sorted({measure_of(i) for i in ITEMS}) == list(range(1, 38))


# --- Parameters: how every canned query takes its values ---------------------------------------------

def test_the_canned_queries_are_exactly_the_17_files_of_queries():
    """Which canned questions are there? One per .rq file."""
    assert sorted(p.stem for p in (REPO / "queries").glob("*.rq")) == CANNED_QUERIES


@pytest.mark.parametrize("name", ["no-such-query", "unit_duties", "UNIT-DUTIES", "../queries/unit-duties", ""])
def test_an_unknown_canned_query_name_is_a_query_error(store, name):
    """Asking for a question that does not exist is refused, not answered with nothing."""
    with pytest.raises(QueryError):
        run_canned_query(store, name, {})


@pytest.mark.parametrize("name, params", [
    ("unit-duties", {}),
    ("unit-duties", {"unit": ""}),
    ("item-obligations", {}),
    ("measure-units", {}),
    ("measure-units", {"measure": ""}),
])
def test_a_missing_required_parameter_is_a_query_error(store, name, params):
    """A question that needs a value (the unit, the item, the measure) refuses to run without it."""
    with pytest.raises(QueryError, match="needs the parameter"):
        run_canned_query(store, name, params)


@pytest.mark.parametrize("name, params", [
    ("unit-duties", {"unit": "审计处", "department": "审计处"}),
    ("graph-counts", {"unit": "审计处"}),
    ("sole-measures", {"units": "审计处"}),
    ("measures-by-category", {"measure": "1"}),
])
def test_an_unknown_parameter_is_a_query_error(store, name, params):
    """A misspelt or foreign parameter is refused rather than silently ignored."""
    with pytest.raises(QueryError, match="has no parameter"):
        run_canned_query(store, name, params)


@pytest.mark.parametrize("name, param", [("measure-units", "measure"), ("measures-by-category", "category")])
@pytest.mark.parametrize("value", ["nine", "九", "9.0", "1e1", "9 OR 1=1", "9) } UNION { ?s ?p ?o } #"])
def test_an_integer_parameter_given_a_non_number_is_a_query_error(store, name, param, value):
    """The measure or category number must be a whole number."""
    with pytest.raises(QueryError, match="whole number"):
        run_canned_query(store, name, {param: value})


INJECTIONS = [
    '组织部" } UNION { ?s ?p ?o } #',
    "组织部' } UNION { ?s ?p ?o } #",
    '组织部"@zh) } UNION { ?s ?p ?o } #',
    '审计处\\" } UNION { ?s ?p ?o } #',
    '组织部"\n} UNION { ?s ?p ?o }\n#',
    '6-1" } UNION { ?i ?p ?o } #',
]


@pytest.mark.parametrize("name, param", [
    ("unit-duties", "unit"), ("sole-measures", "unit"), ("actor-duties", "actor"),
    ("items-by-frequency", "frequency"), ("mechanism-invocations", "mechanism"), ("item-obligations", "item"),
])
@pytest.mark.parametrize("value", INJECTIONS)
def test_a_value_that_tries_sparql_injection_is_just_a_name_that_matches_nothing(store, name, param, value):
    """A value is bound as one escaped literal: it cannot change the query, so it finds no rows and raises nothing."""
    assert ask(store, name, {param: value}) == []


# --- unit-duties: everything a unit owes --------------------------------------------------------------

def test_unit_duties_answers_for_审计处_with_items_measures_and_titles(store):
    """What does the Audit Office (审计处) owe? Its items with measure number and title, in document order."""
    rows = ask(store, "unit-duties", {"unit": "审计处"})
    assert [(r["item"], r["measure"], r["measure_zh"]) for r in rows] == [
        ("9-3", 9, "贯彻执行民主集中制"),  # line 37
        ("11-1", 11, "完善对“一把手”的审计监督机制"),  # line 41
        ("29-1", 29, "优化对领导班子和领导干部的考核"),  # line 72
        ("30-1", 30, "建立健全领导干部廉政档案"),  # line 73
        ("35-1", 35, "推动各类监督贯通协调"),  # line 84
    ]
    assert {r["unit_iri"] for r in rows} == {ID + "unit/audit-office"}
    assert all(r["summary"] and r["measure_en"] for r in rows)


def test_unit_duties_of_纪委办公室_is_only_item_23_2(store):
    """纪委办公室 is named once, on line 60: 完善请示报告制度 … 党委办公室、纪委办公室."""
    assert column(ask(store, "unit-duties", {"unit": "纪委办公室"}), "item") == ["23-2"]


@pytest.mark.parametrize("unit_zh", list(UNITS))
def test_unit_duties_is_the_same_for_a_unit_named_in_chinese_in_english_in_any_case_or_by_key(store, unit_zh):
    """A unit named 审计处, Audit Office, audit office, AUDIT OFFICE or audit-office gives the same rows:
    exactly the items whose 责任单位 cell names it, in document order."""
    key, label_en = UNITS[unit_zh]
    expected = [item for item, (_, units) in ITEMS.items() if unit_zh in units]
    answers = {
        name: ask(store, "unit-duties", {"unit": name})
        for name in (unit_zh, label_en, label_en.lower(), label_en.upper(), key, f"  {unit_zh} ")
    }
    for name, rows in answers.items():
        assert column(rows, "item") == expected, name
        assert rows == answers[unit_zh], name


@pytest.mark.parametrize("name", ["巡察组", "组织部门", "Audit", "audit_office", "unit/audit-office", "审计"])
def test_unit_duties_of_a_name_that_is_no_unit_has_no_rows(store, name):
    """Only a whole unit name or key matches: 巡察组 is not the unit 各巡察组, 组织部门 is not 组织部."""
    assert ask(store, "unit-duties", {"unit": name}) == []


# --- unit-load: how much each unit answers for --------------------------------------------------------

def test_unit_load_counts_items_measures_and_categories_per_unit(store):
    """How many content items, measures and categories is each unit accountable for? Most first."""
    rows = ask(store, "unit-load")
    got = {r["unit_zh"]: (r["items"], r["measures"], r["categories"]) for r in rows}
    assert got == {
        # 纪检监察部门 is in the unit cell of 41 rows, from line 20 (measure 1) to line 86 (measure 37)
        "纪检监察部门": (41, 30, 5),
        "组织部": (35, 28, 5),
        "各级党组织": (20, 19, 5),
        # 党委办公室: lines 35, 37, 42, 49, 60, 61, 75, 80, 84 (measures 9, 12, 16, 23, 31, 33, 35)
        "党委办公室": (9, 7, 4),
        # 审计处: lines 37, 41, 72, 73, 84
        "审计处": (5, 5, 3),
        # 党委巡察工作办公室: lines 37, 39, 68, 84
        "党委巡察工作办公室": (4, 4, 3),
        "各巡察组": (1, 1, 1),  # line 39
        "纪委办公室": (1, 1, 1),  # line 60
        "宣传部": (1, 1, 1), "计划财务处": (1, 1, 1), "工会": (1, 1, 1),  # line 84
        "校党委常委分管的部门": (1, 1, 1), "联系的二级学院党组织": (1, 1, 1),  # line 25
    }
    assert column(rows, "unit_zh")[:6] == ["纪检监察部门", "组织部", "各级党组织", "党委办公室", "审计处", "党委巡察工作办公室"]
    assert column(rows, "items") == sorted(column(rows, "items"), reverse=True)
    assert {r["unit_zh"]: r["unit_en"] for r in rows} == {zh: en for zh, (_, en) in UNITS.items()}


def test_unit_load_agrees_with_the_transcribed_table(store):
    """The per-unit counts are what one counts in the 责任单位 column, row by row."""
    expected = {}
    for unit in UNITS:
        items = [i for i, (_, units) in ITEMS.items() if unit in units]
        measures = {measure_of(i) for i in items}
        expected[unit] = (len(items), len(measures), len({category_of(m) for m in measures}))
    rows = ask(store, "unit-load")
    assert {r["unit_zh"]: (r["items"], r["measures"], r["categories"]) for r in rows} == expected
    assert sum(r["items"] for r in rows) == sum(len(units) for _, units in ITEMS.values()) == 121


# --- measure-units: the units accountable for a measure -----------------------------------------------

def test_measure_units_of_measure_11_is_the_audit_office_alone(store):
    """Who answers for measure 11? line 41: 11.完善对“一把手”的审计监督机制 … 审计处"""
    assert ask(store, "measure-units", {"measure": "11"}) == [
        {"unit_zh": "审计处", "unit_en": "Audit Office", "items": 1}
    ]


def test_measure_units_of_measure_9_counts_the_items_each_unit_answers_for(store):
    """Measure 9 has four rows (lines 35-38): which units, and for how many of its items?"""
    # line 35: 党委办公室, 各级党组织 / line 36: 组织部、纪检监察部门
    # line 37: 党委办公室、组织部、党委巡察工作办公室、审计处 / line 38: 纪检监察部门
    rows = ask(store, "measure-units", {"measure": "9"})
    assert {r["unit_zh"]: r["items"] for r in rows} == {
        "党委办公室": 2, "组织部": 2, "纪检监察部门": 2, "各级党组织": 1, "党委巡察工作办公室": 1, "审计处": 1,
    }
    assert column(rows, "items") == [2, 2, 2, 1, 1, 1]


def test_measure_units_of_measure_5_keeps_both_units_of_the_first_row(store):
    """Measure 5 (lines 25-27): 校党委常委分管的部门、联系的二级学院党组织 / 组织部 / 纪检监察部门、组织部."""
    rows = ask(store, "measure-units", {"measure": "5"})
    assert {r["unit_zh"]: r["items"] for r in rows} == {
        "组织部": 2, "纪检监察部门": 1, "校党委常委分管的部门": 1, "联系的二级学院党组织": 1,
    }
    assert rows[0]["unit_zh"] == "组织部"


def test_measure_units_of_measure_35_is_its_eight_units_once_each(store):
    """line 84: 35.推动各类监督贯通协调 … 纪检监察部门、党委办公室、党委巡察工作办公室、组织部、宣传部、计划财务处、审计处、工会"""
    rows = ask(store, "measure-units", {"measure": "35"})
    assert {r["unit_zh"]: r["items"] for r in rows} == dict.fromkeys(ITEMS["35-1"][1], 1)


def test_measure_units_of_every_measure_agrees_with_the_transcribed_table(store):
    """For each of the 37 measures: its units and how many of its rows name each one."""
    for measure in range(1, 38):
        expected = Counter(u for item, (_, units) in ITEMS.items() if measure_of(item) == measure for u in units)
        rows = ask(store, "measure-units", {"measure": str(measure)})
        assert {r["unit_zh"]: r["items"] for r in rows} == dict(expected), measure
        assert column(rows, "items") == sorted(column(rows, "items"), reverse=True), measure


@pytest.mark.parametrize("measure", ["0", "38", "-1"])
def test_measure_units_of_a_measure_the_document_does_not_have_is_empty(store, measure):
    """The measures are numbered 1 to 37 (line 20 to line 86)."""
    assert ask(store, "measure-units", {"measure": measure}) == []


# --- sole-measures: measures a unit carries alone -----------------------------------------------------

SOLE_MEASURES = [
    (11, "完善对“一把手”的审计监督机制", "审计处"),  # line 41
    (13, "完善“一把手”对班子其他成员教育管理监督机制", "各级党组织"),  # line 45
    (17, "健全领导班子权利运行制约机制", "各级党组织"),  # line 51
    (21, "分领域形成党风廉政建设情况报告", "纪检监察部门"),  # line 57
    (22, "完善纪检监察机关负责人谈话提醒和重要事项报告制度", "纪检监察部门"),  # line 58
    (28, "强化选人用人的组织把关", "组织部"),  # lines 70 and 71: both rows 组织部
    (34, "加强基层党组织对监督工作的领导", "各级党组织"),  # line 83
    (36, "发挥纪委监委专责机关作用", "纪检监察部门"),  # line 85
]


def test_sole_measures_are_the_measures_whose_every_row_names_one_and_the_same_unit(store):
    """Which measures does one unit carry alone? Those whose 责任单位 cells all name that one unit only."""
    # Measure 5 (lines 25-27), 12 (42-44), 27 (66-68), 31 (75-77), 32 (78-79) have single-unit rows
    # too, but not all with the same unit or not all single, so they are not sole measures.
    rows = ask(store, "sole-measures")
    assert [(r["measure"], r["measure_zh"], r["unit_zh"]) for r in rows] == SOLE_MEASURES
    derived = []
    for measure in range(1, 38):
        units = {u for item, (_, us) in ITEMS.items() if measure_of(item) == measure for u in us}
        if len(units) == 1:
            derived.append((measure, MEASURE_TITLES[measure], units.pop()))
    assert derived == SOLE_MEASURES


@pytest.mark.parametrize("unit_zh, measures", [
    ("纪检监察部门", [21, 22, 36]), ("各级党组织", [13, 17, 34]), ("组织部", [28]), ("审计处", [11]),
    ("党委办公室", []), ("工会", []),
])
def test_sole_measures_of_one_unit_named_in_chinese_english_any_case_or_key(store, unit_zh, measures):
    """Which measures does this unit carry alone? The same answer whichever way the unit is named."""
    key, label_en = UNITS[unit_zh]
    for name in (unit_zh, label_en, label_en.lower(), label_en.upper(), key):
        rows = ask(store, "sole-measures", {"unit": name})
        assert column(rows, "measure") == measures, name
        assert set(column(rows, "unit_zh")) <= {unit_zh}


# --- co-responsibility: which units share duties ------------------------------------------------------

def _shared_pairs() -> dict[frozenset, tuple[int, int]]:
    items, measures = defaultdict(set), defaultdict(set)
    for item, (_, units) in ITEMS.items():
        for a, b in combinations(units, 2):
            items[frozenset((a, b))].add(item)
            measures[frozenset((a, b))].add(measure_of(item))
    return {pair: (len(items[pair]), len(measures[pair])) for pair in items}


def test_co_responsibility_links_every_pair_of_units_named_together_with_shared_counts(store):
    """Which units are named together on an item, on how many items and measures?"""
    rows = ask(store, "co-responsibility")
    got = {frozenset((r["unit_a_zh"], r["unit_b_zh"])): (r["shared_items"], r["shared_measures"]) for r in rows}
    assert len(rows) == len(got)  # each pair once
    assert got == _shared_pairs()
    assert column(rows, "shared_items") == sorted(column(rows, "shared_items"), reverse=True)


def test_co_responsibility_strongest_tie_is_纪检监察部门_and_组织部(store):
    """组织部 and 纪检监察部门 share 30 rows in 27 measures, more than any other pair."""
    # e.g. line 20 (各级党组织，组织部、 纪检监察部门), line 27 (纪检监察部门、组织部), line 86 (组织部、纪检监察部门)
    first = ask(store, "co-responsibility")[0]
    assert {first["unit_a_zh"], first["unit_b_zh"]} == {"组织部", "纪检监察部门"}
    assert (first["shared_items"], first["shared_measures"]) == (30, 27)


def test_co_responsibility_of_the_inspection_teams_and_the_trade_union(store):
    """各巡察组 shares only item 10-1 (line 39) with 党委巡察工作办公室; 工会 shares only item 35-1 (line 84)."""
    rows = ask(store, "co-responsibility")

    def partners(unit):
        return {
            (r["unit_b_zh"] if r["unit_a_zh"] == unit else r["unit_a_zh"]): (r["shared_items"], r["shared_measures"])
            for r in rows if unit in (r["unit_a_zh"], r["unit_b_zh"])
        }

    assert partners("各巡察组") == {"党委巡察工作办公室": (1, 1)}
    assert partners("工会") == {u: (1, 1) for u in ITEMS["35-1"][1] if u != "工会"}
    assert partners("校党委常委分管的部门") == {"联系的二级学院党组织": (1, 1)}  # line 25


# --- measures-by-category -----------------------------------------------------------------------------

def test_measures_by_category_lists_all_37_measures_in_order_with_titles_and_item_counts(store):
    """The 37 measures in document order: category, title as printed (spaces removed), number of rows."""
    rows = ask(store, "measures-by-category")
    items_per_measure = Counter(measure_of(i) for i in ITEMS)
    assert [(r["category"], r["category_zh"], r["measure"], r["measure_zh"], r["items"]) for r in rows] == [
        (category_of(m), CATEGORIES[category_of(m)][0], m, MEASURE_TITLES[m], items_per_measure[m]) for m in range(1, 38)
    ]
    # measure 9 has four rows (lines 35-38), measures 5, 7, 12, 23, 27, 31 three
    assert {r["measure"]: r["items"] for r in rows if r["items"] > 1} == {
        5: 3, 7: 3, 9: 4, 12: 3, 18: 2, 23: 3, 27: 3, 28: 2, 31: 3, 32: 2, 33: 2,
    }


@pytest.mark.parametrize("category, measures", [
    ("1", [1, 2]),  # lines 20-21
    ("2", list(range(3, 13))),  # lines 22-44
    ("3", list(range(13, 23))),  # lines 45-58
    ("4", list(range(23, 34))),  # lines 59-81
    ("5", [34, 35, 36, 37]),  # lines 83-86
    ("6", []),
])
def test_measures_by_category_of_one_category(store, category, measures):
    """Which measures does category N hold?"""
    rows = ask(store, "measures-by-category", {"category": category})
    assert column(rows, "measure") == measures
    assert {r["category"] for r in rows} <= {int(category)}


def test_measures_by_category_keeps_the_printed_title_of_measure_4_and_category_1(store):
    """Titles are verbatim: measure 4's unbalanced quote (line 24) and category 1's missing 党 (line 20)."""
    rows = {r["measure"]: r for r in ask(store, "measures-by-category")}
    assert rows[4]["measure_zh"] == "“一把手和领导班子自觉接受监督"
    assert rows[1]["category_zh"] == "压实全面从严治政治责任"
    assert rows[17]["measure_zh"] == "健全领导班子权利运行制约机制"  # line 51, 权利 as printed


# --- category-counts ----------------------------------------------------------------------------------

def test_category_counts_gives_measures_items_and_obligations_per_category(store):
    """How many measures, content items and obligations does each of the five categories hold?"""
    obligations_per_category = Counter(
        category_of(measure_of(row["item"])) for row in read_csv("obligations.csv")
    )
    rows = ask(store, "category-counts")
    assert [
        (r["category"], r["category_zh"], r["measures"], r["items"], r["first_measure"], r["last_measure"]) for r in rows
    ] == [
        (1, "压实全面从严治政治责任", 2, 2, 1, 2),  # lines 20-21
        (2, "加强对“一把手”的监督", 10, 19, 3, 12),  # lines 22-44
        (3, "加强同级领导班子监督", 10, 11, 13, 22),  # lines 45-58
        (4, "加强对下级领导班子的监督", 11, 20, 23, 33),  # lines 59-81
        (5, "加强组织领导", 4, 4, 34, 37),  # lines 83-86
    ]
    assert {r["category"]: r["obligations"] for r in rows} == dict(obligations_per_category)
    assert sum(r["obligations"] for r in rows) == len(read_csv("obligations.csv"))
    assert sum(r["items"] for r in rows) == 56 and sum(r["measures"] for r in rows) == 37


# --- graph-counts -------------------------------------------------------------------------------------

def test_graph_counts_are_those_of_the_text_and_the_curation_tables(store):
    """How big is the graph? 5 categories, 37 measures, 56 items, 13 units, 3 cited regulations."""
    titles = set(re.findall(r"《([^》]+)》", table_text()))
    rows = ask(store, "graph-counts")
    assert rows == [{
        "categories": 5, "measures": 37, "items": 56, "units": 13, "regulations": len(titles),
        "obligations": len(read_csv("obligations.csv")), "actors": len(read_csv("actors.csv")),
        "mechanisms": len(read_csv("mechanisms.csv")), "frequencies": len(read_csv("frequencies.csv")),
    }]
    assert len(titles) == 3


# --- regulations-cited --------------------------------------------------------------------------------

def test_regulations_cited_are_exactly_the_titles_in_double_angle_brackets(store):
    """Which other regulations does the list cite, and where? The 《…》 titles of the table."""
    cited = defaultdict(set)
    for n in range(TABLE_HEADER_LINE + 1, len(SOURCE_LINES) + 1):
        for title in re.findall(r"《([^》]+)》", SOURCE_LINES[n - 1]):
            cited[title].add(LINE_TO_ITEM[n])
    rows = ask(store, "regulations-cited")
    assert {r["title_zh"]: set(r["items"].split("; ")) for r in rows} == dict(cited)
    assert {r["title_zh"]: (r["items"], r["obligations"]) for r in rows} == {
        "中国共产党重大事项请示报告条例": ("8-1", 1),  # line 33
        "关于民主生活会、组织生活会“十不准”规定": ("15-1", 1),  # line 48
        "关于进一步加强纪律检查建议和监察建议运用工作的通知": ("33-1", 1),  # line 80
    }
    assert all(r["title_en"] for r in rows)


def test_regulations_cited_leaves_out_the_title_of_the_list_itself(store):
    """Lines 9 and 13 cite 《常州工学院加强对“一把手”…责任清单》: that is this document, not another regulation."""
    assert "常州工学院加强对" in SOURCE_LINES[12]
    assert not any("常州工学院" in r["title_zh"] for r in ask(store, "regulations-cited"))


# --- prohibitions -------------------------------------------------------------------------------------

def test_prohibitions_are_the_clauses_with_不得_or_防止(store):
    """What is forbidden? The text forbids with 不得 (line 35) and (坚决)防止 (lines 45, 49, 49, 51); no 严禁."""
    found = [
        (LINE_TO_ITEM[n], cue)
        for n in range(TABLE_HEADER_LINE + 1, len(SOURCE_LINES) + 1)
        for cue in re.findall(r"坚决防止|防止|不得|严禁|禁止", SOURCE_LINES[n - 1])
    ]
    assert found == [("9-1", "不得"), ("13-1", "防止"), ("16-1", "坚决防止"), ("16-1", "坚决防止"), ("17-1", "坚决防止")]
    rows = ask(store, "prohibitions")
    assert [(r["item"], r["cue"]) for r in rows] == found
    assert [(r["obligation"], r["cue"]) for r in rows] == [
        ("9-1-b", "不得"),  # line 35: 专业性、技术性较强的重大事项未经专家论证或风险评估不得决策
        ("13-1-f", "防止"),  # line 45: 防止“一签了之”
        ("16-1-c", "坚决防止"),  # line 49: 坚决防止以专题会议代替党委常委会…作出决策
        ("16-1-d", "坚决防止"),  # line 49: 坚决防止以集体决策名义集体违规
        ("17-1-c", "坚决防止"),  # line 51: 坚决防止领导班子成员将分管工作…变成…“私人领地”
    ]
    for row in rows:
        assert row["cue"] in row["excerpt"] and row["excerpt"] in item_text(row["item"])
    assert next(r for r in rows if r["obligation"] == "13-1-f")["actors"] == "一把手"  # “一把手”要管好班子 … 防止“一签了之”


# --- mechanism-invocations ----------------------------------------------------------------------------

def test_mechanism_三重一大_is_invoked_only_in_items_9_3_and_16_1(store):
    """Where is 三重一大 invoked? Only where the text names it: line 37 (item 9-3, twice) and line 49 (item 16-1)."""
    lines = [n for n in range(TABLE_HEADER_LINE + 1, len(SOURCE_LINES) + 1) if "三重一大" in SOURCE_LINES[n - 1]]
    assert lines == [37, 49]
    rows = ask(store, "mechanism-invocations", {"mechanism": "三重一大"})
    assert {r["item"] for r in rows} == {LINE_TO_ITEM[n] for n in lines} == {"9-3", "16-1"}
    # the clauses that name it: 健全“三重一大”决策监督机制 / 要把“三重一大”决策制度执行情况… (9-3);
    # 精准界定“三重一大”事项范围 (16-1)
    assert [(r["obligation"], r["item"], r["measure"]) for r in rows] == [
        ("9-3-a", "9-3", 9), ("9-3-b", "9-3", 9), ("16-1-a", "16-1", 16),
    ]
    assert {o["obligation"] for o in read_csv("obligations.csv") if "三重一大" in o["excerpt_zh"]} == set(column(rows, "obligation"))


@pytest.mark.parametrize("name", ["三重一大", "sanzhong-yida", "three majors and one large", "THREE MAJORS AND ONE LARGE"])
def test_mechanism_invocations_name_a_mechanism_in_chinese_english_any_case_or_key(store, name):
    """三重一大, its key and its English name in any case pick the same invocations."""
    rows = ask(store, "mechanism-invocations", {"mechanism": name})
    assert column(rows, "obligation") == ["9-3-a", "9-3-b", "16-1-a"]
    assert set(column(rows, "mechanism_zh")) == {"三重一大"}


def test_mechanism_三访一谈_is_the_four_parts_listed_after_即_in_item_6_1(store):
    """line 28: 建立完善 … “三访一谈”机制，即：…；…；…；… — four parts, four invoking obligations."""
    parts = item_text("6-1").split("即：", 1)[1].split("；")
    assert len(parts) == 4
    rows = ask(store, "mechanism-invocations", {"mechanism": "sanfang-yitan"})
    assert column(rows, "obligation") == ["6-1-b", "6-1-c", "6-1-d", "6-1-e"]


def test_every_mechanism_is_invoked_exactly_in_the_items_whose_text_names_it(store):
    """For every mechanism: invoked in an item ⇔ the item's text contains its name."""
    rows = ask(store, "mechanism-invocations")
    invoked = {(r["mechanism_zh"], r["item"]) for r in rows}
    named = {
        (m["label_zh"], item) for m in read_csv("mechanisms.csv") for item in ITEMS if m["label_zh"] in item_text(item)
    }
    assert invoked == named
    for row in rows:
        assert row["measure"] == measure_of(row["item"])


def test_mechanism_invocations_of_an_unknown_mechanism_is_empty(store):
    """Where is a mechanism the text never names invoked? Nowhere."""
    assert ask(store, "mechanism-invocations", {"mechanism": "三重一小"}) == []


# --- items-by-frequency -------------------------------------------------------------------------------

ANNUAL = ["annual", "start-of-year", "at-least-once-a-year"]  # 每年, 每年年初, 每年至少1次


def test_every_obligation_whose_clause_says_每年_is_under_an_annual_frequency(store):
    """Which duties recur every year? Each clause containing 每年, and nothing else."""
    # 每年 occurs six times in the table: lines 28 (每年述职), 30 (每年年初), 32 (每年定期召开),
    # 36 (每年至少列席1次), 72 (每年选定), 81 (每年召开)
    lines = [n for n in range(TABLE_HEADER_LINE + 1, len(SOURCE_LINES) + 1) for _ in re.findall("每年", SOURCE_LINES[n - 1])]
    assert lines == [28, 30, 32, 36, 72, 81]
    said_every_year = {o["obligation"] for o in read_csv("obligations.csv") if "每年" in o["excerpt_zh"]}
    assert said_every_year == {"6-1-a", "7-1-b", "7-3-b", "9-2-b", "29-1-b", "33-2-a"}
    assert {o[:o.rindex("-")] for o in said_every_year} == {LINE_TO_ITEM[n] for n in lines}
    annual = {r["obligation"] for key in ANNUAL for r in ask(store, "items-by-frequency", {"frequency": key})}
    assert annual == said_every_year


@pytest.mark.parametrize("name", ["每年", "annual", "annually", "ANNUALLY", "Annually"])
def test_items_by_frequency_每年_named_in_chinese_english_any_case_or_key(store, name):
    """Which obligations are annual (每年)? lines 28, 32, 72, 81 (每年年初 and 每年至少1次 are their own)."""
    rows = ask(store, "items-by-frequency", {"frequency": name})
    assert [(r["obligation"], r["item"]) for r in rows] == [
        ("6-1-a", "6-1"), ("7-3-b", "7-3"), ("29-1-b", "29-1"), ("33-2-a", "33-2"),
    ]
    assert {(r["frequency_zh"], r["kind"]) for r in rows} == {("每年", "RegularFrequency")}


def test_items_by_frequency_定期_is_each_clause_that_says_定期(store):
    """Which duties are periodic (定期)? lines 26, 28 (twice), 45, 52, 53 — not 每年定期 (annual, line 32)
    nor the mechanism 定期轮岗 (line 62)."""
    rows = ask(store, "items-by-frequency", {"frequency": "periodic"})
    assert column(rows, "obligation") == ["5-2-b", "6-1-c", "6-1-e", "13-1-b", "18-1-b", "18-2-b"]
    clauses = {o["obligation"]: o["excerpt_zh"] for o in read_csv("obligations.csv")}
    assert all("定期" in clauses[o] for o in column(rows, "obligation"))
    assert {o for o, text in clauses.items() if "定期" in text} - set(column(rows, "obligation")) == {"7-3-b", "24-1-a"}


def test_items_by_frequency_常态化_is_continuous(store):
    """Which duties are ongoing (常态化)? line 31 常态化运用数据分析… (7-2) and line 55 常态化分析研判… (20-1)."""
    rows = ask(store, "items-by-frequency", {"frequency": "常态化"})
    assert [(r["obligation"], r["kind"]) for r in rows] == [("7-2-a", "ContinuousFrequency"), ("20-1-a", "ContinuousFrequency")]


def test_items_by_frequency_lists_inspection_triggers_in_order(store):
    """Line 39: 巡察前 … 巡察中 … 巡察结束时 … — the three moments of an inspection are triggers."""
    got = {}
    for key in ("before-inspection", "during-inspection", "end-of-inspection"):
        rows = ask(store, "items-by-frequency", {"frequency": key})
        assert {r["kind"] for r in rows} == {"EventTrigger"}
        got[key] = column(rows, "obligation")
    assert got == {"before-inspection": ["10-1-b"], "during-inspection": ["10-1-c"], "end-of-inspection": ["10-1-d", "10-1-e"]}


def test_items_by_frequency_without_a_frequency_lists_every_obligation_with_one(store):
    """All obligations with a frequency or trigger, each under each of its frequencies."""
    expected = {(o["obligation"], f) for o in read_csv("obligations.csv") for f in keys(o["frequencies"])}
    labels = {f["label_zh"]: f["frequency"] for f in read_csv("frequencies.csv")}
    rows = ask(store, "items-by-frequency")
    assert {(r["obligation"], labels[r["frequency_zh"]]) for r in rows} == expected
    assert len(rows) == len(expected)
    assert column(rows, "kind") == sorted(column(rows, "kind"))


def test_items_by_frequency_of_an_unknown_frequency_is_empty(store):
    """Which duties are hourly? None: the text sets no such frequency."""
    assert ask(store, "items-by-frequency", {"frequency": "hourly"}) == []


# --- item-obligations ---------------------------------------------------------------------------------

def test_item_obligations_of_6_1_are_the_annual_report_and_the_four_parts_of_三访一谈(store):
    """What must be done under item 6-1 (line 28)? The 每年述职 duty, then the four parts of 三访一谈."""
    rows = ask(store, "item-obligations", {"item": "6-1"})
    text = item_text("6-1")
    assert [(r["obligation"], r["modality"], r["frequencies"]) for r in rows] == [
        ("6-1-a", "Duty", "每年"),  # 上级“一把手”要将监督下级“一把手”情况作为每年述职的重点内容
        ("6-1-b", "Duty", "新任职时"),  # 对下级新任职“一把手”开展任职谈话
        ("6-1-c", "Duty", "定期"),  # 同下级“一把手”定期开展监督谈话 …
        ("6-1-d", "Duty", "发生重大问题时"),  # 在下级“一把手”发生失职失责问题 … 进行专题约谈
        ("6-1-e", "Duty", "定期"),  # 对下级“一把手”定期开展家访
    ]
    assert rows[0]["cue"] == "要"
    assert {r["actors"] for r in rows} == {"上级“一把手”"}
    positions = [text.index(r["excerpt"]) for r in rows]
    assert positions == sorted(positions)  # text order
    for part, row in zip(text.split("即：", 1)[1].split("；"), rows[1:]):
        assert row["excerpt"] in part


def test_item_obligations_of_16_1_include_its_two_坚决防止_prohibitions(store):
    """Item 16-1 (line 49) forbids twice with 坚决防止; every obligation's clause is verbatim in the item, in order."""
    rows = ask(store, "item-obligations", {"item": "16-1"})
    assert [(r["obligation"], r["cue"]) for r in rows if r["modality"] == "Prohibition"] == [
        ("16-1-c", "坚决防止"), ("16-1-d", "坚决防止"),
    ]
    text = item_text("16-1")
    positions = [text.index(r["excerpt"]) for r in rows]
    assert positions == sorted(positions)
    assert any("“一把手”末位表态制" in r["excerpt"] for r in rows)


def test_item_obligations_of_12_3_ends_with_a_permission_可(store):
    """line 44: … 可提请校党委主要负责人对其进行谈话 — a permission, not a duty."""
    rows = ask(store, "item-obligations", {"item": "12-3"})
    assert (rows[-1]["modality"], rows[-1]["cue"]) == ("Permission", "可")
    assert "可提请校党委主要负责人对其进行谈话" in rows[-1]["excerpt"]
    assert [r["modality"] for r in rows[:-1]] == ["Duty"] * (len(rows) - 1)


def test_item_obligations_cover_every_item_with_excerpts_from_its_own_text(store):
    """Every one of the 56 items states at least one obligation, each quoted from that item's own cell."""
    for item in ITEMS:
        rows = ask(store, "item-obligations", {"item": item})
        assert rows, item
        assert all(r["excerpt"] in item_text(item) for r in rows), item
        assert all(r["obligation"].startswith(item + "-") for r in rows), item


@pytest.mark.parametrize("item", ["38-1", "6-2", "6", "6-1-a", "item/6-1"])
def test_item_obligations_of_an_item_the_document_does_not_have_is_empty(store, item):
    """Measure 6 has one row (line 28); there are 37 measures."""
    assert ask(store, "item-obligations", {"item": item}) == []


# --- actor-duties -------------------------------------------------------------------------------------

NUMBER_ONE_LEADER_DUTIES = [
    "4-1-a", "4-1-b", "4-1-c",  # line 24: “一把手”和领导班子必须旗帜鲜明讲政治 … 既要自觉接受监督
    "6-1-a", "6-1-b", "6-1-c", "6-1-d", "6-1-e",  # line 28: 上级“一把手”要 … (a 上级“一把手” is a 一把手)
    "8-1-a",  # line 33: “一把手”要严格执行《中国共产党重大事项请示报告条例》
    "13-1-a", "13-1-b", "13-1-c", "13-1-d", "13-1-e", "13-1-f",  # line 45: “一把手”要管好班子 … 防止“一签了之”
    "15-1-b",  # line 48: “一把手”带头开展批评和自我批评
    "16-1-g",  # line 49: 实行重要事项审议领导班子成员逐位表态和“一把手”末位表态制
    "18-1-b", "18-1-c",  # line 52: “一把手”要定期听取班子其他成员 … 发现责任落实不到位的及时约谈
]


@pytest.mark.parametrize("name", ["一把手", "number-one-leader", "number-one leader", "NUMBER-ONE LEADER"])
def test_actor_duties_of_the_number_one_leader_named_any_way(store, name):
    """What must a 一把手 do? Every clause whose subject is “一把手” or a kind of it, in document order."""
    rows = ask(store, "actor-duties", {"actor": name})
    assert column(rows, "obligation") == NUMBER_ONE_LEADER_DUTIES
    assert {(r["actor_zh"], r["actor_en"]) for r in rows} == {("一把手", "number-one leader")}
    modality = {r["obligation"]: r["modality"] for r in rows}
    assert modality["13-1-f"] == "Prohibition"  # 防止“一签了之”
    assert {r["obligation"]: r["frequencies"] for r in rows if r["obligation"].startswith("6-1")} == {
        "6-1-a": "每年", "6-1-b": "新任职时", "6-1-c": "定期", "6-1-d": "发生重大问题时", "6-1-e": "定期",
    }


def test_actor_duties_of_a_higher_level_number_one_leader_are_item_6_1(store):
    """What must 上级“一把手” do? line 28: the annual report duty and the four parts of 三访一谈 — a
    subset of what every 一把手 owes."""
    rows = ask(store, "actor-duties", {"actor": "上级“一把手”"})
    assert column(rows, "obligation") == ["6-1-a", "6-1-b", "6-1-c", "6-1-d", "6-1-e"]
    assert set(column(rows, "obligation")) < set(NUMBER_ONE_LEADER_DUTIES)
    assert ask(store, "actor-duties", {"actor": "upper-number-one-leader"}) == rows


def test_actor_duties_of_纪委书记_include_what_the_university_discipline_head_owes(store):
    """What must a 纪委书记 do? line 38 (纪委书记、纪检监察部门、基层党组织纪检委员要 …) and, since the
    校纪委主要负责人 is a 纪委书记, line 58 (校纪委主要负责人应主动 … 谈心谈话 … 记录存档)."""
    rows = ask(store, "actor-duties", {"actor": "纪委书记"})
    assert column(rows, "obligation") == ["9-4-a", "9-4-b", "9-4-c", "22-1-a", "22-1-b", "22-1-c", "22-1-d"]


def test_actor_duties_of_leadership_team_members_include_the_permission_to_report_directly(store):
    """line 47: 发现“一把手”存在重要问题的可直接向上级党组织报告 — a permission of 领导班子成员."""
    rows = {r["obligation"]: r["modality"] for r in ask(store, "actor-duties", {"actor": "领导班子成员"})}
    assert rows["14-1-d"] == "Permission"
    assert rows["14-1-a"] == "Duty"  # 领导班子成员之间应当经常交换意见


def test_actor_duties_without_an_actor_lists_each_obligation_under_its_actors_and_their_broader_actors(store):
    """Every obligation appears under each actor the curation names and each broader actor of those."""
    actors = {a["actor"]: a for a in read_csv("actors.csv")}

    def with_broader(key):
        while key:
            yield key
            key = actors[key]["broader"]

    expected = {
        (actors[b]["label_zh"], o["obligation"])
        for o in read_csv("obligations.csv") for a in keys(o["actors"]) for b in with_broader(a)
    }
    rows = ask(store, "actor-duties")
    assert {(r["actor_zh"], r["obligation"]) for r in rows} == expected
    assert len(rows) == len(expected)
    assert {r["obligation"] for r in rows} == {o["obligation"] for o in read_csv("obligations.csv")}


def test_actor_duties_of_an_unknown_actor_is_empty(store):
    """What must a 二把手 do? The text names no such actor, so nothing."""
    assert ask(store, "actor-duties", {"actor": "二把手"}) == []


# --- acting-not-accountable ---------------------------------------------------------------------------

def test_acting_not_accountable_lists_bodies_the_text_makes_act_outside_the_accountable_units(store):
    """Where does the body that must act differ from the units that answer (责任单位)?"""
    expected = {
        ("4-1", "领导班子"),  # line 24: “一把手”和领导班子必须 … ; units 各级党组织，组织部、纪检监察部门
        ("5-2", "校党委"),  # line 26: 学校党委要带头落实主体责任 … ; unit 组织部
        ("12-2", "校纪委"),  # line 43: 建立健全校纪委、组织部负责人同 … 谈话制度 ; units 纪检监察部门、组织部
        ("15-1", "领导班子"),  # line 48: 领导班子 … 应专门召开民主生活会 ; units 各级党组织，组织部、纪检监察部门
        ("16-1", "领导班子"),  # line 49: 意见分歧较大时应当暂缓表决 … ; units 党委办公室，各级党组织
        ("19-1", "领导班子"),  # line 54: 领导班子和领导干部 … 应当坚决抵制 ; units 各级党组织,组织部、纪检监察部门
        ("21-1", "校纪委"),  # line 57: 校纪委结合监督办案实际 … ; unit 纪检监察部门
        ("22-1", "上级纪委监委"),  # line 58 (curation: who holds the discipline head to account) ; unit 纪检监察部门
        ("27-1", "校党委"),  # line 66: 校党委统一确定或批准 … ; unit 组织部
        ("31-1", "校党委"),  # line 75: 校党委要把信访举报工作纳入主体责任内容 ; units 党委办公室、纪检监察部门
        # Not 7-1: line 30 makes 各基层党委（党总支）、党工委、直属党支部 act, and they are among the
        # accountable 各级党组织 (the curation itself files 基层党组织 under 各级党组织 as its broader actor).
    }
    rows = ask(store, "acting-not-accountable")
    assert {(r["item"], r["actor_zh"]) for r in rows} == expected
    for row in rows:
        assert set(row["accountable_units"].split("、")) == set(ITEMS[row["item"]][1]), row["item"]


def test_acting_not_accountable_never_reports_a_role_or_a_body_that_is_itself_accountable_there(store):
    """Roles (一把手, 领导班子成员 …) are never units; a body that is one of the item's units is no difference."""
    roles = {a["label_zh"] for a in read_csv("actors.csv") if a["kind"] == "role"}
    rows = ask(store, "acting-not-accountable")
    assert rows
    assert not {r["actor_zh"] for r in rows} & roles
    for row in rows:
        assert row["actor_zh"] not in ITEMS[row["item"]][1]
    items = column(rows, "item")
    assert items == sorted(items, key=lambda i: list(ITEMS).index(i))  # document order


# --- editorial-notes ----------------------------------------------------------------------------------

def test_editorial_notes_read_each_slip_of_the_source_without_changing_it(store):
    """Where does the source look mistaken, and how do the editors read it?"""
    rows = ask(store, "editorial-notes")
    assert [(r["target"].removeprefix(ID), r["verbatim"], r["reading"]) for r in rows] == [
        # line 25: a unit cell split at 、 leaves an elliptical second unit (no position: sorts first)
        ("unit/liaised-secondary-college-party-organisations", "联系的二级学院党组织", "校党委常委联系的二级学院党组织"),
        ("category/1", "压实全面 从严治政 治责任", "压实全面从严治党政治责任"),  # line 20: 党 missing
        ("measure/4", "“一把手和领导班子自觉接受监督", "“一把手”和领导班子自觉接受监督"),  # line 24: unclosed quote
        ("item/10-1", "抄报学校党委、与分管校领导", "抄报学校党委与分管校领导"),  # line 39
        ("item/15-1", "收到诫勉谈话", "受到诫勉谈话"),  # line 48
        ("measure/17", "权利运行", "权力运行"),  # line 51
        ("item/17-1", "科学配置权利", "科学配置权力"),  # line 51
        ("item/20-1", "冲突问题", "突出问题"),  # line 55
        ("item/20-1", "有利措施", "有力措施"),  # line 55
        ("item/36-1", "执纪执法权利运行", "执纪执法权力运行"),  # line 85
    ]
    lines = [25, 20, 24, 39, 48, 51, 51, 55, 55, 85]
    for row, line in zip(rows, lines):
        assert row["verbatim"] in SOURCE_LINES[line - 1]
        assert row["reading"] not in SOURCE_LINES[line - 1]
        assert row["note"]
    # the resources keep the printed words as their labels
    labels = {r["target"].removeprefix(ID): r["label"] for r in rows}
    assert labels["measure/17"] == "健全领导班子权利运行制约机制"
    assert labels["measure/4"] == "“一把手和领导班子自觉接受监督"
    assert labels["item/20-1"] == "20-1 健全常态化政治生态分析研判机制"


def test_editorial_notes_are_those_of_the_curation_table(store):
    """Are all the editors' notes in the graph, with their explanations? Exactly the rows of editorial_notes.csv."""
    notes = read_csv("editorial_notes.csv")
    rows = ask(store, "editorial-notes")
    assert sorted((r["verbatim"], r["reading"], r["note"]) for r in rows) == sorted(
        (n["verbatim"], n["reading"], n["note_en"]) for n in notes
    )


# --- the dutygraph query command ----------------------------------------------------------------------

def test_cli_query_list_names_all_17_canned_queries(run_cli):
    """`dutygraph query --list` shows every canned question."""
    table = run_cli("query", "--list")
    assert table.returncode == 0, table.stderr
    listed = [line.split()[0] for line in table.stdout.splitlines()[2:-1]]
    assert listed == CANNED_QUERIES
    assert table.stdout.rstrip().endswith("(17 rows)")
    as_json = run_cli("query", "--list", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    entries = {e["name"]: e["parameters"] for e in json.loads(as_json.stdout)}
    assert sorted(entries) == CANNED_QUERIES
    assert entries["unit-duties"] == ["unit:string"] and entries["measure-units"] == ["measure:integer"]


def test_cli_query_unit_duties_as_json(run_cli):
    """`dutygraph query unit-duties --param unit=审计处 --format json`: the five items of 审计处 (lines 37-84)."""
    result = run_cli("query", "unit-duties", "--param", "unit=审计处", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["item"], r["measure"]) for r in rows] == [("9-3", 9), ("11-1", 11), ("29-1", 29), ("30-1", 30), ("35-1", 35)]
    assert {r["unit_iri"] for r in rows} == {ID + "unit/audit-office"}


def test_cli_query_unit_duties_as_csv(run_cli):
    """The same question named in English, as CSV: a header row of the query's variables, then the rows."""
    result = run_cli("query", "unit-duties", "--param", "unit=audit office", "--format", "csv")
    assert result.returncode == 0, result.stderr
    reader = csv.DictReader(io.StringIO(result.stdout))
    rows = list(reader)
    assert reader.fieldnames == ["item", "measure", "measure_zh", "measure_en", "summary", "unit_iri"]
    assert [(r["item"], r["measure"], r["measure_zh"]) for r in rows] == [
        ("9-3", "9", "贯彻执行民主集中制"), ("11-1", "11", "完善对“一把手”的审计监督机制"),
        ("29-1", "29", "优化对领导班子和领导干部的考核"), ("30-1", "30", "建立健全领导干部廉政档案"),
        ("35-1", "35", "推动各类监督贯通协调"),
    ]


def test_cli_query_sparql_lists_the_13_accountable_units(run_cli):
    """`dutygraph query --sparql …` with the predeclared prefixes: the Chinese names of the units."""
    sparql = 'SELECT ?name WHERE { ?u a dg:AccountableUnit ; rdfs:label ?name . FILTER(lang(?name) = "zh") } ORDER BY ?name'
    result = run_cli("query", "--sparql", sparql, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert sorted(r["name"] for r in json.loads(result.stdout)) == sorted(UNITS)


def test_cli_query_sparql_syntax_error_exits_2_with_a_message(run_cli):
    """A malformed --sparql query is bad input: exit code 2 and a message on stderr, nothing on stdout."""
    result = run_cli("query", "--sparql", "SELECT ?x WHERE { ?x a dg:Measure")
    assert result.returncode == 2
    assert "SPARQL syntax error" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["query", "no-such-query"], "no canned query"),
    (["query", "unit-duties"], "needs the parameter 'unit'"),
    (["query", "measure-units", "--param", "measure=nine"], "whole number"),
    (["query", "unit-duties", "--param", "unit=审计处", "--param", "dept=x"], "has no parameter"),
])
def test_cli_query_bad_usage_exits_2_with_a_message(run_cli, args, message):
    """An unknown query, a missing or unknown parameter, a non-number: exit code 2 with a message saying what."""
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
