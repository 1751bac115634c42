"""Running shapes over the validation dataset: the fast SPARQL engine, or pySHACL as the reference.

Both return a standard sh:ValidationReport graph; tests show they give the same results. The fast
engine compiles every constraint to one SPARQL query over all focus nodes on Oxigraph; pySHACL
evaluates them focus node by focus node on an rdflib copy of the data (10-100x slower).
"""

from __future__ import annotations

import contextlib
import threading

import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.sparql import processor as sparql_processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query

ENGINES = ("fast", "pyshacl")


def store_as_rdflib(store: ox.Store) -> Graph:
    graph = Graph()
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


_patch_lock = threading.Lock()


@contextlib.contextmanager
def prepared_query_cache():
    """While active, rdflib parses each distinct query text once.

    pySHACL hands rdflib the text of a SPARQL constraint once per focus node, and rdflib parses it
    every time: with long constraints, parsing takes two thirds of pySHACL's time. This caches the
    translated query (what rdflib's own prepareQuery returns, made to be run again with other
    bindings), so the results are those of plain pySHACL; only the repeated parsing goes.
    """
    original = sparql_processor.SPARQLProcessor.query
    cache: dict[tuple, Query] = {}

    def query(self, strOrQuery, initBindings={}, initNs={}, base=None, DEBUG=False):  # noqa: B006 (rdflib's signature)
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((str(k), str(v)) for k, v in dict(initNs or {}).items())))
            prepared = cache.get(key)
            if prepared is None:
                prepared = cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = prepared
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    with _patch_lock:
        sparql_processor.SPARQLProcessor.query = query
        try:
            yield
        finally:
            sparql_processor.SPARQLProcessor.query = original


def run_shapes(store: ox.Store, shapes: Graph, engine: str = "fast") -> tuple[bool, Graph]:
    """(conforms, report graph) of `shapes` over the store's default graph."""
    if engine == "fast":
        from ..shacl_engine import validate

        outcome = validate(store, shapes)
        return outcome.conforms, outcome.report
    if engine == "pyshacl":
        from pyshacl import validate as pyshacl_validate

        with prepared_query_cache():
            conforms, report, _ = pyshacl_validate(
                store_as_rdflib(store), shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False
            )
        return bool(conforms), report
    raise ValueError(f"unknown engine {engine!r}; use one of {ENGINES}")
