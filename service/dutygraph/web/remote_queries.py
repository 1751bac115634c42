"""Read queries on an external SPARQL engine, with the service's own limits in front of it.

The query has passed the same guard as on the embedded store (read-only, no SERVICE or LOAD, the
caller's dataset) and holds a query slot. It is sent with its dataset as ``default-graph-uri`` /
``named-graph-uri`` (``remote_store``), the engine's answer is parsed by Oxigraph, cut at the row cap
and written in the asked format by the same code as the embedded workers' (``query_worker.encode``),
so both stores answer alike. The time limit is the HTTP request's timeout: past it the client gets
504 and the service drops the connection; stopping the evaluation there is the engine's own setting
(Virtuoso: ``MaxQueryExecutionTime`` in ``[SPARQL]``), which the deployment must set no longer than
QUERY_TIME_LIMIT.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..remote_store import DOCUMENT_GRAPH, RemoteQueryError, RemoteStore, RemoteTimeout, RemoteUnavailable
from .query_runner import QueryAnswer, QueryFailed, QuerySyntaxError, QueryTimeout
from .query_worker import encode


def _graph(iri: str) -> ox.NamedNode:
    return ox.NamedNode(DOCUMENT_GRAPH if iri == "" else iri)


def run_remote(remote: RemoteStore, *, query: str, prefixes: dict[str, str], default_graph: list[str],
               named_graphs: list[str], oxigraph_format: str, row_limit: int, time_limit: float) -> QueryAnswer:
    try:
        result = remote.query(query, prefixes=prefixes, default_graph=[_graph(g) for g in default_graph],
                              named_graphs=[_graph(g) for g in named_graphs], timeout=time_limit)
        header, body = encode(result, oxigraph_format, row_limit)
    except RemoteQueryError as error:
        raise QuerySyntaxError(str(error)) from None
    except RemoteTimeout:
        raise QueryTimeout(f"the query did not finish within the time limit of {time_limit:g} s and was stopped") from None
    except (RemoteUnavailable, SyntaxError, ValueError) as error:
        raise QueryFailed(str(error)) from None
    return QueryAnswer(body, header["rows"], header["truncated"])
