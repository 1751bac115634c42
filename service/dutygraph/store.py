"""The embedded Oxigraph store that queries run on.

The graph is small (a few thousand triples), so the command-line tools build it afresh and load it
into an in-memory ``pyoxigraph.Store``; it is parsed by Oxigraph itself from N-Triples.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from .graph_build import build_full_graph, serialize


def store_from_graph(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.bulk_load(serialize(graph, "ntriples"), format=ox.RdfFormat.N_TRIPLES)
    return store


def open_document_store() -> ox.Store:
    """A fresh in-memory store holding the ontology and the document's instance data."""
    return store_from_graph(build_full_graph())
