"""An external SPARQL 1.1 engine (Virtuoso, Fuseki, GraphDB …) behind the subset of pyoxigraph's
``Store`` API that dutygraph uses, over the SPARQL 1.1 Query and Update protocols (SPARQLWrapper).

How the embedded store's dataset maps onto an engine that holds other data too:

- the document graph, which is the embedded store's default graph, is the named graph
  ``DOCUMENT_GRAPH``; every query is sent with explicit ``default-graph-uri`` (the document graph
  unless the caller names others) and ``named-graph-uri`` parameters, so that it never sees the
  engine's other graphs. An empty list of named graphs is sent as one graph that does not exist
  (``NO_GRAPH``): engines read "no named-graph-uri" as "every graph".
- ``named_graphs()`` lists only dutygraph's own graphs (the document's and the kept runs').
- blank nodes written to the engine are skolemized (RDF 1.1 Concepts 3.5) as IRIs under
  ``GENID``: a write is split into several INSERT DATA requests, and a blank node label means a
  new node in every request.
- answers are asked for in standard formats (SPARQL XML results; Turtle for graphs) and parsed
  with Oxigraph, so callers get Oxigraph terms exactly as from the embedded store.

Errors: ``RemoteQueryError`` (the engine refused the query: 4xx, with its message),
``RemoteTimeout`` (no answer within the time limit), ``RemoteUnavailable`` (no connection, 5xx).
"""

from __future__ import annotations

import io
import socket
import threading
import urllib.error
from collections.abc import Iterable

import pyoxigraph as ox
from SPARQLWrapper import DIGEST, POST, TURTLE, XML, SPARQLWrapper

DOCUMENT_GRAPH = "https://w3id.org/dutygraph/graph/document"
SERVICE_GRAPH = "https://w3id.org/dutygraph/graph/service"  # the service's own facts (data version)
NO_GRAPH = "https://w3id.org/dutygraph/graph/none"
GENID = "https://w3id.org/dutygraph/.well-known/genid/"
OUR_GRAPHS = ("https://w3id.org/dutygraph/graph/", "https://w3id.org/dutygraph/id/run/")
INSERT_CHUNK = 1000  # triples per INSERT DATA request (Virtuoso's SPARQL compiler runs out of memory near 5,000)


class RemoteError(RuntimeError):
    pass


class RemoteQueryError(RemoteError, ValueError):
    """The engine refused the request (a 4xx answer); the message is the engine's."""


class RemoteTimeout(RemoteError):
    pass


class RemoteUnavailable(RemoteError, OSError):
    pass


def is_store_url(text: str | None) -> bool:
    return bool(text) and text.startswith(("http://", "https://"))


def _graph_iri(graph) -> str:
    if graph is None or isinstance(graph, ox.DefaultGraph) or graph == "":
        return DOCUMENT_GRAPH
    return graph.value if hasattr(graph, "value") else str(graph)


def _skolem(term):
    if isinstance(term, ox.BlankNode):
        return ox.NamedNode(GENID + term.value)
    return term


class RemoteStore:
    """A SPARQL 1.1 endpoint (and its update endpoint) used like a pyoxigraph Store."""

    def __init__(self, query_url: str, update_url: str | None = None, *, user: str | None = None,
                 password: str | None = None, timeout: float = 120.0):
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.user, self.password = user, password
        self.timeout = timeout
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"<RemoteStore {self.query_url}>"

    # -- the protocol ------------------------------------------------------------------------------

    def _client(self, url: str) -> SPARQLWrapper:
        client = SPARQLWrapper(url)
        client.setOnlyConneg(True)
        client.setMethod(POST)
        if self.user:
            client.setHTTPAuth(DIGEST)
            client.setCredentials(self.user, self.password or "")
        return client

    def _send(self, client: SPARQLWrapper, timeout: float | None) -> bytes:
        client.setTimeout(int(max(1, round(timeout or self.timeout))))
        try:
            return client.query().response.read()
        except urllib.error.HTTPError as error:
            message = error.read().decode("utf-8", "replace").strip()
            if 400 <= error.code < 500:
                raise RemoteQueryError(f"the SPARQL engine refused the request ({error.code}): {message[:2000]}") from None
            raise RemoteUnavailable(f"the SPARQL engine failed ({error.code}): {message[:2000]}") from None
        except (socket.timeout, TimeoutError) as error:
            raise RemoteTimeout(f"the SPARQL engine did not answer within {timeout or self.timeout:g} s") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                raise RemoteTimeout(f"the SPARQL engine did not answer within {timeout or self.timeout:g} s") from None
            raise RemoteUnavailable(f"cannot reach the SPARQL engine at {client.endpoint}: {error.reason}") from None
        except Exception as error:  # SPARQLWrapper wraps HTTP errors in its own exceptions
            name = type(error).__name__
            text = str(error)
            if name in ("QueryBadFormed", "EndPointNotFound", "Unauthorized", "URITooLong"):
                raise RemoteQueryError(f"the SPARQL engine refused the request: {text[:2000]}") from None
            if name == "EndPointInternalError":
                raise RemoteUnavailable(f"the SPARQL engine failed: {text[:2000]}") from None
            raise

    def raw_query(self, sparql: str, *, accept: str, default_graphs: list[str], named_graphs: list[str],
                  timeout: float | None = None) -> bytes:
        """The engine's answer to a read query over exactly that dataset, in the asked media type."""
        client = self._client(self.query_url)
        client.setQuery(sparql)
        client.setReturnFormat(XML if "xml" in accept else TURTLE)
        client.addCustomHttpHeader("Accept", accept)
        for graph in default_graphs or [DOCUMENT_GRAPH]:
            client.addDefaultGraph(graph)
        for graph in named_graphs or [NO_GRAPH]:
            client.addNamedGraph(graph)
        return self._send(client, timeout)

    # -- the pyoxigraph Store API used by dutygraph ------------------------------------------------

    def query(self, sparql: str, *, prefixes: dict[str, str] | None = None, default_graph=None, named_graphs=None,
              use_default_graph_as_union: bool = False, timeout: float | None = None):
        """Like ``pyoxigraph.Store.query``: QuerySolutions, QueryBoolean, or an iterator of triples.

        ``default_graph`` None is the document graph; ``named_graphs`` None is every graph of
        dutygraph's; ``use_default_graph_as_union`` makes the default graph the union of those."""
        text = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items()) + sparql
        if named_graphs is None:
            named = [g.value for g in self.named_graphs()]
        else:
            named = [_graph_iri(g) for g in named_graphs]
        if use_default_graph_as_union:
            default = [DOCUMENT_GRAPH] + named
        elif default_graph is None:
            default = [DOCUMENT_GRAPH]
        else:
            graphs = default_graph if isinstance(default_graph, (list, tuple)) else [default_graph]
            default = [_graph_iri(g) for g in graphs] or [NO_GRAPH]
        form = _query_form(text)
        if form in ("CONSTRUCT", "DESCRIBE"):
            body = self.raw_query(text, accept="text/turtle", default_graphs=default, named_graphs=named, timeout=timeout)
            return iter(list(ox.parse(body, format=ox.RdfFormat.TURTLE)))
        body = self.raw_query(text, accept="application/sparql-results+xml", default_graphs=default,
                              named_graphs=named, timeout=timeout)
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)

    def update(self, sparql: str, *, prefixes: dict[str, str] | None = None, timeout: float | None = None) -> None:
        text = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items()) + sparql
        client = self._client(self.update_url)
        client.setQuery(text)
        client.setReturnFormat(XML)
        self._send(client, timeout)

    def named_graphs(self) -> list[ox.NamedNode]:
        """dutygraph's named graphs on the engine — the kept runs' — like the embedded store's named
        graphs (the document graph plays the default graph, so it is not among them)."""
        filters = " || ".join(f'STRSTARTS(STR(?g), "{prefix}")' for prefix in OUR_GRAPHS)
        query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({filters}) }}"
        client = self._client(self.query_url)
        client.setQuery(query)
        client.setReturnFormat(XML)
        body = self._send(client, None)
        return [row["g"] for row in ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
                if isinstance(row["g"], ox.NamedNode) and row["g"].value not in (SERVICE_GRAPH, DOCUMENT_GRAPH)]

    def quads_for_pattern(self, subject, predicate, object, graph_name=None) -> list[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": object}
        pattern = " ".join(str(t) if t is not None else f"?{name}" for name, t in terms.items())
        graph = _graph_iri(graph_name) if graph_name is not None else None
        target = f"<{graph}>" if graph else "?g"
        query = f"SELECT * WHERE {{ GRAPH {target} {{ {pattern} }} }}"
        client = self._client(self.query_url)
        client.setQuery(query)
        client.setReturnFormat(XML)
        if graph is None:
            for named in self.named_graphs():
                client.addNamedGraph(named.value)
        else:
            client.addNamedGraph(graph)
        body = self._send(client, None)
        quads = []
        for row in ox.parse_query_results(body, format=ox.QueryResultsFormat.XML):
            g = ox.NamedNode(graph) if graph else row["g"]
            g = ox.DefaultGraph() if g.value == DOCUMENT_GRAPH else g
            quads.append(ox.Quad(subject or row["s"], predicate or row["p"], object if object is not None else row["o"], g))
        return quads

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """INSERT DATA in requests of INSERT_CHUNK triples, graph by graph (not one transaction: the
        callers write what makes a write visible last, as with the embedded store's bulk loads)."""
        by_graph: dict[str, list[str]] = {}
        for quad in quads:
            line = f"{_skolem(quad.subject)} {quad.predicate} {_skolem(quad.object)} ."
            by_graph.setdefault(_graph_iri(quad.graph_name), []).append(line)
        for graph, lines in by_graph.items():
            for start in range(0, len(lines), INSERT_CHUNK):
                body = "\n".join(lines[start:start + INSERT_CHUNK])
                self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")

    bulk_extend = extend

    def load(self, input=None, format=None, *, path=None, to_graph=None, base_iri=None) -> None:
        data = open(path, "rb") if path is not None else io.BytesIO(input if isinstance(input, bytes) else input.encode())
        try:
            graph = to_graph if to_graph is not None else ox.DefaultGraph()
            self.extend(ox.Quad(t.subject, t.predicate, t.object, graph) if isinstance(t, ox.Triple) else
                        ox.Quad(t.subject, t.predicate, t.object, graph if to_graph is not None else t.graph_name)
                        for t in ox.parse(data, format=format, base_iri=base_iri))
        finally:
            data.close()

    bulk_load = load

    def remove_graph(self, graph) -> None:
        self.update(f"DROP SILENT GRAPH <{_graph_iri(graph)}>")

    def flush(self) -> None:
        """Nothing to flush: every request the engine answered is written (its own durability holds)."""

    def __len__(self) -> int:
        graphs = [ox.NamedNode(DOCUMENT_GRAPH)] + self.named_graphs()
        values = " ".join(str(g) for g in graphs)
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        return int(next(iter(self.query(query, named_graphs=graphs)))["n"].value)


def _query_form(sparql: str) -> str:
    from .web.query_guard import QUERY_FORMS, keywords

    for word in keywords(sparql):
        if word in QUERY_FORMS:
            return word
    return "SELECT"
