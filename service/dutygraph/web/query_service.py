"""Running read queries: the one path by which ``/sparql``, ``/queries`` and ``/api`` reach the store.

``execute`` takes a query slot (``limits``), computes the dataset the caller may see
(``datasets``), and runs the query in a pooled worker process on the newest store snapshot with
the time limit and the row cap. A query whose dataset includes kept runs is written to the audit
log. ``select(query)`` is the short form for the service's own pages: SPARQL 1.1 JSON results as a
dict. Errors are the exceptions of ``query_runner``, ``limits``, ``query_guard`` and ``datasets``.
"""

from __future__ import annotations

import json

from flask import current_app, request

from ..namespaces import PREFIXES
from . import store_access
from .datasets import dataset_for
from .limits import query_pool, query_slot
from .query_guard import inspect_query
from .query_runner import QueryAnswer

__all__ = ["execute", "select"]


def execute(query: str, *, oxigraph_format: str, account=None, protocol_default: list[str] | None = None,
            protocol_named: list[str] | None = None, info=None) -> QueryAnswer:
    """Run a read query for account (None: anonymous) with the service's limits."""
    config = current_app.config
    info = info or inspect_query(query, PREFIXES)
    service_store = store_access.service_store()
    dataset = dataset_for(service_store.store, account, protocol_default=protocol_default or [],
                          protocol_named=protocol_named or [], query_from=info.from_graphs,
                          query_from_named=info.from_named_graphs)
    run = query_pool().run
    arguments = {}
    if service_store.remote:  # an external engine: no worker, the HTTP request's timeout is the limit
        from .remote_queries import run_remote

        run, arguments = run_remote, {"remote": service_store.store}
    else:
        arguments = {"store_path": service_store.snapshot}
    with query_slot():
        answer = run(
            **arguments, query=query, prefixes=PREFIXES, default_graph=dataset.default_graph,
            named_graphs=dataset.named_graphs, oxigraph_format=oxigraph_format, row_limit=config["RESULT_ROW_LIMIT"],
            time_limit=config["QUERY_TIME_LIMIT"],
        )
    if dataset.run_ids and account is not None:
        from .auth import account_store

        account_store().log(account.name, "query-runs", None, "runs in the dataset: " + " ".join(dataset.run_ids),
                            request.remote_addr)
    return answer


def select(query: str, *, account=None) -> dict:
    """The SPARQL JSON results (``{"head": …, "results": …}`` or ``{"boolean": …}``) of query."""
    return json.loads(execute(query, oxigraph_format="JSON", account=account).body)
