"""Kept validation runs: three named graphs each in the service's store, written all or nothing.

A run ``ID`` (``20261201T083000Z-1a2b3c4d``: UTC time of the upload and a random part) has:

- ``…/id/run/ID``: its description (``ontology/runs.ttl``: who uploaded which files when, their
  SHA-256 and sizes, the label given, the years checked, the counts by severity, the results JSON),
  in the named graph of the same IRI;
- ``…/id/run/ID/records``: the records as loaded (blank nodes fresh for the run);
- ``…/id/run/ID/report``: the ``sh:ValidationReport``.

The records and the report are bulk-loaded first; the description is written last, in one
transaction, and is what makes the run exist: every listing, every access check and every query's
dataset starts from descriptions. A run interrupted before its description was written (an
upload that failed, a process killed with SIGKILL) leaves graphs that nothing can reach, and
``drop_unfinished_runs`` deletes them when the service starts. Deleting a run drops its three
graphs in one SPARQL Update, which Oxigraph applies as one transaction.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import BASE, DG, PROV

RUN_BASE = f"{BASE}run/"
_RUN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_JSON = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON")


def _dg(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(DG) + name)


def _prov(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(PROV) + name)


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def is_run_id(text: str) -> bool:
    return bool(_RUN_ID.match(text))


def run_iri(run_id: str) -> str:
    return f"{RUN_BASE}{run_id}"


def records_graph(run_id: str) -> str:
    return f"{RUN_BASE}{run_id}/records"


def report_graph(run_id: str) -> str:
    return f"{RUN_BASE}{run_id}/report"


def run_graphs(run_id: str) -> list[str]:
    return [run_iri(run_id), records_graph(run_id), report_graph(run_id)]


@dataclass(frozen=True)
class RunFile:
    name: str
    sha256: str
    size: int
    format: str
    triples: int
    role: str = "records"  # records, or institution (the description of the institution checked against)

    def as_json(self) -> dict:
        return {"name": self.name, "sha256": self.sha256, "size": self.size, "format": self.format,
                "triples": self.triples, "role": self.role}


@dataclass
class Run:
    id: str
    owner: str
    label: str
    started: str  # ISO 8601, UTC
    ended: str
    engine: str
    conforms: bool
    years: list[int]
    counts: dict[str, int]
    record_triples: int
    files: list[RunFile] = field(default_factory=list)

    @property
    def iri(self) -> str:
        return run_iri(self.id)

    def as_json(self) -> dict:
        return {
            "id": self.id, "iri": self.iri, "owner": self.owner, "label": self.label, "started": self.started,
            "ended": self.ended, "engine": self.engine, "conforms": self.conforms, "years": self.years,
            "counts": self.counts, "record_triples": self.record_triples,
            "files": [f.as_json() for f in self.files],
            "graphs": {"description": run_iri(self.id), "records": records_graph(self.id), "report": report_graph(self.id)},
        }


def _literal(value) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(str(value))


def _datetime(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "dateTime"))


def description_quads(run: Run, results: dict) -> list[ox.Quad]:
    graph = subject = ox.NamedNode(run.iri)
    counts = run.counts
    triples = [
        (RDF_TYPE, _dg("ValidationRun")),
        (_dg("runIdentifier"), _literal(run.id)),
        (_dg("uploadedBy"), _literal(run.owner)),
        (_prov("startedAtTime"), _datetime(run.started)),
        (_prov("endedAtTime"), _datetime(run.ended)),
        (_dg("validationEngine"), _literal(run.engine)),
        (_dg("conforms"), _literal(run.conforms)),
        (_dg("violationCount"), _literal(counts.get("Violation", 0))),
        (_dg("warningCount"), _literal(counts.get("Warning", 0))),
        (_dg("infoCount"), _literal(counts.get("Info", 0))),
        (_dg("recordTripleCount"), _literal(run.record_triples)),
        (_dg("recordsGraph"), ox.NamedNode(records_graph(run.id))),
        (_dg("reportGraph"), ox.NamedNode(report_graph(run.id))),
        (_dg("resultsJson"), ox.Literal(json.dumps(results, ensure_ascii=False, sort_keys=True), datatype=RDF_JSON)),
    ]
    if run.label:
        triples.append((_dg("uploaderLabel"), _literal(run.label)))
    triples += [(_dg("yearChecked"), _literal(year)) for year in run.years]
    quads = [ox.Quad(subject, p, o, graph) for p, o in triples]
    for graph_iri in (records_graph(run.id), report_graph(run.id)):
        quads.append(ox.Quad(ox.NamedNode(graph_iri), RDF_TYPE, _dg("RunGraph"), graph))
    for number, run_file in enumerate(run.files, start=1):
        node = ox.NamedNode(f"{run.iri}/file/{number}")
        quads.append(ox.Quad(subject, _dg("uploadedFile"), node, graph))
        for p, o in ((RDF_TYPE, _dg("UploadedFile")), (_dg("fileOrder"), _literal(number)),
                     (_dg("fileName"), _literal(run_file.name)), (_dg("sha256"), _literal(run_file.sha256)),
                     (_dg("byteSize"), _literal(run_file.size)), (_dg("fileFormat"), _literal(run_file.format)),
                     (_dg("recordTripleCount"), _literal(run_file.triples)), (_dg("fileRole"), _literal(run_file.role))):
            quads.append(ox.Quad(node, p, o, graph))
    return quads


def add_run(service_store, run: Run, *, records_ntriples: Path | None, report_ntriples: Path, results: dict) -> Run:
    """Write a run: records and report first, the description last (see the module docstring)."""
    with service_store.write() as store:
        try:
            if records_ntriples is not None:  # None: the validation left them in the records graph (an engine's)
                store.bulk_load(path=str(records_ntriples), format=ox.RdfFormat.N_TRIPLES,
                                to_graph=ox.NamedNode(records_graph(run.id)))
            store.bulk_load(path=str(report_ntriples), format=ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.NamedNode(report_graph(run.id)))
            store.extend(description_quads(run, results))
        except BaseException:
            _drop(store, run.id)
            raise
    return run


def _drop(store: ox.Store, run_id: str) -> None:
    if hasattr(store, "drop_graphs"):  # an external engine: a DROP it stops at its own limit is done in parts
        store.drop_graphs(run_graphs(run_id))
    else:
        store.update("; ".join(f"DROP SILENT GRAPH <{iri}>" for iri in run_graphs(run_id)))


def delete_run(service_store, run_id: str) -> None:
    with service_store.write() as store:
        _drop(store, run_id)


def drop_unfinished_runs(service_store) -> list[str]:
    """Drop the graphs of runs that have no description (interrupted uploads); their ids."""
    store = service_store.store
    finished = {run.id for run in list_runs(store)}
    unfinished = set()
    for graph in store.named_graphs():
        if isinstance(graph, ox.NamedNode) and graph.value.startswith(RUN_BASE):
            run_id = graph.value[len(RUN_BASE):].split("/")[0]
            if run_id not in finished:
                unfinished.add(run_id)
    if unfinished:
        with service_store.write() as writable:
            for run_id in sorted(unfinished):
                _drop(writable, run_id)
    return sorted(unfinished)


_LIST = """
PREFIX dg: <https://w3id.org/dutygraph/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?run ?id ?owner ?label ?started ?ended ?engine ?conforms ?violations ?warnings ?infos ?triples
       (GROUP_CONCAT(DISTINCT STR(?year); separator=" ") AS ?years)
WHERE {
  GRAPH ?run {
    ?run a dg:ValidationRun ; dg:runIdentifier ?id ; dg:uploadedBy ?owner ; prov:startedAtTime ?started ;
         prov:endedAtTime ?ended ; dg:validationEngine ?engine ; dg:conforms ?conforms ;
         dg:violationCount ?violations ; dg:warningCount ?warnings ; dg:infoCount ?infos ;
         dg:recordTripleCount ?triples .
    OPTIONAL { ?run dg:uploaderLabel ?label }
    OPTIONAL { ?run dg:yearChecked ?year }
  }
}
GROUP BY ?run ?id ?owner ?label ?started ?ended ?engine ?conforms ?violations ?warnings ?infos ?triples
ORDER BY DESC(?started) ?id
"""

_FILES = """
PREFIX dg: <https://w3id.org/dutygraph/ontology#>
SELECT ?order ?name ?sha ?size ?format ?triples ?role WHERE {
  GRAPH ?run { ?run dg:uploadedFile ?file . ?file dg:fileOrder ?order ; dg:fileName ?name ; dg:sha256 ?sha ;
               dg:byteSize ?size ; dg:fileFormat ?format ; dg:recordTripleCount ?triples ; dg:fileRole ?role }
} ORDER BY ?order
"""


def _file_from_row(r) -> RunFile:
    return RunFile(r["name"].value, r["sha"].value, int(r["size"].value), r["format"].value, int(r["triples"].value),
                   r["role"].value)


def _run_from_row(row) -> Run:
    years = row["years"].value.split() if row["years"] is not None else []
    return Run(
        id=row["id"].value, owner=row["owner"].value, label=row["label"].value if row["label"] else "",
        started=row["started"].value, ended=row["ended"].value, engine=row["engine"].value,
        conforms=row["conforms"].value == "true",
        years=sorted(int(y) for y in years),
        counts={"Violation": int(row["violations"].value), "Warning": int(row["warnings"].value),
                "Info": int(row["infos"].value)},
        record_triples=int(row["triples"].value),
    )


_ALL_FILES = _FILES.replace("SELECT ?order", "SELECT ?run ?order").replace("ORDER BY ?order", "ORDER BY ?run ?order")


def list_runs(store: ox.Store, *, owner: str | None = None, with_files: bool = False) -> list[Run]:
    """Every finished run, newest first; only owner's when owner is given."""
    runs = [_run_from_row(row) for row in store.query(_LIST)]
    runs = [run for run in runs if owner is None or run.owner == owner]
    if with_files and runs:
        by_iri = {run.iri: run for run in runs}
        for r in store.query(_ALL_FILES):
            run = by_iri.get(r["run"].value)
            if run is not None:
                run.files.append(_file_from_row(r))
    return runs


def get_run(store: ox.Store, run_id: str) -> Run | None:
    if not is_run_id(run_id):
        return None
    graph = ox.NamedNode(run_iri(run_id))
    rows = list(store.query(_LIST, default_graph=ox.DefaultGraph(), named_graphs=[graph]))
    if not rows:
        return None
    run = _run_from_row(rows[0])
    run.files = [_file_from_row(r) for r in store.query(_FILES, named_graphs=[graph])]
    return run


def run_results(store: ox.Store, run_id: str) -> dict:
    graph = ox.NamedNode(run_iri(run_id))
    for quad in store.quads_for_pattern(graph, _dg("resultsJson"), None, graph):
        return json.loads(quad.object.value)
    return {}


def may_read(account, run: Run) -> bool:
    """A run is read by its owner and by admins (and nobody else)."""
    return account is not None and (account.is_admin or account.name == run.owner)


def readable_runs(store: ox.Store, account, *, with_files: bool = False) -> list[Run]:
    if account is None:
        return []
    return list_runs(store, owner=None if account.is_admin else account.name, with_files=with_files)


def graph_triples(store: ox.Store, graph_iri: str) -> list[ox.Triple]:
    return [quad.triple for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))]
