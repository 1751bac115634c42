"""Focus nodes and value nodes as SPARQL graph patterns (SHACL §2.1.3 targets, §2.3 value nodes).

Every query of a shape starts from the same focus pattern, written once per shape: the union of its
targets and of the value nodes of the shapes that reach it through ``sh:property``.
"""

from __future__ import annotations

from itertools import count

from .shapes_model import Shape
from .terms import sparql_iri, sparql_term
from .vocabulary import RDF, RDFS

INSTANCE_OF = f"{sparql_iri(str(RDF.type))}/{sparql_iri(str(RDFS.subClassOf))}*"


class FocusPatterns:
    """The focus pattern of each shape, computed once and reused by all of its queries."""

    def __init__(self) -> None:
        self._subqueries: dict[int, str] = {}
        self._names = count(1)

    def subquery(self, shape: Shape) -> str:
        """``{ SELECT DISTINCT ?this WHERE { … } }``: the focus nodes of ``shape``, each once."""
        key = id(shape)
        if key not in self._subqueries:
            self._subqueries[key] = f"{{ SELECT DISTINCT ?this WHERE {{ {self.pattern(shape, '?this')} }} }}"
        return self._subqueries[key]

    def repetitions_query(self, shape: Shape) -> str | None:
        """A query for the focus nodes that ``shape`` validates more than once, with how often.

        SHACL validates a shape once per way of reaching a focus node (per target of the shape and,
        through each parent, per focus node of the parent that has it as a value): the W3C tests
        property-001 and validation-reports/shared expect a result for each. None when each focus
        node is reached once (a shape with one source whose parents are node shapes reached once).
        """
        if not may_repeat(shape):
            return None
        derivations = self.derivations(shape, "?this")
        return f"SELECT ?this (COUNT(*) AS ?repetitions) WHERE {{ {derivations} }} GROUP BY ?this HAVING (COUNT(*) > 1)"

    def derivations(self, shape: Shape, variable: str) -> str:
        """Like ``pattern`` but as a multiset: one solution per way of reaching each focus node."""
        alternatives = []
        if shape.targets:
            alternatives.append(f"{{ SELECT DISTINCT {variable} WHERE {{ {self._targets(shape, variable)} }} }}")
        for parent in shape.parents:
            if not parent.is_property_shape:
                alternatives.append(self.derivations(parent, variable))
                continue
            parent_variable = f"?shacl_parent{next(self._names)}"
            parents = f"{{ SELECT DISTINCT {parent_variable} WHERE {{ {self.pattern(parent, parent_variable)} }} }}"
            values = values_pattern(parent, parents, parent_variable, variable)
            alternatives.append(
                f"{{ {self.derivations(parent, parent_variable)} }} "
                f"{{ SELECT DISTINCT {parent_variable} {variable} WHERE {{ {values} }} }}"
            )
        return " UNION ".join(f"{{ {alternative} }}" for alternative in alternatives)

    def pattern(self, shape: Shape, variable: str) -> str:
        """A pattern binding ``variable`` to the focus nodes of ``shape`` (possibly more than once)."""
        alternatives = [self._targets(shape, variable)] if shape.targets else []
        for parent in shape.parents:
            if parent.is_property_shape:
                parent_variable = f"?shacl_parent{next(self._names)}"
                inner = f"{{ {self.pattern(parent, parent_variable)} }}"
                alternatives.append(values_pattern(parent, inner, parent_variable, variable))
            else:
                alternatives.append(self.pattern(parent, variable))
        if len(alternatives) == 1:
            return alternatives[0]
        return " UNION ".join(f"{{ {alternative} }}" for alternative in alternatives)

    def _targets(self, shape: Shape, variable: str) -> str:
        alternatives = []
        targets = shape.targets
        if targets.nodes:
            values = " ".join(sparql_term(node, shape=shape.node) for node in targets.nodes)
            alternatives.append(f"VALUES {variable} {{ {values} }}")
        for target_class in targets.classes:
            # SHACL instances: rdf:type/rdfs:subClassOf* in the data graph (SHACL §2.1.3.2).
            alternatives.append(f"{variable} {INSTANCE_OF} {sparql_iri(str(target_class))} .")
        for predicate in targets.subjects_of:
            alternatives.append(f"{variable} {sparql_iri(str(predicate))} ?shacl_object{next(self._names)} .")
        for predicate in targets.objects_of:
            alternatives.append(f"?shacl_subject{next(self._names)} {sparql_iri(str(predicate))} {variable} .")
        if len(alternatives) == 1:
            return alternatives[0]
        return " UNION ".join(f"{{ {alternative} }}" for alternative in alternatives)


def may_repeat(shape: Shape) -> bool:
    """Whether some focus node of ``shape`` may be reached in more than one way."""
    sources = bool(shape.targets) + len(shape.parents)
    return sources > 1 or any(parent.is_property_shape or may_repeat(parent) for parent in shape.parents)


def values_pattern(shape: Shape, focus_pattern: str, focus: str, value: str) -> str:
    """``focus_pattern`` (which binds ``focus``) joined with each value node of the focus in ``value``.

    A node shape's value node is its focus node. A path that matches the empty path reaches the focus
    node itself even when the data graph does not mention it (a literal or unknown sh:targetNode),
    which SPARQL's zero-length paths, evaluated over the nodes of the graph, would miss; the union
    repeats the focus pattern because each branch of a UNION is evaluated on its own.
    """
    if shape.path is None:
        return f"{focus_pattern} BIND({focus} AS {value})"
    step = f"{focus_pattern} {focus} {shape.path.sparql()} {value} ."
    if shape.path.nullable:
        return f"{{ {step} }} UNION {{ {focus_pattern} BIND({focus} AS {value}) }}"
    return step


def member_test(shape: Shape, focus: str, term: str) -> str:
    """A SPARQL expression: is ``term`` (a variable bound before, or a constant) a value node of ``focus``?"""
    if shape.path is None:
        return f"sameTerm({focus}, {term})"
    exists = f"EXISTS {{ {focus} {shape.path.sparql()} {term} }}"
    if shape.path.nullable:
        return f"(sameTerm({focus}, {term}) || {exists})"
    return exists
