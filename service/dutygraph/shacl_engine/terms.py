"""RDF terms between rdflib (the shapes graph, the report), SPARQL text and pyoxigraph (the data)."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .errors import UnsupportedShapeError
from .vocabulary import XSD

_IRI_FORBIDDEN = set('<>"{}|^`\\') | {chr(code) for code in range(0x21)}
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def sparql_iri(iri: str) -> str:
    """``<iri>``, with the characters IRIREF forbids written as UCHAR escapes."""
    return "<" + "".join(f"\\u{ord(c):04X}" if c in _IRI_FORBIDDEN else c for c in iri) + ">"


def sparql_string(text: str) -> str:
    return '"' + "".join(_STRING_ESCAPES.get(c, c) for c in text) + '"'


def sparql_term(term: Node, *, shape: object = None) -> str:
    """A constant of the shapes graph as SPARQL text.

    A blank node of the shapes graph cannot name a node of the data graph (in a query it would be a
    variable), so a constraint that needs one is refused.
    """
    if isinstance(term, URIRef):
        return sparql_iri(str(term))
    if isinstance(term, Literal):
        text = sparql_string(str(term))
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^{sparql_iri(str(term.datatype))}"
        return text
    raise UnsupportedShapeError(f"blank node {term.n3()} used as a constant", shape)


@contextmanager
def quiet_rdflib_literals():
    # rdflib logs a traceback for every ill-typed literal it is asked to build; ill-typed values are
    # ordinary findings of validation, not errors of this program.
    logger = logging.getLogger("rdflib.term")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
    """A pyoxigraph term as the rdflib term with the same identity (blank node ids are kept).

    Call it inside ``quiet_rdflib_literals()`` when the terms may be ill-typed literals.
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        # Oxigraph already wrote the canonical form of every well-formed value; keep it as it is.
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


def from_rdflib(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term (blank node ids are kept), e.g. to fill a Store."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")
