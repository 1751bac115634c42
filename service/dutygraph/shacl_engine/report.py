"""The validation report (SHACL §3.6) and the outcome derived from it.

The report is the truth: ``ValidationOutcome.results`` holds, for each sh:result of the report, the
values of its triples, gathered while those triples are written. The rdflib graph itself is built
when first asked for: rdflib adds some 50 000 triples a second, and a report of 10^5 results has
10^6 of them, which a caller that only needs ``conforms`` or ``results`` should not wait for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .paths import PropertyPath
from .shapes_model import Shape
from .vocabulary import RDF, SH


@dataclass(frozen=True)
class ResultRecord:
    """One validation result before it becomes RDF."""

    focus: Node
    path: PropertyPath | URIRef | None
    value: Node | None
    shape: Shape
    component: URIRef
    messages: tuple[Literal, ...]
    source_constraint: Node | None = None


ResultTuple = tuple[Node, Node | None, Node | None, Node, URIRef, URIRef, tuple[Literal, ...]]
Triple = tuple[Node, Node, Node]


class ValidationOutcome:
    """``conforms``: no validation result of any severity; ``report``: the sh:ValidationReport
    graph; ``results``: (focus, path, value, source shape, component, severity, messages) of each
    result of the report, sorted (the path is the report's sh:resultPath node: an IRI, or the blank
    node of a complex path, whose structure the report states)."""

    def __init__(self, conforms: bool, results: list[ResultTuple], triples: list[Triple], namespaces) -> None:
        self.conforms = conforms
        self.results = results
        self._triples = triples
        self._namespaces = namespaces

    @cached_property
    def report(self) -> Graph:
        report = Graph(bind_namespaces="core")
        for prefix, namespace in self._namespaces:
            report.bind(prefix, namespace, override=False)
        report.bind("sh", SH)
        report.addN((s, p, o, report) for s, p, o in self._triples)
        return report

    def __repr__(self) -> str:
        return f"ValidationOutcome(conforms={self.conforms}, results={len(self.results)})"


def build_outcome(records: list[ResultRecord], shapes: Graph) -> ValidationOutcome:
    """The report of ``records`` (one blank node per result) and the outcome that carries it."""
    prefix = f"r{uuid.uuid4().hex[:12]}"
    report_node = BNode(prefix)
    triples: list[Triple] = [
        (report_node, RDF.type, SH.ValidationReport),
        (report_node, SH.conforms, Literal(not records)),
    ]
    results: list[ResultTuple] = []
    copied: set[Node] = set()
    (has_result, result_class, focus_node, severity, source_shape, component, result_path, value_of,
     source_constraint, result_message) = (
        SH.result, SH.ValidationResult, SH.focusNode, SH.resultSeverity, SH.sourceShape,
        SH.sourceConstraintComponent, SH.resultPath, SH.value, SH.sourceConstraint, SH.resultMessage)
    for number, record in enumerate(records):
        result = BNode(f"{prefix}n{number}")
        shape = record.shape
        triples += [
            (report_node, has_result, result),
            (result, RDF.type, result_class),
            (result, focus_node, record.focus),
            (result, severity, shape.severity),
            (result, source_shape, shape.node),
            (result, component, record.component),
        ]
        path = record.path
        if isinstance(path, PropertyPath):
            if path.node not in copied:
                copied.add(path.node)
                triples.extend(path.triples())
            path = path.node
        if path is not None:
            triples.append((result, result_path, path))
        if record.value is not None:
            triples.append((result, value_of, record.value))
        if record.source_constraint is not None:
            triples.append((result, source_constraint, record.source_constraint))
        triples.extend((result, result_message, message) for message in record.messages)
        for described in (shape.node, record.source_constraint):
            # An anonymous shape or constraint is known only by its description: copy it, as pySHACL does.
            if isinstance(described, BNode) and described not in copied:
                copied.add(described)
                triples.extend(shapes.cbd(described))
        messages = tuple(sorted(record.messages, key=lambda m: (m.language or "", str(m))))
        results.append((record.focus, path, record.value, shape.node, record.component, shape.severity, messages))
    results.sort(key=_sort_key)
    return ValidationOutcome(not records, results, triples, list(shapes.namespace_manager.namespaces()))


def _sort_key(result: ResultTuple) -> tuple:
    return tuple("" if part is None else part.n3() if not isinstance(part, tuple) else repr(part) for part in result)
