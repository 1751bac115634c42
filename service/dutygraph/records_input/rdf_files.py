"""Parsing uploaded RDF safely with pyoxigraph: nothing is fetched, nothing is expanded.

pyoxigraph reads every accepted format natively and has no network access, but two inputs are
refused before it sees them, each with its own message:

* JSON-LD that names a remote context (a string anywhere in a ``@context`` value, in an array or in
  a nested or scoped context) or uses ``@import``: the context must be given inline.
* RDF/XML with a DOCTYPE or ENTITY declaration: pyoxigraph expands internal entities, so a
  "billion laughs" document would exhaust memory, and external entities name other resources.

``owl:imports`` triples are ordinary data here; no code follows them. Blank nodes are relabelled
per file in order of appearance (``f1b1``, ``f1b2`` … for the first file), so that two files cannot
share a blank node and the same inputs always give the same quads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import PurePath
from urllib.parse import quote

import pyoxigraph
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

from .errors import ProblemLog
from .formats import JSON_LD, RDF_XML, UTF8_BOM, Format, decode_utf8

_PARSER_PLACE = re.compile(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ")
_XML_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)\b", re.IGNORECASE)


def base_iri_for(base: str, name: str) -> str:
    """Relative IRIs in a file resolve against the base followed by the file's own name."""
    return base + quote(PurePath(name).name, safe="")


def remote_context_references(document: object) -> list[str]:
    """Why a parsed JSON-LD document would need a remote document, in document order.

    >>> remote_context_references({"@context": ["https://schema.org/", {"name": "http://e/name"}]})
    ['remote @context "https://schema.org/" refused: give the context inline']
    >>> remote_context_references({"@context": {"p": {"@id": "http://e/p", "@context": "c.jsonld"}}})
    ['remote @context "c.jsonld" refused: give the context inline']
    """
    found: list[str] = []
    stack: list[object] = [document]
    while stack:  # iterative: a deeply nested upload must not exhaust Python's recursion limit
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@import":
                    found.append(f"@import of {json.dumps(value, ensure_ascii=False)} refused: give the context inline")
                elif key == "@context":
                    for entry in value if isinstance(value, list) else [value]:
                        if isinstance(entry, str):
                            found.append(f"remote @context {json.dumps(entry, ensure_ascii=False)} refused: "
                                         "give the context inline")
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


def _check_json_ld(name: str, text: str, problems: ProblemLog) -> bool:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        problems.add(name, f"is not valid JSON: {error.msg}", line=error.lineno, column=str(error.colno))
        return False
    except RecursionError:
        problems.add(name, "is nested too deeply to be read")
        return False
    refusals = remote_context_references(document)
    for message in refusals:
        problems.add(name, message + " (nothing is fetched from the network)")
    return not refusals


def _check_rdf_xml(name: str, text: str, problems: ProblemLog) -> bool:
    match = _XML_DECLARATION.search(text)
    if match is None:
        return True
    line = text.count("\n", 0, match.start()) + 1
    problems.add(
        name,
        f"{match.group(1).upper()} declarations are refused in RDF/XML (entity expansion and external "
        "entities are unsafe); remove the DOCTYPE",
        line=line,
    )
    return False


_NO_BLANK_NODES = (NamedNode, Literal)  # the object terms a quad is kept as parsed with


class _BlankNodeLabels:
    """Deterministic blank node labels, in order of first appearance within one file."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.labels: dict[str, BlankNode] = {}

    def __call__(self, term):
        if isinstance(term, BlankNode):
            label = self.labels.get(term.value)
            if label is None:
                label = self.labels[term.value] = BlankNode(f"{self.prefix}{len(self.labels) + 1}")
            return label
        if isinstance(term, Triple):  # an RDF 1.2 triple term may hold blank nodes too
            return Triple(self(term.subject), term.predicate, self(term.object))
        return term


def relabelled_quads(parsed: Iterable[Quad], file_number: int):
    """The parsed quads of the ``file_number``-th file, its blank nodes relabelled (``f{n}b1`` …)."""
    relabel = _BlankNodeLabels(f"f{file_number}b")
    for quad in parsed:  # a quad without blank nodes is kept as parsed (most are; 2x faster at 10^7)
        subject, obj, graph = quad.subject, quad.object, quad.graph_name
        if type(subject) is NamedNode and type(obj) in _NO_BLANK_NODES and type(graph) is DefaultGraph:
            yield quad
        else:
            yield Quad(relabel(subject), quad.predicate, relabel(obj),
                       graph if isinstance(graph, DefaultGraph) else relabel(graph))


def parse_failure(name: str, fmt: Format, error: Exception, problems: ProblemLog) -> None:
    """Report why the parser stopped: a syntax error located by line and column, or a read error."""
    if isinstance(error, SyntaxError):
        message = _PARSER_PLACE.sub("", error.msg or str(error))
        column = str(error.offset) if error.offset else None
        problems.add(name, f"{fmt.name} syntax error: {message}", line=error.lineno, column=column)
    else:
        problems.add(name, f"cannot be read as {fmt.name}: {error}")


def parse_rdf(name: str, data: bytes, fmt: Format, *, base: str, file_number: int,
              problems: ProblemLog) -> list[Quad] | None:
    """The quads of an RDF file, or None after reporting its problems to ``problems``."""
    text = decode_utf8(name, data, problems)
    if text is None:
        return None
    if fmt is JSON_LD and not _check_json_ld(name, text, problems):
        return None
    if fmt is RDF_XML and not _check_rdf_xml(name, text, problems):
        return None
    del text  # the parser reads the bytes: a str of them is up to four times their size
    try:
        parsed: Iterable[Quad] = pyoxigraph.parse(
            data.removeprefix(UTF8_BOM), format=fmt.rdf_format, base_iri=base_iri_for(base, name)
        )
        quads = list(relabelled_quads(parsed, file_number))
    except (SyntaxError, ValueError, OSError) as error:
        parse_failure(name, fmt, error, problems)
        return None
    if not fmt.named_graphs and any(not isinstance(quad.graph_name, DefaultGraph) for quad in quads):
        problems.add(name, "has named graphs; they are accepted only in TriG (.trig) or N-Quads (.nq) files")
        return None
    return quads
