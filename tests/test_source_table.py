"""The source table parser: the counts and cells it reads come from the text itself."""

import pytest

from dutygraph.source_table import SourceFormatError, parse_source, split_units

EXPECTED_UNITS = [
    "各级党组织", "组织部", "纪检监察部门", "校党委常委分管的部门", "联系的二级学院党组织", "党委办公室",
    "党委巡察工作办公室", "审计处", "各巡察组", "纪委办公室", "宣传部", "计划财务处", "工会",
]


def test_the_table_parses_to_5_categories_37_measures_56_items_13_units(table):
    assert table.counts() == {"categories": 5, "measures": 37, "items": 56, "units": 13}
    assert table.units == EXPECTED_UNITS


def test_categories_repeated_at_page_breaks_continue_the_category(table):
    """加强对 “一把手” 的监督 is printed five times (lines 22, 24, 30, 35, 41) but is one category."""
    assert [(c.number, c.title, [m.number for m in c.measures]) for c in table.categories] == [
        (1, "压实全面从严治政治责任", [1, 2]),
        (2, "加强对“一把手”的监督", list(range(3, 13))),
        (3, "加强同级领导班子监督", list(range(13, 23))),
        (4, "加强对下级领导班子的监督", list(range(23, 34))),
        (5, "加强组织领导", [34, 35, 36, 37]),
    ]


def test_blank_measure_cells_continue_the_measure_above(table):
    items_per_measure = {m.number: len(m.items) for m in table.measures}
    # lines 25-27: measure 5 has three rows; lines 35-38: measure 9 has four
    assert items_per_measure[5] == 3 and items_per_measure[9] == 4
    assert items_per_measure[7] == 3 and items_per_measure[27] == 3 and items_per_measure[31] == 3
    assert sum(items_per_measure.values()) == 56


def test_every_item_keeps_its_verbatim_text_and_position(table, source_text):
    for item in table.items:
        assert source_text[item.span.start:item.span.end] == item.text
        assert source_text.split("\n")[item.span.line - 1].split("\t")[2] == item.text
        assert source_text[item.units_span.start:item.units_span.end] == item.units_verbatim


def test_measure_titles_keep_the_printed_cell_and_a_squeezed_title(table):
    measure_2 = table.measures[1]
    assert measure_2.verbatim == "突出抓好 政治监督" and measure_2.title == "突出抓好政治监督"
    assert table.measures[3].title == "“一把手和领导班子自觉接受监督"  # the unbalanced quote is kept


@pytest.mark.parametrize("cell, units", [
    ("各级党组织，组织部、 纪检监察部门", ["各级党组织", "组织部", "纪检监察部门"]),
    ("党委办公室，各级党 组织", ["党委办公室", "各级党组织"]),
    ("党委办公室, 各级党组织", ["党委办公室", "各级党组织"]),
    ("校党委常委分管的部门、联系的二级学院党组织", ["校党委常委分管的部门", "联系的二级学院党组织"]),
])
def test_unit_cells_split_on_enumeration_commas_and_lose_line_break_spaces(cell, units):
    assert split_units(cell) == units


HEADER = "类别\t工作措施\t主要内容\t责任单位\n"


@pytest.mark.parametrize("body, message", [
    ("甲\t1.措施\t内容\t组织部\n甲\t3.跳号\t内容\t组织部\n", "measure 3 where 2 was expected"),
    ("甲\t1.措施\t内容\n", "expected 4 tab-separated cells, found 3"),
    ("甲\t1.措施\t\t组织部\n", "empty 主要内容 cell"),
    ("甲\t1.措施\t内容\t \n", "empty 责任单位 cell"),
    ("甲\t措施\t内容\t组织部\n", "is not 'N.title'"),
    ("甲\t1.措施\t内容\t组织部\n乙\t\t内容\t组织部\n", "blank measure cell with no measure above it"),
    ("甲\t1.措施\t内容\t组织部\n乙\t2.措施\t内容\t组织部\n甲\t3.措施\t内容\t组织部\n", "resumes after another one"),
])
def test_a_table_that_breaks_the_layout_is_refused_with_its_line(body, message):
    with pytest.raises(SourceFormatError, match=message) as error:
        parse_source("title\n\n" + HEADER + body)
    assert error.value.line >= 4


def test_a_text_without_the_table_header_is_refused():
    with pytest.raises(SourceFormatError, match="no table header"):
        parse_source("just a notice\n")
