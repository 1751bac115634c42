"""SHACL property paths (SHACL §2.3.1): read from the shapes graph, written as SPARQL property paths.

A path is parsed once into a ``PropertyPath`` tree that keeps the nodes of the shapes graph, so that
the report can carry the same path structure (``sh:resultPath``) and the queries its SPARQL form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from .errors import UnsupportedShapeError
from .terms import sparql_iri
from .vocabulary import RDF, SH

_UNARY = {
    SH.inversePath: "inverse",
    SH.zeroOrMorePath: "zeroOrMore",
    SH.oneOrMorePath: "oneOrMore",
    SH.zeroOrOnePath: "zeroOrOne",
}
_UNARY_PREDICATE = {kind: predicate for predicate, kind in _UNARY.items()}
_SPARQL_SUFFIX = {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}


@dataclass(frozen=True)
class PropertyPath:
    """One node of a SHACL path: ``kind`` is predicate, sequence, alternative, inverse, zeroOrMore,
    oneOrMore or zeroOrOne; ``node`` its node in the shapes graph; ``parts`` its sub-paths; ``cells``
    the list cells of a sequence or alternative (to copy the RDF list into a report)."""

    kind: str
    node: Node
    parts: tuple["PropertyPath", ...] = ()
    cells: tuple[Node, ...] = ()
    list_node: Node | None = None

    def sparql(self) -> str:
        """The equivalent SPARQL 1.1 property path (SHACL §2.3.1 table), fully parenthesised."""
        if self.kind == "predicate":
            return sparql_iri(str(self.node))
        if self.kind == "sequence":
            return "(" + " / ".join(part.sparql() for part in self.parts) + ")"
        if self.kind == "alternative":
            return "(" + " | ".join(part.sparql() for part in self.parts) + ")"
        if self.kind == "inverse":
            return "^" + self.parts[0].sparql()
        return "(" + self.parts[0].sparql() + ")" + _SPARQL_SUFFIX[self.kind]

    @property
    def nullable(self) -> bool:
        """Whether the path matches the empty path, i.e. every node reaches itself through it."""
        if self.kind in ("zeroOrMore", "zeroOrOne"):
            return True
        if self.kind == "sequence":
            return all(part.nullable for part in self.parts)
        if self.kind == "alternative":
            return any(part.nullable for part in self.parts)
        if self.kind in ("inverse", "oneOrMore"):
            return self.parts[0].nullable
        return False

    def triples(self) -> Iterator[tuple[Node, Node, Node]]:
        """The triples that state this path, as they are in the shapes graph (for ``sh:resultPath``)."""
        if self.kind == "predicate":
            return
        if self.kind in ("sequence", "alternative"):
            if self.kind == "alternative":
                yield (self.node, SH.alternativePath, self.list_node)
            for index, (cell, part) in enumerate(zip(self.cells, self.parts)):
                yield (cell, RDF.first, part.node)
                rest = self.cells[index + 1] if index + 1 < len(self.cells) else RDF.nil
                yield (cell, RDF.rest, rest)
        else:
            yield (self.node, _UNARY_PREDICATE[self.kind], self.parts[0].node)
        for part in self.parts:
            yield from part.triples()


def parse_path(graph: Graph, node: Node, shape: Node, _seen: frozenset = frozenset()) -> PropertyPath:
    """The path at ``node``; an ill-formed path (SHACL §2.3.1.x syntax rules) is refused."""
    if isinstance(node, URIRef):
        return PropertyPath("predicate", node)
    if not isinstance(node, BNode) or node in _seen:
        raise UnsupportedShapeError(f"ill-formed sh:path {node.n3()}", shape)
    seen = _seen | {node}
    if (node, RDF.first, None) in graph:
        # A node that is an RDF list is a sequence path, whatever else it says (test path-strange-001).
        cells, members = _list(graph, node, shape)
        if len(members) < 2:
            raise UnsupportedShapeError("ill-formed sh:path: a sequence path needs two members", shape)
        parts = tuple(parse_path(graph, member, shape, seen) for member in members)
        return PropertyPath("sequence", node, parts, cells)
    alternatives = list(graph.objects(node, SH.alternativePath))
    unary = [(kind, value) for predicate, kind in _UNARY.items() for value in graph.objects(node, predicate)]
    if len(alternatives) + len(unary) != 1:
        raise UnsupportedShapeError(f"ill-formed sh:path {node.n3()}", shape)
    if alternatives:
        cells, members = _list(graph, alternatives[0], shape)
        if len(members) < 2:
            raise UnsupportedShapeError("ill-formed sh:path: an alternative path needs two members", shape)
        parts = tuple(parse_path(graph, member, shape, seen) for member in members)
        return PropertyPath("alternative", node, parts, cells, list_node=alternatives[0])
    kind, value = unary[0]
    return PropertyPath(kind, node, (parse_path(graph, value, shape, seen),))


def _list(graph: Graph, head: Node, shape: Node) -> tuple[tuple[Node, ...], tuple[Node, ...]]:
    cells, members = [], []
    cell = head
    while cell != RDF.nil:
        firsts = list(graph.objects(cell, RDF.first))
        rests = list(graph.objects(cell, RDF.rest))
        if len(firsts) != 1 or len(rests) != 1 or cell in cells:
            raise UnsupportedShapeError(f"ill-formed RDF list {head.n3()}", shape)
        cells.append(cell)
        members.append(firsts[0])
        cell = rests[0]
    return tuple(cells), tuple(members)


def read_list(graph: Graph, head: Node, shape: Node) -> tuple[Node, ...]:
    """The members of the SHACL list ``head`` (sh:in, sh:languageIn); ill-formed lists are refused."""
    return _list(graph, head, shape)[1]
