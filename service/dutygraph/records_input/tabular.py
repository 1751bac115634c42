"""Reading CSV files and XLSX sheets into rows of text, their header checked against the template.

Rows are numbered as a spreadsheet shows them (the header is row 1); wholly empty rows are skipped.
XLSX cells are turned into the text a CSV export would hold (a date cell gives ``YYYY-MM-DD``, a
TRUE cell ``true``), so that the same data gives the same quads in either form.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from .errors import ProblemLog
from .formats import decode_utf8
from .templates import TEMPLATES, TEMPLATES_BY_NAME, Template

# A workbook is a ZIP of XML parts: refuse one that would inflate beyond this (a "zip bomb"), or
# whose XML declares a DOCTYPE (entity expansion), before openpyxl parses anything.
XLSX_MAX_UNCOMPRESSED = 256 * 1024 * 1024
_XML_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)\b", re.IGNORECASE)


@dataclass
class Table:
    """The rows of one CSV file or XLSX sheet that follows ``template``."""

    file: str
    sheet: str | None
    template: Template
    positions: dict[str, int]  # column name -> index in a row's cells
    rows: list[tuple[int, tuple[str, ...]]]  # (row number, stripped cells), non-empty rows only


def read_csv(name: str, data: bytes, template: Template, problems: ProblemLog) -> Table | None:
    text = decode_utf8(name, data, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    row_number = 0
    try:
        for row_number, cells in enumerate(reader, start=1):
            records.append((row_number, cells))
    except csv.Error as error:
        problems.add(name, f"is not well-formed CSV: {error}", row=row_number + 1)
        return None
    return _table(name, None, template, records, problems)


def read_xlsx(name: str, data: bytes, problems: ProblemLog) -> list[Table] | None:
    """The sheets of a workbook, each named by a template; None after reporting a problem."""
    problems_before = problems.total
    if not _safe_workbook(name, data, problems):
        return None
    import openpyxl  # imported here: only workbooks need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (KeyError, InvalidFileException …) on bad files
        problems.add(name, f"is not a readable XLSX workbook: {error}")
        return None
    tables: list[Table] = []
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # stored dimensions may be wrong; read every row there is
            records = [
                (row_number, [_cell_text(value) for value in values])
                for row_number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
            ]
            template = TEMPLATES_BY_NAME.get(sheet.title.strip())
            if template is None:
                if any(any(cell for cell in cells) for _, cells in records):
                    problems.add(name, "is not named by a template: rename the sheet to one of "
                                 + ", ".join(t.name for t in TEMPLATES), sheet=sheet.title)
                continue
            table = _table(name, sheet.title, template, records, problems)
            if table is not None:
                tables.append(table)
    except Exception as error:
        problems.add(name, f"is not a readable XLSX workbook: {error}")
        return None
    finally:
        workbook.close()
    if not tables and problems.total == problems_before:
        problems.add(name, "has no sheet named by a template (" + ", ".join(t.name for t in TEMPLATES) + ")")
    return tables


def _safe_workbook(name: str, data: bytes, problems: ProblemLog) -> bool:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        problems.add(name, f"is not a readable XLSX workbook: {error}")
        return False
    with archive:
        members = archive.infolist()
        inflated = sum(member.file_size for member in members)
        if inflated > XLSX_MAX_UNCOMPRESSED:
            problems.add(name, f"would inflate to {inflated:,} bytes, over the limit of {XLSX_MAX_UNCOMPRESSED:,}")
            return False
        for member in members:
            if member.filename.endswith((".xml", ".rels")) and _declares_doctype(archive, member):
                problems.add(name, f"part {member.filename} has a DOCTYPE or ENTITY declaration, which is refused")
                return False
    return True


def _declares_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            if _XML_DECLARATION.search(tail + chunk):
                return True
            tail = chunk[-32:]  # a declaration split across two chunks
    return False


def _cell_text(value: object) -> str:
    """An XLSX cell's value as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        # A date cell is a datetime at midnight; any other time of day is kept, to be refused as a date.
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(file: str, sheet: str | None, template: Template, records: Iterable[tuple[int, list[str]]],
           problems: ProblemLog) -> Table | None:
    records = iter(records)
    header = next(records, None)
    if header is None or not any(cell.strip() for cell in header[1]):
        problems.add(file, f"has no header: the first row must name the columns of {template.name}",
                     row=1, sheet=sheet)
        return None
    positions = _check_header(file, sheet, template, [cell.strip() for cell in header[1]], problems)
    unnamed = {index for index, cell in enumerate(header[1]) if not cell.strip()}
    width = len(header[1])
    rows = []
    for row_number, cells in records:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        for index, cell in enumerate(cells):
            if cell and (index >= width or index in unnamed):
                problems.add(file, "a value in a column that has no name in the header",
                             row=row_number, column=str(index + 1), sheet=sheet)
        rows.append((row_number, tuple(cells[:width]) + ("",) * (width - len(cells))))
    return Table(file, sheet, template, positions, rows)


def _check_header(file: str, sheet: str | None, template: Template, names: list[str],
                  problems: ProblemLog) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            continue
        if name in positions:
            problems.add(file, "appears twice in the header", row=1, column=name, sheet=sheet)
        elif template.column(name) is None:
            expected = ", ".join(column.name for column in template.columns)
            problems.add(file, f"unknown column for template {template.name} (its columns: {expected})",
                         row=1, column=name, sheet=sheet)
        else:
            positions[name] = index
    for name in template.required_columns:
        if name not in positions:
            problems.add(file, f"required column of template {template.name} is missing", row=1, column=name,
                         sheet=sheet)
    return positions
