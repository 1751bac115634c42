"""Parse the responsibility list's four-column table out of the verbatim source text.

The source (data/source/changgongdang-2022-61.txt) is the notice as published: a preamble, then a
tab-separated table 类别 / 工作措施 / 主要内容 / 责任单位 whose pages are separated by blank lines.
Layout rules, taken from the document itself:

* a blank 类别 or 工作措施 cell continues the category or measure above it;
* at a page break the 类别 cell repeats the current category (sometimes with different line-break
  spaces), which continues that category rather than starting a new one;
* a 工作措施 cell reads "N.title" (sometimes "N. title"), numbered 1, 2, 3 ... without gaps;
* a 责任单位 cell lists units separated by 、 ， or , ; spaces left inside names by line breaks are
  removed ("各级党 组织" is 各级党组织).

Positions are kept so that every statement can be traced back: 1-based line numbers and 0-based,
end-exclusive offsets in Unicode code points into the decoded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADER = ("类别", "工作措施", "主要内容", "责任单位")
UNIT_SEPARATORS = re.compile(r"[、，,]")
MEASURE_CELL = re.compile(r"^(\d+)\.\s*(\S.*)$", re.DOTALL)
_WHITESPACE = re.compile(r"\s+")


class SourceFormatError(ValueError):
    """The source text does not have the table layout the parser expects."""

    def __init__(self, line: int, message: str):
        super().__init__(f"source line {line}: {message}")
        self.line = line


def squeeze(text: str) -> str:
    """Remove the spaces that line breaks left inside a Chinese title or name."""
    return _WHITESPACE.sub("", text)


@dataclass(frozen=True)
class Span:
    """Where a piece of text stands in the source: line (1-based) and code-point offsets."""

    line: int
    start: int
    end: int


@dataclass
class Category:
    number: int
    verbatim: str  # the cell as first printed, spaces included
    title: str  # spaces from line breaks removed
    span: Span
    measures: list["Measure"] = field(default_factory=list)


@dataclass
class Measure:
    number: int
    verbatim: str  # the cell text after "N.", spaces included
    title: str
    span: Span
    category: Category
    items: list["Item"] = field(default_factory=list)


@dataclass
class Item:
    measure: Measure
    number: int  # 1-based within the measure
    text: str  # verbatim 主要内容
    span: Span
    units_verbatim: str  # the 责任单位 cell as printed
    units_span: Span
    units: list[str]  # unit names in printed order, spaces removed

    @property
    def key(self) -> str:
        return f"{self.measure.number}-{self.number}"


@dataclass
class SourceTable:
    text: str
    header_line: int
    categories: list[Category]

    @property
    def measures(self) -> list[Measure]:
        return [m for c in self.categories for m in c.measures]

    @property
    def items(self) -> list[Item]:
        return [i for m in self.measures for i in m.items]

    @property
    def units(self) -> list[str]:
        """Distinct accountable units, in order of first appearance."""
        seen: dict[str, None] = {}
        for item in self.items:
            for unit in item.units:
                seen.setdefault(unit, None)
        return list(seen)

    def counts(self) -> dict[str, int]:
        return {
            "categories": len(self.categories),
            "measures": len(self.measures),
            "items": len(self.items),
            "units": len(self.units),
        }

    def locate(self, needle: str, within: Span) -> Span:
        """The span of `needle` inside the text covered by `within` (first occurrence)."""
        start = self.text.find(needle, within.start, within.end)
        if start < 0:
            raise KeyError(needle)
        line = self.text.count("\n", 0, start) + 1
        return Span(line, start, start + len(needle))


def split_units(cell: str) -> list[str]:
    names = [squeeze(part) for part in UNIT_SEPARATORS.split(cell)]
    return [name for name in names if name]


def parse_source(text: str) -> SourceTable:
    """Parse the whole table; raise SourceFormatError naming the line of any layout surprise."""
    lines = text.split("\n")
    offsets = []
    position = 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1

    header_index = next(
        (n for n, line in enumerate(lines) if tuple(line.split("\t")) == HEADER), None
    )
    if header_index is None:
        raise SourceFormatError(1, "no table header 类别/工作措施/主要内容/责任单位 found")

    categories: list[Category] = []
    category: Category | None = None
    measure: Measure | None = None

    for index in range(header_index + 1, len(lines)):
        line_no = index + 1
        raw = lines[index]
        if not raw.strip():
            continue  # page break
        cells = raw.split("\t")
        if len(cells) != 4:
            raise SourceFormatError(line_no, f"expected 4 tab-separated cells, found {len(cells)}")
        cell_spans = []
        cursor = offsets[index]
        for cell in cells:
            cell_spans.append(Span(line_no, cursor, cursor + len(cell)))
            cursor += len(cell) + 1
        category_cell, measure_cell, content_cell, units_cell = cells

        if category_cell.strip():
            title = squeeze(category_cell)
            if category is None or title != category.title:
                if any(c.title == title for c in categories):
                    raise SourceFormatError(line_no, f"category {title!r} resumes after another one")
                category = Category(len(categories) + 1, category_cell, title, cell_spans[0])
                categories.append(category)
        if category is None:
            raise SourceFormatError(line_no, "the first row has no category")

        if measure_cell.strip():
            match = MEASURE_CELL.match(measure_cell.strip())
            if not match:
                raise SourceFormatError(line_no, f"measure cell {measure_cell!r} is not 'N.title'")
            number = int(match.group(1))
            expected = measure.number + 1 if measure else 1
            if number != expected:
                raise SourceFormatError(line_no, f"measure {number} where {expected} was expected")
            verbatim = match.group(2)
            measure = Measure(number, verbatim, squeeze(verbatim), cell_spans[1], category)
            category.measures.append(measure)
        elif measure is None or measure.category is not category:
            raise SourceFormatError(line_no, "a blank measure cell with no measure above it in this category")

        if not content_cell.strip():
            raise SourceFormatError(line_no, "empty 主要内容 cell")
        units = split_units(units_cell)
        if not units:
            raise SourceFormatError(line_no, "empty 责任单位 cell")
        measure.items.append(
            Item(
                measure=measure,
                number=len(measure.items) + 1,
                text=content_cell,
                span=cell_spans[2],
                units_verbatim=units_cell,
                units_span=cell_spans[3],
                units=units,
            )
        )

    if not categories:
        raise SourceFormatError(header_index + 1, "the table has no rows")
    return SourceTable(text=text, header_line=header_index + 1, categories=categories)
