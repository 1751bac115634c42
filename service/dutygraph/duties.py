"""The who-owes-what table: one row per content item, with its units, actors, frequencies, mechanisms."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from .output_formats import plain
from .queries import QueryError, run_sparql

ITEMS = """
SELECT ?item ?key ?measure ?number ?category_zh ?category_en ?measure_zh ?measure_en ?text ?summary ?units_text WHERE {
  ?item a dg:ContentItem ; skos:notation ?key ; dg:number ?number ; dg:ofMeasure ?m ;
        dg:verbatimText ?text ; dg:summary ?summary ; dg:verbatimUnits ?units_text .
  ?m dg:number ?measure ; dg:inCategory ?c ;
     rdfs:label ?measure_zh , ?measure_en .
  FILTER(lang(?measure_zh) = "zh" && lang(?measure_en) = "en")
  ?c rdfs:label ?category_zh , ?category_en .
  FILTER(lang(?category_zh) = "zh" && lang(?category_en) = "en")
}
ORDER BY ?measure ?number
"""

# (field, SPARQL path from ?item to the linked resource); obligation-level links are gathered per item.
LINKS = {
    "units": "dg:accountableUnit",
    "actors": "dg:hasObligation/dg:actor",
    "targets": "dg:hasObligation/dg:target",
    "frequencies": "dg:hasObligation/dg:frequency",
    "mechanisms": "dg:hasObligation/dg:invokes",
    "regulations": "dg:hasObligation/dg:citesRegulation",
}

LINKED = """
SELECT DISTINCT ?item ?node ?zh ?en WHERE {{
  ?item a dg:ContentItem ; {path} ?node .
  ?node rdfs:label ?zh , ?en .
  FILTER(lang(?zh) = "zh" && lang(?en) = "en")
}}
ORDER BY ?item ?node
"""

UNITS = """
SELECT ?unit ?key ?zh ?en WHERE {
  ?unit a dg:AccountableUnit ; rdfs:label ?zh , ?en .
  FILTER(lang(?zh) = "zh" && lang(?en) = "en")
  BIND(STRAFTER(STR(?unit), "/unit/") AS ?key)
}
ORDER BY ?zh
"""


def resolve_unit(store: ox.Store, name: str) -> str:
    """The IRI of the unit whose Chinese name, English name (any case), key or IRI is `name`."""
    wanted = name.strip()
    units = run_sparql(store, UNITS).rows
    for row in units:
        candidates = {row["unit"].value, row["key"].value, row["zh"].value, row["en"].value.casefold()}
        if wanted in candidates or wanted.casefold() in candidates:
            return row["unit"].value
    known = "; ".join(f"{r['zh'].value} ({r['en'].value})" for r in units)
    raise QueryError(f"no accountable unit is named {name!r}; the units are: {known}")


def duties(store: ox.Store, unit: str | None = None) -> list[dict[str, Any]]:
    unit_iri = resolve_unit(store, unit) if unit else None
    linked: dict[str, dict[str, list[dict[str, str]]]] = {}
    for field, path in LINKS.items():
        for row in run_sparql(store, LINKED.format(path=path)).rows:
            entry = {"iri": row["node"].value, "zh": row["zh"].value, "en": row["en"].value}
            linked.setdefault(row["item"].value, {}).setdefault(field, []).append(entry)
    table = []
    for row in run_sparql(store, ITEMS).rows:
        iri = row["item"].value
        links = linked.get(iri, {})
        # units in the order the 责任单位 cell prints them
        printed = "".join(plain(row["units_text"]).split())
        links["units"] = sorted(links.get("units", []), key=lambda unit: printed.find(unit["zh"]))
        if unit_iri and unit_iri not in {u["iri"] for u in links.get("units", [])}:
            continue
        table.append({
            "key": plain(row["key"]),
            "measure": plain(row["measure"]),
            "item": plain(row["number"]),
            "iri": iri,
            "category": {"zh": plain(row["category_zh"]), "en": plain(row["category_en"])},
            "measure_title": {"zh": plain(row["measure_zh"]), "en": plain(row["measure_en"])},
            "text_zh": plain(row["text"]),
            "summary_en": plain(row["summary"]),
            **{field: links.get(field, []) for field in LINKS},
        })
    return table


TABLE_COLUMNS = ["key", "units", "actors", "frequencies", "mechanisms", "summary_en"]
CSV_COLUMNS = ["key", "measure", "item", "iri", "measure_title", "units", "actors", "targets",
               "frequencies", "mechanisms", "regulations", "text_zh", "summary_en"]


def for_display(rows: list[dict[str, Any]], language: str = "zh") -> list[dict[str, Any]]:
    """Rows with linked resources reduced to their labels in one language, for table and CSV."""
    flat = []
    for row in rows:
        out = dict(row)
        out["measure_title"] = row["measure_title"][language]
        out["category"] = row["category"][language]
        for field in LINKS:
            out[field] = [entry[language] for entry in row[field]]
        flat.append(out)
    return flat
