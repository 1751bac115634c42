"""The registry of dutygraph's graphs on an external engine (``remote_store.REGISTRY_GRAPH``).

``RemoteStore.named_graphs()`` reads the registry (not a scan of every quad, which grows with the
data: 12 s at 10^7 triples on Virtuoso): every write enters its graphs first, a DROP takes them
out, a graph that holds nothing is not listed, and graphs written behind dutygraph's back are found
by ``rescan_graphs()``, which the service runs when it starts. The engine is conftest's session
``virtuoso``, its namespace reset for this module.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from dutygraph.remote_store import REGISTRY_GRAPH, RemoteStore
from dutygraph.web.runs_store import list_runs

RUN = "https://w3id.org/dutygraph/id/run/"
P = ox.NamedNode("urn:dutygraph:test#p")


@pytest.fixture()
def engine(virtuoso) -> RemoteStore:
    virtuoso.reset()
    return RemoteStore(virtuoso.sparql_url, timeout=60)


def listed(store: RemoteStore) -> set[str]:
    return {graph.value for graph in store.named_graphs()}


def quad(graph: str, value: str = "1") -> ox.Quad:
    return ox.Quad(ox.NamedNode(graph + "#s"), P, ox.Literal(value), ox.NamedNode(graph))


def test_writes_enter_their_graphs_and_drops_take_them_out(engine):
    engine.extend([quad(RUN + "a/records"), quad(RUN + "b/report")])
    engine.update(f"INSERT DATA {{ GRAPH <{RUN}c> {{ <{RUN}c> <urn:dutygraph:test#p> 1 }} }}")
    assert listed(engine) == {RUN + "a/records", RUN + "b/report", RUN + "c"}
    engine.update(f"DROP SILENT GRAPH <{RUN}a/records> ; DROP SILENT GRAPH <{RUN}c>")
    assert listed(engine) == {RUN + "b/report"}
    engine.remove_graph(ox.NamedNode(RUN + "b/report"))
    assert listed(engine) == set()


def test_a_graph_emptied_without_a_drop_is_not_listed(engine):
    engine.extend([quad(RUN + "d")])
    engine.update(f"DELETE WHERE {{ GRAPH <{RUN}d> {{ ?s ?p ?o }} }}")
    assert listed(engine) == set()


def test_a_graph_written_behind_dutygraphs_back_is_found_by_a_rescan(engine, virtuoso):
    virtuoso.update(f"INSERT DATA {{ GRAPH <{RUN}e/records> {{ <urn:x> <urn:y> 1 }} }}")  # not through RemoteStore
    engine.extend([quad(RUN + "f")])
    assert listed(engine) == {RUN + "f"}
    found = {graph.value for graph in engine.rescan_graphs()}
    assert found == {RUN + "e/records", RUN + "f"}
    assert listed(engine) == found


def test_a_rescan_forgets_what_is_gone(engine, virtuoso):
    engine.extend([quad(RUN + "g")])
    virtuoso.update(f"DROP SILENT GRAPH <{RUN}g>")  # behind dutygraph's back
    engine.rescan_graphs()
    held = virtuoso.select(f"SELECT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?r ?holds ?g }} }}")
    assert held["results"]["bindings"] == []


def test_the_registry_itself_and_other_graphs_are_never_listed(engine, virtuoso):
    virtuoso.update("INSERT DATA { GRAPH <https://example.org/other> { <urn:x> <urn:y> 1 } }")
    engine.extend([quad(RUN + "h")])
    assert listed(engine) == {RUN + "h"}
    assert {graph.value for graph in engine.rescan_graphs()} == {RUN + "h"}
    virtuoso.update("DROP SILENT GRAPH <https://example.org/other>")


def test_the_service_start_finds_runs_loaded_behind_its_back(virtuoso, tmp_path):
    """A kept run's graphs bulk-loaded over isql (as an operator, or bench_engine.py, does) are the
    service's after a start: listed, and an undescribed one is dropped as an interrupted upload."""
    from dutygraph.web.store_access import RemoteServiceStore

    virtuoso.reset()
    virtuoso.update(f"INSERT DATA {{ GRAPH <{RUN}20260101T000000Z-00000000/records> {{ <urn:x> <urn:y> 1 }} }}")
    service_store = RemoteServiceStore(tmp_path, virtuoso.sparql_url)
    assert {g.value for g in service_store.store.named_graphs()} == {RUN + "20260101T000000Z-00000000/records"}
    from dutygraph.web.runs_store import drop_unfinished_runs

    assert drop_unfinished_runs(service_store) == ["20260101T000000Z-00000000"]
    assert service_store.store.named_graphs() == []
    assert list_runs(service_store.store) == []


def test_registered_graphs_are_checked_for_a_triple_in_chunks(engine, monkeypatch):
    """Each registered graph is asked by name whether it holds a triple, HELD_CHECK_GRAPHS a request
    (not FILTER EXISTS over every graph, which Virtuoso answers by reading into a large graph)."""
    from dutygraph import remote_store

    monkeypatch.setattr(remote_store, "HELD_CHECK_GRAPHS", 2)
    engine.extend([quad(RUN + f"k{n}") for n in range(5)])
    engine.register_graphs([RUN + "never-written", RUN + "also-never-written"])
    engine.update(f"DELETE WHERE {{ GRAPH <{RUN}k3> {{ ?s ?p ?o }} }}")
    assert listed(engine) == {RUN + f"k{n}" for n in (0, 1, 2, 4)}
    assert len(engine.named_graphs()) == 4  # each once
