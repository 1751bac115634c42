"""One record of a kept run, as the report's "offending record" link shows it.

A result's focus node is the record that broke a duty — a decision, a meeting — or a node of the
institution it concerns (a person, a tenure, a college's Party organisation). The page shows:

- what the run's records graph states about it (blank-node values unfolded, as a DESCRIBE would);
- which records of the run refer to it (the meetings *held by* a Party organisation that sat in on
  nothing say more than the organisation itself);
- when the run was checked against the synthetic example institution (no institution file, and the
  records describe no ``dg:Institution``), what that institution states about it — it is not part
  of the run, but it is what the run was judged against. An institution uploaded with the run is
  not kept, only its file's name and digest (``runs_store``), so nothing of it can be shown.

Every IRI becomes a link when the site can show it: a record of the run (this page again), a node
of the example institution (likewise), a document resource (``/id/…``); others are text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import DG, PREFIXES
from .report_views import local_path, record_path
from .runs_store import RDF_TYPE, Run, records_graph

MAX_TRIPLES = 2000
SHORT_PREFIXES = sorted(((ns, prefix) for prefix, ns in PREFIXES.items()), key=lambda pair: -len(pair[0]))


@dataclass
class Term:
    text: str  # as shown: a prefixed name, an IRI, or a literal's value
    iri: str | None = None  # the full IRI, for an IRI
    href: str | None = None
    note: str = ""  # a literal's language or datatype
    nested: list["Statement"] = field(default_factory=list)  # a blank node's own statements


@dataclass
class Statement:
    subject: Term
    predicate: Term
    object: Term


@dataclass
class RecordView:
    iri: str
    about: list[Statement]  # the record's statements in the run
    referring: list[Statement]  # statements of the run's records with the record as object
    institution: list[Statement]  # the example institution's, when the run used it
    used_example_institution: bool
    truncated: bool = False

    @property
    def found(self) -> bool:
        return bool(self.about or self.referring or self.institution)


def short(iri: str) -> str:
    for namespace, prefix in SHORT_PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


@functools.lru_cache(maxsize=1)
def example_institution() -> ox.Store:
    from ..validation.run import default_institution_path

    store = ox.Store()
    store.bulk_load(path=str(default_institution_path()), format=ox.RdfFormat.TURTLE)
    return store


def used_example_institution(store: ox.Store, run: Run) -> bool:
    if any(f.role == "institution" for f in run.files):
        return False
    institution = ox.NamedNode(str(DG.Institution))
    return next(iter(store.quads_for_pattern(None, RDF_TYPE, institution, ox.NamedNode(records_graph(run.id)))), None) is None


class _Linker:
    """Turns terms into Terms, linking IRIs that this site can show."""

    def __init__(self, store: ox.Store, run: Run, institution: ox.Store | None):
        self.store, self.run, self.institution = store, run, institution
        self.graph = ox.NamedNode(records_graph(run.id))
        self._known: dict[str, bool] = {}

    def _showable(self, node: ox.NamedNode) -> bool:
        if node.value not in self._known:
            in_run = any(True for _ in self.store.quads_for_pattern(node, None, None, self.graph))
            in_institution = self.institution is not None and any(
                True for _ in self.institution.quads_for_pattern(node, None, None))
            self._known[node.value] = in_run or in_institution
        return self._known[node.value]

    def term(self, node, graph_store: ox.Store | None = None, graph=None, depth: int = 0) -> Term:
        if isinstance(node, ox.NamedNode):
            href = local_path(node.value) or (record_path(self.run.id, node.value) if self._showable(node) else None)
            return Term(short(node.value), node.value, href)
        if isinstance(node, ox.Literal):
            datatype = node.datatype.value if node.datatype else ""
            note = f"@{node.language}" if node.language else (
                "" if datatype.endswith("#string") or datatype.endswith("#langString") else short(datatype))
            return Term(node.value, note=note)
        nested = []
        if isinstance(node, ox.BlankNode) and graph_store is not None and depth < 3:
            nested = [Statement(Term(""), self.term(q.predicate), self.term(q.object, graph_store, graph, depth + 1))
                      for q in graph_store.quads_for_pattern(node, None, None, graph)]
        return Term("[ ]" if nested else "_:" + str(getattr(node, "value", node)), nested=nested)

    def predicate(self, node: ox.NamedNode) -> Term:
        return Term(short(node.value), node.value, local_path(node.value))


def record_view(store: ox.Store, run: Run, iri: str) -> RecordView:
    node = ox.NamedNode(iri)  # ValueError for text that is no IRI
    example = used_example_institution(store, run)
    institution = example_institution() if example else None
    linker = _Linker(store, run, institution)
    graph = linker.graph
    about, referring, from_institution = [], [], []
    count = 0
    for quad in store.quads_for_pattern(node, None, None, graph):
        about.append(Statement(Term(short(iri), iri), linker.predicate(quad.predicate), linker.term(quad.object, store, graph)))
        count += 1
        if count >= MAX_TRIPLES:
            break
    for quad in store.quads_for_pattern(None, None, node, graph):
        if count >= MAX_TRIPLES:
            break
        referring.append(Statement(linker.term(quad.subject), linker.predicate(quad.predicate), Term(short(iri), iri)))
        count += 1
    if institution is not None:
        for quad in institution.quads_for_pattern(node, None, None):
            from_institution.append(Statement(Term(short(iri), iri), linker.predicate(quad.predicate),
                                              linker.term(quad.object, institution, ox.DefaultGraph())))
    order = lambda s: (s.predicate.text != "rdf:type", s.predicate.text, s.subject.text, s.object.text)  # noqa: E731
    return RecordView(iri, sorted(about, key=order), sorted(referring, key=order), sorted(from_institution, key=order),
                      example, truncated=count >= MAX_TRIPLES)
