"""Day numbers for every xsd:date of a run, so that duty shapes can subtract dates.

SPARQL engines disagree on xsd:date arithmetic (rdflib yields xsd:duration values it cannot compare
with xsd:dayTimeDuration; Oxigraph does not add a duration to a date), so a run derives, once, an
integer day number beside each date: the Julian day number less its constant, computed with
YEAR/MONTH/DAY and FLOOR, which every SPARQL 1.1 engine has.

On an external engine (``EngineDataset``) the numbers are computed here, with ``day_number``,
as the run's data is written there: every chunk of records, of the institution and of the reporting
periods is sent with the day numbers of its dates, into the run's work graph
(``TermMapping.day_numbers``), so ``derive_day_numbers`` has nothing left to do. The document
graph, copied there by the engine, holds no date (tests/test_engine_validation.py checks it). At
10^7 record triples (1,432,625 dates) that made the loading 24 s longer (61 s to 85 s) where the
embedded path's INSERT … WHERE, run on Virtuoso 7.2, took 40 s (docs/external-engine.md).
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from ..namespaces import DG

# (date property, day-number property)
DAY_PROPERTIES = (
    ("date", "dateDay"), ("startDate", "startDay"), ("endDate", "endDay"),
    ("noticeDate", "noticeDay"), ("reportDate", "reportDay"), ("periodEnd", "periodEndDay"),
)

XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
DAY_PREDICATES = {ox.NamedNode(str(DG[date])): ox.NamedNode(str(DG[day])) for date, day in DAY_PROPERTIES}

PROLOGUE = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
TEMPLATE = "?subject <{day}> ?dayNumber"
# The day number of ?d (an xsd:date), bound to ?dayNumber.
EXPRESSIONS = """
  BIND(FLOOR((14 - MONTH(?d)) / 12) AS ?a)
  BIND(YEAR(?d) + 4800 - ?a AS ?y)
  BIND(MONTH(?d) + 12 * ?a - 3 AS ?m)
  BIND(xsd:integer(DAY(?d) + FLOOR((153 * ?m + 2) / 5) + 365 * ?y + FLOOR(?y / 4) - FLOOR(?y / 100) + FLOOR(?y / 400)) AS ?dayNumber)
"""
DATES = """
  ?subject <{date}> ?d .
  FILTER(DATATYPE(?d) = xsd:date)"""
WHERE = DATES + EXPRESSIONS

DERIVE = PROLOGUE + "INSERT {{ " + TEMPLATE + " }}\nWHERE {{" + WHERE + "}}\n"


def day_number(year: int, month: int, day: int) -> int:
    """What EXPRESSIONS compute, in Python."""
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400


_DATE = re.compile(r"^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?$")


def date_parts(lexical: str) -> tuple[int, int, int] | None:
    """(year, month, day) of an xsd:date's lexical form, as YEAR/MONTH/DAY read it; None when it has
    not that form."""
    match = _DATE.match(lexical)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def derive_day_numbers(store) -> None:
    if getattr(store, "remote", False):
        return  # written with the data (see the module docstring)
    for date_property, day_property in DAY_PROPERTIES:
        store.update(DERIVE.format(date=DG[date_property], day=DG[day_property]))
