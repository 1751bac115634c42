"""Day numbers for every xsd:date of a run, so that duty shapes can subtract dates.

SPARQL engines disagree on xsd:date arithmetic (rdflib yields xsd:duration values it cannot compare
with xsd:dayTimeDuration; Oxigraph does not add a duration to a date), so a run derives, once, an
integer day number beside each date: the Julian day number less its constant, computed with
YEAR/MONTH/DAY and FLOOR, which every SPARQL 1.1 engine has.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import DG

# (date property, day-number property)
DAY_PROPERTIES = (
    ("date", "dateDay"), ("startDate", "startDay"), ("endDate", "endDay"),
    ("noticeDate", "noticeDay"), ("reportDate", "reportDay"), ("periodEnd", "periodEndDay"),
)

DERIVE = """
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT {{ ?subject <{day}> ?dayNumber }}
WHERE {{
  ?subject <{date}> ?d .
  FILTER(DATATYPE(?d) = xsd:date)
  BIND(FLOOR((14 - MONTH(?d)) / 12) AS ?a)
  BIND(YEAR(?d) + 4800 - ?a AS ?y)
  BIND(MONTH(?d) + 12 * ?a - 3 AS ?m)
  BIND(xsd:integer(DAY(?d) + FLOOR((153 * ?m + 2) / 5) + 365 * ?y + FLOOR(?y / 4) - FLOOR(?y / 100) + FLOOR(?y / 400)) AS ?dayNumber)
}}
"""


def derive_day_numbers(store: ox.Store) -> None:
    for date_property, day_property in DAY_PROPERTIES:
        store.update(DERIVE.format(date=DG[date_property], day=DG[day_property]))
