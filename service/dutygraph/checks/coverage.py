"""Duty coverage: data/curation/coverage.csv agrees with the duty shapes of shapes/duties.ttl.

Checked on the built graph, which holds both sides: each duty shape's dg:enforces and
dg:enforcesObligation (graph_build.load_duty_shape_metadata), and dg:notCheckableBecause on every
item that coverage.csv marks `no`. An item is checkable from records exactly when some shape
enforces it, so a `yes` item no shape enforces, or a `no` item a shape enforces, fails the check.
"""

from __future__ import annotations

from rdflib import RDF, SKOS, Graph, URIRef
from rdflib.namespace import SH

from ..namespaces import DG
from .outcome import CheckOutcome


def _name(node) -> str:
    text = str(node)
    return text.rsplit("#", 1)[-1] if "#" in text else text


def check_coverage(graph: Graph) -> CheckOutcome:
    items = {item: str(graph.value(item, SKOS.notation)) for item in graph.subjects(RDF.type, DG.ContentItem)}
    not_checkable = {item for item in items if (item, DG.notCheckableBecause, None) in graph}
    shapes = sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str)
    enforced_by: dict[URIRef, list[str]] = {}
    problems = []
    for shape in shapes:
        enforced = sorted(graph.objects(shape, DG.enforces), key=str)
        if not enforced:
            problems.append(f"shape {_name(shape)} names no content item (dg:enforces) in shapes/duties.ttl")
        for item in enforced:
            if item not in items:
                problems.append(f"shape {_name(shape)} enforces {item}, which is not a content item of the graph")
                continue
            enforced_by.setdefault(item, []).append(_name(shape))
        for obligation in sorted(graph.objects(shape, DG.enforcesObligation), key=str):
            if not any((obligation, DG.statedIn, item) in graph for item in enforced):
                problems.append(
                    f"shape {_name(shape)} enforces obligation {obligation}, which is not an obligation of the item(s) "
                    f"it enforces ({', '.join(items.get(i, str(i)) for i in enforced) or 'none'})"
                )
    order = sorted(items, key=lambda i: [int(part) for part in items[i].split("-")])
    for item in order:
        key = items[item]
        if item in not_checkable and item in enforced_by:
            problems.append(
                f"item {key} is marked not checkable from records (coverage.csv: no), "
                f"but shapes/duties.ttl enforces it: {', '.join(enforced_by[item])}"
            )
        if item not in not_checkable and item not in enforced_by:
            problems.append(
                f"item {key} is marked checkable from records (coverage.csv: yes), "
                "but no shape in shapes/duties.ttl enforces it (dg:enforces)"
            )
    if problems:
        return CheckOutcome("duty coverage", False, f"{len(problems)} disagreement(s) between coverage.csv and the duty shapes", problems)
    return CheckOutcome(
        "duty coverage", True,
        f"{len(enforced_by)} of {len(items)} items enforced by {len(shapes)} duty shapes, "
        f"{len(not_checkable)} not checkable from records, each with its reason",
    )
