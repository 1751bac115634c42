"""Turning template rows into quads: every cell validated, every reference resolved across all files.

Two passes: the first gathers the ids of every row of every table (a duplicate id within a kind is an
error), so that the second can resolve a reference to a row of any file, in any order. A bare id
also resolves to a resource that an RDF file describes at ``{base}{kind}/{id}``.
"""

from __future__ import annotations

from pyoxigraph import NamedNode, Quad

from .curation_keys import curation_keys
from .errors import ProblemLog
from .tabular import Table
from .templates import ACTOR_NAMESPACE, RDF_TYPE, UNIT_NAMESPACE, Column, Inverse, Node, NodePerItem, Property
from .values import CellError, CurationKey, Reference, parse_id

_KEY_NAMESPACES = {"role": ACTOR_NAMESPACE, "unit": UNIT_NAMESPACE}


class _Ids:
    """Where each id of each kind is defined: in a table row, or as a subject of an RDF file."""

    def __init__(self, base: str, rdf_subjects: set[str]):
        self.base = base
        self.rdf_subjects = rdf_subjects
        self.rows: dict[str, dict[str, str]] = {}

    def add(self, kind: str, ident: str, where: str) -> str | None:
        """Record the id; if the kind has it already, where it was first defined."""
        defined = self.rows.setdefault(kind, {})
        if ident in defined:
            return defined[ident]
        defined[ident] = where
        return None

    def iri(self, kind: str, ident: str) -> NamedNode:
        return NamedNode(f"{self.base}{kind}/{ident}")

    def resolve(self, reference: Reference, parsed) -> NamedNode:
        if isinstance(parsed, NamedNode):
            return parsed
        kind, ident = parsed
        kinds = (kind,) if kind else reference.kinds
        found = [k for k in kinds
                 if ident in self.rows.get(k, ()) or f"{self.base}{k}/{ident}" in self.rdf_subjects]
        if not found:
            described = " or ".join(kinds)
            raise CellError(f"no {described} row has the id {ident!r} (in any of the files given)")
        if len(found) > 1:
            raise CellError(f"{ident!r} is the id of both a {found[0]} row and a {found[1]} row: "
                            f"write {found[0]}/{ident} or {found[1]}/{ident}")
        return self.iri(found[0], ident)


def _where(table: Table, row: int) -> str:
    sheet = f" sheet {table.sheet}" if table.sheet else ""
    return f"{table.file}{sheet} row {row}"


def tables_to_quads(tables: list[Table], *, base: str, rdf_subjects: set[str],
                    problems: ProblemLog) -> list[list[Quad]]:
    """The quads of each table, in table order; problems go to ``problems``."""
    ids = _Ids(base, rdf_subjects)
    row_ids: list[list[str | None]] = []
    for table in tables:
        position = table.positions.get("id")
        found: list[str | None] = []
        for row, cells in table.rows:
            found.append(_row_id(table, row, cells, position, ids, problems))
        row_ids.append(found)
    keys = curation_keys()
    return [
        [quad for (row, cells), ident in zip(table.rows, idents)
         for quad in _row_quads(table, row, cells, ident, ids, keys, problems)]
        for table, idents in zip(tables, row_ids)
    ]


def _row_id(table: Table, row: int, cells: tuple[str, ...], position: int | None, ids: _Ids,
            problems: ProblemLog) -> str | None:
    if position is None:  # the missing id column is reported with the header
        return None
    text = cells[position]
    if not text:
        problems.add(table.file, "is required", row=row, column="id", sheet=table.sheet)
        return None
    try:
        ident = parse_id(text)
    except CellError as error:
        problems.add(table.file, str(error), row=row, column="id", sheet=table.sheet)
        return None
    first = ids.add(table.template.name, ident, _where(table, row))
    if first is not None:
        problems.add(table.file, f"duplicate id {ident!r} of {table.template.name} (first at {first})",
                     row=row, column="id", sheet=table.sheet)
        return None
    return ident


def _row_quads(table: Table, row: int, cells: tuple[str, ...], ident: str | None, ids: _Ids,
               keys: dict[str, frozenset[str]], problems: ProblemLog) -> list[Quad]:
    template = table.template
    subject = ids.iri(template.name, ident) if ident is not None else None
    quads = [Quad(subject, RDF_TYPE, cls) for cls in template.types] if subject is not None else []
    nodes_made: set[str] = set()

    def cell(name: str) -> str:
        position = table.positions.get(name)
        return cells[position] if position is not None else ""

    for column in template.columns:
        if column.rdf is None:
            continue
        text = cell(column.name)
        items = _items(text) if column.many else [text]
        if not any(items):  # an empty cell, or a list of nothing but separators
            if column.required and column.name in table.positions:
                problems.add(table.file, "is required", row=row, column=column.name, sheet=table.sheet)
            elif column.required_when and cell(column.required_when[0]) == column.required_when[1]:
                problems.add(table.file, f"is required when {column.required_when[0]} is {column.required_when[1]}",
                             row=row, column=column.name, sheet=table.sheet)
            continue
        values = []
        for item in items:
            try:
                if not column.many and ";" in item and isinstance(column.value, Reference):
                    raise CellError(f"{item!r}: this column takes one {column.value.described()} id, not a list")
                values.append(_value(column, item, ids, keys))
            except CellError as error:
                problems.add(table.file, str(error), row=row, column=column.name, sheet=table.sheet)
        if subject is not None:
            quads.extend(_statements(subject, column, [v for v in values if v is not None], nodes_made))
    return quads


def _items(text: str) -> list[str]:
    """The items of a ';'-separated list, stripped, without empties or repeats, in order."""
    return list(dict.fromkeys(item.strip() for item in text.split(";") if item.strip()))


def _value(column: Column, text: str, ids: _Ids, keys: dict[str, frozenset[str]]):
    kind = column.value
    if isinstance(kind, Reference):
        return ids.resolve(kind, kind.parse(text))
    if isinstance(kind, CurationKey):
        return kind.parse(text, keys, _KEY_NAMESPACES[kind.table])
    return kind.parse(text)


def _statements(subject: NamedNode, column: Column, values: list, nodes_made: set[str]) -> list[Quad]:
    rdf = column.rdf
    quads: list[Quad] = []
    if isinstance(rdf, Property):
        target = _node(subject, rdf.node, None, quads, nodes_made) if rdf.node and values else subject
        quads.extend(Quad(target, rdf.predicate, value) for value in values)
    elif isinstance(rdf, Inverse):
        quads.extend(Quad(value, rdf.predicate, subject) for value in values)
    elif isinstance(rdf, NodePerItem):
        for number, value in enumerate(values, start=1):
            quads.append(Quad(_node(subject, rdf.node, number, quads, nodes_made), rdf.predicate, value))
    return quads


def _node(subject: NamedNode, node: Node, number: int | None, quads: list[Quad], nodes_made: set[str]) -> NamedNode:
    """The IRI of a part of the record; its link, type and facts are stated the first time it is used."""
    parent = subject if node.parent is None else _node(subject, node.parent, None, quads, nodes_made)
    iri = NamedNode(f"{parent.value}/{node.path.format(n=number)}")
    if iri.value not in nodes_made:
        nodes_made.add(iri.value)
        quads.append(Quad(parent, node.link, iri))
        quads.append(Quad(iri, RDF_TYPE, node.type))
        quads.extend(Quad(iri, predicate, value) for predicate, value in node.facts)
    return iri
