"""From the sh:ValidationReport to results a person can read: who failed which duty, under which
measure, in Chinese and English; grouped by accountable unit and by measure."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph, Namespace, URIRef

from ..namespaces import BASE, DG

SH = Namespace("http://www.w3.org/ns/shacl#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
SEVERITIES = ("Violation", "Warning", "Info")
PERIOD_PREFIX = f"{BASE}period/"


@dataclass
class DutyResult:
    measure: int
    item: int
    item_key: str
    item_iri: str
    shape: str
    shape_iri: str
    shape_label: dict[str, str]
    severity: str
    focus: str
    value: str | None
    units: list[dict[str, str]]
    message: dict[str, str]
    period: int | None
    constraint: str | None = field(default=None, repr=False)

    def as_json(self) -> dict:
        return {
            "measure": self.measure, "item": self.item, "item_key": self.item_key, "item_iri": self.item_iri,
            "shape": self.shape, "shape_iri": self.shape_iri, "duty": self.shape_label, "severity": self.severity,
            "focus": self.focus, "value": self.value, "units": self.units, "message": self.message,
            "period": self.period,
        }

    def sort_key(self):
        return (self.measure, self.item, self.shape, self.period or 0, self.focus, self.value or "", self.message.get("en", ""))


ITEM_FACTS = """
SELECT ?item ?key ?measure ?number ?unit ?unit_zh ?unit_en WHERE {
  ?item a dg:ContentItem ; skos:notation ?key ; dg:number ?number ; dg:ofMeasure/dg:number ?measure ;
        dg:accountableUnit ?unit .
  ?unit rdfs:label ?unit_zh , ?unit_en . FILTER(lang(?unit_zh) = "zh" && lang(?unit_en) = "en")
}
"""

# Each predicate named (not VALUES ?p): with the predicate unknown, Virtuoso at 10^7 sometimes read
# every dated triple for each chunk of focus nodes (6 s a chunk instead of 0.02 s).
FOCUS_DATES = f"""
SELECT ?focus (MIN(?date) AS ?first) WHERE {{
  {{ ?focus <{DG.date}> ?date }} UNION {{ ?focus <{DG.startDate}> ?date }}
}} GROUP BY ?focus
"""


def _shape_facts(shapes: Graph) -> dict[URIRef, dict]:
    facts = {}
    for shape in set(shapes.subjects(DG.enforces, None)):
        labels = {label.language: str(label) for label in shapes.objects(shape, RDFS_LABEL)}
        facts[shape] = {"item": str(shapes.value(shape, DG.enforces)), "label": labels}
    return facts


def _item_facts(store: ox.Store) -> dict[str, dict]:
    from ..namespaces import PREFIXES

    items: dict[str, dict] = {}
    for row in store.query(ITEM_FACTS, prefixes=PREFIXES):
        entry = items.setdefault(row["item"].value, {
            "key": row["key"].value, "measure": int(row["measure"].value), "number": int(row["number"].value), "units": {},
        })
        entry["units"][row["unit"].value] = {"iri": row["unit"].value, "zh": row["unit_zh"].value, "en": row["unit_en"].value}
    return items


FOCUS_CHUNK = 500  # focus nodes per query on an external engine


def _focus_years(store: ox.Store, report: Graph | None = None) -> dict[str, int]:
    """The year of each focus node's first date (dg:date or dg:startDate): the period of a result
    whose value is not a period."""
    years = {}
    for row in _focus_dates(store, report):
        value = row["first"]
        if value is not None and len(value.value) >= 4 and value.value[:4].isdigit():
            years[row["focus"].value] = int(value.value[:4])
    return years


def _focus_dates(store, report: Graph | None):
    if not getattr(store, "remote", False) or report is None:
        yield from store.query(FOCUS_DATES)
        return
    # On an external engine, only the focus nodes of the results whose value is not a period (the
    # others have their period): not one row per dated record.
    focuses = sorted({report.value(node, SH.focusNode) for node in report.subjects(SH.resultSeverity, None)
                      if not str(report.value(node, SH.value) or "").startswith(PERIOD_PREFIX)} - {None}, key=str)
    for start in range(0, len(focuses), FOCUS_CHUNK):
        values = " ".join(store.terms.sparql(focus) for focus in focuses[start:start + FOCUS_CHUNK])
        yield from store.query(FOCUS_DATES.replace("WHERE {", f"WHERE {{ VALUES ?focus {{ {values} }}", 1))


_PLACEHOLDER = re.compile(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}")


def _template_patterns(shapes: Graph) -> dict[str, list[tuple[str, re.Pattern]]]:
    """For each constraint (and shape) with messages: (language, pattern of the filled-in template)."""
    patterns: dict[str, list[tuple[str, re.Pattern]]] = {}
    for node, template in shapes.subject_objects(SH.message):
        parts = _PLACEHOLDER.split(str(template))
        regex = "(?s)" + "(.*?)".join(re.escape(part) for part in parts) + "$"
        patterns.setdefault(str(node), []).append((template.language or "en", re.compile(regex)))
    return patterns


def _messages(report: Graph, node, patterns) -> dict[str, str]:
    """Messages by language. Some engines drop the language tag when they fill in a template
    (pySHACL does), so an untagged message is matched back to the template it came from."""
    candidates = patterns.get(str(report.value(node, SH.sourceConstraint)), []) + \
        patterns.get(str(report.value(node, SH.sourceShape)), [])
    messages = {}
    for message in report.objects(node, SH.resultMessage):
        language = message.language
        if language is None:
            language = next((lang for lang, pattern in candidates if pattern.match(str(message))), "und")
        messages[language] = str(message)
    return messages


def _term_text(term) -> str | None:
    return None if term is None else str(term)


def interpret_report(report: Graph, shapes: Graph, store: ox.Store) -> list[DutyResult]:
    """Duty results from a report graph, joined with what the shapes and the document say."""
    shape_facts = _shape_facts(shapes)
    patterns = _template_patterns(shapes)
    item_facts = _item_facts(store)
    focus_years = None
    results = []
    for node in report.subjects(SH.resultSeverity, None):
        shape = report.value(node, SH.sourceShape)
        facts = shape_facts.get(shape)
        if facts is None:
            continue  # a result of a shape that is not a duty shape (not expected here)
        item = item_facts[facts["item"]]
        value = _term_text(report.value(node, SH.value))
        focus = str(report.value(node, SH.focusNode))
        if value and value.startswith(PERIOD_PREFIX):
            period = int(value[len(PERIOD_PREFIX):])
        else:
            if focus_years is None:
                focus_years = _focus_years(store, report)
            period = focus_years.get(focus)
        messages = _messages(report, node, patterns)
        results.append(DutyResult(
            measure=item["measure"], item=item["number"], item_key=item["key"], item_iri=facts["item"],
            shape=str(shape).rsplit("#", 1)[-1], shape_iri=str(shape), shape_label=facts["label"],
            severity=str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
            focus=focus, value=value, units=list(item["units"].values()), message=messages, period=period,
            constraint=_term_text(report.value(node, SH.sourceConstraint)),
        ))
    results.sort(key=DutyResult.sort_key)
    return results


def severity_counts(results: list[DutyResult]) -> dict[str, int]:
    counts = Counter(result.severity for result in results)
    return {severity: counts.get(severity, 0) for severity in SEVERITIES}


def render_text(results: list[DutyResult], years: list[int], lang: str = "en") -> str:
    counts = severity_counts(results)
    span = ", ".join(str(y) for y in years)
    if lang == "zh":
        head = [f"dutygraph 履责核查 — {span}年度记录：共{len(results)}项问题（违规{counts['Violation']}项，警告{counts['Warning']}项）"]
    else:
        head = [f"dutygraph duty check — records of {span}: {len(results)} result(s) "
                f"({counts['Violation']} violation(s), {counts['Warning']} warning(s))"]
    if not results:
        head.append("全部职责均已履行。" if lang == "zh" else "Every duty the records can show was met.")
        return "\n".join(head) + "\n"
    lines = head + ["", "按责任单位" if lang == "zh" else "By accountable unit"]
    by_unit: dict[str, list[DutyResult]] = defaultdict(list)
    unit_names = {}
    for result in results:
        for unit in result.units:
            by_unit[unit["iri"]].append(result)
            unit_names[unit["iri"]] = unit
    for iri in sorted(by_unit, key=lambda i: (-len(by_unit[i]), unit_names[i]["zh"])):
        unit = unit_names[iri]
        lines.append(f"  {unit['zh']} / {unit['en']} — {len(by_unit[iri])}")
        for result in by_unit[iri]:
            lines.append(f"    [{result.severity}] {result.item_key} {result.message.get(lang) or result.message.get('en', '')}")
    lines += ["", "按措施" if lang == "zh" else "By measure"]
    by_measure: dict[int, list[DutyResult]] = defaultdict(list)
    for result in results:
        by_measure[result.measure].append(result)
    for measure in sorted(by_measure):
        group = by_measure[measure]
        lines.append(f"  {'措施' if lang == 'zh' else 'measure'} {measure} — {len(group)}")
        for result in group:
            lines.append(f"    [{result.severity}] {result.shape_label.get(lang, result.shape)}: {result.message.get(lang) or result.message.get('en', '')}")
    return "\n".join(lines) + "\n"
