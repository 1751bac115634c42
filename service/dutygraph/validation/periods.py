"""Reporting periods: the calendar years whose records are checked."""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import BASE, DG

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

# The years of the records' own dates: dg:date of every record that is not part of another record
# (an expert review, a promotion check or an evaluation is dated before or after the record it
# belongs to, and a span's start may lie years back; neither says which year is being reported).
_RECORD = f"a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{DG.Record}>"
_DATED_RECORD = f"?record <{DG.date}> ?date . FILTER(DATATYPE(?date) = <{XSD}date>) ?record {_RECORD} ."
# Two counts per year, not one query that leaves out the parts (OPTIONAL { ?parent ?part ?record }
# FILTER(!BOUND(?parent))): Oxigraph builds that OPTIONAL's side over every record's triples, which
# grew x18 from 10^6 to 10^7 record triples (1.3 s to 23.6 s); the two counts took 0.9 s at 10^6 and
# 10.0 s at 10^7.
# A year has a record that is no part of another iff it has more dated records than dated parts.
DATED_RECORDS_BY_YEAR = f"""
SELECT ?year (COUNT(DISTINCT ?record) AS ?records) WHERE {{
  {_DATED_RECORD}
  BIND(YEAR(?date) AS ?year)
}} GROUP BY ?year
"""
DATED_PARTS_BY_YEAR = f"""
SELECT ?year (COUNT(DISTINCT ?record) AS ?records) WHERE {{
  {_DATED_RECORD}
  ?parent ?part ?record . ?parent {_RECORD}
  BIND(YEAR(?date) AS ?year)
}} GROUP BY ?year
"""


def period_iri(year: int) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}period/{year}")


def years_of_records(store: ox.Store) -> list[int]:
    """The years in which the records have dated activities, documents or spans (their own dates,
    not those of the records they are part of)."""
    def by_year(query: str) -> dict[int, int]:
        return {int(row["year"].value): int(row["records"].value) for row in store.query(query)
                if row["year"] is not None}

    parts = by_year(DATED_PARTS_BY_YEAR)
    return sorted(year for year, records in by_year(DATED_RECORDS_BY_YEAR).items() if records > parts.get(year, 0))


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
