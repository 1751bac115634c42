"""The OWL 2 DL profile check, done by the OWL API's OWL2DLProfile (no hand-written rules)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from rdflib import Graph

from .. import paths
from .java import hermit_jar, java_executable
from .outcome import CheckOutcome


def check_dl_profile(graph: Graph, timeout: float = 300) -> CheckOutcome:
    with tempfile.TemporaryDirectory(prefix="dutygraph-dl-") as tmp:
        document = Path(tmp) / "dutygraph.owl"
        document.write_bytes(graph.serialize(format="xml", encoding="utf-8"))
        completed = subprocess.run(
            [java_executable(), "-cp", str(hermit_jar()), str(paths.java_dir() / "Check.java"), str(document)],
            capture_output=True, text=True, timeout=timeout,
        )
    lines = completed.stdout.splitlines()
    violations = [line.removeprefix("VIOLATION ") for line in lines if line.startswith("VIOLATION ")]
    axioms = next((line.split()[1] for line in lines if line.startswith("axioms ")), "?")
    if completed.returncode == 0:
        return CheckOutcome("OWL 2 DL profile", True, f"in the OWL 2 DL profile ({axioms} axioms, OWL API OWL2DLProfile)")
    if completed.returncode == 1:
        return CheckOutcome("OWL 2 DL profile", False, f"{len(violations)} OWL 2 DL profile violation(s)", violations)
    errors = [line for line in lines if line.startswith("ERROR")] or completed.stderr.strip().splitlines()[-5:]
    return CheckOutcome("OWL 2 DL profile", False, "the profile checker could not run", errors)
