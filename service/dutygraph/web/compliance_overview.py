"""The compliance overview across the runs a user may read: units × measures, and over the years.

The numbers come from each kept run's results (``runs_store.run_results``: the JSON kept in the
run's description), not from SPARQL over the report graphs: the results already carry what the
overview groups by — the accountable units, the measure, the year judged (``period``), the
severity — joined from the document when the run was checked, so the overview needs no join at
read time, and the access rule is simply "the runs ``readable_runs`` lists".

- **Matrix**: a cell (unit, measure) counts the results of the unit's duties under the measure; a
  result owed by two units counts in both rows, once in the totals. It is coloured by the worst
  severity in it. A cell no duty shape checks (``report_labels``) is "—", not 0.
- **Years**: per year judged, per severity. Every run counts: the same year uploaded in two runs
  counts twice — choose the runs (``run=ID``, repeatable) to compare like with like.

Filters (``unit`` key, ``measure`` number, ``year``, ``severity``) select the results listed under
the matrix, and the years chart; the matrix always shows every unit and measure of the runs chosen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .report_labels import DocumentFacts
from .report_views import SEVERITY_ORDER, unit_key, worst
from .runs_store import Run


class BadFilter(ValueError):
    pass


@dataclass(frozen=True)
class Filters:
    unit: str | None = None
    measure: int | None = None
    year: int | None = None
    severity: str | None = None
    runs: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.unit, self.measure, self.year, self.severity))

    def matches(self, result: dict) -> bool:
        return ((self.unit is None or any(unit_key(u["iri"]) == self.unit for u in result.get("units", [])))
                and (self.measure is None or result["measure"] == self.measure)
                and (self.year is None or result.get("period") == self.year)
                and (self.severity is None or result["severity"] == self.severity))


def parse_filters(args, facts: DocumentFacts) -> Filters:
    """Filters from the URL's parameters; BadFilter (400) for a value that names nothing."""
    def number(name: str, low: int, high: int) -> int | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if not value.isdigit() or not low <= int(value) <= high:
            raise BadFilter(f"{name} must be a number from {low} to {high}, not {value!r}")
        return int(value)

    unit = (args.get("unit") or "").strip() or None
    if unit is not None and unit not in {u["key"] for u in facts.units}:
        raise BadFilter(f"no accountable unit {unit!r}; the units are those of /id/unit/KEY")
    severity = (args.get("severity") or "").strip() or None
    if severity is not None and severity not in SEVERITY_ORDER:
        raise BadFilter(f"severity must be one of {', '.join(SEVERITY_ORDER)}, not {severity!r}")
    return Filters(unit, number("measure", 1, max(facts.measures) if facts.measures else 99),
                   number("year", 1900, 2999), severity, tuple(v for v in args.getlist("run") if v.strip()))


@dataclass
class Cell:
    checked: bool
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def worst(self) -> str | None:
        return worst(s for s, n in self.counts.items() if n)


@dataclass
class Overview:
    runs: list[Run]
    units: list[dict]
    measures: list[tuple[int, dict]]
    cells: dict[tuple[str, int], Cell]
    years: list[tuple[int | None, dict[str, int]]]  # (year or None for results without one, counts by severity)
    listed: list[tuple[Run, dict]]  # the results the filters select, with their run
    totals: dict[str, int]
    measure_totals: Counter = field(default_factory=Counter)
    unchecked_units: list[dict] = field(default_factory=list)  # units no duty shape checks (not in the matrix)

    def cell(self, unit_iri: str, measure: int) -> Cell:
        return self.cells[(unit_iri, measure)]

    def row_total(self, unit_iri: str) -> int:
        return sum(self.cells[(unit_iri, m)].total for m, _ in self.measures)

    def column_total(self, measure: int) -> int:
        """The results under the measure, each once (a cell counts a result once per unit owing it)."""
        return self.measure_totals.get(measure, 0)

    @property
    def grand_total(self) -> int:
        return sum(self.measure_totals.values())


def build_overview(runs: list[tuple[Run, dict]], facts: DocumentFacts, filters: Filters) -> Overview:
    """The overview of runs (each with its results JSON)."""
    measures_seen = set(facts.checked_measures)
    for _, results in runs:
        measures_seen |= {r["measure"] for r in results.get("results", [])}
    measures = [(m, facts.measures.get(m, {"iri": f"https://w3id.org/dutygraph/id/measure/{m}", "zh": "", "en": ""}))
                for m in sorted(measures_seen)]
    units = list(facts.units)
    known_units = {u["iri"] for u in units}
    for _, results in runs:  # a unit of a result the document no longer has (an older run): still shown
        for result in results.get("results", []):
            for unit in result.get("units", []):
                if unit["iri"] not in known_units:
                    known_units.add(unit["iri"])
                    units.append({"iri": unit["iri"], "key": unit_key(unit["iri"]), "zh": unit.get("zh", ""),
                                  "en": unit.get("en", ""), "items": 0})
    with_results = {u["iri"] for _, results in runs for r in results.get("results", []) for u in r.get("units", [])}
    checked_units = {unit for unit, _ in facts.checked}
    unchecked = [u for u in units if u["iri"] not in checked_units and u["iri"] not in with_results]
    units = [u for u in units if u["iri"] in checked_units or u["iri"] in with_results]
    cells = {(u["iri"], m): Cell((u["iri"], m) in facts.checked) for u in units for m, _ in measures}
    years: dict[int | None, Counter] = {}
    for run, _ in runs:
        for year in run.years:
            years.setdefault(year, Counter())
    listed, totals, measure_totals = [], Counter(), Counter()
    for run, results in runs:
        for result in results.get("results", []):
            measure_totals[result["measure"]] += 1
            for unit in result.get("units", []):
                cells[(unit["iri"], result["measure"])].counts[result["severity"]] += 1
            if filters.matches(result):
                listed.append((run, result))
                years.setdefault(result.get("period"), Counter())[result["severity"]] += 1
                totals[result["severity"]] += 1
    year_rows = [(year, {s: years[year].get(s, 0) for s in SEVERITY_ORDER})
                 for year in sorted(years, key=lambda y: (y is None, y or 0))]
    return Overview([run for run, _ in runs], units, measures, cells, year_rows, listed,
                    {s: totals.get(s, 0) for s in SEVERITY_ORDER}, measure_totals, unchecked)
