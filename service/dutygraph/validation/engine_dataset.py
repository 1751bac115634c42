"""A validation run's dataset on an external SPARQL 1.1 engine, used like the run's in-memory store.

With ``validate_records(…, store=RemoteStore)`` the run's data lives in the engine, in two graphs
of the run besides the document graph (``remote_store.DOCUMENT_GRAPH``, loaded once by ``dutygraph
build --store URL`` or by the service):

- the **records graph**: the records as loaded (for an upload of the service, the graph its kept run
  uses, ``runs_store.records_graph(run_id)``); for ``dutygraph validate --store URL``, whose records
  are not kept, none: the records go straight into the work graph;
- the **work graph** (temporary, under ``TMP_BASE``, dropped after the run whatever happens): a copy
  of the document graph and of the records graph (SPARQL Update ``ADD``, on the engine: 0.2 s for
  10^5 triples; without a records graph, the records themselves and a copy of the document graph),
  then what the run adds — the institution when the records do not describe one, the
  reporting periods, the validation policy and the day numbers. The run's queries read the work
  graph alone: Virtuoso 7 evaluates a query whose dataset is several default graphs
  (``default-graph-uri`` × 3) 17 times slower than over one graph holding their union (measured on
  DecisionProcedureShape, 10^5 triples: 2.96 s against 0.17 s), and as a multiset (a triple in two
  of the graphs matches twice), where one graph is a set, as the embedded store's default graph is.

``EngineDataset`` is the subset of ``pyoxigraph.Store`` that the steps of a run use (``query``,
``quads_for_pattern``, ``extend``/``bulk_extend``/``bulk_load``, ``dump``, ``len``), scoped to the
work graph: every query is sent with it as the default graph and no named graph, and writes go to
it. So ``validate_records``' steps and ``shacl_engine.validate`` run on the engine unchanged: each
compiled constraint is one query over all focus nodes, evaluated where the data is (rewritten into
forms Virtuoso evaluates as Oxigraph does: ``engine_dialect``); only the results travel.

Writes are POSTed as N-Triples to the engine's SPARQL 1.1 Graph Store HTTP Protocol endpoint when
it has one (Virtuoso: ``/sparql-graph-crud``; 10^5 triples in 0.8 s), else sent as INSERT DATA
requests of ``INSERT_CHUNK`` triples (10^5 triples in 11 s); ``graph_store_url``.

What the engine must not change, and how it is kept as the embedded store has it:

- **Blank nodes** are written as IRIs under ``GENID`` + a key of the run + ``_`` (RDF 1.1
  skolemization: a write is split into many requests, and a blank node label means a new node in
  each). Answers map them back to the blank nodes of the input, and ``isBlank``/``isIRI``/``isURI``
  of a variable in a query are rewritten to treat a skolem IRI as the blank node it stands for (the
  record shapes have ``sh:nodeKind sh:IRI``).
- **Literals** are written in the form Oxigraph stores (``remote_store``: canonical values,
  ``"+05"^^xsd:integer`` is ``"5"``; here also language tags in lower case). A literal that is not a
  valid value of its datatype (``"2024-02-30"^^xsd:date``, ``"x5"^^xsd:integer``) — Virtuoso refuses
  the whole INSERT for some and casts others as valid — is written with the datatype ``ILL_FORMED`` +
  its datatype, so that ``sh:datatype`` reports it as the embedded store does, and answers give it
  back as it was.
- **Row caps**: an answer the engine cut at its own row limit (Virtuoso's ResultSetMaxRows) is an
  error (``EngineRowLimit``), never a short list of results.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timezone

import pyoxigraph as ox

from ..remote_store import (DOCUMENT_GRAPH, GENID, ILL_FORMED, INSERT_CHUNK, NO_GRAPH, SERVICE_GRAPH, RemoteError,
                            RemoteQueryError, RemoteStore, RemoteTimeout, RemoteUnavailable, SolutionRows)
from ..shacl_engine.sparql_syntax import tokenize
from ..shacl_engine.vocabulary import CHECKED_DATATYPES
from . import engine_log
from .day_numbers import DAY_PREDICATES, XSD_DATE, XSD_INTEGER, date_parts, day_number
from .engine_dialect import engine_query, prologue

TMP_BASE = "https://w3id.org/dutygraph/graph/tmp/"
SERVICE_WORK_PREFIX = f"{TMP_BASE}run-"  # the service's work graphs: TMP_BASE run-RUNID
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_CHECKED = frozenset(str(datatype) for datatype in CHECKED_DATATYPES)
BUILT_FOR = SERVICE_GRAPH + "#builtFor"  # as web.store_access.RemoteServiceStore writes it
_PROBE_PREDICATE = ox.NamedNode("urn:dutygraph:literal")
_TERM_TESTS = {"ISBLANK": "blank", "ISIRI": "iri", "ISURI": "iri"}
CLOSURE_LIMIT = 2000  # nodes of a zero-or-more path's closure written into a query as VALUES
SMALL_CLASS_LIMIT = 100  # solutions of a class's block of triples written into a query as VALUES
GRAPH_STORE_CHUNK = 100_000  # triples per POST to a graph store
SEND_THREADS = 2  # INSERT DATA requests in flight at once (the engine parses one while the next is built)


class EngineRefused(RuntimeError):
    """The engine answers queries but refuses updates (Virtuoso: grant SPARQL_UPDATE)."""


def new_key() -> str:
    """A key for a run's temporary graphs and skolem IRIs: UTC time and a random part."""
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def temporary_graph(key: str, role: str) -> str:
    return f"{TMP_BASE}{key}/{role}"


def service_work_graph(run_id: str) -> str:
    """The work graph of the service's run ``run_id`` (dropped after the run, and at start)."""
    return f"{SERVICE_WORK_PREFIX}{run_id}"


def check_engine(store: RemoteStore, *, writable: bool = True) -> None:
    """Raise RemoteError when the engine cannot be reached, EngineRefused when it refuses updates."""
    store.query("ASK { }", default_graph=[ox.NamedNode(NO_GRAPH)], named_graphs=[], timeout=30)
    if not writable:
        return
    probe = temporary_graph(new_key(), "probe")
    try:
        store.update(f"INSERT DATA {{ GRAPH <{probe}> {{ <{probe}> <{probe}> 1 }} }}", timeout=30)
        store.update(f"DROP SILENT GRAPH <{probe}>", timeout=30)
    except RemoteError as error:
        raise EngineRefused(
            f"the SPARQL engine at {store.update_url} answers queries but refused an update ({error}); "
            "dutygraph writes its graphs with SPARQL Update: allow updates for the account it uses "
            "(Virtuoso: isql-vt HOST:PORT dba PASSWORD exec=\"grant SPARQL_UPDATE to \\\"SPARQL\\\";\")") from None


class EngineRowLimit(RemoteError):
    """The engine answered fewer rows than the query has (its own cap on an answer's rows)."""


class StaleDocument(RuntimeError):
    """The engine's document graph is missing, or was built from other sources than this dutygraph's."""


def document_version(store: RemoteStore) -> str | None:
    """The data version the engine's document graph was built for (None: not built by dutygraph)."""
    graph = ox.NamedNode(SERVICE_GRAPH)
    found = [quad.object.value for quad in store.quads_for_pattern(graph, ox.NamedNode(BUILT_FOR), None, graph)]
    return found[0] if len(found) == 1 else None


def check_document(store: RemoteStore) -> None:
    from ..web.store_access import data_version

    if document_version(store) != data_version():
        raise StaleDocument(
            f"the document graph on the SPARQL engine at {store.query_url} is missing or was built from other "
            "sources than this dutygraph's; load it with `dutygraph build --store URL` (the service does so when it starts)")


def load_document(store: RemoteStore, ntriples: bytes) -> None:
    """Replace the engine's document graph, then record its data version (the marker the service
    checks at start, written last: a load cut short is redone)."""
    from ..web.store_access import data_version

    graph = ox.NamedNode(SERVICE_GRAPH)
    store.remove_graph(graph)
    store.remove_graph(ox.NamedNode(DOCUMENT_GRAPH))
    store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(DOCUMENT_GRAPH))
    store.extend([ox.Quad(graph, ox.NamedNode(BUILT_FOR), ox.Literal(data_version()), graph)])


def drop_temporary_graphs(store: RemoteStore, prefix: str = TMP_BASE) -> list[str]:
    """Drop the temporary graphs whose IRI starts with ``prefix`` (runs cut short); their IRIs."""
    graphs = [graph.value for graph in store.named_graphs() if graph.value.startswith(prefix)]
    store.drop_graphs(graphs)
    return graphs


# --- terms -----------------------------------------------------------------------------------------

class TermMapping:
    """Terms between the input (and the embedded store's forms) and what is written to the engine.

    ``remote_store`` writes value-typed literals in Oxigraph's stored form, or with the ``ILL_FORMED``
    datatype when the engine would not keep them as the same value, and reads them back; here,
    besides, a literal that Oxigraph cannot cast to its datatype (``"2024-02-30"^^xsd:date``, which
    Virtuoso casts) gets ``ILL_FORMED`` too, language tags are written in lower case (as Oxigraph
    stores them), and blank nodes are skolemized under a key of the run, so that no two runs' blank
    nodes meet on the engine."""

    def __init__(self, key: str):
        self.key = f"{key}_"
        self.skolem = f"{GENID}{self.key}"
        self.literals: dict[ox.Literal, ox.Literal] = {}  # input literal -> literal written (when not the same)
        self._seen: set[ox.Literal] = set()
        self.invalid: set[ox.Literal] = set()  # not a valid value of their datatype, to Oxigraph

    def prepare(self, quads: list[ox.Quad]) -> None:
        """Find how the literals of ``quads`` are written (once per distinct literal)."""
        from ..remote_store import to_engine_terms

        seen = self._seen
        pending = set()
        for quad in quads:
            term = quad.object
            if type(term) is ox.Literal and term not in seen:
                seen.add(term)
                language = term.language
                if language is not None:
                    if language != language.lower():
                        self.literals[term] = ox.Literal(term.value, language=language.lower())
                elif term.datatype.value != XSD_STRING:
                    pending.add(term)
        if not pending:
            return
        self.literals.update(to_engine_terms(pending))
        checked = [literal for literal in pending if literal.datatype.value in _CHECKED]
        for literal in _cast_refused(checked):
            self.invalid.add(literal)
            self.literals[literal] = ox.Literal(literal.value, datatype=ox.NamedNode(ILL_FORMED + literal.datatype.value))

    def to_engine(self, term):
        kind = type(term)
        if kind is ox.BlankNode:
            label = term.value
            return ox.NamedNode(GENID + label if label.startswith(self.key) else self.skolem + label)
        if kind is ox.Literal:
            return self.literals.get(term, term)
        return term

    def from_engine(self, term):
        """A term of an answer (already mapped by ``remote_store``) as the input had it."""
        kind = type(term)
        if kind is ox.BlankNode:
            label = term.value
            return ox.BlankNode(label[len(self.key):]) if label.startswith(self.key) else term
        if kind is ox.NamedNode and term.value.startswith(self.skolem):
            try:
                return ox.BlankNode(term.value[len(self.skolem):])
            except ValueError:
                return term
        if kind is ox.Literal and term.language is None and term.datatype.value.startswith(ILL_FORMED):
            return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype.value[len(ILL_FORMED):]))
        return term

    def engine_triples(self, quads) -> list:
        """The quads as written to the engine, for ``pyoxigraph.serialize`` as N-Triples: a quad that
        needs no mapping (IRI subject, IRI or literal object written as it is: most records) is given
        as it is (in the default graph, it serializes as its triple), others as a new Triple. At 10^7
        triples that is 5 s against 22 s for a new Triple of every quad."""
        literals, to_engine = self.literals, self.to_engine
        named, literal = ox.NamedNode, ox.Literal
        triples = []
        add = triples.append
        for quad in quads:
            subject, obj = quad.subject, quad.object
            kind = type(obj)
            if (type(subject) is named and (kind is named or (kind is literal and obj not in literals))
                    and type(quad.graph_name) is ox.DefaultGraph):
                add(quad)
            else:
                add(ox.Triple(to_engine(subject), quad.predicate, to_engine(obj)))
        return triples

    def day_numbers(self, quads) -> list:
        """The day-number triples of the dates among ``quads`` (as ``prepare`` has seen them), in
        the engine's terms: for each ``s dg:date d`` (and the other DAY_PROPERTIES) whose ``d`` is an
        xsd:date that Oxigraph can read, ``s dg:dateDay N`` — what the embedded path's SPARQL
        derives (day_numbers.DERIVE), also for a date the engine is given with the ill-formed
        datatype because it cannot keep it (a year before 0). A date that is not a valid value
        (``"2024-02-30"``) gets none, as YEAR/MONTH/DAY give none on Oxigraph."""
        invalid, to_engine = self.invalid, self.to_engine
        found = []
        for quad in quads:
            day = DAY_PREDICATES.get(quad.predicate)
            if day is None:
                continue
            date = quad.object
            if type(date) is not ox.Literal or date.datatype != XSD_DATE or date in invalid:
                continue
            parts = date_parts(date.value)
            if parts is not None:
                found.append(ox.Triple(to_engine(quad.subject), day,
                                       ox.Literal(str(day_number(*parts)), datatype=XSD_INTEGER)))
        return found

    def engine_text(self, term) -> str:
        """An answer's term as SPARQL text naming that node on the engine again."""
        if type(term) is ox.BlankNode:
            label = term.value
            return f"<{GENID}{label}>"
        return str(term)

    def sparql(self, term) -> str:
        """A term (pyoxigraph or rdflib) as SPARQL text naming the node written to the engine."""
        if not isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
            from ..shacl_engine.terms import from_rdflib

            term = from_rdflib(term)
        return str(self.to_engine(term))




def _skolem_term_tests(sparql: str) -> str:
    """``isBlank(?v)`` also true of a skolem IRI, ``isIRI(?v)``/``isURI(?v)`` false of one."""
    tokens = tokenize(sparql)
    edits = []
    for index, token in enumerate(tokens[:-3]):
        test = _TERM_TESTS.get(token.keyword)
        if test is None or tokens[index + 1].text != "(" or tokens[index + 2].kind != "var" or tokens[index + 3].text != ")":
            continue
        variable = tokens[index + 2].text
        skolem = f'STRSTARTS(STR({variable}), "{GENID}")'
        original = sparql[token.start:tokens[index + 3].end]
        replacement = f"({original} || {skolem})" if test == "blank" else f"({original} && !{skolem})"
        edits.append((token.start, tokens[index + 3].end, replacement))
    for start, end, replacement in reversed(edits):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql


class Solutions:
    """Query solutions read from the engine, terms mapped back (like pyoxigraph's QuerySolutions)."""

    def __init__(self, variables: list[ox.Variable], rows: list):
        self.variables = variables
        self.rows = rows  # per solution, its terms in the variables' order (None: unbound)
        self._index = {variable.value: number for number, variable in enumerate(variables)}

    def __iter__(self):
        index = self._index
        return (Solution(index, row) for row in self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class Solution:
    __slots__ = ("_index", "_row")

    def __init__(self, index: dict[str, int], row: tuple):
        self._index, self._row = index, row

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._row[key]
        name = key.value if isinstance(key, ox.Variable) else key
        number = self._index.get(name)
        return None if number is None else self._row[number]

    def get(self, key, default=None):
        value = self[key]
        return default if value is None else value


def _cast_refused(literals: list[ox.Literal]) -> list[ox.Literal]:
    """The literals (of CHECKED_DATATYPES) whose cast to their datatype Oxigraph refuses: those
    shacl_engine's sh:datatype test finds ill-formed."""
    if not literals:
        return []
    scratch = ox.Store()
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:dutygraph:{number}"), _PROBE_PREDICATE, literal)
                   for number, literal in enumerate(literals))
    refused = []
    for datatype in {literal.datatype.value for literal in literals}:
        query = (f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(sameTerm(DATATYPE(?o), <{datatype}>) "
                 f"&& !COALESCE(isLiteral(<{datatype}>(STR(?o))), false)) }}")
        refused += [literals[int(row["s"].value[len("urn:dutygraph:"):])] for row in scratch.query(query)]
    return refused


def _pipelined(chunks, post) -> None:
    """post(chunk) for each chunk, SEND_THREADS at a time, the chunks made while others are sent."""
    if SEND_THREADS <= 1:
        for chunk in chunks:
            post(chunk)
        return
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    with ThreadPoolExecutor(max_workers=SEND_THREADS) as pool:
        pending = set()
        try:
            for chunk in chunks:
                pending.add(pool.submit(post, chunk))
                if len(pending) >= SEND_THREADS:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
            for future in pending:
                future.result()
        except BaseException:
            for future in pending:
                future.cancel()
            raise


# --- loading through the graph store protocol --------------------------------------------------------

_graph_stores: dict[str, str | None] = {}
_graph_stores_lock = threading.Lock()


def graph_store_candidates(store: RemoteStore) -> list[str]:
    """Where the engine's SPARQL 1.1 Graph Store HTTP Protocol endpoint may be: DUTYGRAPH_STORE_GRAPH_STORE_URL
    (``none``: do not use one), else Virtuoso's beside its /sparql (``/sparql-graph-crud``, with an
    account ``/sparql-graph-crud-auth``)."""
    import os

    configured = getattr(store, "graph_store_url", None) or os.environ.get("DUTYGRAPH_STORE_GRAPH_STORE_URL")
    if configured:
        return [] if configured.strip().lower() == "none" else [configured]
    if store.query_url.rstrip("/").endswith("/sparql"):
        return [store.query_url.rstrip("/") + ("-graph-crud-auth" if store.user else "-graph-crud")]
    return []


def graph_store_url(store: RemoteStore) -> str | None:
    """The graph store endpoint to POST N-Triples to (checked once per engine: a triple posted to a
    probe graph must be there to a query), or None: then writes are INSERT DATA requests. On
    Virtuoso a POST of 10^5 triples takes 0.8 s, against 11 s as INSERT DATA."""
    with _graph_stores_lock:
        if store.query_url in _graph_stores:
            return _graph_stores[store.query_url]
    found = None
    for candidate in graph_store_candidates(store):
        probe = temporary_graph(new_key(), "graph-store-probe")
        try:
            post_to_graph_store(store, candidate, probe, f'<{probe}> <{probe}> "1" .\n'.encode(), timeout=30)
            answer = store.query(f'ASK {{ <{probe}> <{probe}> "1" }}', default_graph=[ox.NamedNode(probe)],
                                 named_graphs=[], timeout=30)
            if bool(answer):
                found = candidate
        except RemoteError:
            pass
        finally:
            try:
                store.update(f"DROP SILENT GRAPH <{probe}>", timeout=30)
            except RemoteError:
                pass
        if found:
            break
    with _graph_stores_lock:
        _graph_stores[store.query_url] = found
    return found


def post_to_graph_store(store: RemoteStore, url: str, graph: str, ntriples: bytes, *, timeout: float | None = None) -> None:
    """POST N-Triples into ``graph`` (SPARQL 1.1 Graph Store HTTP Protocol, ``?graph=``); RemoteError."""
    import socket
    import urllib.error
    import urllib.parse
    import urllib.request

    store.register_graphs([graph])  # before the write (RemoteStore.named_graphs reads the registry)
    request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'graph': graph})}", data=ntriples, method="POST",
                                     headers={"Content-Type": "application/n-triples"})
    handlers = []
    if store.user:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, store.user, store.password or "")
        handlers = [urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)]
    opener = urllib.request.build_opener(*handlers)
    limit = timeout if timeout is not None else store.timeout
    try:
        with opener.open(request, timeout=limit) as response:
            response.read()
    except urllib.error.HTTPError as error:
        message = error.read().decode("utf-8", "replace").strip()[:2000]
        kind = RemoteQueryError if 400 <= error.code < 500 else RemoteUnavailable
        raise kind(f"the graph store at {url} refused the write ({error.code}): {message}") from None
    except (socket.timeout, TimeoutError):
        raise RemoteTimeout(f"the graph store at {url} did not answer within {limit:g} s") from None
    except (urllib.error.URLError, OSError) as error:
        raise RemoteUnavailable(f"cannot reach the graph store at {url}: {getattr(error, 'reason', error)}") from None


# --- the dataset -----------------------------------------------------------------------------------

class EngineDataset:
    """One run's graphs on the engine, used like the run's ``pyoxigraph.Store`` (see the module doc)."""

    remote = True

    def __init__(self, store: RemoteStore, *, records_graph: str | None, work_graph: str, key: str | None = None,
                 document_graph: str = DOCUMENT_GRAPH):
        self.store = store
        self.key = key or new_key()
        self.records_graph, self.work_graph, self.document_graph = records_graph, work_graph, document_graph
        self.graphs = [work_graph]  # the dataset's default graph: the work graph holds the union
        self.terms = TermMapping(self.key)
        self._rewritten: dict[str, str] = {}  # query -> as sent (the closures of paths depend on the data)
        self._closures: dict[tuple[str, str, str], list[str] | None] = {}  # [] when none
        self._instances: dict[tuple[str, str], list[tuple[str, ...]] | None] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<EngineDataset {self.records_graph or self.work_graph} on {self.store.query_url}>"

    # -- writing ---------------------------------------------------------------------------------

    def _send(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Write triples into ``graph``: POSTed as N-Triples to the engine's graph store
        (``graph_store_url``) when it has one, else in INSERT DATA requests of INSERT_CHUNK triples;
        SEND_THREADS requests in flight, the chunks made as they are sent (memory holds a few).
        Each chunk's literals are looked at first (how they are written: ``TermMapping.prepare``),
        so that ``quads`` may be a stream that is never held whole, and the day number of each of its
        dates is written into the work graph beside it (``TermMapping.day_numbers``: every day
        number of a run on an engine is written so, see day_numbers.py)."""
        self._forget()
        graph_store = graph_store_url(self.store)
        size = GRAPH_STORE_CHUNK if graph_store is not None else INSERT_CHUNK
        terms = self.terms

        def batches():
            iterator = iter(quads)
            while batch := list(itertools.islice(iterator, size)):
                terms.prepare(batch)
                yield graph, terms.engine_triples(batch)
                days = terms.day_numbers(batch)
                if days:
                    yield self.work_graph, days

        if graph_store is not None:
            def chunks():
                for target, triples in batches():
                    yield target, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)

            def post(chunk: tuple[str, bytes]) -> None:
                post_to_graph_store(self.store, graph_store, chunk[0], chunk[1])
        else:
            def chunks():
                for target, triples in batches():
                    yield target, "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)

            def post(chunk: tuple[str, str]) -> None:
                self.store.update(f"INSERT DATA {{ GRAPH <{chunk[0]}> {{\n{chunk[1]}\n}} }}")

        _pipelined(chunks(), post)

    def add_records(self, quads: Iterable[ox.Quad]) -> None:
        """Write the records into the records graph (as one graph: their graph names dropped), then
        the document and the records into the work graph (``ADD``, on the engine: Virtuoso evaluates
        a query over one graph many times faster than over several, and as a set, not a multiset).
        Without a records graph (a run whose records are not kept) the records go straight into the
        work graph: at 10^7 triples that saves an ADD of 25 s and a DROP of about 20 s. ``quads`` may
        be a stream (``records_input.StreamedQuads``): it is read once, a chunk at a time."""
        self._send(self.records_graph or self.work_graph, quads)
        self._forget()
        copies = [self.document_graph] + ([self.records_graph] if self.records_graph else [])
        try:
            self.store.update(" ; ".join(f"ADD SILENT <{graph}> TO <{self.work_graph}>" for graph in copies))
        except RemoteError as error:
            if "SR325" not in str(error):
                raise
            raise type(error)(
                f"{error}\n(the engine's transaction log limit is below what copying the records needs: raise "
                "[Parameters] TransactionAfterImageLimit in virtuoso.ini, e.g. to 1000000000 for 10^7 triples)") from None

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Write into the work graph."""
        self._send(self.work_graph, quads)

    bulk_extend = extend

    def load(self, input=None, format=None, *, path=None, **_) -> None:
        data = open(path, "rb") if path is not None else input
        try:
            quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ox.parse(data, format=format)]
        finally:
            if path is not None:
                data.close()
        self.extend(quads)

    bulk_load = load

    def update(self, sparql: str, **_) -> None:
        raise NotImplementedError("an EngineDataset is written with extend()")

    def drop(self, *, records: bool = False) -> None:
        """Drop the work graph (and the records graph when asked); silent when they are gone."""
        graphs = [self.work_graph] + ([self.records_graph] if records and self.records_graph else [])
        if engine_log.keep_work_graph():
            engine_log.log_kept(self.key, self.work_graph)
            graphs.remove(self.work_graph)
        self.store.drop_graphs(graphs)

    # -- reading ---------------------------------------------------------------------------------

    def _forget(self) -> None:
        with self._lock:
            self._rewritten.clear()
            self._closures.clear()
            self._instances.clear()

    def rewrite_query(self, sparql: str) -> str:
        """The query as the engine must get it: the forms of ``engine_dialect`` (closures of
        zero-or-more paths asked of this dataset), then ``isBlank(?v)``, ``isIRI(?v)``, ``isURI(?v)``
        with skolem IRIs standing for blank nodes."""
        with self._lock:
            cached = self._rewritten.get(sparql)
        if cached is None:
            declarations = prologue(sparql)
            cached = _skolem_term_tests(engine_query(
                sparql, lambda step, end: self._closure(declarations, step, end),
                lambda pattern, variables: self._small_class(declarations, pattern, variables)))
            with self._lock:
                self._rewritten[sparql] = cached
        return cached

    def _closure(self, declarations: str, step: str, end: str) -> list[str] | None:
        """The nodes that reach ``end`` by ``step*`` in the dataset (None when none or past CLOSURE_LIMIT)."""
        text = self.terms.engine_text
        nodes = self._asked_once(self._closures, (declarations, step, end),
                                 f"{declarations}SELECT DISTINCT ?node WHERE {{ ?node {step}* {end} }}",
                                 CLOSURE_LIMIT, lambda row: text(row["node"]))
        return nodes or None

    def _small_class(self, declarations: str, pattern: str, variables: list[str]) -> list[tuple[str, ...]] | None:
        """The solutions of a class's block of triples in the dataset, as SPARQL texts (None past
        SMALL_CLASS_LIMIT): see ``engine_dialect.rewrite_small_classes``."""
        text = self.terms.engine_text
        names = [name.lstrip("?$") for name in variables]
        return self._asked_once(self._instances, (declarations, pattern),
                                f"{declarations}SELECT DISTINCT {' '.join(variables)} WHERE {{ {pattern} }}",
                                SMALL_CLASS_LIMIT, lambda row: tuple(text(row[name]) for name in names))

    def _asked_once(self, cache: dict, key, select: str, limit: int, make_row) -> list | None:
        """``make_row`` of each solution of ``select`` (asked once per run and key, cleared by writes),
        None past ``limit`` solutions."""
        with self._lock:
            if key in cache:
                return cache[key]
        rows = [make_row(row) for row in self.engine_query(f"{select} LIMIT {limit + 1}")]
        found = rows if len(rows) <= limit else None
        with self._lock:
            cache[key] = found
        return found

    def engine_query(self, sparql: str, *, prefixes: dict[str, str] | None = None, timeout: float | None = None):
        """The engine's answer to the query text as it is, over the dataset, in ``remote_store``'s
        terms (this run's blank nodes labelled with its key). An answer the engine cut at its row
        limit is an error, not a short answer: a validation must see every row."""
        answer = self.store.answer(sparql, prefixes=prefixes, default_graph=[ox.NamedNode(g) for g in self.graphs],
                                   named_graphs=[], timeout=timeout, rows=True)
        if answer.cut_by_engine:
            raise EngineRowLimit(
                f"the SPARQL engine at {self.store.query_url} stopped an answer of the validation at its row limit; "
                "raise it (Virtuoso: [SPARQL] ResultSetMaxRows in virtuoso.ini) above the number of results expected")
        result = answer.result
        if isinstance(result, SolutionRows):
            return Solutions([ox.Variable(name) for name in result.variables], result.rows)
        return iter(result) if isinstance(result, list) else result

    def query(self, sparql: str, *, prefixes: dict[str, str] | None = None, use_default_graph_as_union: bool = False,
              default_graph=None, named_graphs=None, timeout: float | None = None):
        """Like ``pyoxigraph.Store.query`` on the run's store: the dataset's graphs are its default
        graph (``use_default_graph_as_union`` means the same here: the run has no named graphs)."""
        text = self.rewrite_query(sparql)
        started = time.perf_counter()
        answer = self.engine_query(text, prefixes=prefixes, timeout=timeout)
        back = self.terms.from_engine
        if isinstance(answer, Solutions):
            rows = [tuple(back(term) if term is not None else None for term in row) for row in answer.rows]
            result, count = Solutions(answer.variables, rows), len(rows)
        elif isinstance(answer, ox.QueryBoolean):
            result, count = answer, None
        else:
            triples = [ox.Triple(back(t.subject), t.predicate, back(t.object)) for t in answer]
            result, count = iter(triples), len(triples)
        engine_log.log_query(self.key, self.graphs, text, time.perf_counter() - started, count, prefixes)
        return result

    def focus_text(self, term) -> str:
        """A focus node of a result (rdflib or pyoxigraph) as SPARQL text naming it on the engine,
        for the VALUES of ``shacl_engine.engine.confirm_results``."""
        return self.terms.sparql(term)

    def log_confirmation(self, shape: str, dropped: list[dict], added: list[dict]) -> None:
        engine_log.log_confirmation(self.key, shape, dropped, added)

    def quads_for_pattern(self, subject, predicate, object, graph_name=None) -> list[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": object}
        pattern = " ".join(self.terms.sparql(t) if t is not None else f"?{name}" for name, t in terms.items())
        back = self.terms.from_engine
        quads = []
        for row in self.engine_query(f"SELECT DISTINCT * WHERE {{ {pattern} }}"):
            quads.append(ox.Quad(subject if subject is not None else back(row["s"]),
                                 predicate if predicate is not None else row["p"],
                                 object if object is not None else back(row["o"]), ox.DefaultGraph()))
        return quads

    def dump(self, output=None, format=None, *, from_graph=None, **_) -> bytes | None:
        """The dataset's triples (for pySHACL, which validates an rdflib copy)."""
        triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return ox.serialize(triples, output, format=format or ox.RdfFormat.N_TRIPLES)

    def __len__(self) -> int:
        answer = self.engine_query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(answer))["n"].value)

