"""The kinds of cell a template column holds, and how a cell's text becomes an RDF term.

Each parse either returns the term or raises CellError with a message that says what is wrong and
what was expected; the caller adds file, row and column. Surrounding whitespace is ignored.
References are only checked for form here (an id, ``KIND/id`` or an http(s) IRI); whether the id
exists is known only once every file has been read (``rows_to_quads``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pyoxigraph import Literal, NamedNode

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DATE = NamedNode(XSD + "date")
XSD_BOOLEAN = NamedNode(XSD + "boolean")
XSD_INTEGER = NamedNode(XSD + "integer")

ID_PATTERN = re.compile(r"[A-Za-z0-9._~-]+")
_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]+")
BOOLEAN_WORDS = {"true": True, "false": False, "yes": True, "no": False, "是": True, "否": False,
                 "1": True, "0": False}


class CellError(ValueError):
    """A cell's text is not a value of its column's kind."""


def parse_id(text: str) -> str:
    """An id is one safe IRI path segment, so that ``{base}{kind}/{id}`` is a plain IRI."""
    if not ID_PATTERN.fullmatch(text) or text in (".", ".."):
        raise CellError(f"{text!r} is not a valid id: use only letters A-Z a-z, digits and . _ ~ - "
                        "(and not '.' or '..' alone)")
    return text


@dataclass(frozen=True)
class Text:
    """Free text: a plain string, or a string in a language (``zh``, ``en``)."""

    language: str | None = None

    def parse(self, text: str) -> Literal:
        return Literal(text, language=self.language) if self.language else Literal(text)


@dataclass(frozen=True)
class Date:
    def parse(self, text: str) -> Literal:
        if not _DATE_PATTERN.fullmatch(text):
            raise CellError(f"{text!r} is not a date: write YYYY-MM-DD, e.g. 2024-03-18")
        try:
            date.fromisoformat(text)
        except ValueError:
            raise CellError(f"{text!r} is not a real date") from None
        return Literal(text, datatype=XSD_DATE)


@dataclass(frozen=True)
class Boolean:
    def parse(self, text: str) -> Literal:
        value = BOOLEAN_WORDS.get(text.lower())
        if value is None:
            raise CellError(f"{text!r} is not a boolean: write true/false, yes/no, 是/否 or 1/0")
        return Literal("true" if value else "false", datatype=XSD_BOOLEAN)


@dataclass(frozen=True)
class Integer:
    minimum: int | None = None

    def parse(self, text: str) -> Literal:
        if not _DIGITS.fullmatch(text):
            raise CellError(f"{text!r} is not an integer: write it in digits, e.g. 2024")
        number = int(text)
        if self.minimum is not None and number < self.minimum:
            raise CellError(f"{number} is less than {self.minimum}")
        return Literal(str(number), datatype=XSD_INTEGER)


@dataclass(frozen=True)
class Choice:
    """One of a fixed list of words, each standing for a term (or for nothing, like ``department``)."""

    words: dict[str, NamedNode | None] = field(hash=False)
    what: str = "key"

    def parse(self, text: str) -> NamedNode | None:
        if text not in self.words:
            raise CellError(f"{text!r} is not a known {self.what}: expected one of {', '.join(self.words)}")
        return self.words[text]


@dataclass(frozen=True)
class CurationKey:
    """A key of the curation tables: a role of actors.csv or an accountable unit of units.csv."""

    table: str  # "role" or "unit"

    def parse(self, text: str, keys: dict[str, frozenset[str]], namespace: str) -> NamedNode:
        known = keys[self.table]
        if text not in known:
            raise CellError(f"{text!r} is not a known {self.table} key: expected one of {', '.join(sorted(known))}")
        return NamedNode(namespace + text)


@dataclass(frozen=True)
class Reference:
    """The id of a row of one of ``kinds`` (in any file given), ``KIND/id``, or an http(s) IRI."""

    kinds: tuple[str, ...]

    def parse(self, text: str) -> NamedNode | tuple[str | None, str]:
        """An IRI as given, or (kind or None, id) to resolve once every file is read."""
        if text.startswith(("http://", "https://")):
            try:
                return NamedNode(text)
            except ValueError:
                raise CellError(f"{text!r} is not a valid IRI") from None
        kind, _, ident = text.rpartition("/")
        if kind and kind not in self.kinds:
            raise CellError(f"{text!r}: {kind!r} is not {self.described()}")
        if not ID_PATTERN.fullmatch(ident) or ident in (".", ".."):
            raise CellError(f"{text!r} is neither the id of {self.described()} row nor an http(s) IRI")
        return (kind or None, ident)

    def described(self) -> str:
        return " or ".join(self.kinds)
