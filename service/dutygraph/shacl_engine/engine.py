"""``validate``: shapes compiled to SPARQL, each query run once over the data in a pyoxigraph Store."""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
from rdflib import BNode, Graph

from .checks import Check
from .compile_core import compile_core
from .compile_sparql import compile_sparql, sparql_result
from .errors import UnsupportedShapeError
from .focus import FocusPatterns
from .report import ResultRecord, ValidationOutcome, build_outcome
from .shapes_model import Shape, load_shapes
from .terms import quiet_rdflib_literals, sparql_string, sparql_term, to_rdflib
from .vocabulary import SH

QUERY_THREADS = max(1, min(4, os.cpu_count() or 1))
CONFIRM_BATCH = 200  # focus nodes in the VALUES of one confirming query (confirm_results)
_log = logging.getLogger("dutygraph.validation")
_EMPTY_STORE = ox.Store()  # for checking that Oxigraph accepts a query before running it on the data


def validate(data: ox.Store, shapes: Graph, *, union_default_graph: bool = False) -> ValidationOutcome:
    """Validate the default graph of ``data`` (or, with ``union_default_graph``, the union of its
    named graphs) against the shapes of ``shapes``.

    Raises ``UnsupportedShapeError`` before running anything on ``data`` when the shapes use a
    feature this engine does not compile; pySHACL can validate those.
    """
    shape_list = load_shapes(shapes)
    focus = FocusPatterns()
    checks = compile_checks(shape_list, focus)
    records: list[ResultRecord] = []
    with quiet_rdflib_literals(), ThreadPoolExecutor(max_workers=QUERY_THREADS) as pool:
        # The queries are independent and only read the store; Oxigraph evaluates them partly
        # outside the GIL, so two threads finish sooner (1.4x measured on 2 cores). map() keeps the
        # order of the checks, so the outcome does not depend on which thread ran what.
        repetitions = dict(zip(
            (id(shape) for shape in shape_list),
            pool.map(lambda shape: _repetitions(shape, focus, data, union_default_graph), shape_list),
        ))
        for check, found in zip(checks, pool.map(lambda check: _run(check, data, union_default_graph), checks)):
            for record in found:
                records.extend([record] * repetitions[id(check.shape)].get(record.focus, 1))
    return build_outcome(records, shapes)


def compile_checks(shapes: list[Shape], focus: FocusPatterns) -> list[Check]:
    """One check per constraint of every shape, each query checked by Oxigraph's parser."""
    checks = []
    for shape in shapes:
        for constraint in shape.constraints:
            if constraint.parameter == SH.pattern:
                _refuse_unknown_regex(shape, str(constraint.value), constraint.flags)
            checks.append(compile_core(shape, constraint, focus))
        for sparql_constraint in shape.sparql_constraints:
            checks.append(compile_sparql(shape, sparql_constraint, focus))
    for check in checks:
        try:
            for query in (check.query,) + ((check.engine_query,) if check.engine_query else ()):
                for _ in _EMPTY_STORE.query(query):
                    pass
        except (SyntaxError, RuntimeError, OSError, ValueError) as error:
            raise UnsupportedShapeError(f"Oxigraph cannot run the compiled query ({error})", check.shape.node)
    return checks


def _refuse_unknown_regex(shape: Shape, pattern: str, flags: str | None) -> None:
    # Oxigraph's regular expressions are not Python's nor XPath's in every detail (no look-around,
    # for one); a pattern it rejects would make every value fail, so it is refused instead.
    arguments = sparql_string(pattern) + (f", {sparql_string(flags)}" if flags else "")
    query = f'SELECT (COALESCE(REGEX("", {arguments}), "invalid") AS ?valid) WHERE {{}}'
    solution = next(iter(_EMPTY_STORE.query(query)))
    if solution["valid"].value == "invalid":
        raise UnsupportedShapeError(f"sh:pattern {pattern!r} (flags {flags!r}) that Oxigraph cannot compile", shape.node)


def _repetitions(shape: Shape, focus: FocusPatterns, data: ox.Store, union_default_graph: bool) -> dict:
    """How many times each focus node that ``shape`` reaches more than once is validated."""
    query = focus.repetitions_query(shape)
    if query is None or not (shape.constraints or shape.sparql_constraints):
        return {}
    solutions = data.query(query, use_default_graph_as_union=union_default_graph)
    return {to_rdflib(solution["this"]): int(solution["repetitions"].value) for solution in solutions}


def _run(check: Check, data: ox.Store, union_default_graph: bool) -> list[ResultRecord]:
    remote = getattr(data, "remote", False)  # an external engine's dataset: one graph (validation.engine_dataset)
    query = check.engine_query if remote and check.engine_query else check.query
    records = _records(check, data, query, union_default_graph, remote)
    if remote and check.confirm_focus is not None and records:
        records = confirm_results(check, data, records, union_default_graph)
    return records


def confirm_results(check: Check, data, records: list[ResultRecord], union_default_graph: bool = False,
                    batch: int = CONFIRM_BATCH) -> list[ResultRecord]:
    """The results of an aggregating SHACL-SPARQL check asked again for their focus nodes alone.

    SHACL pre-binds ``$this`` to one focus node at a time; the compiled check joins the focus
    subquery instead, and an engine evaluates the two very differently. Virtuoso 7.2 has given
    wrong aggregates over all focus nodes in some plans (docs/external-engine.md), so on an
    external engine the focus nodes of an aggregating check's results are asked again, ``batch``
    at a time, with the focus subquery replaced by their VALUES, and the results of those focus
    nodes are the second answer's. Where the two answers differ, the difference is logged
    (``logging`` and the engine query log). Focus nodes that cannot be written in VALUES (a blank
    node of a store that does not name it otherwise) keep the first answer's results.
    """
    term_text = getattr(data, "focus_text", None) or _focus_text
    order: dict = {}
    for record in records:
        if record.focus not in order:
            order[record.focus] = term_text(record.focus)
    askable = [focus for focus, text in order.items() if text is not None]
    kept = [record for record in records if order[record.focus] is None]
    remote = getattr(data, "remote", False)
    base = check.engine_query if remote and check.engine_query else check.query
    confirmed = []
    for start in range(0, len(askable), batch):
        values = " ".join(order[focus] for focus in askable[start:start + batch])
        query = base.replace(check.confirm_focus, f"{{ VALUES ?this {{ {values} }} }}")
        confirmed.extend(_records(check, data, query, union_default_graph, remote))
    asked = set(askable)
    first = {_identity(record) for record in records if record.focus in asked}
    second = {_identity(record) for record in confirmed}
    if first != second:
        _log_difference(check, data, first - second, second - first)
    return kept + confirmed


def _focus_text(term) -> str | None:
    return None if isinstance(term, BNode) else sparql_term(term)


def _identity(record: ResultRecord) -> tuple:
    return (record.focus, record.value, record.messages)


def _log_difference(check: Check, data, dropped: set, added: set) -> None:
    shape = check.shape.node
    _log.warning("the engine's answer for %s changed for %d focus node(s) when they were asked alone: %d result(s) "
                 "dropped, %d added", shape, len({r[0] for r in dropped | added}), len(dropped), len(added))
    log = getattr(data, "log_confirmation", None)
    if log is not None:
        log(str(shape), [_describe(r) for r in sorted(dropped, key=str)], [_describe(r) for r in sorted(added, key=str)])


def _describe(identity: tuple) -> dict:
    focus, value, messages = identity
    return {"focus": str(focus), "value": None if value is None else str(value),
            "message": str(messages[0]) if messages else None}


def _records(check: Check, data, query: str, union_default_graph: bool, remote: bool) -> list[ResultRecord]:
    try:
        solutions = data.query(query, use_default_graph_as_union=union_default_graph)
    except (SyntaxError, RuntimeError) as error:
        if remote:
            raise  # an external engine's failure (validation.engine_dataset), not the compiled query's
        raise UnsupportedShapeError(f"Oxigraph cannot run the compiled query ({error})", check.shape.node)
    names = [variable.value for variable in solutions.variables]
    shape = check.shape
    records, seen = [], set()
    for solution in solutions:
        row = {name: to_rdflib(solution[name]) for name in names}
        key = tuple(row.values())
        if key in seen:
            continue
        seen.add(key)
        if check.source_constraint is None:
            records.append(
                ResultRecord(
                    focus=row["this"],
                    path=shape.path,
                    value=row.get("value") if check.reports_value else None,
                    shape=shape,
                    component=check.component,
                    messages=shape.messages,
                )
            )
        else:
            focus, path, value, messages = sparql_result(check, row)
            records.append(
                ResultRecord(focus, path, value, shape, check.component, messages, check.source_constraint)
            )
    return records
