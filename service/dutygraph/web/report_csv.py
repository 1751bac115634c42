"""A run's results as CSV: one row per result, for a spreadsheet.

Columns (``HEADER``): ``measure`` (number), ``item`` (its key, ``9-2``), ``duty`` (the duty shape's
name, ``SitInShape``: the same in both languages, and its page is ``/shapes/duties#NAME``),
``severity`` (Violation, Warning, Info), ``period`` (the year judged, empty when none), ``focus``
(the offending record's IRI), ``value``, ``units`` (the accountable units' keys, ``;``-separated,
as in ``/id/unit/KEY``), ``message_zh``, ``message_en``. UTF-8 without a byte-order mark and CRLF
line ends, as the canned questions' CSV (``canned_queries``).
"""

from __future__ import annotations

import csv
import io

from .report_views import unit_key

HEADER = ("measure", "item", "duty", "severity", "period", "focus", "value", "units", "message_zh", "message_en")


def csv_row(result: dict) -> list[str]:
    period = result.get("period")
    return [str(result["measure"]), result["item_key"], result["shape"], result["severity"],
            "" if period is None else str(period), result["focus"], result.get("value") or "",
            ";".join(unit_key(u["iri"]) for u in result.get("units", [])),
            (result.get("message") or {}).get("zh", ""), (result.get("message") or {}).get("en", "")]


def report_csv(results: list[dict]) -> str:
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\r\n")
    writer.writerow(HEADER)
    for result in results:
        writer.writerow(csv_row(result))
    return body.getvalue()
