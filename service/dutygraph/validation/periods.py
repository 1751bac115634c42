"""Reporting periods: the calendar years whose records are checked."""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import BASE, DG

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

# The years of the records' own dates: dg:date of every record that is not part of another record
# (an expert review, a promotion check or an evaluation is dated before or after the record it
# belongs to, and a span's start may lie years back; neither says which year is being reported).
YEARS_OF_RECORDS = f"""
SELECT DISTINCT ?year WHERE {{
  ?record a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{DG.Record}> ; <{DG.date}> ?date .
  FILTER(DATATYPE(?date) = <{XSD}date>)
  OPTIONAL {{ ?parent ?part ?record . ?parent a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{DG.Record}> }}
  FILTER(!BOUND(?parent))  # (not FILTER NOT EXISTS, which Oxigraph 0.5 runs far slower here)
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
