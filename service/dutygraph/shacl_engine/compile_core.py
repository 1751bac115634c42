"""The SHACL Core constraint components (SHACL §4) as one SPARQL SELECT each, over all focus nodes.

Each query starts from the shape's focus pattern and keeps the rows that violate the constraint.
Where SPARQL and SHACL differ the queries follow SHACL: a comparison that raises an error counts as
"does not return true" (a violation), blank nodes fail sh:minLength/sh:maxLength/sh:pattern, sh:in and
sh:hasValue compare RDF terms (sameTerm) rather than values.
"""

from __future__ import annotations

from dataclasses import replace

from .checks import Check
from .errors import UnsupportedShapeError
from .focus import FocusPatterns, INSTANCE_OF, member_test, values_pattern
from .shapes_model import Constraint, Shape
from .terms import sparql_iri, sparql_string, sparql_term
from .vocabulary import CHECKED_DATATYPES, RDFS, SH

_NODE_KIND_TESTS = {
    SH.IRI: "isIRI(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}
# SHACL §4.3: "$minExclusive < v does not return true", and so on; the bound is on the left.
_RANGE_TESTS = {
    SH.minExclusive: "{bound} < ?value",
    SH.minInclusive: "{bound} <= ?value",
    SH.maxExclusive: "?value < {bound}",
    SH.maxInclusive: "?value <= {bound}",
}


def compile_core(shape: Shape, constraint: Constraint, focus: FocusPatterns) -> Check:
    parameter = constraint.parameter
    focus_nodes = focus.subquery(shape)
    if parameter == SH.minCount:
        return _check(shape, constraint, _min_count(shape, focus_nodes, constraint.value.value), reports_value=False)
    if parameter == SH.maxCount:
        query, engine_query = _max_count(shape, focus_nodes, constraint.value.value)
        return replace(_check(shape, constraint, query, reports_value=False), engine_query=engine_query)
    if parameter == SH.uniqueLang:
        return _check(shape, constraint, _unique_lang(shape, focus_nodes), reports_value=False)
    if parameter == SH.hasValue:
        test = member_test(shape, "?this", sparql_term(constraint.value, shape=shape.node))
        return _check(shape, constraint, f"SELECT DISTINCT ?this WHERE {{ {focus_nodes} FILTER(!{test}) }}", False)
    if parameter == SH.equals:
        other = sparql_iri(str(constraint.value))
        values = values_pattern(shape, focus_nodes, "?this", "?value")
        missing_here = f"{focus_nodes} ?this {other} ?value FILTER(!{member_test(shape, '?this', '?value')})"
        query = (
            f"SELECT DISTINCT ?this ?value WHERE {{ {{ {values} {_absent(f'?this {other} ?value', '?equalFound')} }} "
            f"UNION {{ {missing_here} }} }}"
        )
        return _check(shape, constraint, query, reports_value=True)
    if parameter == SH.disjoint:
        values = values_pattern(shape, focus_nodes, "?this", "?value")
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} ?this {sparql_iri(str(constraint.value))} ?value . }}"
        return _check(shape, constraint, query, reports_value=True)
    if parameter in (SH.lessThan, SH.lessThanOrEquals):
        # One result per pair of a value node and a value of the other property (SHACL §4.4.3).
        operator = "<" if parameter == SH.lessThan else "<="
        values = values_pattern(shape, focus_nodes, "?this", "?value")
        query = (
            f"SELECT DISTINCT ?this ?value ?other WHERE {{ {values} ?this {sparql_iri(str(constraint.value))} ?other "
            f"FILTER(!COALESCE(?value {operator} ?other, false)) }}"
        )
        return _check(shape, constraint, query, reports_value=True)
    condition = _value_condition(shape, constraint)
    values = values_pattern(shape, focus_nodes, "?this", "?value")
    return _check(shape, constraint, f"SELECT DISTINCT ?this ?value WHERE {{ {values} {condition} }}", True)


def _absent(pattern: str, marker: str) -> str:
    """Keep the solutions for which ``pattern`` has no match.

    The same solutions as ``FILTER NOT EXISTS { pattern }``, written as an OPTIONAL that binds a
    marker: Oxigraph 0.5 evaluates NOT EXISTS far more slowly (measured 5.5 s against 0.006 s on a
    35,000-triple dataset), and the marker is a variable no constraint query uses otherwise.
    """
    return f"OPTIONAL {{ {pattern} BIND(true AS {marker}) }} FILTER(!BOUND({marker}))"


def _min_count(shape: Shape, focus_nodes: str, minimum: int) -> str:
    if shape.path.nullable and minimum <= 1:
        return "SELECT ?this WHERE { FILTER(false) }"  # the focus node is always one of its values
    path = shape.path.sparql()
    if minimum == 1:
        return f"SELECT DISTINCT ?this WHERE {{ {focus_nodes} OPTIONAL {{ ?this {path} ?value }} FILTER(!BOUND(?value)) }}"
    values = f"{focus_nodes} OPTIONAL {{ ?this {path} ?value }}"
    if shape.path.nullable:
        values = f"{{ {values} }} UNION {{ {focus_nodes} BIND(?this AS ?value) }}"
    return f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {minimum})"


def _max_count(shape: Shape, focus_nodes: str, maximum: int) -> tuple[str, str | None]:
    """(the query, the form asked of an external engine instead or None)."""
    values = values_pattern(shape, focus_nodes, "?this", "?value")
    if maximum == 0:
        return f"SELECT DISTINCT ?this WHERE {{ {values} }}", None
    if maximum == 1 and not shape.path.nullable:
        # Two different values; a self-join is about twice as fast as grouping every focus node.
        return (f"SELECT DISTINCT ?this WHERE {{ {values} ?this {shape.path.sparql()} ?other FILTER(!sameTerm(?value, ?other)) }}",
                _max_count_grouped(shape, values))
    return f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {maximum})", None


def _max_count_grouped(shape: Shape, values: str) -> str:
    """sh:maxCount 1 for an external engine: the focus nodes with more than one value, counted in a
    grouped subquery. Virtuoso 7.2 took 8.8 s for the self-join over 469,316 focus nodes (10^7 record
    triples) and 0.2 s for this; the 58 such checks of the record shapes, 110 s of query time
    against a few. A predicate path gives each value once per focus node in one graph (a set), so
    its rows are counted (COUNT(*); COUNT(DISTINCT) took 1.3 s there); other paths may repeat a
    value, so those count distinct values (always bound here: Virtuoso's COUNT(DISTINCT) of an
    unbound variable, openlink/virtuoso-opensource#90, cannot arise)."""
    counted = "*" if shape.path.kind == "predicate" else "DISTINCT ?value"
    return (f"SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this (COUNT({counted}) AS ?valueCount) WHERE {{ {values} }} "
            "GROUP BY ?this } FILTER(?valueCount > 1) }")


def _unique_lang(shape: Shape, focus_nodes: str) -> str:
    """One result per focus node and non-empty language tag that two value nodes share (SHACL §4.5.4;
    Oxigraph writes language tags in lower case, so the comparison ignores case)."""
    values = values_pattern(shape, focus_nodes, "?this", "?value")
    if shape.path.nullable:
        return (
            f'SELECT ?this ?lang WHERE {{ {values} BIND(LANG(?value) AS ?lang) FILTER(?lang != "") }} '
            "GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)"
        )
    return (
        f"SELECT DISTINCT ?this ?lang WHERE {{ {values} ?this {shape.path.sparql()} ?other "
        f'BIND(LANG(?value) AS ?lang) FILTER(?lang != "" && !sameTerm(?value, ?other) && LANG(?other) = ?lang) }}'
    )


def _value_condition(shape: Shape, constraint: Constraint) -> str:
    """A FILTER that keeps the value nodes (``?value``) violating a per-value constraint."""
    parameter, value = constraint.parameter, constraint.value
    if parameter == SH["class"]:
        return _absent(f"?value {INSTANCE_OF} {sparql_iri(str(value))}", "?instanceFound")
    if parameter == SH.datatype:
        return f"FILTER(!COALESCE({_datatype_test(value)}, false))"
    if parameter == SH.nodeKind:
        return f"FILTER(!{_NODE_KIND_TESTS[value]})"
    if parameter in _RANGE_TESTS:
        comparison = _RANGE_TESTS[parameter].format(bound=sparql_term(value, shape=shape.node))
        return f"FILTER(!COALESCE({comparison}, false))"
    if parameter in (SH.minLength, SH.maxLength):
        operator = ">=" if parameter == SH.minLength else "<="
        return f"FILTER(isBlank(?value) || !(STRLEN(STR(?value)) {operator} {value.value}))"
    if parameter == SH.pattern:
        arguments = sparql_string(str(value)) + (f", {sparql_string(constraint.flags)}" if constraint.flags else "")
        return f"FILTER(isBlank(?value) || !COALESCE(REGEX(STR(?value), {arguments}), false))"
    if parameter == SH.languageIn:
        ranges = " || ".join(f"langMatches(LANG(?value), {sparql_string(str(tag))})" for tag in constraint.members)
        return f"FILTER(!COALESCE({ranges or 'false'}, false))"
    if parameter == SH["in"]:
        members = " || ".join(f"sameTerm(?value, {sparql_term(m, shape=shape.node)})" for m in constraint.members)
        return f"FILTER(!({members or 'false'}))"
    raise UnsupportedShapeError(f"constraint parameter {parameter}", shape.node)  # pragma: no cover


def _datatype_test(datatype) -> str:
    # pySHACL treats every literal as matching rdfs:Literal; SPARQL's DATATYPE never returns it.
    if datatype == RDFS.Literal:
        return "isLiteral(?value)"
    iri = sparql_iri(str(datatype))
    test = f"isLiteral(?value) && sameTerm(DATATYPE(?value), {iri})"
    if datatype in CHECKED_DATATYPES:
        # An ill-formed literal (SHACL §4.2.2) is one Oxigraph could not parse when loading it, and
        # then cannot cast either; a well-formed one casts to itself.
        test += f" && isLiteral({iri}(STR(?value)))"
    return test


def _check(shape: Shape, constraint: Constraint, query: str, reports_value: bool) -> Check:
    return Check(shape=shape, component=constraint.component, query=query, reports_value=reports_value)
