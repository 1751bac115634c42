"""Read queries on an external SPARQL engine, with the service's own limits in front of it.

The query has passed the same guard as on the embedded store (read-only, no SERVICE or LOAD, the
caller's dataset) and holds a query slot. Then, before anything reaches the engine:

1. Oxigraph's parser reads it, in a query worker (``query_runner``) on an empty store, with the time
   limit: a query the embedded store would refuse is refused with the same message (400), and only
   standard SPARQL 1.1 reaches the engine — no engine extension (Virtuoso's ``define input:…``,
   ``define get:soft``, predeclared ``bif:`` names …). The worker evaluates the query on the empty
   store up to its first row, which costs little, and is killed at the time limit like any other.
2. A call of a function named by an IRI other than an XSD cast is refused, as Oxigraph refuses it
   when it evaluates one (500, the same message): Virtuoso would call the SQL procedure of that name
   (``bif:…``, ``sql:…``, ``DB.DBA.…``) beside the dataset.

A text accepted by both steps is remembered (``ACCEPTED_TEXTS`` of them, each of at most
``ACCEPTED_TEXT_CHARS``, with its prefixes, dataset and format): asked again, it goes to the engine
at once. Both steps are deterministic — the same text and prefixes parse the same way, and the
parse store is always empty — so this changes no answer, only the pipe round trip to a worker.

It is then sent with its dataset as ``default-graph-uri`` / ``named-graph-uri`` and without its FROM
clauses (``remote_store``); the engine's answer is parsed by Oxigraph as it arrives, at most
RESULT_ROW_LIMIT + 1 rows are read (the rest is never read), and it is written in the asked format by
the same code as the embedded workers' (``query_worker.encode``), so both stores answer alike. The
time limit covers both steps and the whole answer (``remote_store``): past it the client gets 504 and
the service drops the connection (Virtuoso stops a query soon after its client hangs up), and the
request carried the engine's own limit, the time left plus a second (``RemoteStore.timeout_parameter``),
so the engine's ``MaxQueryExecutionTime`` can stay above a validation's longest query (if the engine
stops first, its partial or failed answer is a 504 too, never a short answer).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox

from ..remote_store import (DOCUMENT_GRAPH, RemoteQueryError, RemoteStore, RemoteTimeout, RemoteUnavailable,
                            SolutionRows, _Names, _tokens)
from .query_runner import QueryAnswer, QueryFailed, QueryTimeout
from .query_worker import encode, encode_rows
from .text_memo import MISSING, TextMemo

PARSE_STORE = "parse-only-store"  # under STORE_DIR: an empty Oxigraph store for step 1
XSD = "http://www.w3.org/2001/XMLSchema#"
_made: set[Path] = set()
_made_lock = threading.Lock()
ACCEPTED_TEXTS = 1024  # queries remembered as accepted by steps 1 and 2 (least recently asked dropped)
ACCEPTED_TEXT_CHARS = 20_000  # a longer text is read by a worker every time it is asked
_accepted = TextMemo()  # (text, prefixes, default graphs, named graphs, format) accepted by steps 1 and 2


def _graph(iri: str) -> ox.NamedNode:
    return ox.NamedNode(DOCUMENT_GRAPH if iri == "" else iri)


def parse_store(directory: Path) -> Path:
    """An empty Oxigraph store under directory, made once (then only opened read-only by workers)."""
    path = Path(directory) / PARSE_STORE
    with _made_lock:
        if path not in _made:
            store = ox.Store(str(path))
            store.flush()
            del store  # closed: the workers open it read-only
            _made.add(path)
    return path


def custom_functions(query: str, prefixes: dict[str, str]) -> list[str]:
    """The IRIs called as functions in the query (``<f>(…)``, ``ex:f(…)``) that are not XSD casts.

    An IRI followed by ``(`` is a call in an expression — inside an expression's parentheses, right
    after FILTER, in a SELECT clause, or among GROUP BY / ORDER BY / HAVING conditions — and not
    elsewhere in a group (there ``<p> (1 2)`` is a predicate and a collection, ``<s> (<p>|<q>)`` a
    subject and a path)."""
    from .query_guard import decode_codepoint_escapes

    tokens = _tokens(decode_codepoint_escapes(query))
    names = _Names()
    names.prefixes.update(prefixes)
    frames = [{"kind": "{", "expressions": False, "select": False}]  # groups and parentheses, innermost last
    found = []
    previous = None
    index = 0
    while index < len(tokens):
        kind, text = tokens[index][:2]
        word = text.upper() if kind == "word" else ""
        declared = names.declare(tokens, index) if kind == "word" else index
        if declared != index:
            index, previous = declared, tokens[declared - 1]
            continue
        frame = frames[-1]
        if word == "SELECT":
            frame["select"] = True
        elif word in ("WHERE",):
            frame["select"] = False
        elif word in ("BY", "HAVING"):
            frame["expressions"] = True
        if kind == "other" and text == "{":
            frame["select"] = False
            frames.append({"kind": "{", "expressions": False, "select": False})
        elif kind == "other" and text == "(":
            # an expression's parenthesis (or a call's arguments), else a collection or a path group
            in_expression = (_expression_context(frame, previous) or (previous is not None and previous[0] == "word")
                             or (previous is not None and previous[0] in ("iri", "pname")
                                 and _expression_context(frame, tokens[index - 2] if index >= 2 else None)))
            frames.append({"kind": "(e" if in_expression else "(t", "expressions": False, "select": False})
        elif kind == "other" and text in ")}" and len(frames) > 1:
            frames.pop()
        elif kind in ("iri", "pname") and index + 1 < len(tokens) and tokens[index + 1][1] == "(":
            if _expression_context(frame, previous):
                iri = names.resolve(tokens[index]) or text
                if not iri.startswith(XSD):
                    found.append(iri)
        previous = tokens[index]
        index += 1
    return found


def _expression_context(frame: dict, before) -> bool:
    """Whether a term in this frame, after the token before, is in an expression (so that an IRI
    followed by "(" there is a function call)."""
    if frame["kind"] == "(e" or frame["select"] or frame["expressions"]:
        return True
    return before is not None and before[0] == "word" and before[1].upper() == "FILTER"


def run_remote(remote: RemoteStore, *, query: str, prefixes: dict[str, str], default_graph: list[str],
               named_graphs: list[str], oxigraph_format: str, row_limit: int, time_limit: float) -> QueryAnswer:
    from . import store_access
    from .limits import query_pool

    deadline = time.monotonic() + time_limit
    key = (query, tuple(sorted(prefixes.items())), tuple(default_graph), tuple(named_graphs), oxigraph_format)
    if _accepted.recall(key) is MISSING:
        # 1. Oxigraph's parser (QuerySyntaxError, QueryTimeout, QueryFailed as on the embedded store)
        query_pool().run(store_path=parse_store(store_access.service_store().directory), query=query,
                         prefixes=prefixes, default_graph=default_graph, named_graphs=named_graphs,
                         oxigraph_format=oxigraph_format, row_limit=0, time_limit=time_limit)
        # 2. no engine procedure through a function IRI
        for iri in custom_functions(query, prefixes):
            raise QueryFailed(f"The custom function <{iri}> is not supported")
        _accepted.remember(key, entries=ACCEPTED_TEXTS, chars=ACCEPTED_TEXT_CHARS)
    timeout_message = f"the query did not finish within the time limit of {time_limit:g} s and was stopped"
    try:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RemoteTimeout(timeout_message)
        answer = remote.answer(query, prefixes=prefixes, default_graph=[_graph(g) for g in default_graph],
                               named_graphs=[_graph(g) for g in named_graphs], timeout=left, limit=row_limit + 1,
                               keyed_blank_nodes=True, rows=True)
        result = answer.result
        if isinstance(result, SolutionRows):
            header, body = encode_rows(result.variables, result.rows[:row_limit], oxigraph_format,
                                       len(result.rows) > row_limit)
        else:
            header, body = encode(result, oxigraph_format, row_limit)
    except RemoteTimeout:
        raise QueryTimeout(timeout_message) from None
    except RemoteQueryError as error:  # valid SPARQL 1.1 (Oxigraph read it) that the engine will not run
        raise QueryFailed(str(error)) from None
    except (RemoteUnavailable, SyntaxError, ValueError) as error:
        raise QueryFailed(str(error)) from None
    return QueryAnswer(body, header["rows"], header["truncated"] or answer.cut_by_engine)
