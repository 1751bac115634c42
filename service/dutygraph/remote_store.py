"""An external SPARQL 1.1 engine (Virtuoso, Fuseki, GraphDB …) behind the subset of pyoxigraph's
``Store`` API that dutygraph uses, over the SPARQL 1.1 Query and Update protocols (SPARQLWrapper).

**The dataset.** dutygraph's world on an engine that may hold other data too is its namespace:

- the document graph, which is the embedded store's default graph, is the named graph
  ``DOCUMENT_GRAPH``; the service's own facts (the data version) are in ``SERVICE_GRAPH``; kept runs
  are the graphs under ``…/id/run/`` (``OUR_GRAPHS``).
- every query is sent with an explicit dataset — ``default-graph-uri`` (the document graph unless
  the caller names others) and ``named-graph-uri`` — and with the FROM / FROM NAMED clauses of its
  text removed, so that the engine cannot let the text widen the dataset (Virtuoso adds a query's
  FROM NAMED graphs to the protocol's). A graph IRI outside ``OUR_GRAPHS`` is never sent: it is an
  empty graph to dutygraph (the engine's other graphs are not dutygraph's to read). An empty list of
  graphs is sent as one graph that does not exist (``NO_GRAPH``): engines read "no named-graph-uri"
  as "every graph".
- ``named_graphs()`` lists dutygraph's named graphs (not the document's or the service's graph,
  which play the embedded store's default graph). It reads them from a registry graph
  (``REGISTRY_GRAPH``) that every write enters its graphs in first, not from a scan of every quad
  (12 s at 10^7 triples on Virtuoso); ``rescan_graphs()`` (the service's start) does the scan and
  brings the registry up to date with graphs written behind dutygraph's back.

**Terms.** What the engine stores is made to read back as the embedded store gives it:

- blank nodes are skolemized (RDF 1.1 Concepts 3.5) as IRIs under ``GENID`` (a write is split
  into several INSERT DATA requests, and a blank node label means a new node in every request);
  answers turn them back into blank nodes.
- typed literals are written in the form Oxigraph stores (its canonical lexical form for a valid
  value: ``"0042"^^xsd:integer`` is ``"42"``), and answers are put in that form again (Virtuoso
  writes ``"….120000Z"`` as ``"….120Z"``, ``1.0E3`` as ``"1000.0"``). A literal the engine cannot keep
  as the same value — one that is not a valid value of its datatype (Virtuoso refuses the whole
  INSERT for ``"abc"^^xsd:integer``), an integer beyond 64 bits, a duration, a double with more
  than 6 significant digits (Virtuoso answers ``%g``), a date before year 0, seconds with more than 6
  decimals — is written with the datatype ``ILL_FORMED`` + its datatype and given back as it was
  (the engine compares it as an opaque literal).

**Comparisons.** ``A <= B`` and ``A >= B`` in a query, or in the WHERE of an admin's update, are sent
as ``((A) < (B) || (A) = (B))`` and ``((A) > (B) || (A) = (B))``: Virtuoso 7.2 loses rows to an
inclusive bound with no other side in some layouts of its indexes (``inclusive_comparisons``).

**Answers** are asked for in standard formats (SPARQL JSON results — Oxigraph's XML results reader
drops the white space around a literal's text — and N-Triples) and parsed by Oxigraph as they arrive, so callers get Oxigraph objects exactly as from the embedded store: an ASK
is a ``QueryBoolean`` (Virtuoso answers it as a one-variable SELECT), a DESCRIBE is Oxigraph's
(the concise bounded description in the default graph of each resource described, computed here
with SELECT queries; Virtuoso's own DESCRIBE adds the triples pointing at the resource). A time
limit bounds the whole answer, not each read; an answer the engine cut short (Virtuoso's "anytime"
partial results, its ``Transaction timed out``) is a ``RemoteTimeout``, never a short answer.
Every read asks the engine to stop it too, a little after that limit (``timeout_parameter``:
Virtuoso's ``timeout``, in milliseconds, which Virtuoso caps at its ``MaxQueryExecutionTime``), so
that the engine's own limit can stay above the longest query of a validation while a query the
service gave up on stops soon on the engine.

**Updates.** ``update`` sends an update as it is (dutygraph's own writes). ``admin_update`` is the
path of ``/sparql`` updates by an admin: Oxigraph's parser checks it first (the same messages as on
the embedded store), LOAD and SERVICE are refused, and since an engine has no default graph of
dutygraph's, the update's default graph is made the document graph, as it is on the embedded store
(``INSERT DATA { … }`` triples outside GRAPH go into ``GRAPH <DOCUMENT_GRAPH>``, ``WITH
<DOCUMENT_GRAPH>`` is added to a DELETE/INSERT without WITH, ``DEFAULT`` is that graph), the
WHERE clause of a DELETE/INSERT reads dutygraph's dataset (``USING`` is added when it names none),
and every graph it names must be one of ``OUR_GRAPHS`` (``UpdateRefused``, 403 otherwise, as for
``CLEAR ALL``, ``DROP NAMED`` and ``GRAPH ?g`` in what it writes: the engine's other graphs are not
the service's to change).

Errors: ``RemoteQueryError`` (the engine refused the request: 4xx, with its message),
``RemoteTimeout`` (no complete answer within the time limit), ``RemoteUnavailable`` (no connection,
5xx), ``UpdateRefused`` (an admin update the service will not send).
"""

from __future__ import annotations

import ast
import functools
import io
import itertools
import math
import re
import socket
import threading
import time
import urllib.error
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from SPARQLWrapper import DIGEST, JSON, POST, SELECT, SPARQLWrapper
from SPARQLWrapper.Wrapper import INSERT

from .inclusive_comparisons import ComparisonRewriteError, rewrite_inclusive_comparisons

NAMESPACE = "https://w3id.org/dutygraph/"
DOCUMENT_GRAPH = "https://w3id.org/dutygraph/graph/document"
SERVICE_GRAPH = "https://w3id.org/dutygraph/graph/service"  # the service's own facts (data version)
NO_GRAPH = "https://w3id.org/dutygraph/graph/none"
REGISTRY_GRAPH = "https://w3id.org/dutygraph/graph/registry"  # the named graphs dutygraph wrote (named_graphs)
HOLDS = REGISTRY_GRAPH + "#holds"
_NOT_LISTED = (SERVICE_GRAPH, DOCUMENT_GRAPH, NO_GRAPH, REGISTRY_GRAPH)
DROP_CHUNK = 100_000  # triples deleted a request when the engine stops a DROP at its own limit (drop_graphs)
DROP_CHUNK_LEAST = 1_000
HELD_CHECK_GRAPHS = 100  # registered graphs checked for a triple in one request (named_graphs)
_OUR_IRI = re.compile(r"<(https://w3id\.org/dutygraph/(?:graph|id/run)/[^>\s]*)>")
_DROPPED = re.compile(r"\bDROP\s+(?:SILENT\s+)?GRAPH\s*<([^>\s]*)>", re.IGNORECASE)
GENID = "https://w3id.org/dutygraph/.well-known/genid/"
ILL_FORMED = "https://w3id.org/dutygraph/.well-known/ill-formed/"  # + the datatype IRI (as engine_dataset)
OUR_GRAPHS = ("https://w3id.org/dutygraph/graph/", "https://w3id.org/dutygraph/id/run/")
INSERT_CHUNK = 1000  # triples per INSERT DATA request (Virtuoso's SPARQL compiler runs out of memory near 5,000)
DESCRIBE_CHUNK = 200  # resources per query of a DESCRIBE
XSD = "http://www.w3.org/2001/XMLSchema#"
TIMEOUT_PARAMETER = "timeout"  # Virtuoso's per-request limit (ms) on a query's evaluation ("anytime" queries)
ENGINE_GRACE_SECONDS = 1.0  # the engine's limit on a read is the caller's time left plus this
RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


class RemoteError(RuntimeError):
    pass


class RemoteQueryError(RemoteError, ValueError):
    """The engine refused the request (a 4xx answer); the message is the engine's."""

    status = 400


class UpdateRefused(RemoteQueryError):
    """An admin update that the service does not send to an engine (see the module docstring)."""

    status = 403


class RemoteTimeout(RemoteError):
    pass


class EngineTimeLimit(RemoteTimeout):
    """The engine itself stopped the query at its time limit (its own setting, or the limit the
    request carried), rather than the caller's deadline passing first."""


class RemoteUnavailable(RemoteError, OSError):
    pass


def is_store_url(text: str | None) -> bool:
    return bool(text) and text.startswith(("http://", "https://"))


def is_ours(iri: str) -> bool:
    """A graph of dutygraph's on the engine (the document's, the service's, a run's, an admin's)."""
    return iri.startswith(OUR_GRAPHS)


def _graph_iri(graph) -> str:
    if graph is None or isinstance(graph, ox.DefaultGraph) or graph == "":
        return DOCUMENT_GRAPH
    return graph.value if hasattr(graph, "value") else str(graph)


def _dataset_graphs(iris: Iterable[str], *, named: bool = False) -> list[str]:
    """The graphs sent to the engine: dutygraph's only (another IRI is an empty graph), never none;
    the named graphs always with NO_GRAPH (see ``engine_query_text``)."""
    kept = list(dict.fromkeys(iri for iri in iris if is_ours(iri)))
    if named:
        return kept + [NO_GRAPH] if NO_GRAPH not in kept else kept
    return kept or [NO_GRAPH]


# -- terms ------------------------------------------------------------------------------------------

_INTEGERS = {XSD + name for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_ZONE = r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
_FRACTION = r"(?:\.[0-9]{1,6})?"
# The canonical forms (Oxigraph's) that Virtuoso keeps as the same value (it may write them
# otherwise: answers are put in Oxigraph's form again).
_KEPT = {
    **{datatype: re.compile(r"0|-?[1-9][0-9]{0,17}") for datatype in _INTEGERS},
    XSD + "decimal": re.compile(r"-?(?:0|[1-9][0-9]{0,19})(?:\.[0-9]{0,17}[1-9])?"),
    XSD + "boolean": re.compile(r"true|false"),
    XSD + "dateTime": re.compile(rf"[0-9]{{4,}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}{_FRACTION}{_ZONE}"),
    XSD + "date": re.compile(rf"[0-9]{{4,}}-[0-9]{{2}}-[0-9]{{2}}{_ZONE}"),
    XSD + "time": re.compile(rf"[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}{_FRACTION}{_ZONE}"),
    XSD + "gYear": re.compile(rf"[0-9]{{4}}{_ZONE}"),
    XSD + "gYearMonth": re.compile(rf"[0-9]{{4}}-[0-9]{{2}}{_ZONE}"),
    XSD + "gMonthDay": re.compile(rf"--[0-9]{{2}}-[0-9]{{2}}{_ZONE}"),
}
_FLOATS = {XSD + "double", XSD + "float"}
_NEVER_KEPT = {XSD + "duration", XSD + "dayTimeDuration", XSD + "yearMonthDuration", XSD + "gDay", XSD + "gMonth"}
VALUE_TYPES = frozenset(_KEPT) | _FLOATS | _NEVER_KEPT  # the datatypes Oxigraph stores as values
_PROBE = ox.NamedNode("urn:dutygraph:literal")
_canonical: dict[ox.Literal, ox.Literal] = {}  # literal -> the form Oxigraph stores
_canonical_lock = threading.Lock()
CANONICAL_CACHE = 200_000


def canonical_literals(literals: Iterable[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """{literal: the literal as Oxigraph stores it} (written into an in-memory store and read back)."""
    wanted = set(literals)
    with _canonical_lock:
        known = {literal: _canonical[literal] for literal in wanted if literal in _canonical}
    pending = [literal for literal in wanted if literal not in known]
    if pending:
        scratch = ox.Store()
        scratch.extend(ox.Quad(ox.NamedNode(f"urn:dutygraph:{number}"), _PROBE, literal)
                       for number, literal in enumerate(pending))
        for quad in scratch:
            known[pending[int(quad.subject.value[len("urn:dutygraph:"):])]] = quad.object
        with _canonical_lock:
            if len(_canonical) > CANONICAL_CACHE:
                _canonical.clear()
            _canonical.update((literal, known[literal]) for literal in pending)
    return known


def _kept_by_engine(literal: ox.Literal) -> bool:
    """Whether the engine keeps this (canonical) literal as the same value."""
    datatype, value = literal.datatype.value, literal.value
    pattern = _KEPT.get(datatype)
    if pattern is not None:
        return pattern.fullmatch(value) is not None
    if datatype in _FLOATS:
        if value in ("NaN", "INF", "-INF"):
            return True
        try:
            number = float(value)
        except ValueError:
            return False
        return math.isfinite(number) and float("%g" % number) == number
    return False


def _value_typed(term) -> bool:
    return type(term) is ox.Literal and term.language is None and term.datatype.value in VALUE_TYPES


def to_engine_terms(terms: Iterable) -> dict:
    """{term: what is written to the engine} for the literals among terms that are not written as
    they are (see the module docstring); blank nodes are skolemized by ``to_engine``."""
    literals = [term for term in terms if _value_typed(term)]
    if not literals:
        return {}
    mapping = {}
    for literal, stored in canonical_literals(literals).items():
        if not _kept_by_engine(stored):
            stored = ox.Literal(stored.value, datatype=ox.NamedNode(ILL_FORMED + stored.datatype.value))
        if stored != literal:
            mapping[literal] = stored
    return mapping


_KEYED = "sk_"  # a blank node standing for a keyed skolem IRI (GENID KEY/LABEL, validation.engine_dataset's)


def _keyed_label(rest: str) -> str:
    return _KEYED + rest.replace("_", "_u").replace("/", "_s")


def _skolem_rest(label: str) -> str:
    if label.startswith(_KEYED) and "_s" in label:
        return re.sub(r"_([us])", lambda m: "_" if m.group(1) == "u" else "/", label[len(_KEYED):])
    return label


def to_engine(term, literals: dict | None = None):
    if type(term) is ox.BlankNode:
        return ox.NamedNode(GENID + _skolem_rest(term.value))
    if literals is not None and type(term) is ox.Literal:
        return literals.get(term, term)
    return term


class _FromEngine:
    """Engine terms back to the embedded store's: skolem IRIs to blank nodes, ILL_FORMED literals
    as written, value-typed literals in Oxigraph's form (done for a whole answer at once).

    A skolem IRI with a key (``GENID KEY/LABEL``: the records of a run validated on the engine,
    ``validation.engine_dataset``) is left as it is unless ``keyed`` — that module maps its own back
    — and is otherwise the blank node ``sk_`` + KEY/LABEL escaped (``to_engine`` reverses it)."""

    def __init__(self, terms: Iterable, keyed: bool = False, separators: dict[str, str] | None = None):
        distinct = {term for term in terms if term is not None}  # an answer repeats its terms row after row
        self.literals = canonical_literals(term for term in distinct if _value_typed(term))
        self.keyed = keyed
        self.separators = separators or {}
        self.mapped: dict = {}  # each distinct term is mapped once

    def __call__(self, term):
        mapped = self.mapped.get(term)
        if mapped is None:
            mapped = self.mapped[term] = self._map(term)
        return mapped

    def _map(self, term):
        kind = type(term)
        if self.separators and kind is ox.Literal:
            term = _separators_back(term, self.separators)
        if kind is ox.NamedNode:
            value = term.value
            if value.startswith(GENID):
                rest = value[len(GENID):]
                try:
                    if "/" not in rest:
                        return ox.BlankNode(rest)
                    return ox.BlankNode(_keyed_label(rest)) if self.keyed else term
                except ValueError:  # not a label (another writer's skolem IRI): left as it is
                    return term
            return term
        if kind is ox.Literal and term.language is None:
            datatype = term.datatype.value
            if datatype.startswith(ILL_FORMED):
                return ox.Literal(term.value, datatype=ox.NamedNode(datatype[len(ILL_FORMED):]))
            return self.literals.get(term, term)
        return term


# -- query text ---------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _tokens(sparql: str) -> tuple[tuple[str, str, int, int], ...]:
    """(kind, text, start, end) of the query's tokens (query_guard's tokenizer), comments left out.
    Kept for the last texts read: a query of the service is read by several steps (its form, the
    engine's rewrites, the separators, the function guard) and is tokenized once."""
    from .web.query_guard import _TOKEN

    return tuple((m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(sparql) if m.lastgroup != "comment")


class _Names:
    """PREFIX and BASE declarations met so far, to resolve IRIs and prefixed names."""

    def __init__(self):
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None

    def declare(self, tokens, index: int) -> int:
        """Reads a PREFIX or BASE declaration at index; the index after it (index itself if none)."""
        from .web.query_guard import _resolve

        word = tokens[index][1].upper() if tokens[index][0] == "word" else ""
        following = tokens[index + 1:index + 3]
        if word == "PREFIX" and len(following) == 2 and following[0][0] == "pname" and following[1][0] == "iri":
            self.prefixes[following[0][1].rstrip(":").split(":")[0]] = _resolve(following[1][1], "iri", self.prefixes, self.base)
            return index + 3
        if word == "BASE" and following and following[0][0] == "iri":
            self.base = _resolve(following[0][1], "iri", self.prefixes, self.base)
            return index + 2
        return index

    def resolve(self, token) -> str | None:
        from .web.query_guard import _resolve

        return _resolve(token[1], token[0], self.prefixes, self.base)


SEPARATOR_MARKER = "~dutygraph-separator-{}~"


def ascii_separators(sparql: str) -> tuple[str, dict[str, str]]:
    """The query with every non-ASCII ``GROUP_CONCAT(…; separator="…")`` written as an ASCII marker,
    and {marker: separator} to put them back in the answer. Virtuoso 7.2 answers each character of
    a separator beyond ASCII as ``?`` (``separator="、"`` joins 审计处 and 组织部 as ``审计处?组织部``;
    openlink/virtuoso-opensource#944, #1414 for CONCAT). A marker in a literal of the data itself
    would be replaced too: ``~dutygraph-separator-N~`` is not met in records."""
    tokens = _tokens(sparql)
    edits, markers = [], {}
    for index in range(len(tokens) - 2):
        word, equals, string = tokens[index], tokens[index + 1], tokens[index + 2]
        if word[0] == "word" and word[1].upper() == "SEPARATOR" and equals[1] == "=" and string[0] == "string":
            value = _string_value(string[1])
            if not value.isascii():
                marker = SEPARATOR_MARKER.format(len(markers))
                markers[marker] = value
                edits.append((string[2], string[3], f'"{marker}"'))
    for start, end, replacement in sorted(edits, reverse=True):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql, markers


def _separators_back(literal: ox.Literal, separators: dict[str, str]) -> ox.Literal:
    value = literal.value
    if "~dutygraph-separator-" not in value:
        return literal
    for marker, separator in separators.items():
        value = value.replace(marker, separator)
    if literal.language:
        return ox.Literal(value, language=literal.language)
    return ox.Literal(value, datatype=literal.datatype)


def engine_query_text(sparql: str, named_graphs: list[str] | None = None) -> str:
    """The query as the engine gets it: ``\\u`` escapes decoded (SPARQL 1.1, 19.2: before anything
    else, so the engine reads what Oxigraph read), FROM / FROM NAMED clauses removed (the dataset is
    sent with the protocol) and, given the dataset's named graphs, ``GRAPH <g>`` of a graph outside
    them written ``GRAPH <NO_GRAPH>``: the same empty pattern, which Virtuoso 7.2 evaluates right (for
    ``GRAPH <g> { … }`` with g not a named graph of the dataset it answers one solution that binds
    nothing: ASK true, COUNT(*) 1, whatever g holds — never g's triples). It does the same for ``GRAPH
    ?g`` with ?g bound to such a g by VALUES, BIND or a FILTER, which no rewrite here undoes (a known
    difference: a wrong ASK/COUNT, never data of a graph outside the dataset). A typed literal of the
    text is written as the engine holds it (``"0042"^^xsd:integer`` as ``"42"``, an ill-formed one
    with the ``ILL_FORMED`` datatype: Virtuoso refuses the query for ``"x5"^^xsd:integer``);
    ``isBlank(?v)`` is also true of a skolem IRI, ``isIRI(?v)``/``isURI(?v)`` false of one (as
    ``validation.engine_dataset`` rewrites its queries). ``A <= B`` and ``A >= B`` are sent as
    ``((A) < (B) || (A) = (B))`` and ``((A) > (B) || (A) = (B))``: Virtuoso 7.2 loses rows to an
    inclusive bound (``inclusive_comparisons``). A NUL character stays written ``\\u0000``."""
    from .web.query_guard import decode_codepoint_escapes

    sparql = decode_codepoint_escapes(sparql)
    tokens = _tokens(sparql)
    names = _Names()
    allowed = set(named_graphs or ()) | {NO_GRAPH}
    edits, typed = [], []  # typed: (token index, datatype IRI) of "…"^^<datatype> literals
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token[0] == "word":
            declared = names.declare(tokens, index)
            if declared != index:
                index = declared
                continue
        word = token[1].upper() if token[0] == "word" else ""
        if word == "FROM":
            target = index + 1
            if target < len(tokens) and tokens[target][0] == "word" and tokens[target][1].upper() == "NAMED":
                target += 1
            if target < len(tokens) and tokens[target][0] in ("iri", "pname"):
                edits.append((token[2], tokens[target][3], " "))
                index = target
        elif token[0] == "string" and index + 3 < len(tokens) and tokens[index + 1][1] == tokens[index + 2][1] == "^" \
                and tokens[index + 3][0] in ("iri", "pname"):
            typed.append((index, names.resolve(tokens[index + 3])))
            index += 4
            continue
        elif word in _TERM_TESTS and index + 3 < len(tokens) and tokens[index + 1][1] == "(" \
                and tokens[index + 2][0] == "var" and tokens[index + 3][1] == ")":
            variable, end = tokens[index + 2][1], tokens[index + 3][3]
            skolem = f'STRSTARTS(STR({variable}), "{GENID}")'
            test = sparql[token[2]:end]
            edits.append((token[2], end, f"({test} || {skolem})" if _TERM_TESTS[word] == "blank" else f"({test} && !{skolem})"))
            index += 4
            continue
        elif word == "GRAPH" and named_graphs is not None and index + 1 < len(tokens):
            graph = tokens[index + 1]
            if graph[0] in ("iri", "pname") and names.resolve(graph) not in allowed:
                edits.append((graph[2], graph[3], f"<{NO_GRAPH}>"))
        index += 1
    edits += _typed_literal_edits(tokens, typed)
    for start, end, replacement in sorted(edits, reverse=True):
        sparql = sparql[:start] + replacement + sparql[end:]
    # A decoded NUL can only be in a string (Oxigraph refused it elsewhere); Virtuoso's parser stops at one.
    return _inclusive_comparisons_rewritten(sparql.replace("\x00", "\\u0000"))


def _inclusive_comparisons_rewritten(sparql: str) -> str:
    """``A <= B`` and ``A >= B`` as Virtuoso 7.2 evaluates them right (``inclusive_comparisons``);
    RemoteQueryError (400) for a query past its limit of comparisons."""
    try:
        return rewrite_inclusive_comparisons(sparql)
    except ComparisonRewriteError as error:
        raise RemoteQueryError(f"the query was not sent to the SPARQL engine: {error}") from None


_TERM_TESTS = {"ISBLANK": "blank", "ISIRI": "iri", "ISURI": "iri"}
_STRING_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _string_value(token: str) -> str:
    body = token[3:-3] if token[:3] in ('"""', "'''") else token[1:-1]
    return re.sub(r"\\(.)", lambda m: _STRING_ESCAPES.get(m.group(1), m.group(0)), body, flags=re.DOTALL)


def _typed_literal_edits(tokens, typed) -> list[tuple[int, int, str]]:
    """The typed literals of a query or update text written as the engine holds them (to_engine_terms)."""
    literals = {}
    for index, datatype in typed:
        if datatype in VALUE_TYPES:
            try:
                literals[index] = ox.Literal(_string_value(tokens[index][1]), datatype=ox.NamedNode(datatype))
            except ValueError:
                pass
    mapping = to_engine_terms(literals.values())
    return [(tokens[index][2], tokens[index + 3][3], str(mapping[literal]))
            for index, literal in literals.items() if literal in mapping]


@functools.lru_cache(maxsize=64)
def _engine_text(sparql: str, named_graphs: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """``ascii_separators(engine_query_text(…))``, kept for the last texts sent (as ``_tokens``): the
    same text and dataset are rewritten the same way. The separators are only read."""
    return ascii_separators(engine_query_text(sparql, list(named_graphs)))


def query_form(sparql: str) -> str:
    from .web.query_guard import QUERY_FORMS, decode_codepoint_escapes

    for kind, text, _, _ in _tokens(decode_codepoint_escapes(sparql)):  # the tokens engine_query_text reads next
        if kind == "word" and text.upper() in QUERY_FORMS:
            return text.upper()
    return "SELECT"



# -- answers ------------------------------------------------------------------------------------------

class _Deadline:
    """A response body read before a deadline: each read waits at most the time left, and past the
    deadline reading stops with RemoteTimeout (an engine that sends a slow trickle is cut off too)."""

    def __init__(self, response, deadline: float, limit_text: str):
        self.response, self.deadline, self.limit_text = response, deadline, limit_text

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise RemoteTimeout(f"the SPARQL engine did not answer within {self.limit_text}")
        return left

    def read(self, size: int = -1) -> bytes:
        left = self._left()
        try:
            raw = getattr(getattr(getattr(self.response, "fp", None), "raw", None), "_sock", None)
            if raw is not None:
                raw.settimeout(left)
            return self.response.read(size if size is not None and size >= 0 else 1 << 16)
        except (socket.timeout, TimeoutError):
            raise RemoteTimeout(f"the SPARQL engine did not answer within {self.limit_text}") from None

    def close(self) -> None:
        try:
            self.response.close()
        except OSError:
            pass


@dataclass
class EngineAnswer:
    """An answer of the engine in embedded-store terms: ``result`` is a QuerySolutions (or, asked
    for with ``answer(…, rows=True)``, a ``SolutionRows``), a QueryBoolean or a list of triples;
    ``cut_by_engine`` when the engine stopped at its own row cap (Virtuoso's ResultSetMaxRows) before
    the caller's limit."""

    result: object
    cut_by_engine: bool = False


@dataclass
class SolutionRows:
    """A SELECT answer as read: the variables' names and, per solution, its terms in their order
    (None: unbound), already in embedded-store terms. For the callers that read every row once (the
    service's /sparql, a validation's queries): no QuerySolutions is built from them."""

    variables: list[str]
    rows: list[list]


def _solutions(variables: list[str], rows: list[list]) -> ox.QuerySolutions:
    """A pyoxigraph QuerySolutions of these rows (terms already mapped)."""
    from .web.query_worker import encode_rows  # the one SPARQL JSON encoder (not at import: Flask)

    _, body = encode_rows(variables, rows, "JSON", False)
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)


def _boolean(value: bool) -> ox.QueryBoolean:
    return ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if value else b"false"),
                                  format=ox.QueryResultsFormat.JSON)


_ENGINE_TIMEOUT = re.compile(r"S1T00|S1TAT|SR171|Transaction timed out|ANYTIME timeout|query interrupted", re.IGNORECASE)


class _EngineClient(SPARQLWrapper):
    """SPARQLWrapper, without its guess of the query form from the text: ``setQuery`` runs a regular
    expression over the whole text (its comments, then its PREFIX lines, removed) for a form that
    ``RemoteStore._client`` then replaces with the protocol operation it sends (query or update)."""

    def _parseQueryType(self, query: str) -> str:
        return SELECT


class RemoteStore:
    """A SPARQL 1.1 endpoint (and its update endpoint) used like a pyoxigraph Store."""

    def __init__(self, query_url: str, update_url: str | None = None, *, user: str | None = None,
                 password: str | None = None, timeout: float = 120.0, timeout_parameter: str | None = TIMEOUT_PARAMETER):
        """``timeout``: the time limit of a request when its caller gives none (seconds).
        ``timeout_parameter``: the name of the engine's request parameter that limits a query's
        evaluation in milliseconds (Virtuoso's ``timeout``), sent with every read as the time the
        caller has left plus ENGINE_GRACE_SECONDS; None or "" (white space around it ignored) sends
        none (an engine that refuses parameters it does not know)."""
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.user, self.password = user, password
        self.timeout = timeout
        self.timeout_parameter = str(timeout_parameter or "").strip() or None

    def __repr__(self) -> str:
        return f"<RemoteStore {self.query_url}>"

    # -- the protocol ------------------------------------------------------------------------------

    def _client(self, url: str, text: str, *, update: bool = False) -> SPARQLWrapper:
        client = _EngineClient(url)
        client.setOnlyConneg(True)
        client.setMethod(POST)
        client.setQuery(text)
        client.queryType = INSERT if update else SELECT  # the protocol's update or query operation, whatever the text
        client.setReturnFormat(JSON)
        if self.user:
            client.setHTTPAuth(DIGEST)
            client.setCredentials(self.user, self.password or "")
        return client

    def _open(self, client: SPARQLWrapper, deadline: float):
        """The engine's HTTP response (headers read, body not yet), or a RemoteError."""
        limit_text = f"{max(deadline - time.monotonic(), 0):.3g} s"
        left = deadline - time.monotonic()
        if left <= 0:
            raise RemoteTimeout(f"the SPARQL engine did not answer within {limit_text}")
        client.timeout = left  # SPARQLWrapper's setTimeout would round it to whole seconds
        try:
            return client.query().response
        except urllib.error.HTTPError as error:
            self._refused(error.code, error.read())
        except (socket.timeout, TimeoutError) as error:
            raise RemoteTimeout(f"the SPARQL engine did not answer within {limit_text}") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                raise RemoteTimeout(f"the SPARQL engine did not answer within {limit_text}") from None
            raise RemoteUnavailable(f"cannot reach the SPARQL engine at {client.endpoint}: {error.reason}") from None
        except (ConnectionError, OSError) as error:
            raise RemoteUnavailable(f"cannot reach the SPARQL engine at {client.endpoint}: {error}") from None
        except Exception as error:  # SPARQLWrapper wraps HTTP errors in its own exceptions
            codes = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414,
                     "EndPointInternalError": 500}
            code = codes.get(type(error).__name__)
            if code is None:
                raise
            text = str(error)
            body = text.split("Response:\n", 1)[1] if "Response:\n" in text else text
            try:
                body = ast.literal_eval(body)
            except (ValueError, SyntaxError):
                pass
            self._refused(code, body)

    @staticmethod
    def _refused(code: int, body) -> None:
        message = (body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)).strip()
        if _ENGINE_TIMEOUT.search(message[:500]):
            summary = message.split("\n\n", 1)[0].strip()  # Virtuoso's error, without the query text after it
            raise EngineTimeLimit(f"the SPARQL engine stopped the query at its own time limit: {summary[:300]}")
        if 400 <= code < 500:
            raise RemoteQueryError(f"the SPARQL engine refused the request ({code}): {message[:2000]}")
        raise RemoteUnavailable(f"the SPARQL engine failed ({code}): {message[:2000]}")

    def _deadline(self, timeout: float | None) -> float:
        return time.monotonic() + (timeout if timeout is not None else self.timeout)

    def _request(self, text: str, *, accept: str, default_graphs: list[str], named_graphs: list[str], deadline: float):
        """(response body as a deadline-bound stream, the engine's row cap if it said so)."""
        client = self._client(self.query_url, text)
        client.addCustomHttpHeader("Accept", accept)
        for graph in default_graphs:
            client.addDefaultGraph(graph)
        for graph in named_graphs:
            client.addNamedGraph(graph)
        if self.timeout_parameter:  # the engine stops the evaluation soon after the caller gives up
            engine_ms = math.ceil((max(deadline - time.monotonic(), 0) + ENGINE_GRACE_SECONDS) * 1000)
            client.addParameter(self.timeout_parameter, str(engine_ms))
        response = self._open(client, deadline)
        headers = response.headers
        if getattr(response, "status", 200) == 206 or headers.get("X-SQL-State"):  # an "anytime" partial answer
            response.close()
            raise EngineTimeLimit("the SPARQL engine stopped the query at its own time limit (a partial answer: "
                                f"{headers.get('X-SQL-State', '')} {headers.get('X-SQL-Message', '')[:200]})")
        cap = headers.get("X-SPARQL-MaxRows")
        limit_text = f"{max(deadline - time.monotonic(), 0):.3g} s"
        return _Deadline(response, deadline, limit_text), (int(cap) if cap and cap.isdigit() else None)

    # -- reading -----------------------------------------------------------------------------------

    def _dataset(self, default_graph, named_graphs, use_default_graph_as_union: bool) -> tuple[list[str], list[str]]:
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
            default = [_graph_iri(g) for g in graphs]
        return _dataset_graphs(default), _dataset_graphs(named, named=True)

    def answer(self, sparql: str, *, prefixes: dict[str, str] | None = None, default_graph=None, named_graphs=None,
               use_default_graph_as_union: bool = False, timeout: float | None = None,
               limit: int | None = None, keyed_blank_nodes: bool = False, rows: bool = False) -> EngineAnswer:
        """The answer of a read query in embedded-store terms, with at most ``limit`` rows or triples
        read from the engine (the rest is never read). ``default_graph`` None is the document graph;
        ``named_graphs`` None is every graph of dutygraph's; ``use_default_graph_as_union`` makes the
        default graph the union of those. ``keyed_blank_nodes``: see ``_FromEngine``. ``rows``: a
        SELECT's answer as ``SolutionRows`` rather than a QuerySolutions."""
        text = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items()) + sparql
        default, named = self._dataset(default_graph, named_graphs, use_default_graph_as_union)
        deadline = self._deadline(timeout)
        form = query_form(text)
        keyed = keyed_blank_nodes
        if form == "DESCRIBE":
            return self._describe(text, default, named, deadline, limit, keyed)
        text, separators = _engine_text(text, tuple(named))
        if form == "CONSTRUCT":
            return self._triples(text, default, named, deadline, limit, keyed, separators)
        variables, found, cut = self._select(text, default, named, deadline, limit, keyed, separators)
        if form == "ASK":  # Virtuoso answers ASK as SELECT ?__ASK_RETVAL: one row (1) or none
            if isinstance(found, bool):
                return EngineAnswer(_boolean(found))
            return EngineAnswer(_boolean(any(row and row[0] is not None and row[0].value not in ("0", "false")
                                             for row in found)))
        return EngineAnswer(SolutionRows(variables, found) if rows else _solutions(variables, found), cut)

    def _select(self, text: str, default: list[str], named: list[str], deadline: float, limit: int | None,
                keyed: bool = False, separators: dict[str, str] | None = None):
        """(variable names, rows of mapped terms, cut by the engine) — or (None, bool, False) for an
        engine that answered an ASK as a boolean."""
        body, cap = self._request(text, accept=RESULTS_JSON, default_graphs=default, named_graphs=named, deadline=deadline)
        try:
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            if isinstance(parsed, ox.QueryBoolean):
                return None, bool(parsed), False
            variables = [v.value for v in parsed.variables]
            if limit is None:
                rows = [list(solution) for solution in parsed]  # a solution's terms in the variables' order
            else:
                rows = [list(solution) for solution in itertools.islice(parsed, limit)]
        except SyntaxError as error:
            raise RemoteUnavailable(f"the SPARQL engine's answer could not be read: {error}") from None
        finally:
            body.close()
        back = _FromEngine((term for row in rows for term in row), keyed, separators)
        rows = [[back(term) if term is not None else None for term in row] for row in rows]
        cut = cap is not None and len(rows) == cap and (limit is None or cap < limit)
        return variables, rows, cut

    def _triples(self, text: str, default: list[str], named: list[str], deadline: float, limit: int | None,
                 keyed: bool = False, separators: dict[str, str] | None = None) -> EngineAnswer:
        body, cap = self._request(text, accept=f"{NTRIPLES}, text/turtle;q=0.5", default_graphs=default,
                                  named_graphs=named, deadline=deadline)
        triples = []
        try:
            media = (body.response.headers.get("Content-Type") or NTRIPLES).split(";")[0].strip()
            fmt = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_TRIPLES
            for triple in ox.parse(body, format=fmt):
                if limit is not None and len(triples) >= limit:
                    break
                triples.append(triple)
        except SyntaxError as error:
            raise RemoteUnavailable(f"the SPARQL engine's answer could not be read: {error}") from None
        finally:
            body.close()
        back = _FromEngine((t.object for t in triples), keyed, separators)
        result = [ox.Triple(back(t.subject), t.predicate, back(t.object)) for t in triples]
        return EngineAnswer(result, cap is not None and len(result) == cap and (limit is None or cap < limit))

    def _describe(self, text: str, default: list[str], named: list[str], deadline: float, limit: int | None,
                  keyed: bool = False) -> EngineAnswer:
        """Oxigraph's DESCRIBE: for each solution of the WHERE clause (one empty solution without
        one), the terms described; for each, its triples in the default graph and, recursively, those
        of the blank nodes they lead to."""
        from .web.query_guard import decode_codepoint_escapes

        text = decode_codepoint_escapes(text)
        tokens = _tokens(text)
        names = _Names()
        index = 0
        while index < len(tokens) and not (tokens[index][0] == "word" and tokens[index][1].upper() == "DESCRIBE"):
            index = max(names.declare(tokens, index), index + 1) if tokens[index][0] == "word" else index + 1
        start = index
        index += 1
        constants, variables, star = [], [], False
        while index < len(tokens) and (tokens[index][0] in ("var", "iri", "pname") or tokens[index][1] == "*"):
            kind, token_text = tokens[index][:2]
            if token_text == "*":
                star = True
            elif kind == "var":
                variables.append(token_text[1:])
            else:
                constants.append(ox.NamedNode(names.resolve(tokens[index])))
            index += 1
        rest = text[tokens[index - 1][3]:] if index > start + 1 else ""
        has_where = any(t[1] == "{" for t in tokens[index:])
        described: list = []
        if not has_where:
            described = list(constants)
        else:
            projection = "*" if star else " ".join(f"?{v}" for v in variables) or "(1 AS ?__dutygraph_describe)"
            select = engine_query_text(text[:tokens[start][2]] + "SELECT " + projection + " " + rest, named)
            names_of, rows, _ = self._select(select, default, named, deadline, None, True)
            if rows:
                described = list(constants)
                wanted = range(len(names_of)) if star else [names_of.index(v) for v in variables if v in names_of]
                for row in rows:
                    described.extend(row[i] for i in wanted if row[i] is not None)
        return EngineAnswer(self._descriptions(described, default, deadline, limit, keyed))

    def _descriptions(self, resources: list, default: list[str], deadline: float, limit: int | None,
                      keyed: bool = False) -> list:
        """The concise bounded descriptions of resources (embedded-store terms) in the default graph."""
        seen, queue, triples, kept = set(), [], [], set()
        for resource in resources:
            term = to_engine(resource)
            if isinstance(term, ox.NamedNode) and term not in seen:
                seen.add(term)
                queue.append(term)
        while queue and (limit is None or len(triples) < limit):
            chunk, queue = queue[:DESCRIBE_CHUNK], queue[DESCRIBE_CHUNK:]
            values = " ".join(str(term) for term in chunk)
            text = f"SELECT ?r ?p ?o WHERE {{ VALUES ?r {{ {values} }} ?r ?p ?o }}"
            body, _ = self._request(text, accept=RESULTS_JSON, default_graphs=default, named_graphs=[NO_GRAPH],
                                    deadline=deadline)
            try:
                found = [(row["r"], row["p"], row["o"]) for row in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)]
            finally:
                body.close()
            back = _FromEngine((o for _, _, o in found), keyed)
            for subject, predicate, obj in found:
                triple = ox.Triple(back(subject), predicate, back(obj))
                if triple in kept:
                    continue
                kept.add(triple)
                triples.append(triple)
                if isinstance(obj, ox.NamedNode) and obj.value.startswith(GENID) and obj not in seen:
                    seen.add(obj)
                    queue.append(obj)
        return triples if limit is None else triples[:limit]

    # -- the pyoxigraph Store API used by dutygraph ------------------------------------------------

    def query(self, sparql: str, *, prefixes: dict[str, str] | None = None, default_graph=None, named_graphs=None,
              use_default_graph_as_union: bool = False, timeout: float | None = None):
        """Like ``pyoxigraph.Store.query``: QuerySolutions, QueryBoolean, or an iterator of triples
        (see ``answer`` for the dataset)."""
        result = self.answer(sparql, prefixes=prefixes, default_graph=default_graph, named_graphs=named_graphs,
                             use_default_graph_as_union=use_default_graph_as_union, timeout=timeout).result
        return iter(result) if isinstance(result, list) else result

    def named_graphs(self) -> list[ox.NamedNode]:
        """dutygraph's named graphs on the engine — the kept runs' and those an admin wrote — like the
        embedded store's named graphs (the document graph plays the default graph, so it is not among
        them, nor is the service's graph).

        Read from the registry (``REGISTRY_GRAPH``: every graph dutygraph writes is entered there
        before the write, ``register_graphs``), keeping those that hold a triple. A scan of every quad
        for its graph takes 1.3 s at 10^6 triples on Virtuoso and 12 s at 10^7, and the service asks
        this before a logged-in caller's query; graphs written behind dutygraph's back (a bulk load
        over isql) are found by ``rescan_graphs``, which the service runs when it starts.

        Whether a graph holds a triple is asked of each registered graph by name, one ``LIMIT 1``
        subquery per graph joined by UNION (``HELD_CHECK_GRAPHS`` graphs a request): Virtuoso 7.2
        answers ``FILTER EXISTS { GRAPH ?g { ?s ?p ?o } }`` by reading into the graph (45 ms for a
        graph of 10^7 triples, growing with it), a ``LIMIT 1`` on a named graph in ~1 ms whatever its
        size."""
        registered = self._graph_list(f"SELECT DISTINCT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{REGISTRY_GRAPH}> <{HOLDS}> ?g }} }}")
        held: set[str] = set()
        for start in range(0, len(registered), HELD_CHECK_GRAPHS):
            branches = " UNION ".join(f"{{ SELECT (<{g.value}> AS ?g) WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }} LIMIT 1 }}"
                                      for g in registered[start:start + HELD_CHECK_GRAPHS])
            held.update(g.value for g in self._graph_list(f"SELECT ?g WHERE {{ {branches} }}"))
        return [g for g in registered if g.value in held]

    def _engine_rows(self, query: str) -> list:
        """The solutions of a query of dutygraph's own over the engine's whole dataset."""
        body, _ = self._request(query, accept=RESULTS_JSON, default_graphs=[], named_graphs=[],
                                deadline=self._deadline(None))
        try:
            return list(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
        finally:
            body.close()

    def _graph_list(self, query: str) -> list[ox.NamedNode]:
        rows = self._engine_rows(query)
        return [row["g"] for row in rows
                if isinstance(row["g"], ox.NamedNode) and is_ours(row["g"].value) and row["g"].value not in _NOT_LISTED]

    def rescan_graphs(self) -> list[ox.NamedNode]:
        """Scan the engine for dutygraph's graphs (every quad: O(data)), enter those the registry
        lacks and remove the entries of graphs that are gone; the graphs found."""
        filters = " || ".join(f'STRSTARTS(STR(?g), "{prefix}")' for prefix in OUR_GRAPHS)
        found = self._graph_list(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({filters}) }}")
        listed = self._graph_list(f"SELECT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{REGISTRY_GRAPH}> <{HOLDS}> ?g }} }}")
        self.register_graphs(g.value for g in found)
        self._unregister({g.value for g in listed} - {g.value for g in found})
        return found

    def register_graphs(self, graphs: Iterable[str]) -> None:
        """Enter graphs in the registry (before writing them: a write cut short leaves an entry, never a
        graph the registry does not know). Not remembered here: the registry is the engine's (another
        process may drop it, as the test harness's reset does), and one more request per write is ~2 ms."""
        new = sorted({g for g in graphs if is_ours(g) and g not in _NOT_LISTED})
        if not new:
            return
        for start in range(0, len(new), INSERT_CHUNK):
            lines = "\n".join(f"<{REGISTRY_GRAPH}> <{HOLDS}> <{g}> ." for g in new[start:start + INSERT_CHUNK])
            self._send_update(f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{\n{lines}\n}} }}", self._deadline(None))

    def _unregister(self, graphs: set[str]) -> None:
        graphs = sorted(g for g in graphs if g not in _NOT_LISTED)
        for start in range(0, len(graphs), INSERT_CHUNK):
            lines = "\n".join(f"<{REGISTRY_GRAPH}> <{HOLDS}> <{g}> ." for g in graphs[start:start + INSERT_CHUNK])
            self._send_update(f"DELETE DATA {{ GRAPH <{REGISTRY_GRAPH}> {{\n{lines}\n}} }}", self._deadline(None))

    def quads_for_pattern(self, subject, predicate, object, graph_name=None) -> list[ox.Quad]:
        literals = to_engine_terms([object]) if object is not None else {}
        terms = {"s": subject, "p": predicate, "o": object}
        pattern = " ".join(str(to_engine(t, literals)) if t is not None else f"?{name}" for name, t in terms.items())
        graph = _graph_iri(graph_name) if graph_name is not None else None
        if graph is not None and not is_ours(graph):
            return []
        target = f"<{graph}>" if graph else "?g"
        query = f"SELECT * WHERE {{ GRAPH {target} {{ {pattern} }} }}"
        named = [graph] if graph is not None else [DOCUMENT_GRAPH] + [g.value for g in self.named_graphs()]
        body, _ = self._request(query, accept=RESULTS_JSON, default_graphs=[NO_GRAPH], named_graphs=named,
                                deadline=self._deadline(None))
        try:
            rows = [{name: row[name] for name in ("g", "s", "p", "o") if row[name] is not None}
                    for row in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)]
        finally:
            body.close()
        back = _FromEngine((row["o"] for row in rows if "o" in row), keyed=True)
        quads = []
        for row in rows:
            g = ox.NamedNode(graph) if graph else row["g"]
            g = ox.DefaultGraph() if g.value == DOCUMENT_GRAPH else g
            quads.append(ox.Quad(subject if subject is not None else back(row["s"]),
                                 predicate if predicate is not None else row["p"],
                                 object if object is not None else back(row["o"]), g))
        return quads

    # -- writing -----------------------------------------------------------------------------------

    def update(self, sparql: str, *, prefixes: dict[str, str] | None = None, timeout: float | None = None) -> None:
        """Send an update as it is (dutygraph's own writes; for an admin's, ``admin_update``)."""
        text = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items()) + sparql
        deadline = self._deadline(timeout)
        # Every graph of dutygraph's that the text names is entered first (over-entering is harmless:
        # named_graphs keeps the graphs that hold a triple); a graph it drops leaves the registry after.
        named, dropped = set(_OUR_IRI.findall(text)), set(_DROPPED.findall(text))
        if named - dropped:
            self.register_graphs(named)
        self._send_update(text, deadline)
        if dropped and not named - dropped:
            self._unregister(dropped)

    def _send_update(self, text: str, deadline: float) -> None:
        response = self._open(self._client(self.update_url, text, update=True), deadline)
        try:
            response.read()
        finally:
            response.close()

    def admin_update(self, sparql: str, *, prefixes: dict[str, str] | None = None, timeout: float | None = None) -> None:
        """An admin's update from /sparql, on dutygraph's graphs only (see the module docstring).
        SyntaxError as Oxigraph's parser gives it; UpdateRefused for what the service does not send."""
        ox.Store().update(sparql, prefixes=prefixes)  # Oxigraph's parser, on a throw-away empty store
        text = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items()) + sparql
        self.update(_admin_update_text(text, self.named_graphs), timeout=timeout)

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """INSERT DATA in requests of INSERT_CHUNK triples, graph by graph (not one transaction: the
        callers write what makes a write visible last, as with the embedded store's bulk loads)."""
        quads = list(quads)
        literals = to_engine_terms({quad.object for quad in quads})
        by_graph: dict[str, list[str]] = {}
        for quad in quads:
            line = f"{to_engine(quad.subject)} {quad.predicate} {to_engine(quad.object, literals)} ."
            by_graph.setdefault(_graph_iri(quad.graph_name), []).append(line)
        self.register_graphs(by_graph)
        for graph, lines in by_graph.items():
            for start in range(0, len(lines), INSERT_CHUNK):
                body = "\n".join(lines[start:start + INSERT_CHUNK])
                self._send_update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}", self._deadline(None))

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
        self.drop_graphs([graph])

    def drop_graphs(self, graphs: Iterable) -> None:
        """``DROP SILENT GRAPH`` of each graph. When the engine stops a DROP at its own limit (a graph
        of 10^6 triples outlasts a MaxQueryExecutionTime of 1 s on Virtuoso: SR171), the graph is
        emptied DROP_CHUNK triples a request — a quarter as many while the engine still stops one, down
        to DROP_CHUNK_LEAST — and then dropped; EngineTimeLimit when even that is stopped."""
        for graph in graphs:
            iri = _graph_iri(graph)
            try:
                self.update(f"DROP SILENT GRAPH <{iri}>")
                continue
            except EngineTimeLimit:
                pass
            chunk = DROP_CHUNK
            while self._engine_rows(f"SELECT ?s WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 1"):
                try:
                    self._send_update(f"DELETE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?s ?p ?o WHERE "
                                      f"{{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT {chunk} }} }}", self._deadline(None))
                except EngineTimeLimit:
                    if chunk <= DROP_CHUNK_LEAST:
                        raise
                    chunk = max(chunk // 4, DROP_CHUNK_LEAST)
            self.update(f"DROP SILENT GRAPH <{iri}>")

    def flush(self) -> None:
        """Nothing to flush: every request the engine answered is written (its own durability holds)."""

    def __len__(self) -> int:
        graphs = [ox.NamedNode(DOCUMENT_GRAPH)] + self.named_graphs()
        values = " ".join(str(g) for g in graphs)
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        return int(next(iter(self.query(query, named_graphs=graphs)))["n"].value)


# -- admin updates ------------------------------------------------------------------------------------

def _admin_update_text(text: str, named_graphs) -> str:
    """The admin's update as sent to the engine (see the module docstring); UpdateRefused."""
    from .web.query_guard import decode_codepoint_escapes

    text = decode_codepoint_escapes(text)
    tokens = _tokens(text)
    names = _Names()
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in text
    ours: list[str] | None = None
    index = 0
    while index < len(tokens):
        declared = names.declare(tokens, index)
        if declared != index:
            index = declared
            continue
        end, depth = index, 0
        while end < len(tokens) and not (depth == 0 and tokens[end][1] == ";"):
            if tokens[end][0] == "other" and tokens[end][1] in "{(":
                depth += 1
            elif tokens[end][0] == "other" and tokens[end][1] in "})":
                depth -= 1
            end += 1
        if end > index:
            if ours is None and _needs_dataset(tokens, index, end):
                ours = [g.value for g in named_graphs()]
            _operation(tokens, index, end, names, edits, ours or [])
        index = end + 1
    typed = [(i, names.resolve(tokens[i + 3])) for i in range(len(tokens) - 3)
             if tokens[i][0] == "string" and tokens[i + 1][1] == tokens[i + 2][1] == "^" and tokens[i + 3][0] in ("iri", "pname")]
    edits += _typed_literal_edits(tokens, typed)  # literals as the engine holds them, as in a query
    for start, stop, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[stop:]
    return _inclusive_comparisons_rewritten(text)  # an update's WHERE is evaluated as a query's


def _word(tokens, index: int) -> str:
    return tokens[index][1].upper() if index < len(tokens) and tokens[index][0] == "word" else ""


def _needs_dataset(tokens, start: int, end: int) -> bool:
    words = [_word(tokens, i) for i in range(start, end)]
    return "WHERE" in words and "USING" not in words and not (words[:2] == ["DELETE", "WHERE"])


def _named_graph(tokens, index: int, names: _Names, what: str) -> str:
    """The graph IRI at index, which must be one of dutygraph's; UpdateRefused otherwise."""
    if index >= len(tokens) or tokens[index][0] not in ("iri", "pname"):
        found = tokens[index][1] if index < len(tokens) else "the end"
        raise UpdateRefused(f"on an external SPARQL engine an update must name the graphs it {what} (found {found}): "
                            "the engine's other graphs are not the service's")
    iri = names.resolve(tokens[index]) or ""
    if not is_ours(iri):
        raise UpdateRefused(f"graph <{iri}> is not one of dutygraph's: on an external SPARQL engine the service "
                            f"changes only the graphs under {' or '.join(OUR_GRAPHS)} (the document graph is "
                            f"<{DOCUMENT_GRAPH}>)")
    return iri


def _operation(tokens, start: int, end: int, names: _Names, edits: list, ours: list[str]) -> None:
    words = [_word(tokens, i) for i in range(start, end)]
    first = words[0]
    if "LOAD" == first or "SERVICE" in words:
        raise UpdateRefused(f"{'LOAD' if first == 'LOAD' else 'SERVICE'} is not accepted, even from an admin: "
                            "the service never fetches a URL")
    document = f"<{DOCUMENT_GRAPH}>"
    if first in ("CLEAR", "DROP", "CREATE"):
        at = start + 1 + (words[1] == "SILENT")
        target = _word(tokens, at)
        if target == "DEFAULT" and first != "CREATE":
            edits.append((tokens[at][2], tokens[at][3], f"GRAPH {document}"))
        elif target == "GRAPH":
            _named_graph(tokens, at + 1, names, "changes")
        else:
            raise UpdateRefused(f"{first} {target or tokens[at][1]} is not accepted on an external SPARQL engine: "
                                "name the graph (GRAPH <…>): the engine's other graphs are not the service's")
        return
    if first in ("ADD", "MOVE", "COPY"):
        at = start + 1 + (words[1] == "SILENT")
        for _ in range(2):
            if _word(tokens, at) == "DEFAULT":
                edits.append((tokens[at][2], tokens[at][3], document))
                at += 1
            else:
                at += _word(tokens, at) == "GRAPH"
                _named_graph(tokens, at, names, "changes")
                at += 1
            if _word(tokens, at) == "TO":
                at += 1
        return
    if words[:2] in (["INSERT", "DATA"], ["DELETE", "DATA"], ["DELETE", "WHERE"]):
        _default_into_document(tokens, start + 2, names, edits)
        return
    # DELETE/INSERT … WHERE (Modify): WITH is its default graph for the templates and the WHERE clause.
    at = start
    if first == "WITH":
        _named_graph(tokens, start + 1, names, "changes")
        at = start + 2
    else:
        edits.append((tokens[start][2], tokens[start][2], f"WITH {document} "))
    using, where = False, None
    for index in range(at, end):
        word = _word(tokens, index)
        if word in ("INSERT", "DELETE") and index + 1 < end and tokens[index + 1][1] == "{":
            _check_template(tokens, index + 1, names)
        elif word == "USING":
            using = True
            _named_graph(tokens, index + 2 if _word(tokens, index + 1) == "NAMED" else index + 1, names, "reads")
        elif word == "WHERE" and where is None and _depth(tokens, at, index) == 0:
            where = index
    if where is not None and not using:
        default = tokens[start + 1][1] if first == "WITH" else document
        if tokens[start + 1][0] == "pname" and first == "WITH":
            default = f"<{names.resolve(tokens[start + 1])}>"
        clauses = f"USING {default} " + "".join(f"USING NAMED <{graph}> " for graph in ours)
        edits.append((tokens[where][2], tokens[where][2], clauses))


def _depth(tokens, start: int, stop: int) -> int:
    depth = 0
    for index in range(start, stop):
        if tokens[index][0] == "other" and tokens[index][1] in "{(":
            depth += 1
        elif tokens[index][0] == "other" and tokens[index][1] in "})":
            depth -= 1
    return depth


def _block_end(tokens, opening: int) -> int:
    depth = 0
    for index in range(opening, len(tokens)):
        if tokens[index][0] == "other" and tokens[index][1] in "{(":
            depth += 1
        elif tokens[index][0] == "other" and tokens[index][1] in "})":
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _check_template(tokens, opening: int, names: _Names) -> None:
    """A DELETE/INSERT template: its GRAPH blocks must name graphs of dutygraph's."""
    closing = _block_end(tokens, opening)
    for index in range(opening + 1, closing):
        if _word(tokens, index) == "GRAPH":
            _named_graph(tokens, index + 1, names, "changes")


def _default_into_document(tokens, opening: int, names: _Names, edits: list) -> None:
    """The triples of a quad block outside GRAPH go into GRAPH <DOCUMENT_GRAPH> (the default graph)."""
    if opening >= len(tokens) or tokens[opening][1] != "{":
        return
    closing = _block_end(tokens, opening)
    index, run = opening + 1, None
    document = f"<{DOCUMENT_GRAPH}>"

    def close_run(upto: int) -> None:
        if run is not None:
            edits.append((tokens[run][2], tokens[run][2], f"GRAPH {document} {{ "))
            edits.append((tokens[upto - 1][3], tokens[upto - 1][3], " }"))

    while index < closing:
        if _word(tokens, index) == "GRAPH":
            close_run(index)
            run = None
            _named_graph(tokens, index + 1, names, "changes")
            index = _block_end(tokens, index + 2) + 1
            continue
        if run is None and tokens[index][1] != ".":
            run = index
        index += 1
    close_run(closing)
