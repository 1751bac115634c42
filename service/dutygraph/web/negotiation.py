"""Which serialization answers a request: media types as data, chosen by ``format`` or ``Accept``.

Each query form has its own table of formats (``RESULT_FORMATS`` for SELECT and ASK,
``GRAPH_FORMATS`` for CONSTRUCT and DESCRIBE, ``DESCRIPTION_FORMATS`` for the service description),
listed in the server's order of preference: with ``Accept: */*`` or no Accept the first wins, and
among equal q-values the earlier one. A ``format`` parameter (a short name such as ``csv`` or a media
type) overrides Accept. A format that exists but cannot carry the query form — CSV for a CONSTRUCT,
Turtle for a SELECT — is ``NotAcceptable`` (406), never answered with a body under another label.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    media_type: str  # the Content-Type answered (without parameters)
    charset: bool  # whether to add "; charset=utf-8"
    names: tuple[str, ...]  # values of the format parameter, besides the media types
    aliases: tuple[str, ...] = ()  # other media types of Accept that this format answers
    oxigraph: str = ""  # the attribute of ox.QueryResultsFormat / ox.RdfFormat

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type,) + self.aliases


RESULT_FORMATS = (
    Format("application/sparql-results+json", False, ("json", "srj"), ("application/json",), "JSON"),
    Format("application/sparql-results+xml", False, ("xml", "srx"), ("application/xml", "text/xml"), "XML"),
    Format("text/csv", True, ("csv",), (), "CSV"),
    Format("text/tab-separated-values", True, ("tsv",), (), "TSV"),
)
GRAPH_FORMATS = (
    Format("text/turtle", True, ("turtle", "ttl", "n3"), ("application/x-turtle", "text/n3"), "TURTLE"),
    Format("application/n-triples", True, ("ntriples", "nt", "n-triples"), (), "N_TRIPLES"),
    Format("application/ld+json", False, ("jsonld", "json-ld", "json"), ("application/json",), "JSON_LD"),
    Format("application/rdf+xml", False, ("rdfxml", "rdf+xml", "rdf", "xml"), ("application/xml", "text/xml"), "RDF_XML"),
    Format("application/trig", True, ("trig",), (), "TRIG"),
    Format("application/n-quads", True, ("nquads", "nq", "n-quads"), (), "N_QUADS"),
)
HTML = Format("text/html", True, ("html",))
DESCRIPTION_FORMATS = GRAPH_FORMATS + (HTML,)


class NotAcceptable(ValueError):
    """The asked formats cannot carry this kind of answer (406)."""


class UnknownFormat(ValueError):
    """A format parameter naming no format at all (400)."""


def _all_formats():
    return RESULT_FORMATS + GRAPH_FORMATS + (HTML,)


def _by_name(value: str, table) -> Format | None:
    value = value.strip().lower().split(";")[0].strip()
    for fmt in table:
        if value in fmt.names or value in fmt.media_types:
            return fmt
    return None


def _listing(table) -> str:
    return ", ".join(f"{fmt.media_type} ({fmt.names[0]})" for fmt in table)


def choose(table, what: str, format_values: list[str], accept) -> Format:
    """The format of table that answers; accept is werkzeug's MIMEAccept (request.accept_mimetypes).

    what names the answer in messages ("the results of a SELECT query")."""
    known = [v for v in format_values if v.strip() and _by_name(v, _all_formats())]
    if format_values and not known:
        raise UnknownFormat(
            f"unknown format {format_values[0]!r}; for {what} use one of: {_listing(table)}"
        )
    if known:
        chosen = _by_name(known[0], table)
        if chosen is None:
            raise NotAcceptable(f"format {known[0]!r} cannot carry {what}; use one of: {_listing(table)}")
        return chosen
    offers = [media for fmt in table for media in fmt.media_types]
    if not accept:  # no Accept header: anything goes
        return table[0]
    best = accept.best_match(offers)
    if best is None:
        raise NotAcceptable(
            f"none of the media types accepted ({accept}) can carry {what}; available: {_listing(table)}"
        )
    return next(fmt for fmt in table if best in fmt.media_types)


def oxigraph_format(fmt: Format):
    if fmt in RESULT_FORMATS:
        return getattr(ox.QueryResultsFormat, fmt.oxigraph)
    return getattr(ox.RdfFormat, fmt.oxigraph)
