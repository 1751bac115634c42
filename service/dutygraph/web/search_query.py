"""Search (/search?q=…): substring match over the labels and texts of the graph, in both languages.

Searched: every ``rdfs:label`` (zh and en) of the resources that have pages, the items' verbatim
text (``dg:verbatimText``) and English summary (``dg:summary``, also on obligations), the
obligations' verbatim clauses (``dg:excerpt``), and definitions (``skos:definition``). A text
matches when it contains the query, compared after ``LCASE`` on both sides: English in any case,
Chinese exactly as typed (Chinese has no case). The query reaches SPARQL only as one escaped literal
(``pyoxigraph.Literal``, as ``queries.Parameter`` binds values), bound with VALUES, so quotes, braces
and backslashes are just characters to look for. One query per search.

Results are grouped by kind (in ``browse_words.KIND_WORDS`` order) and, within a kind, in document
order; each says which of its texts matched, cut around the match for long texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import BASE
from .browse_words import KIND_WORDS
from .duty_api import labelled, run
from .resource_links import SHAPES_NS, segment_of

MAX_LENGTH = 200
RESULT_LIMIT = 2000  # matching texts; the graph has about 1,500 searchable texts in all
SNIPPET = 60  # characters of context on either side of a match in a long text

# predicate -> (interface word of the field, at most this many characters are shown whole)
FIELDS = {
    "http://www.w3.org/2000/01/rdf-schema#label": "search.field.label",
    "https://w3id.org/dutygraph/ontology#verbatimText": "res.verbatim",
    "https://w3id.org/dutygraph/ontology#summary": "res.summary",
    "https://w3id.org/dutygraph/ontology#excerpt": "res.excerpt",
    "http://www.w3.org/2004/02/skos/core#definition": "res.definition",
}


class BadSearch(ValueError):
    """An empty or too long query; ``reason`` is the interface word that says so."""

    def __init__(self, reason: str, length: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.length = length


@dataclass
class Match:
    field: str  # the interface word naming the field
    lang: str
    before: str
    matched: str
    after: str


@dataclass
class Hit:
    iri: str
    kind: str
    labels: dict
    matches: list[Match] = field(default_factory=list)


def cleaned(q: str | None) -> str:
    """The query as searched (surrounding white space removed); BadSearch when empty or too long."""
    text = (q or "").strip()
    if not text:
        raise BadSearch("search.empty")
    if len(text) > MAX_LENGTH:
        raise BadSearch("search.too_long", len(text))
    return text


def search_query(text: str) -> str:
    literal = ox.Literal(text)  # str() of it is the escaped SPARQL literal
    predicates = " ".join(str(ox.NamedNode(p)) for p in FIELDS)
    return f"""SELECT ?r ?r_zh ?r_en ?p ?v WHERE {{
  VALUES ?q {{ {literal} }}
  VALUES ?p {{ {predicates} }}
  ?r ?p ?v .
  FILTER(isIRI(?r) && (STRSTARTS(STR(?r), "{BASE}") || STRSTARTS(STR(?r), "{SHAPES_NS}")))
  FILTER(CONTAINS(LCASE(STR(?v)), LCASE(?q)))
  {labelled("?r")}
}} LIMIT {RESULT_LIMIT}"""


def snippet(value: str, text: str, field_word: str, lang: str) -> Match:
    """The matched text cut to SNIPPET characters around the (first) match, split for highlighting."""
    at = value.lower().find(text.lower())
    if at < 0:  # LCASE and str.lower disagree on some letter: show the start, unmarked
        return Match(field_word, lang, "", "", value[: 2 * SNIPPET] + ("…" if len(value) > 2 * SNIPPET else ""))
    end = at + len(text)
    start, stop = max(0, at - SNIPPET), min(len(value), end + SNIPPET)
    return Match(field_word, lang, ("…" if start else "") + value[start:at], value[at:end],
                 value[end:stop] + ("…" if stop < len(value) else ""))


def _document_order(hit: Hit) -> tuple:
    key = hit.iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[-.]", key))


def _distinct(matches: list[Match], hit: Hit) -> list[Match]:
    """The matches without repeats: an obligation's label is its notation and its summary (or excerpt), so
    the summary's match says nothing the label's did not."""
    notation = hit.iri.rsplit("/", 1)[-1] + " "
    seen, out = set(), []
    for match in matches:
        shown = (match.before + match.matched + match.after).lstrip("…")
        shown = shown[len(notation):] if shown.startswith(notation) else shown
        if (match.lang, shown) not in seen:
            seen.add((match.lang, shown))
            out.append(match)
    return out


def search(text: str) -> list[tuple[str, list[Hit]]]:
    """[(kind, hits)] for the cleaned query text, kinds in KIND_WORDS order, hits in document order."""
    hits: dict[str, Hit] = {}
    for row in run(search_query(text)):
        kind = segment_of(row["r"])
        if kind is None:  # a kind without pages (and never a kept run, which the anonymous dataset cannot see)
            continue
        hit = hits.setdefault(row["r"], Hit(row["r"], kind, {"zh": row["r_zh"], "en": row["r_en"]}))
        hit.matches.append(snippet(row["v"], text, FIELDS[row["p"]], row["lang"] or ""))
    field_order = list(FIELDS.values())
    groups = []
    for kind in KIND_WORDS:
        members = sorted((h for h in hits.values() if h.kind == kind), key=_document_order)
        for hit in members:
            hit.matches = _distinct(sorted(hit.matches, key=lambda m: (field_order.index(m.field), m.lang)), hit)
        if members:
            groups.append((kind, members))
    return groups
