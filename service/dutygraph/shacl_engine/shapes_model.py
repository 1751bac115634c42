"""The shapes graph read into shapes, targets and constraints (SHACL §2, §4, §5).

Only the shapes that validation reaches are read: shapes with a target (explicit, or implicit as a
SHACL instance of rdfs:Class) and the property shapes reached from them through ``sh:property``.
Whatever they use beyond the features this engine compiles raises ``UnsupportedShapeError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import UnsupportedShapeError
from .paths import PropertyPath, parse_path, read_list
from .vocabulary import (
    COLLAPSED_DATATYPES,
    COMPONENT_OF_PARAMETER,
    NODE_KINDS,
    NON_CONSTRAINT_PROPERTIES,
    OWL,
    PROPERTY_ONLY_PARAMETERS,
    RDF,
    RDFS,
    SH,
    XSD,
)

TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# pySHACL's shape discovery: typed shapes, target subjects, and the nodes around shape-expecting
# parameters (ShapesGraph._build_node_shape_cache); sh:target is added so that it is refused.
_SHAPE_SUBJECT_PREDICATES = (*TARGET_PREDICATES, SH.target, SH.property, SH.node)
_SHAPE_OBJECT_PREDICATES = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_SHAPE_LIST_PREDICATES = (SH["and"], SH["or"], SH.xone)
_DEFAULT_PREFIXES = {  # pySHACL predeclares these for every SHACL-SPARQL query
    "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL),
}


@dataclass(frozen=True)
class Constraint:
    """One constraint of a core component: ``parameter`` with its ``value`` (list members in ``members``)."""

    component: URIRef
    parameter: URIRef
    value: Node
    members: tuple[Node, ...] = ()
    flags: str | None = None


@dataclass(frozen=True)
class SparqlConstraint:
    """A SPARQL-based constraint (SHACL §5): its node, SELECT text, prefixes and messages."""

    node: Node
    select: str
    prefixes: tuple[tuple[str, str], ...]
    messages: tuple[Literal, ...]


@dataclass(frozen=True)
class Targets:
    nodes: tuple[Node, ...] = ()
    classes: tuple[URIRef, ...] = ()
    subjects_of: tuple[URIRef, ...] = ()
    objects_of: tuple[URIRef, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.nodes or self.classes or self.subjects_of or self.objects_of)


@dataclass(eq=False)
class Shape:
    """A shape to validate. Its focus nodes are its targets plus the value nodes of its ``parents``
    (the shapes that point at it with ``sh:property``)."""

    node: Node
    path: PropertyPath | None
    severity: URIRef
    messages: tuple[Literal, ...]
    targets: Targets
    constraints: list[Constraint] = field(default_factory=list)
    sparql_constraints: list[SparqlConstraint] = field(default_factory=list)
    parents: list["Shape"] = field(default_factory=list)

    @property
    def is_property_shape(self) -> bool:
        return self.path is not None

    def __repr__(self) -> str:
        return f"Shape({self.node.n3()})"


def load_shapes(graph: Graph) -> list[Shape]:
    """The shapes that validation reaches, in a deterministic order, each read completely."""
    reader = _ShapesReader(graph)
    return reader.read()


class _ShapesReader:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.class_types = _class_types(graph)
        self.custom_parameters = {
            path: component
            for component, parameter in graph.subject_objects(SH.parameter)
            for path in graph.objects(parameter, SH.path)
            if not str(path).startswith(str(SH))
        }
        self.shapes: dict[Node, Shape] = {}

    def read(self) -> list[Shape]:
        roots = [node for node in self._shape_nodes() if not self._deactivated(node) and self._has_targets(node)]
        pending = [(root, None) for root in sorted(roots, key=_sort_key)]
        while pending:
            node, parent = pending.pop(0)
            shape = self.shapes.get(node)
            if shape is None:
                shape = self.shapes[node] = self._read_shape(node)
                for child in sorted(self.graph.objects(node, SH.property), key=_sort_key):
                    if isinstance(child, Literal) or (child, SH.path, None) not in self.graph:
                        raise UnsupportedShapeError(f"ill-formed sh:property value {child.n3()} (no sh:path)", node)
                    if not self._deactivated(child):
                        pending.append((child, shape))
            if parent is not None and parent not in shape.parents:
                shape.parents.append(parent)
        for shape in self.shapes.values():
            _refuse_recursion(shape)
        return list(self.shapes.values())

    def _shape_nodes(self) -> set[Node]:
        graph = self.graph
        nodes: set[Node] = set()
        for shape_class in (SH.NodeShape, SH.PropertyShape):
            for subclass in graph.transitive_subjects(RDFS.subClassOf, shape_class):
                nodes.update(graph.subjects(RDF.type, subclass))
        for predicate in _SHAPE_SUBJECT_PREDICATES:
            nodes.update(graph.subjects(predicate, None))
        for predicate in _SHAPE_OBJECT_PREDICATES:
            nodes.update(graph.objects(None, predicate))
        for predicate in _SHAPE_LIST_PREDICATES:
            for head in graph.objects(None, predicate):
                nodes.update(graph.items(head))
        return {node for node in nodes if not isinstance(node, Literal)}

    def _has_targets(self, node: Node) -> bool:
        return any((node, predicate, None) in self.graph for predicate in (*TARGET_PREDICATES, SH.target)) or (
            self._is_class(node)
        )

    def _is_class(self, node: Node) -> bool:
        # An implicit class target (SHACL §2.1.3.3) needs a SHACL instance of rdfs:Class; pySHACL
        # also counts owl:Class, which it declares a subclass of rdfs:Class.
        return isinstance(node, URIRef) and any(t in self.class_types for t in self.graph.objects(node, RDF.type))

    def _deactivated(self, node: Node) -> bool:
        values = list(self.graph.objects(node, SH.deactivated))
        if any(not (isinstance(v, Literal) and v.datatype == XSD.boolean) for v in values) or len(values) > 1:
            raise UnsupportedShapeError("ill-formed sh:deactivated", node)
        return bool(values) and _is_true(values[0])

    def _read_shape(self, node: Node) -> Shape:
        graph = self.graph
        paths = list(graph.objects(node, SH.path))
        if len(paths) > 1 or (paths and (node, RDF.type, SH.NodeShape) in graph):
            raise UnsupportedShapeError("ill-formed shape: a shape has at most one sh:path, node shapes none", node)
        path = parse_path(graph, paths[0], node) if paths else None
        severities = list(graph.objects(node, SH.severity))
        if len(severities) > 1 or any(not isinstance(s, URIRef) for s in severities):
            raise UnsupportedShapeError("ill-formed sh:severity", node)
        shape = Shape(
            node=node,
            path=path,
            severity=severities[0] if severities else SH.Violation,
            messages=tuple(sorted((m for m in graph.objects(node, SH.message) if isinstance(m, Literal)), key=_sort_key)),
            targets=self._read_targets(node),
        )
        for predicate in sorted(set(graph.predicates(node, None)), key=str):
            self._read_parameter(shape, predicate)
        return shape

    def _read_targets(self, node: Node) -> Targets:
        graph = self.graph
        if (node, SH.target, None) in graph:
            raise UnsupportedShapeError("sh:target (SHACL-AF custom targets)", node)
        nodes = sorted(graph.objects(node, SH.targetNode), key=_sort_key)
        classes = sorted(graph.objects(node, SH.targetClass), key=_sort_key)
        if self._is_class(node):
            classes.append(node)
        subjects_of = sorted(graph.objects(node, SH.targetSubjectsOf), key=_sort_key)
        objects_of = sorted(graph.objects(node, SH.targetObjectsOf), key=_sort_key)
        if any(isinstance(n, BNode) for n in nodes) or any(
            not isinstance(iri, URIRef) for iri in (*classes, *subjects_of, *objects_of)
        ):
            raise UnsupportedShapeError("ill-formed target (blank node or literal where an IRI is required)", node)
        return Targets(tuple(nodes), tuple(dict.fromkeys(classes)), tuple(subjects_of), tuple(objects_of))

    def _read_parameter(self, shape: Shape, predicate: URIRef) -> None:
        node, graph = shape.node, self.graph
        values = sorted(graph.objects(node, predicate), key=_sort_key)
        if predicate in self.custom_parameters:
            component = self.custom_parameters[predicate]
            raise UnsupportedShapeError(f"SPARQL-based constraint component {component.n3()}", node)
        if not str(predicate).startswith(str(SH)):
            return
        if predicate == SH.closed:
            if any(not (isinstance(v, Literal) and v.value is False) for v in values):
                raise UnsupportedShapeError("sh:closed", node)
            return
        if predicate == SH.sparql:
            shape.sparql_constraints.extend(c for c in (self._read_sparql(node, v) for v in values) if c)
            return
        if predicate in NON_CONSTRAINT_PROPERTIES:
            return
        if predicate in (SH.select, SH.prefixes) and (None, SH.sparql, node) in graph:
            return  # the shape is also its own SPARQL-based constraint (W3C test sparql-002)
        component = COMPONENT_OF_PARAMETER.get(predicate)
        if component is None:
            if predicate in (SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint):
                predicate = SH.qualifiedValueShape
            raise UnsupportedShapeError(f"sh:{predicate[len(SH):]}", node)
        if predicate in PROPERTY_ONLY_PARAMETERS and not shape.is_property_shape:
            raise UnsupportedShapeError(f"ill-formed shape: {predicate.n3(graph.namespace_manager)} on a node shape", node)
        flags = None
        if predicate == SH.pattern:
            flag_values = list(graph.objects(node, SH.flags))
            if len(flag_values) > 1 or any(not isinstance(f, Literal) for f in flag_values):
                raise UnsupportedShapeError("ill-formed sh:flags", node)
            flags = str(flag_values[0]) if flag_values else None
        for value in values:
            constraint = _check_value(component, predicate, value, node, graph, flags)
            if constraint is not None:
                shape.constraints.append(constraint)

    def _read_sparql(self, shape_node: Node, node: Node) -> SparqlConstraint | None:
        graph = self.graph
        if isinstance(node, Literal):
            raise UnsupportedShapeError("ill-formed sh:sparql value", shape_node)
        if self._deactivated(node):
            return None
        if (node, SH.ask, None) in graph:
            raise UnsupportedShapeError("sh:ask in a SPARQL-based constraint", shape_node)
        for predicate in set(graph.predicates(node, None)) if node != shape_node else ():
            if str(predicate).startswith(str(SH)) and predicate not in (SH.select, SH.message, SH.deactivated, SH.prefixes):
                raise UnsupportedShapeError(f"{predicate.n3(graph.namespace_manager)} on a SPARQL-based constraint", shape_node)
        selects = list(graph.objects(node, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal):
            raise UnsupportedShapeError("ill-formed SPARQL-based constraint: it needs one sh:select string", shape_node)
        messages = tuple(sorted((m for m in graph.objects(node, SH.message) if isinstance(m, Literal)), key=_sort_key))
        return SparqlConstraint(node, str(selects[0]), self._prefixes(node, shape_node), messages)

    def _prefixes(self, node: Node, shape_node: Node) -> tuple[tuple[str, str], ...]:
        # SHACL §5.2.1: the declarations at sh:prefixes/owl:imports*/sh:declare.
        graph = self.graph
        declared: dict[str, str] = {}
        for start in graph.objects(node, SH.prefixes):
            for ontology in graph.transitive_objects(start, OWL.imports):
                for declaration in graph.objects(ontology, SH.declare):
                    prefixes = list(graph.objects(declaration, SH.prefix))
                    namespaces = list(graph.objects(declaration, SH.namespace))
                    if len(prefixes) != 1 or len(namespaces) != 1 or not all(
                        isinstance(v, Literal) for v in (*prefixes, *namespaces)
                    ):
                        raise UnsupportedShapeError("ill-formed sh:declare", shape_node)
                    prefix, namespace = str(prefixes[0]), str(namespaces[0])
                    if declared.setdefault(prefix, namespace) != namespace:
                        raise UnsupportedShapeError(f"ill-formed prefixes: two namespaces for {prefix}:", shape_node)
        for prefix, namespace in _DEFAULT_PREFIXES.items():
            declared.setdefault(prefix, namespace)
        return tuple(sorted(declared.items()))


def _check_value(component, predicate, value, node, graph, flags) -> Constraint | None:
    """The constraint declared by one parameter value, or None when it constrains nothing."""
    name = predicate.n3(graph.namespace_manager)
    if predicate in (SH["class"], SH.datatype, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
        if not isinstance(value, URIRef):
            raise UnsupportedShapeError(f"{name} with the non-IRI value {value.n3()}", node)
        if predicate == SH.datatype and (value in COLLAPSED_DATATYPES or value == RDFS.Datatype):
            # The store keeps xsd:int & co. as xsd:integer; pySHACL gives rdfs:Datatype its own meaning.
            raise UnsupportedShapeError(f"sh:datatype {value.n3(graph.namespace_manager)}", node)
    elif predicate == SH.nodeKind:
        if value not in NODE_KINDS:
            raise UnsupportedShapeError(f"ill-formed sh:nodeKind {value.n3()}", node)
    elif predicate in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
        if not (isinstance(value, Literal) and type(value.value) is int and value.value >= 0):
            raise UnsupportedShapeError(f"{name} with the non-integer value {value.n3()}", node)
        if predicate == SH.minCount and value.value == 0:
            return None
    elif predicate in (SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive, SH.pattern):
        if not isinstance(value, Literal):
            raise UnsupportedShapeError(f"{name} with the non-literal value {value.n3()}", node)
    elif predicate == SH.uniqueLang:
        if not (isinstance(value, Literal) and value.datatype == XSD.boolean):
            raise UnsupportedShapeError(f"ill-formed sh:uniqueLang {value.n3()}", node)
        if not _is_true(value):
            return None
    elif predicate in (SH["in"], SH.languageIn):
        members = read_list(graph, value, node)
        if any(isinstance(m, BNode) for m in members) or (
            predicate == SH.languageIn and any(not isinstance(m, Literal) for m in members)
        ):
            raise UnsupportedShapeError(f"{name} with a blank node or non-literal member", node)
        return Constraint(component, predicate, value, members)
    elif predicate == SH.hasValue and isinstance(value, BNode):
        raise UnsupportedShapeError("sh:hasValue with a blank node", node)
    return Constraint(component, predicate, value, flags=flags if predicate == SH.pattern else None)


def _is_true(value: Literal) -> bool:
    # SHACL names the term true; "1"^^xsd:boolean has the same value but is another term, and the W3C
    # test uniqueLang-002 expects it not to activate sh:uniqueLang.
    return str(value) == "true"


def _class_types(graph: Graph) -> set[Node]:
    types: set[Node] = set()
    for root in (RDFS.Class, OWL.Class):
        types.update(graph.transitive_subjects(RDFS.subClassOf, root))
    return types


def _refuse_recursion(shape: Shape) -> None:
    seen, pending = set(), list(shape.parents)
    while pending:
        parent = pending.pop()
        if parent is shape:
            raise UnsupportedShapeError("recursive shapes (a shape reaches itself through sh:property)", shape.node)
        if id(parent) not in seen:
            seen.add(id(parent))
            pending.extend(parent.parents)


def _sort_key(node: Node) -> tuple[str, str]:
    return (type(node).__name__, node.n3())
