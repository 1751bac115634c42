"""One validation: records (and their institution) in, duty results out.

The dataset a run checks is, in one Oxigraph store's default graph: the document graph (ontology
and instance data: actors, items, check kinds …), the institution's description (the example
institution unless the records bring their own or one is given), the records, one
dg:ReportingPeriod per year checked, the dg:ValidationPolicy, and the day numbers derived from every
date (day_numbers.py). Record shapes run first: records
that break them are bad input and no duty is judged. Then the duty shapes run.

With ``store=RemoteStore(…)`` the same steps run on an external SPARQL engine, over the run's graphs
there (engine_dataset.py): the records graph, a work graph for what the run adds, and the document
graph; the results are the same as the embedded path's on the same records.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .. import paths
from ..graph_build import build_full_graph, serialize
from ..namespaces import DG
from .day_numbers import derive_day_numbers
from .engines import run_shapes
from .periods import period_quads, years_of_records
from .policy import load_policy, policy_quads
from .report import DutyResult, interpret_report, severity_counts

DEFAULT_INSTITUTION = "example-institution.ttl"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class RecordStructureError(ValueError):
    """Records that do not follow the record vocabulary (shapes/records.ttl): bad input."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:100]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(f"{len(problems)} record(s) do not follow the record vocabulary:\n"
                         + "\n".join(f"  - {p}" for p in shown) + more)


class NoRecordsError(ValueError):
    """Nothing to check: no dated record and no year asked for."""


@dataclass
class ValidationRun:
    conforms: bool
    years: list[int]
    results: list[DutyResult]
    report_graph: Graph
    policy: dict[str, int]
    engine: str
    triples: int
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "conforms": self.conforms, "years": self.years, "counts": self.counts,
            "results": [result.as_json() for result in self.results],
        }


@functools.lru_cache(maxsize=1)
def document_ntriples() -> bytes:
    """The document graph (ontology + instance data) as N-Triples, built once per process."""
    return serialize(build_full_graph(), "ntriples")


@functools.lru_cache(maxsize=4)
def load_shapes(name: str) -> Graph:
    graph = Graph()
    graph.parse(paths.shapes_dir() / name, format="turtle")
    return graph


def default_institution_path() -> Path:
    return paths.data_dir() / "institution" / DEFAULT_INSTITUTION


def _in_default_graph(quads):
    """The quads one by one, their graph names dropped: a run checks everything given as one graph
    (``quads`` may be a stream, read once)."""
    default = ox.DefaultGraph()
    for quad in quads:
        yield quad if isinstance(quad.graph_name, ox.DefaultGraph) else ox.Quad(quad.subject, quad.predicate,
                                                                              quad.object, default)


def _has_institution(store: ox.Store) -> bool:
    return any(True for _ in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(str(DG.Institution))))


def structure_problems(store: ox.Store, engine: str = "fast") -> list[str]:
    conforms, report = run_shapes(store, load_shapes("records.ttl"), engine)
    if conforms:
        return []
    from .report import SH

    problems = []
    for node in report.subjects(SH.resultSeverity, None):
        messages = sorted(report.objects(node, SH.resultMessage), key=lambda m: (m.language != "en", str(m)))
        value = report.value(node, SH.value)
        problems.append(f"{report.value(node, SH.focusNode)}: {messages[0] if messages else 'does not conform'}"
                        + (f" (value: {value})" if value is not None else ""))
    return sorted(problems)


def build_dataset(record_quads, *, institution_quads=None) -> ox.Store:
    """The store of one run, before periods and policy are added."""
    store = ox.Store()
    store.bulk_load(document_ntriples(), format=ox.RdfFormat.N_TRIPLES)
    store.bulk_extend(_in_default_graph(record_quads))
    if institution_quads is not None:
        store.bulk_extend(_in_default_graph(institution_quads))
    elif not _has_institution(store):
        store.bulk_load(path=str(default_institution_path()), format=ox.RdfFormat.TURTLE)
    return store


def validate_records(record_quads, *, years: list[int] | None = None, policy: dict[str, int] | None = None,
                     institution_quads=None, engine: str = "fast", store=None, records_graph: str | None = None,
                     keep_records: bool = False, work_graph: str | None = None) -> ValidationRun:
    """Check records against every duty shape; see the module docstring.

    store: a ``RemoteStore`` to validate on that engine instead of in memory. The records are written
    to ``records_graph`` (default: a temporary graph when ``keep_records``, else none: they go into
    the work graph alone), kept there after a run that succeeded when ``keep_records``, else dropped;
    the work graph (default: a temporary one) is dropped either way."""
    if store is not None:
        return _validate_on_engine(store, record_quads, years=years, policy=policy, institution_quads=institution_quads,
                                   engine=engine, records_graph=records_graph, keep_records=keep_records,
                                   work_graph=work_graph)
    store = build_dataset(record_quads, institution_quads=institution_quads)
    return _validate(store, years=years, policy=policy, engine=engine)


def _validate(store, *, years, policy, engine) -> ValidationRun:
    """The steps of a run on its dataset (an in-memory store, or an EngineDataset)."""
    problems = structure_problems(store, engine)
    if problems:
        raise RecordStructureError(problems)
    years = sorted(set(years)) if years else years_of_records(store)
    if not years:
        raise NoRecordsError("the records hold no dated record, so there is no year to check; give --year")
    policy = policy or load_policy()
    store.bulk_extend(period_quads(years) + policy_quads(policy))
    derive_day_numbers(store)
    shapes = load_shapes("duties.ttl")
    conforms, report = run_shapes(store, shapes, engine)
    results = interpret_report(report, shapes, store)
    for shape, item in shapes.subject_objects(DG.enforces):
        report.add((shape, DG.enforces, item))
    run = ValidationRun(conforms=conforms and not results, years=years, results=results, report_graph=report,
                        policy=policy, engine=engine, triples=len(store))
    run.counts = severity_counts(results)
    return run


def build_engine_dataset(dataset, record_quads, *, institution_quads=None) -> None:
    """Write a run's records and institution to the engine, as build_dataset does in memory; the
    records are read once, as a stream (they may be a ``records_input.StreamedQuads``)."""
    dataset.add_records(_in_default_graph(record_quads))
    if institution_quads is not None:
        dataset.extend(_in_default_graph(institution_quads))
    elif not _has_institution(dataset):
        dataset.bulk_load(path=str(default_institution_path()), format=ox.RdfFormat.TURTLE)


def _validate_on_engine(remote, record_quads, *, years, policy, institution_quads, engine, records_graph,
                        keep_records, work_graph) -> ValidationRun:
    from .engine_dataset import EngineDataset, check_document, new_key, temporary_graph

    check_document(remote)
    key = new_key()
    if records_graph is None and keep_records:
        records_graph = temporary_graph(key, "records")
    dataset = EngineDataset(remote, records_graph=records_graph,  # None: the records go into the work graph alone
                            work_graph=work_graph or temporary_graph(key, "work"), key=key)
    succeeded = False
    try:
        build_engine_dataset(dataset, record_quads, institution_quads=institution_quads)
        run = _validate(dataset, years=years, policy=policy, engine=engine)
        succeeded = True
        return run
    finally:
        try:
            dataset.drop(records=not (succeeded and keep_records))
        except Exception:
            if succeeded:
                raise  # else the run's own error is the one to tell
