"""Reporting periods: the calendar years whose records are checked."""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import BASE, DG

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

YEARS_OF_RECORDS = f"""
SELECT DISTINCT ?year WHERE {{
  ?record a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{DG.Record}> .
  {{ ?record <{DG.date}> ?date }} UNION {{ ?record <{DG.startDate}> ?date }} UNION {{ ?record <{DG.endDate}> ?date }}
  FILTER(DATATYPE(?date) = <{XSD}date>)
  BIND(YEAR(?date) AS ?year)
}}
"""


def period_iri(year: int) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}period/{year}")


def years_of_records(store: ox.Store) -> list[int]:
    """The years in which the records have dated activities, documents or spans."""
    return sorted(int(solution["year"].value) for solution in store.query(YEARS_OF_RECORDS))


def period_quads(years: list[int]) -> list[ox.Quad]:
    quads = []
    for year in years:
        node = period_iri(year)
        quads += [
            ox.Quad(node, RDF_TYPE, ox.NamedNode(str(DG.ReportingPeriod))),
            ox.Quad(node, ox.NamedNode(str(DG.year)), ox.Literal(str(year), datatype=ox.NamedNode(XSD + "integer"))),
            ox.Quad(node, ox.NamedNode(str(DG.periodStart)), ox.Literal(f"{year:04d}-01-01", datatype=ox.NamedNode(XSD + "date"))),
            ox.Quad(node, ox.NamedNode(str(DG.periodEnd)), ox.Literal(f"{year:04d}-12-31", datatype=ox.NamedNode(XSD + "date"))),
            ox.Quad(node, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(f"{year}年度", language="zh")),
            ox.Quad(node, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(f"year {year}", language="en")),
        ]
    return quads
