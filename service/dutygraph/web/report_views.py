"""A run's results as the pages show them: grouped by accountable unit and by measure, with links.

The results are those of ``validate --format json`` (``DutyResult.as_json``), kept with the run.
Links stay on this site: a document IRI ``https://w3id.org/dutygraph/X`` is served at ``/X``
(``/id/item/9-2``, ``/shapes/duties#SitInShape``; ontology terms have no page and are not linked),
and a record of the run — an IRI of the institution's own, which this site does not serve — at
``/runs/ID/records/resource?iri=…``. No page links to another site, so reading a report never tells
anyone else which records it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

SEVERITY_ORDER = ("Violation", "Warning", "Info")
SITE_BASE = "https://w3id.org/dutygraph/"


SERVED = ("id/", "shapes/")  # the resource pages and the duty shapes; the ontology has no page (yet)


def local_path(iri: str | None) -> str | None:
    """The path of this site that serves a document IRI, or None for any other IRI."""
    if not iri or not iri.startswith(SITE_BASE) or not iri[len(SITE_BASE):].startswith(SERVED):
        return None
    return "/" + iri[len(SITE_BASE):]


def record_path(run_id: str, iri: str) -> str:
    return f"/runs/{run_id}/records/resource?iri={quote(iri, safe='')}"


def is_iri(text: str | None) -> bool:
    """Whether a focus node or value is an IRI (a blank node of the report names nothing to link)."""
    return bool(text) and ("://" in text or text.startswith("urn:"))


def worst(severities) -> str | None:
    """The most severe of severities (Violation, then Warning, then Info), or None when there is none."""
    present = set(severities)
    return next((s for s in SEVERITY_ORDER if s in present), None)


def unit_key(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class Group:
    """The results under one unit or one measure."""

    key: str
    iri: str
    labels: dict
    results: list[dict] = field(default_factory=list)

    @property
    def path(self) -> str | None:
        return local_path(self.iri)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.results if r["severity"] == s) for s in SEVERITY_ORDER}

    @property
    def worst(self) -> str | None:
        return worst(r["severity"] for r in self.results)


def by_unit(results: list[dict]) -> list[Group]:
    """One group per accountable unit (a result owed by two units is in both), most results first."""
    groups: dict[str, Group] = {}
    for result in results:
        for unit in result.get("units", []):
            group = groups.setdefault(unit["iri"], Group(unit_key(unit["iri"]), unit["iri"],
                                                         {"zh": unit.get("zh", ""), "en": unit.get("en", "")}))
            group.results.append(result)
    return sorted(groups.values(), key=lambda g: (-len(g.results), g.labels["zh"], g.key))


def by_measure(results: list[dict], measure_labels: dict[int, dict] | None = None) -> list[Group]:
    """One group per measure, in the document's order; labels from the document when given."""
    groups: dict[int, Group] = {}
    for result in results:
        number = result["measure"]
        group = groups.get(number)
        if group is None:
            facts = (measure_labels or {}).get(number, {})
            group = groups[number] = Group(str(number), f"{SITE_BASE}id/measure/{number}",
                                           {"zh": facts.get("zh", ""), "en": facts.get("en", "")})
        group.results.append(result)
    return [groups[number] for number in sorted(groups)]


def message(result: dict, lang: str) -> str:
    """The result's message in lang, else in the other language."""
    messages = result.get("message") or {}
    return messages.get(lang) or next((m for m in messages.values() if m), "")
