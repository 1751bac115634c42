"""Consistency of ontology plus data under HermiT, run through owlready2."""

from __future__ import annotations

import tempfile
from pathlib import Path

import owlready2
from rdflib import Graph

from .java import java_executable
from .outcome import CheckOutcome


def check_consistency(graph: Graph) -> CheckOutcome:
    java_executable()  # a clear error when Java is missing, before owlready2 tries
    with tempfile.TemporaryDirectory(prefix="dutygraph-hermit-") as tmp:
        document = Path(tmp) / "dutygraph.nt"
        document.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
        world = owlready2.World()
        ontology = world.get_ontology(document.as_uri()).load(format="ntriples")
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as error:
            return CheckOutcome("HermiT consistency", False, "the ontology plus data is inconsistent", [str(error)[:2000]])
        except owlready2.OwlReadyJavaError as error:
            lines = [line for line in str(error).splitlines() if line.strip() and not line.startswith("\tat ")]
            return CheckOutcome("HermiT consistency", False, "HermiT could not reason over the graph", lines[:12])
        unsatisfiable = sorted(str(c.iri) for c in world.inconsistent_classes())
        world.close()
    if unsatisfiable:
        return CheckOutcome("HermiT consistency", False, f"{len(unsatisfiable)} unsatisfiable class(es)", unsatisfiable)
    return CheckOutcome("HermiT consistency", True, f"consistent, no unsatisfiable class ({len(graph)} triples)")
