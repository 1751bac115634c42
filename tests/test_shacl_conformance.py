"""The W3C SHACL test suite, run against the SPARQL-compiled engine (dutygraph.shacl_engine).

The suite (shared/conformance/shacl-w3c/, see shared/conformance/README.md) sits beside the
repository. Every sht:Validate entry of the manifests is one test: the engine either refuses the
shapes graph (UnsupportedShapeError: recorded as "unsupported", and the set of those is pinned below
so that coverage cannot shrink unnoticed) or produces a report that must be isomorphic to the
expected mf:result after the README's normalisation: results as blank nodes, nested sh:detail
removed, only the report predicates kept (plus the structure of complex result paths, and
sh:resultMessage where the expected report states messages, as message-001 asks).

Two details of reading the suite: rdflib parses the files without rewriting literals (it would turn
"1"^^xsd:boolean into "true" and lose what uniqueLang-002 tests), and literals in both reports are
compared as a pyoxigraph Store holds them: the engine validates the data in a Store, which keeps
well-formed values in canonical form ("4.0"^^xsd:decimal as "4"), as RDF allows.
"""

from __future__ import annotations

import functools
import logging
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from dutygraph.shacl_engine import UnsupportedShapeError, validate

SUITE = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "shacl-w3c"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")

REPORT_PREDICATES = (
    RDF.type, SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraintComponent,
    SH.resultSeverity, SH.sourceConstraint,
)
PATH_PREDICATES = (
    RDF.first, RDF.rest, SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath,
    SH.zeroOrOnePath,
)

# Tests the engine is known to get wrong, each with the reason. Keep it empty.
KNOWN_FAILURES: dict[str, str] = {}

# Tests whose shapes use what the engine refuses (UnsupportedShapeError), so that callers fall back
# to pySHACL. Tests marked "expects sht:Failure" require a SHACL processor to refuse the shapes graph:
# the engine's refusal is what they ask for.
EXPECTED_UNSUPPORTED: dict[str, str] = {
    "core/complex/personexample": "sh:closed",
    "core/complex/shacl-shacl": "sh:or, sh:not, sh:node, sh:xone (the SHACL-for-SHACL shapes)",
    "core/node/and-001": "sh:and",
    "core/node/and-002": "sh:and",
    "core/node/closed-001": "sh:closed",
    "core/node/closed-002": "sh:closed",
    "core/node/node-001": "sh:node",
    "core/node/not-001": "sh:not",
    "core/node/not-002": "sh:not",
    "core/node/or-001": "sh:or",
    "core/node/qualified-001": "sh:qualifiedValueShape",
    "core/node/xone-001": "sh:xone",
    "core/node/xone-duplicate": "sh:xone",
    "core/property/and-001": "sh:and",
    "core/property/datatype-003": "sh:or",
    "core/property/datatype-ill-formed": "sh:datatype xsd:byte: a pyoxigraph Store keeps xsd:byte values as xsd:integer",
    "core/property/node-001": "sh:node",
    "core/property/node-002": "sh:node",
    "core/property/not-001": "sh:not",
    "core/property/or-001": "sh:or",
    "core/property/or-datatypes-001": "sh:or",
    "core/property/qualifiedMinCountDisjoint-001": "sh:qualifiedValueShape",
    "core/property/qualifiedValueShape-001": "sh:qualifiedValueShape",
    "core/property/qualifiedValueShapesDisjoint-001": "sh:qualifiedValueShape",
    "sparql/component/optional-001": "SPARQL-based constraint component",
    "sparql/component/propertyValidator-select-001": "SPARQL-based constraint component",
    "sparql/component/validator-001": "SPARQL-based constraint component",
    "sparql/pre-binding/pre-binding-006": "expects sht:Failure: a subquery SELECT * that hides $this",
    "sparql/pre-binding/shapesGraph-001": "$shapesGraph and $currentShape",
    "sparql/pre-binding/unsupported-sparql-001": "expects sht:Failure: MINUS",
    "sparql/pre-binding/unsupported-sparql-002": "expects sht:Failure: VALUES",
    "sparql/pre-binding/unsupported-sparql-003": "expects sht:Failure: SERVICE",
    "sparql/pre-binding/unsupported-sparql-004": "expects sht:Failure: a subquery that does not project $this",
    "sparql/pre-binding/unsupported-sparql-005": "expects sht:Failure: AS ?this",
    "sparql/pre-binding/unsupported-sparql-006": "expects sht:Failure: an ASK validator rebinding ?value (a constraint component)",
}


@dataclass(frozen=True)
class Case:
    test_id: str
    data_file: Path
    shapes_file: Path
    manifest_file: Path
    entry: URIRef


def manifest_root() -> Path:
    # The README describes the suite's own layout (tests/manifest.ttl); the copy keeps its contents.
    for candidate in (SUITE / "tests" / "manifest.ttl", SUITE / "manifest.ttl"):
        if candidate.is_file():
            return candidate
    return SUITE / "manifest.ttl"


def load_cases() -> list[Case]:
    cases: list[Case] = []
    pending = [manifest_root()]
    while pending:
        manifest_file = pending.pop(0)
        graph = _parse(manifest_file)
        for manifest in graph.subjects(RDF.type, MF.Manifest):
            for included in graph.objects(manifest, MF.include):
                pending.append(_file_of(included))
            for entries in graph.objects(manifest, MF.entries):
                for entry in graph.items(entries):
                    if (entry, RDF.type, SHT.Validate) not in graph:
                        continue
                    action = graph.value(entry, MF.action)
                    cases.append(
                        Case(
                            test_id=_file_of(entry).relative_to(SUITE).with_suffix("").as_posix(),
                            data_file=_file_of(graph.value(action, SHT.dataGraph)),
                            shapes_file=_file_of(graph.value(action, SHT.shapesGraph)),
                            manifest_file=manifest_file,
                            entry=entry,
                        )
                    )
    return sorted(cases, key=lambda case: case.test_id)


def _file_of(iri: URIRef) -> Path:
    return Path(str(iri).removeprefix("file://").split("#")[0])


@contextmanager
def _literals_as_written():
    # rdflib rewrites lexical forms by default ("1"^^xsd:boolean becomes "true", "2011-01-01"^^
    # xsd:dateTime gains a time), which changes what tests uniqueLang-002 and datatype-001 are about;
    # and it warns about the ill-typed literals that some tests contain on purpose.
    previous = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    logger = logging.getLogger("rdflib.term")
    was_disabled, logger.disabled = logger.disabled, True
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="rdflib")
            yield
    finally:
        rdflib.NORMALIZE_LITERALS = previous
        logger.disabled = was_disabled


@functools.cache
def _parse(path: Path) -> Graph:
    with _literals_as_written():
        return Graph().parse(path, format="turtle", publicID=path.as_uri())


CASES = load_cases() if manifest_root().is_file() else []
CASES_BY_ID = {case.test_id: case for case in CASES}


@dataclass(frozen=True)
class Verdict:
    status: str  # passed, failed, unsupported
    detail: str = ""


@functools.cache
def run_case(test_id: str) -> Verdict:
    case = CASES_BY_ID[test_id]
    store = ox.Store()
    store.load(path=str(case.data_file), format=ox.RdfFormat.TURTLE, base_iri=case.data_file.as_uri())
    with _literals_as_written():
        shapes = Graph().parse(case.shapes_file, format="turtle", publicID=case.shapes_file.as_uri())
    manifest = _parse(case.manifest_file)
    expected_result = manifest.value(case.entry, MF.result)
    try:
        outcome = validate(store, shapes)
    except UnsupportedShapeError as error:
        return Verdict("unsupported", str(error))
    if expected_result == SHT.Failure:
        return Verdict("failed", "the test expects a failure, the engine produced a report")
    keep_messages = any(
        (result, SH.resultMessage, None) in manifest for result in manifest.objects(expected_result, SH.result)
    )
    expected = normalise(manifest, expected_result, keep_messages)
    actual_report = outcome.report.value(predicate=RDF.type, object=SH.ValidationReport)
    actual = normalise(outcome.report, actual_report, keep_messages)
    if isomorphic(expected, actual):
        return Verdict("passed")
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    return Verdict(
        "failed",
        "only in the expected report:\n" + only_expected.serialize(format="nt")
        + "only in the engine's report:\n" + only_actual.serialize(format="nt"),
    )


def normalise(graph: Graph, report: URIRef | BNode, keep_messages: bool) -> Graph:
    """The report as the README compares it: results as blank nodes with the report predicates only,
    nested sh:detail dropped, sh:conforms as a boolean."""
    normal = Graph()
    report_node = BNode()
    normal.add((report_node, RDF.type, SH.ValidationReport))
    normal.add((report_node, SH.conforms, Literal(bool(graph.value(report, SH.conforms).toPython()))))
    predicates = REPORT_PREDICATES + ((SH.resultMessage,) if keep_messages else ())
    for result in graph.objects(report, SH.result):
        result_node = BNode()
        normal.add((report_node, SH.result, result_node))
        for predicate in predicates:
            for value in graph.objects(result, predicate):
                if predicate == SH.resultPath:
                    value = _copy_path(graph, value, normal)
                elif isinstance(value, Literal) and predicate != SH.resultMessage:
                    value = _as_stored(value)
                normal.add((result_node, predicate, value))
    return normal


def _as_stored(literal: Literal) -> Literal:
    """The literal as a pyoxigraph Store holds it: the engine validates the data the Store holds, and
    the Store writes well-formed values in canonical form ("4.0"^^xsd:decimal is stored as "4")."""
    store = ox.Store()
    subject = ox.NamedNode("urn:x-conformance:s")
    if literal.language:
        term = ox.Literal(str(literal), language=literal.language)
    else:
        term = ox.Literal(str(literal), datatype=ox.NamedNode(str(literal.datatype or rdflib.XSD.string)))
    store.add(ox.Quad(subject, subject, term))
    stored = next(iter(store)).object
    if stored.language:
        return Literal(stored.value, lang=stored.language)
    if stored.datatype.value == str(rdflib.XSD.string):
        return Literal(stored.value)
    with _literals_as_written():
        return Literal(stored.value, datatype=URIRef(stored.datatype.value))


def _copy_path(graph: Graph, node, normal: Graph):
    """A fresh copy of a complex path for each result: whether two results share one path node is
    not part of the report's meaning."""
    if not isinstance(node, BNode):
        return node
    copy = BNode()
    for predicate in PATH_PREDICATES:
        for value in graph.objects(node, predicate):
            normal.add((copy, predicate, _copy_path(graph, value, normal)))
    return copy


def _supported_ids() -> list:
    if not CASES:
        return [pytest.param(None, id="suite-missing")]
    return [case.test_id for case in CASES if case.test_id not in EXPECTED_UNSUPPORTED]


def test_suite_is_present():
    assert manifest_root().is_file(), (
        f"The W3C SHACL test suite is missing: expected {manifest_root()} (shared/conformance/shacl-w3c/ "
        "beside the repository clone). The engine must not be used without it."
    )
    assert len(CASES) >= 100, f"only {len(CASES)} sht:Validate entries found under {SUITE}"


@pytest.mark.parametrize("test_id", _supported_ids())
def test_w3c_case(test_id):
    assert test_id is not None, f"The W3C SHACL test suite is missing at {SUITE}"
    verdict = run_case(test_id)
    if test_id in KNOWN_FAILURES:
        assert verdict.status == "failed", f"{test_id} now {verdict.status}: remove it from KNOWN_FAILURES"
        return
    assert verdict.status == "passed", f"{test_id} {verdict.status}: {verdict.detail}"


def test_unsupported_tests_are_exactly_the_expected_ones():
    assert CASES, f"The W3C SHACL test suite is missing at {SUITE}"
    unsupported = {case.test_id for case in CASES if run_case(case.test_id).status == "unsupported"}
    assert unsupported == set(EXPECTED_UNSUPPORTED), (
        f"newly unsupported: {sorted(unsupported - set(EXPECTED_UNSUPPORTED))}; "
        f"now supported (move them out of EXPECTED_UNSUPPORTED): {sorted(set(EXPECTED_UNSUPPORTED) - unsupported)}"
    )


def test_conformance_summary(capsys):
    assert CASES, f"The W3C SHACL test suite is missing at {SUITE}"
    verdicts = {case.test_id: run_case(case.test_id) for case in CASES}
    counts = {status: sum(v.status == status for v in verdicts.values()) for status in ("passed", "unsupported", "failed")}
    known = sum(test_id in KNOWN_FAILURES for test_id, v in verdicts.items() if v.status == "failed")
    with capsys.disabled():
        print(
            f"\nW3C SHACL suite: {counts['passed']} passed, {counts['unsupported']} unsupported, "
            f"{counts['failed']} failed ({known} known), {len(verdicts)} total"
        )
    assert counts["failed"] == known == len(KNOWN_FAILURES)
    assert counts["passed"] + counts["unsupported"] + counts["failed"] == len(CASES)
