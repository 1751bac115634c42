"""Render query results and row lists as an aligned text table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from typing import Any

import pyoxigraph as ox

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
FORMATS = ("table", "json", "csv")


def plain(term: Any) -> Any:
    """A Python value for an RDF term: str for IRIs and text, int for integers, None if unbound."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        if term.datatype.value == XSD_INTEGER:
            return int(term.value)
        return term.value
    return term.value


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell_text(v) for v in value)
    if isinstance(value, dict):
        return " / ".join(str(v) for v in value.values() if v)
    return str(value)


def render_table(columns: list[str], rows: list[dict[str, Any]], max_width: int = 60) -> str:
    cells = [[_truncate(_cell_text(row.get(c)), max_width) for c in columns] for row in rows]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(_pad(v, w) for v, w in zip(r, widths)).rstrip() for r in cells)
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _truncate(text: str, max_width: int) -> str:
    text = " ".join(text.split())
    if display_width(text) <= max_width:
        return text
    out, width = [], 0
    for ch in text:
        width += display_width(ch)
        if width > max_width - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def render_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def render_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell_text(row.get(c)) for c in columns])
    return buffer.getvalue()


def render(columns: list[str], rows: list[dict[str, Any]], output_format: str) -> str:
    if output_format == "json":
        return render_json(rows)
    if output_format == "csv":
        return render_csv(columns, rows)
    return render_table(columns, rows)
