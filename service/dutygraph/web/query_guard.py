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


class QueryRefused(ValueError):
    """A query this read-only endpoint will not run (an update, or SERVICE)."""


class NotAQuery(ValueError):
    """Text with no SELECT, ASK, CONSTRUCT or DESCRIBE in it."""


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def keywords(sparql: str) -> list[str]:
    """The bare words of the query, upper-cased, in order (strings, IRIs, names … left out)."""
    return [m.group("word").upper() for m in _TOKEN.finditer(sparql) if m.lastgroup == "word"]


def inspect_query(sparql: str) -> QueryInfo:
    """The query's form; QueryRefused for updates and SERVICE, NotAQuery when it has no form."""
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
            return QueryInfo(word)
    raise NotAQuery("not a SPARQL query: it has no SELECT, ASK, CONSTRUCT or DESCRIBE")
