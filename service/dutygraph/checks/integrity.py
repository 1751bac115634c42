"""The graph's own integrity, checked by pySHACL against shapes/integrity.ttl."""

from __future__ import annotations

from pyshacl import validate
from rdflib import Graph, Namespace

from .. import paths
from .outcome import CheckOutcome

SH = Namespace("http://www.w3.org/ns/shacl#")


def load_integrity_shapes() -> Graph:
    shapes = Graph()
    shapes.parse(paths.shapes_dir() / "integrity.ttl", format="turtle")
    return shapes


def check_integrity(graph: Graph) -> CheckOutcome:
    conforms, report, _ = validate(
        graph, shacl_graph=load_integrity_shapes(), inference="none", advanced=True, allow_warnings=False
    )
    if conforms:
        return CheckOutcome("SHACL integrity", True, f"the graph conforms to shapes/integrity.ttl ({len(graph)} triples)")
    details = []
    for result in report.subjects(predicate=SH.resultSeverity):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        messages = sorted(report.objects(result, SH.resultMessage), key=lambda m: (m.language != "en", str(m)))
        message = messages[0] if messages else report.value(result, SH.resultMessage)
        details.append(f"{focus} {('(' + str(path) + ') ') if path else ''}{message}")
    details.sort()
    return CheckOutcome("SHACL integrity", False, f"{len(details)} integrity violation(s)", details)
