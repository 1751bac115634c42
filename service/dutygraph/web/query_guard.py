"""What a query is, and whether this read-only endpoint may run it, decided before anything runs.

pyoxigraph exposes no query parser, so the query is read with a tokenizer that follows the SPARQL
1.1 grammar's terminals (https://www.w3.org/TR/sparql11-query/#terminals): comments, string
literals (short and long, with escapes), IRI references, variables, blank node labels, language
tags and prefixed names (with ``\\``-escapes in local names) are each one token, so a keyword
spelt inside them — ``"SERVICE"``, ``<http://x/service>``, ``ex:load``, ``?delete`` — is not a
keyword. Only a bare word is. When the tokenizer is unsure it errs towards refusing: an unterminated
string, say, leaves its contents as bare words.

Refused (``QueryRefused``, answered 403): any SPARQL Update operation (INSERT, DELETE, LOAD, CLEAR,
CREATE, DROP, COPY, MOVE, ADD, WITH) and ``SERVICE`` (federated query: Oxigraph would fetch the
URL). Oxigraph's query parser rejects update operations anyway; the guard gives the clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from .text_memo import MISSING, TextMemo

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_LOCAL_CHAR = r"""(?:[\w\-:%]|\\[_~.\-!$&'()*+,;=/?#@%])"""
_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               | '''(?:[^'\\]|\\.|'(?!''))*'''
               | "(?:[^"\\\r\n]|\\.)*"
               | '(?:[^'\\\r\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]\w+)
    | (?P<bnode>_:(?:\w|\.(?=\w))*)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:[^\W\d](?:\w|[.\-](?=[\w.\-]*:))*)?:(?:LOCAL|\.(?=LOCAL))*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>\S)
    """.replace("LOCAL", _LOCAL_CHAR),
    re.VERBOSE | re.DOTALL,
)


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class QueryRefused(ValueError):
    """A query this read-only endpoint will not run (an update, or SERVICE)."""


class NotAQuery(ValueError):
    """Text with no SELECT, ASK, CONSTRUCT or DESCRIBE in it."""


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    from_graphs: tuple[str, ...] = ()  # the IRIs of FROM clauses, resolved
    from_named_graphs: tuple[str, ...] = ()  # the IRIs of FROM NAMED clauses, resolved

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decode_codepoint_escapes(sparql: str) -> str:
    """The query with ``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by their characters, as SPARQL 1.1 (19.2)
    and Oxigraph do before parsing anything — so that ``SERVIC\\u0045`` is SERVICE and
    ``<…/r\\u0075n/…>`` is the same IRI to the guard as to the engine. An escape of a code point
    that is no character (a surrogate, beyond U+10FFFF) is kept as written; the engine refuses it."""

    def character(match):
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match.group(0)
        return chr(code)

    return _CODEPOINT_ESCAPE.sub(character, sparql)


def keywords(sparql: str) -> list[str]:
    """The bare words of the query, upper-cased, in order (strings, IRIs, names … left out)."""
    sparql = decode_codepoint_escapes(sparql)
    return [m.group("word").upper() for m in _TOKEN.finditer(sparql) if m.lastgroup == "word"]


def _resolve(token, kind: str, prefixes: dict[str, str], base: str | None) -> str | None:
    if kind == "iri":
        iri = token[1:-1]
        return urljoin(base, iri) if base and not _ABSOLUTE.match(iri) else iri
    if kind == "pname":
        prefix, _, local = token.partition(":")
        if prefix not in prefixes:
            return None
        return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def dataset_clauses(sparql: str, prefixes: dict[str, str] | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The graph IRIs of the query's FROM and FROM NAMED clauses, with PREFIX and BASE applied.

    A clause whose graph cannot be resolved (an unknown prefix) is left to Oxigraph's parser, which
    rejects the query."""
    sparql = decode_codepoint_escapes(sparql)
    declared = dict(prefixes or {})
    base = None
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(sparql) if m.lastgroup not in ("comment",)]
    from_graphs, named_graphs = [], []
    for index, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        word = text.upper()
        following = tokens[index + 1: index + 4]
        if word == "PREFIX" and len(following) >= 2 and following[0][0] == "pname" and following[1][0] == "iri":
            declared[following[0][1].rstrip(":").split(":")[0]] = _resolve(following[1][1], "iri", declared, base)
        elif word == "BASE" and following and following[0][0] == "iri":
            base = _resolve(following[0][1], "iri", declared, base)
        elif word == "FROM" and following:
            named = following[0][0] == "word" and following[0][1].upper() == "NAMED"
            target = following[1] if named and len(following) > 1 else following[0]
            iri = _resolve(target[1], target[0], declared, base)
            if iri is not None:
                (named_graphs if named else from_graphs).append(iri)
    return tuple(from_graphs), tuple(named_graphs)


INSPECTED_TEXTS = 1024  # answers of inspect_query remembered (least recently asked dropped)
INSPECTED_TEXT_CHARS = 20_000  # a longer text is read every time it is asked
_inspected = TextMemo()  # (text, prefixes) -> QueryInfo


def inspect_query(sparql: str, prefixes: dict[str, str] | None = None) -> QueryInfo:
    """The query's form and dataset clauses; QueryRefused for updates and SERVICE, NotAQuery when it
    has no form.

    The answer for a text (with its prefixes) is remembered, as it depends on nothing else: asked
    again — a canned question, a page's own query, a client polling — it is not read again. A
    refused text is read every time."""
    key = (sparql, tuple(sorted((prefixes or {}).items())))
    info = _inspected.recall(key)
    if info is MISSING:
        info = _inspect(sparql, prefixes)
        _inspected.remember(key, info, entries=INSPECTED_TEXTS, chars=INSPECTED_TEXT_CHARS)
    return info


def _inspect(sparql: str, prefixes: dict[str, str] | None) -> QueryInfo:
    words = keywords(sparql)
    updates = sorted(UPDATE_KEYWORDS.intersection(words))
    if updates:
        raise QueryRefused(
            f"this endpoint is read-only: SPARQL Update operations ({', '.join(updates)}) are not accepted"
        )
    if "SERVICE" in words:
        raise QueryRefused("federated queries (SERVICE) are not accepted: this endpoint never fetches other services")
    for word in words:
        if word in QUERY_FORMS:
            return QueryInfo(word, *dataset_clauses(sparql, prefixes))
    raise NotAQuery("not a SPARQL query: it has no SELECT, ASK, CONSTRUCT or DESCRIBE")
