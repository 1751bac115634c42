"""Which format a file is in: named by its extension, confirmed by its first bytes.

The extension decides; the content can only refuse it, so that a workbook renamed ``.csv``, a
gzipped Turtle file or a UTF-16 export is reported as what it is rather than as a wall of syntax
errors. Nothing is guessed from content alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import pyoxigraph

from .errors import ProblemLog


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]
    rdf_format: pyoxigraph.RdfFormat | None = None
    # TriG and N-Quads may name graphs, and their graph names are kept; other RDF formats must not.
    named_graphs: bool = False

    @property
    def tabular(self) -> bool:
        return self.rdf_format is None


TURTLE = Format("turtle", (".ttl",), pyoxigraph.RdfFormat.TURTLE)
TRIG = Format("trig", (".trig",), pyoxigraph.RdfFormat.TRIG, named_graphs=True)
N_TRIPLES = Format("n-triples", (".nt",), pyoxigraph.RdfFormat.N_TRIPLES)
N_QUADS = Format("n-quads", (".nq",), pyoxigraph.RdfFormat.N_QUADS, named_graphs=True)
JSON_LD = Format("json-ld", (".jsonld", ".json"), pyoxigraph.RdfFormat.JSON_LD)
RDF_XML = Format("rdf/xml", (".rdf", ".owl", ".xml"), pyoxigraph.RdfFormat.RDF_XML)
CSV = Format("csv", (".csv",))
XLSX = Format("xlsx", (".xlsx",))

FORMATS: tuple[Format, ...] = (TURTLE, TRIG, N_TRIPLES, N_QUADS, JSON_LD, RDF_XML, CSV, XLSX)
_BY_EXTENSION = {extension: fmt for fmt in FORMATS for extension in fmt.extensions}
ACCEPTED_EXTENSIONS = tuple(_BY_EXTENSION)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_GZIP_MAGIC = b"\x1f\x8b"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls and other Office binary files
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"


class FormatRefused(ValueError):
    """The file's name or first bytes rule out every accepted format; the message says why."""


def detect_format(name: str, head: bytes) -> Format:
    """The format of a file called ``name`` whose content starts with ``head`` (a few hundred bytes).

    >>> detect_format("2024_talks.csv", b"id,kind,date").name
    'csv'
    >>> detect_format("records.TTL", b"@prefix dg: <https://w3id.org/dutygraph/ontology#> .").name
    'turtle'
    """
    extension = PurePath(name).suffix.lower()
    fmt = _BY_EXTENSION.get(extension)
    if fmt is None:
        accepted = ", ".join(ACCEPTED_EXTENSIONS)
        raise FormatRefused(f"unknown file type {extension or '(no extension)'!r}; accepted: {accepted}")
    if head.startswith(_GZIP_MAGIC):
        raise FormatRefused("is compressed (gzip); give the uncompressed file")
    if head.startswith(_OLE2_MAGIC):
        raise FormatRefused("is an old binary Office file (.xls); save it as .xlsx or .csv")
    is_zip = head.startswith(_ZIP_MAGIC)
    if fmt is XLSX:
        if not is_zip:
            raise FormatRefused("is not an XLSX workbook (an .xlsx file is a ZIP archive)")
        return fmt
    if is_zip:
        raise FormatRefused(f"is a ZIP archive, not {fmt.name} text (an XLSX workbook must be named .xlsx)")
    if any(head.startswith(bom) for bom in _UTF16_32_BOMS):
        raise FormatRefused("is UTF-16 or UTF-32 encoded; save it as UTF-8")
    text_start = head.removeprefix(UTF8_BOM).lstrip()
    if fmt is RDF_XML and text_start and not text_start.startswith(b"<"):
        raise FormatRefused("is not XML (RDF/XML starts with '<'); name Turtle files .ttl")
    if fmt is JSON_LD and text_start and text_start[:1] not in (b"{", b"["):
        raise FormatRefused("is not JSON (a JSON-LD document starts with '{' or '[')")
    return fmt


def decode_utf8(name: str, data: bytes, problems: ProblemLog) -> str | None:
    """The text of a UTF-8 file (a BOM is dropped), or None after reporting where it is not UTF-8."""
    body = data.removeprefix(UTF8_BOM)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        report_not_utf8(name, error, body.count(b"\n", 0, error.start) + 1, problems)
        return None


def report_not_utf8(name: str, error: UnicodeDecodeError, line: int, problems: ProblemLog) -> None:
    """Report the byte where a file stops being UTF-8, on its line."""
    byte = error.object[error.start:error.start + 1].hex()
    problems.add(name, f"is not UTF-8 (byte 0x{byte} cannot be decoded); save the file as UTF-8", line=line)
