"""A compiled check: one SPARQL SELECT that finds every violation of one constraint at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from .shapes_model import Shape


@dataclass(frozen=True)
class Check:
    """``query`` selects ``?this`` (the focus node) and, when ``reports_value``, ``?value``.

    For SHACL-SPARQL constraints ``source_constraint`` is the sh:sparql node, ``messages`` its
    sh:message values and ``projects_this`` whether the query text itself projected ``$this``
    (pySHACL substitutes ``{$this}`` in messages only then). ``engine_query``, when there is one,
    has the same solutions as ``query`` over one graph and is what an external SPARQL engine is
    asked instead (``validation.engine_dataset``): a form that engine evaluates much faster.
    ``confirm_focus``, when there is one, is the focus subquery as ``query`` holds it, in a query
    that aggregates: on an external engine the focus nodes of its results are asked again with the
    subquery replaced by their VALUES (``engine.confirm_results``).
    """

    shape: Shape
    component: URIRef
    query: str
    reports_value: bool
    source_constraint: Node | None = None
    messages: tuple[Literal, ...] = field(default=())
    projects_this: bool = True
    engine_query: str | None = None
    confirm_focus: str | None = None
