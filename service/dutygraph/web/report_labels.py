"""What the report pages need from the document: the accountable units and measures, with their
labels, and which (unit, measure) pairs the duty shapes check at all.

A result names its units and measure, but a page of results also needs what has *no* result: the
compliance matrix tells "checked, nothing found" (0) from "no duty shape checks this unit under this
measure" (—), which only the shapes (``dg:enforces`` an item) and the document (the item's measure
and accountable units) say. The document graph and the shapes change only with a new version of
the service, so this is read once per app, from the service store's default graph.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import current_app

from ..namespaces import DG, PREFIXES
from .store_access import service_store

_LOCK = threading.Lock()
_KEY = "dutygraph.report_labels"

UNITS = """
SELECT ?unit ?zh ?en (COUNT(DISTINCT ?item) AS ?items) WHERE {
  ?unit a dg:AccountableUnit ; rdfs:label ?zh , ?en . FILTER(lang(?zh) = "zh" && lang(?en) = "en")
  OPTIONAL { ?item dg:accountableUnit ?unit }
} GROUP BY ?unit ?zh ?en
"""
MEASURES = """
SELECT ?measure ?number ?zh ?en WHERE {
  ?measure a dg:Measure ; dg:number ?number ; rdfs:label ?zh , ?en . FILTER(lang(?zh) = "zh" && lang(?en) = "en")
}
"""
ITEM_UNITS = """
SELECT ?item ?measure ?unit WHERE { ?item a dg:ContentItem ; dg:ofMeasure/dg:number ?measure ; dg:accountableUnit ?unit }
"""


@dataclass(frozen=True)
class DocumentFacts:
    units: list[dict]  # {iri, key, zh, en, items}, most items first
    measures: dict[int, dict]  # number -> {iri, zh, en}
    checked: frozenset[tuple[str, int]]  # (unit IRI, measure number) that some duty shape checks
    checked_measures: tuple[int, ...]


def _read() -> DocumentFacts:
    from ..validation.run import load_shapes

    store = service_store().store
    units = [{"iri": r["unit"].value, "key": r["unit"].value.rsplit("/", 1)[-1], "zh": r["zh"].value,
              "en": r["en"].value, "items": int(r["items"].value)} for r in store.query(UNITS, prefixes=PREFIXES)]
    units.sort(key=lambda u: (-u["items"], u["zh"]))
    measures = {int(r["number"].value): {"iri": r["measure"].value, "zh": r["zh"].value, "en": r["en"].value}
                for r in store.query(MEASURES, prefixes=PREFIXES)}
    enforced = {str(item) for item in load_shapes("duties.ttl").objects(None, DG.enforces)}
    checked = {(r["unit"].value, int(r["measure"].value)) for r in store.query(ITEM_UNITS, prefixes=PREFIXES)
               if r["item"].value in enforced}
    return DocumentFacts(units, measures, frozenset(checked), tuple(sorted({m for _, m in checked})))


def document_facts() -> DocumentFacts:
    facts = current_app.extensions.get(_KEY)
    if facts is None:
        with _LOCK:
            facts = current_app.extensions.get(_KEY)
            if facts is None:
                facts = current_app.extensions[_KEY] = _read()
    return facts
