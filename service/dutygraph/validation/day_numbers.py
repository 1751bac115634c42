"""Day numbers for every xsd:date of a run, so that duty shapes can subtract dates.

SPARQL engines disagree on xsd:date arithmetic (rdflib yields xsd:duration values it cannot compare
with xsd:dayTimeDuration; Oxigraph does not add a duration to a date), so a run derives, once, an
integer day number beside each date: the Julian day number less its constant, computed with
YEAR/MONTH/DAY and FLOOR, which every SPARQL 1.1 engine has.

On an external engine (``EngineDataset``) the same expressions run there, as one INSERT … WHERE per
date property into the run's work graph, when the engine computes them as Oxigraph does (checked
once per engine: Virtuoso divides integers as integers, which FLOOR makes the same here); else the
dates are read with SELECT and the numbers computed here are written with INSERT DATA.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import DG

# (date property, day-number property)
DAY_PROPERTIES = (
    ("date", "dateDay"), ("startDate", "startDay"), ("endDate", "endDay"),
    ("noticeDate", "noticeDay"), ("reportDate", "reportDay"), ("periodEnd", "periodEndDay"),
)

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


def derive_day_numbers(store) -> None:
    if getattr(store, "remote", False):
        _derive_on_engine(store)
        return
    for date_property, day_property in DAY_PROPERTIES:
        store.update(DERIVE.format(date=DG[date_property], day=DG[day_property]))


def _derive_on_engine(dataset) -> None:
    from .engine_dataset import date_parts, engine_day_numbers_agree

    def expected(lexical: str) -> int:
        return day_number(*date_parts(lexical))

    if engine_day_numbers_agree(dataset.store, EXPRESSIONS, expected):
        for date_property, day_property in DAY_PROPERTIES:
            dataset.insert_where(TEMPLATE.format(day=DG[day_property]), WHERE.format(date=DG[date_property]),
                                 prefixes=PROLOGUE)
        return
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    for date_property, day_property in DAY_PROPERTIES:
        predicate = ox.NamedNode(str(DG[day_property]))
        query = PROLOGUE + "SELECT ?subject ?d WHERE {" + DATES.format(date=DG[date_property]) + "}"
        quads = []
        for row in dataset.engine_query(query):
            parts = date_parts(row["d"].value)
            if parts is not None:  # what YEAR/MONTH/DAY cannot read gets no number, as on Oxigraph
                quads.append(ox.Quad(row["subject"], predicate, ox.Literal(str(day_number(*parts)), datatype=integer)))
        dataset.write_derived(quads)
