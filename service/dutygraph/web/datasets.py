"""The RDF dataset a query may see: the document graph for everyone, kept runs for those who may read them.

Every query is given an explicit dataset (Oxigraph's ``default_graph`` / ``named_graphs``, which
take the place of any FROM / FROM NAMED of the query), computed here:

- the graphs asked for — by ``default-graph-uri`` / ``named-graph-uri`` (which win, as the SPARQL
  1.1 Protocol says), else by the query's FROM / FROM NAMED — are used as asked, except that a
  graph under the run namespace (``…/id/run/``) that the caller may not read refuses the query
  (403) before it runs, with the same message whether that run exists or not, so that a refusal
  tells nothing about other people's runs. Any other graph IRI is public (an empty graph unless an
  admin wrote it); nothing is ever fetched.
- nothing asked: the default graph is the store's default graph (the document: ontology and
  instance data), and ``GRAPH ?g`` ranges over the public named graphs and the graphs of the runs
  the caller may read — no run graph for an anonymous caller.

Readable run graphs are the three graphs of every run the caller may read (``runs_store.may_read``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .query_guard import QueryRefused
from .runs_store import RUN_BASE, readable_runs, run_graphs

DEFAULT_GRAPH = ""  # the store's default graph, in the lists passed to the query worker


class GraphNotReadable(QueryRefused):
    """A graph that the caller asked for and may not read (or that does not exist)."""


@dataclass(frozen=True)
class Dataset:
    default_graph: list[str]
    named_graphs: list[str]
    run_ids: tuple[str, ...]  # the runs whose graphs are part of it (for the audit log)


def readable_graphs(store, account) -> dict[str, str]:
    """{graph IRI: run id} of every graph the account may read."""
    return {graph: run.id for run in readable_runs(store, account) for graph in run_graphs(run.id)}


def dataset_for(store, account, *, protocol_default: list[str], protocol_named: list[str],
                query_from: tuple[str, ...] = (), query_from_named: tuple[str, ...] = ()) -> Dataset:
    readable = readable_graphs(store, account) if account is not None else {}
    if protocol_default or protocol_named:
        asked_default, asked_named = list(protocol_default), list(protocol_named)
    else:
        asked_default, asked_named = list(query_from), list(query_from_named)
    for iri in asked_default + asked_named:
        if iri.startswith(RUN_BASE) and iri not in readable:
            who = "an anonymous query" if account is None else f"account {account.name!r}"
            raise GraphNotReadable(
                f"graph <{iri}> is not readable by {who}: the public dataset is the default graph (the document); "
                "kept runs are readable by their owner and by admins only")
    if not asked_default and not asked_named:
        named = sorted(public_named_graphs(store)) + sorted(readable)
        return Dataset([DEFAULT_GRAPH], named, tuple(sorted(set(readable.values()))))
    # Only FROM NAMED (or named-graph-uri) given: the default graph is empty (SPARQL 1.1 Query, 13.2).
    used = {readable[iri] for iri in asked_default + asked_named if iri in readable}
    return Dataset(asked_default, asked_named, tuple(sorted(used)))


def public_named_graphs(store) -> list[str]:
    """The store's named graphs outside the run namespace (an admin may have written some). None on
    an external engine: its other graphs are not dutygraph's to publish."""
    if getattr(store, "query_url", None):
        return []
    return [graph.value for graph in store.named_graphs()
            if hasattr(graph, "value") and not graph.value.startswith(RUN_BASE)]
