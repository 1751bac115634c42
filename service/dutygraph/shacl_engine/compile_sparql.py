"""SPARQL-based constraints (SHACL §5) rewritten to run once over all focus nodes.

The query of ``sh:select`` gets its prefixes (SHACL §5.2.1), ``$PATH`` replaced by the shape's path,
and the focus subquery joined in wherever pre-binding puts ``$this`` (see ``sparql_syntax``); when it
does not project ``$this`` the rewrite adds it, so that each solution names its focus node.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from .checks import Check
from .errors import UnsupportedShapeError
from .focus import FocusPatterns
from .messages import substitute
from .shapes_model import Shape, SparqlConstraint
from .sparql_syntax import AGGREGATES, scan_select, tokenize
from .terms import sparql_iri
from .vocabulary import SH

_REFUSED_VARIABLES = {
    "shapesGraph": "$shapesGraph",
    "currentShape": "$currentShape",
    "failure": "?failure (failures of SPARQL constraints)",
}


def compile_sparql(shape: Shape, constraint: SparqlConstraint, focus: FocusPatterns) -> Check:
    text = constraint.select
    tokens = tokenize(text)
    for token in tokens:
        if token.variable in _REFUSED_VARIABLES:
            raise UnsupportedShapeError(f"SHACL-SPARQL query: {_REFUSED_VARIABLES[token.variable]}", shape.node)
    path_tokens = [token for token in tokens if token.variable == "PATH"]
    if path_tokens and shape.path is None:
        raise UnsupportedShapeError("SHACL-SPARQL query: $PATH in a node shape", shape.node)
    for token in reversed(path_tokens):
        text = text[: token.start] + shape.path.sparql() + text[token.end :]
    layout = scan_select(text, shape.node)
    edits = [(offset, f" {focus.subquery(shape)} ") for offset in layout.focus_inserts]
    if layout.projection_insert is not None:
        edits.append((layout.projection_insert, " ?this"))
    for offset, insertion in sorted(edits, reverse=True):
        text = text[:offset] + insertion + text[offset:]
    prologue = "".join(f"PREFIX {prefix}: {sparql_iri(namespace)}\n" for prefix, namespace in constraint.prefixes)
    aggregates = any(token.keyword in AGGREGATES or token.keyword in ("GROUP", "HAVING") for token in tokens)
    return Check(
        shape=shape,
        component=SH.SPARQLConstraintComponent,
        query=prologue + text,
        reports_value=True,
        source_constraint=constraint.node,
        messages=constraint.messages,
        projects_this=layout.projects_this,
        confirm_focus=focus.subquery(shape) if aggregates and layout.focus_inserts else None,
    )


def sparql_result(check: Check, solution: dict[str, Node]) -> tuple[Node, object, Node | None, tuple[Literal, ...]]:
    """(focus, path, value, messages) of one solution (SHACL §5.3.2).

    sh:resultPath is ``?path`` when it is an IRI, else the shape's path; sh:value is ``?value``, else
    the focus node of a node shape. Messages are the shape's and then ``?message`` or the
    constraint's, with ``{?var}``/``{$var}`` replaced by the solution's values as pySHACL does (which
    includes ``{$this}`` only when the query projects ``$this``).
    """
    shape = check.shape
    focus = solution["this"]
    path = solution.get("path")
    path = path if isinstance(path, URIRef) else shape.path
    value = solution.get("value")
    if value is None and not shape.is_property_shape:
        value = focus
    bindings = {name: term for name, term in solution.items() if term is not None}
    if not check.projects_this:
        bindings.pop("this", None)
    if value is not None:
        bindings["value"] = value
    message = solution.get("message")
    templates = list(shape.messages)
    templates += [message] if isinstance(message, Literal) else list(check.messages)
    messages = tuple(dict.fromkeys(substitute(template, bindings) for template in templates))
    return focus, path, value, messages
