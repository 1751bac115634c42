"""Records read from RDF files as a stream: written to a run's store as they are parsed, never held.

``load_records`` holds every quad of every file (at 10^7 record triples about 9 GiB of Python
objects). A validation only writes the records into its store — the in-memory Oxigraph store of the
embedded path (``validation.run.build_dataset``) or an external engine (``--store URL``) — so
``stream_records`` checks the files' bytes first, as ``load_records`` does, without keeping them,
and gives a ``StreamedQuads`` that parses them each time it is iterated, chunk by chunk, with the
same quads in the same order as ``load_records`` gives:

1. before anything is written, every file: its format (from the name and first bytes), that it is
   UTF-8 (read in chunks), its size and SHA-256 — any problem there raises RecordInputError at once;
2. then, each time the quads are iterated (the validation writing them to its store), the files
   parsed through a reader that hashes what it reads: a syntax error raises RecordInputError, located
   by line and column as ``load_records`` reports it, when the parser meets it, after the files
   after it have been parsed too (nothing kept) so that every file's syntax error is named, as
   ``load_records`` names them; a file whose bytes changed since step 1 raises it when the file
   ends. Either way the run fails and what it wrote is dropped (the in-memory store with the run,
   an engine's temporary graphs): nothing of it is kept. The number of quads of each file
   (``LoadedFile.triples``, ``len()``) is known once the files have been read through.

Records are parsed once, not twice: a first parse only to find syntax errors before writing took
13.6 s of a validation of 10^7 triples (1.5 GiB of N-Triples) on this machine. What that costs: the
records before a syntax error were written before the run failed (and were dropped with it). On the
embedded path the list of 10^7 parsed quads cost more than its memory: see README, "On an external SPARQL engine" (the latest bench).

Turtle, TriG, N-Triples and N-Quads files given as paths are streamed (``can_stream``); JSON-LD and
RDF/XML are checked as whole documents, and CSV/XLSX tables are mapped row by row across files, so
any of those among the files means ``load_records``.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

import pyoxigraph

from .errors import ProblemLog
from .formats import N_QUADS, N_TRIPLES, TRIG, TURTLE, UTF8_BOM, Format, FormatRefused, detect_format, report_not_utf8
from .inputs import file_name
from .loading import DEFAULT_BASE, LoadedFile, LoadedRecords, _check_base, load_records
from .rdf_files import base_iri_for, parse_failure, relabelled_quads

STREAMED_FORMATS = (TURTLE, TRIG, N_TRIPLES, N_QUADS)
READ_CHUNK = 1 << 20  # bytes read at a time


def _named(given) -> tuple[str, Path] | None:
    """(name, path) of a path or of a ``(name, path)`` pair (a saved upload and the name it came with)."""
    if isinstance(given, os.PathLike):
        return Path(given).name, Path(given)
    if isinstance(given, tuple) and len(given) == 2 and isinstance(given[0], str) and isinstance(given[1], os.PathLike):
        return file_name(given[0]), Path(given[1])
    return None


def can_stream(files) -> bool:
    """Whether ``stream_records`` takes these files: paths (or ``(name, path)`` pairs), each named as
    Turtle, TriG, N-Triples or N-Quads."""
    extensions = {extension for fmt in STREAMED_FORMATS for extension in fmt.extensions}
    named = [_named(given) for given in files]
    return bool(named) and all(n is not None and PurePath(n[0]).suffix.lower() in extensions for n in named)


@dataclass(frozen=True)
class _StreamedFile:
    name: str  # names it in reports and ends the base IRI of its relative IRIs, as in load_records
    path: Path
    number: int  # its place among the files, 1-based: names its blank nodes (f1b1 …) as load_records does
    format: Format
    sha256: str
    size: int
    bom: bool


class _HashingReader(io.RawIOBase):
    """A file's bytes as read, hashed on the way; the UTF-8 BOM, when there is one, is skipped (and hashed)."""

    def __init__(self, handle, *, bom: bool):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0
        if bom:
            self.digest.update(handle.read(len(UTF8_BOM)))
            self.size = len(UTF8_BOM)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        if count:
            self.digest.update(memoryview(buffer)[:count])
            self.size += count
        return count


def _file_quads(file: _StreamedFile, base: str, problems: ProblemLog) -> Iterator[pyoxigraph.Quad]:
    """The file's quads as parsed now; a parse error or bytes other than those checked are reported
    to ``problems`` when the file ends."""
    with file.path.open("rb", buffering=0) as handle:
        reader = _HashingReader(handle, bom=file.bom)
        parsed = pyoxigraph.parse(io.BufferedReader(reader, READ_CHUNK), format=file.format.rdf_format,
                                  base_iri=base_iri_for(base, file.name))
        try:
            yield from relabelled_quads(parsed, file.number)
        except (SyntaxError, ValueError, OSError) as error:
            parse_failure(file.name, file.format, error, problems)
            return
        if reader.size != file.size or reader.digest.hexdigest() != file.sha256:
            problems.add(file.name, "changed while it was being read (its bytes are not those checked before "
                         "the validation began); nothing of this run is kept: validate it again")


class StreamedQuads:
    """The quads of checked RDF files, parsed again on every iteration; ``len()`` is their number once
    they have been read through (the files' ``LoadedFile.triples`` are set then too)."""

    def __init__(self, files: list[_StreamedFile], base: str, loaded: list[LoadedFile]):
        self.files, self.base, self.loaded = files, base, loaded

    def __len__(self) -> int:
        counts = [file.triples for file in self.loaded]
        if None in counts:
            raise TypeError("the number of streamed quads is known once they have been read through")
        return sum(counts)

    def __iter__(self) -> Iterator[pyoxigraph.Quad]:
        for number, file in enumerate(self.files):
            problems = ProblemLog()
            count = 0
            for count, quad in enumerate(_file_quads(file, self.base, problems), start=1):
                yield quad
            if problems:
                self._read_the_rest(number + 1, problems)
                problems.raise_if_any()
            self.loaded[number] = replace(self.loaded[number], triples=count)

    def _read_the_rest(self, start: int, problems: ProblemLog) -> None:
        """After a file's problem, the files after it parsed to the end, nothing kept, so that the
        error names every file's problem as ``load_records`` does (the run fails anyway)."""
        for file in self.files[start:]:
            for _ in _file_quads(file, self.base, problems):
                pass


def stream_records(paths: list, *, base: str = DEFAULT_BASE) -> LoadedRecords:
    """Check RDF files' bytes (see the module doc) and give their quads as a ``StreamedQuads``.

    Raises RecordInputError, having written nothing anywhere, when any file's bytes have a problem
    (a syntax error is raised when the quads are read); and ValueError when ``can_stream(paths)`` is
    false (call ``load_records`` then). ``paths``: paths, or ``(name, path)`` pairs."""
    if not can_stream(paths):
        raise ValueError("stream_records takes paths of Turtle, TriG, N-Triples or N-Quads files only")
    problems = ProblemLog()
    _check_base(base, problems)
    problems.raise_if_any()
    checked = []
    for number, given in enumerate(paths, start=1):
        name, path = _named(given)
        file = _check_bytes(name, path, number, problems)
        if file is not None:
            checked.append(file)
    problems.raise_if_any()
    loaded = [LoadedFile(file.name, file.sha256, file.size, file.format.name, None) for file in checked]
    return LoadedRecords(StreamedQuads(checked, base, loaded), loaded)


def read_records(files: list, *, base: str = DEFAULT_BASE, stream: bool = False) -> LoadedRecords:
    """The records of ``files`` (paths or ``(name, path)`` pairs): streamed (``stream_records``) when
    ``stream`` and ``can_stream(files)``, else loaded whole (``load_records``, pairs read as bytes)."""
    if stream and can_stream(files):
        return stream_records(files, base=base)
    return load_records([given if isinstance(given, os.PathLike) else (given[0], Path(given[1]).read_bytes())
                         for given in files], base=base)


def _check_bytes(name: str, path: Path, number: int, problems: ProblemLog) -> _StreamedFile | None:
    """The file's format, size and SHA-256, having read it once in chunks; None after reporting a problem."""
    try:
        if not path.is_file():
            problems.add(name, "is not a file" if path.exists() else f"does not exist ({path})")
            return None
        with path.open("rb") as handle:
            head = handle.read(1024)
            try:
                fmt = detect_format(name, head)
            except FormatRefused as refusal:
                problems.add(name, str(refusal))
                return None
            digest, size, lines = hashlib.sha256(), 0, 0
            decoder = codecs.getincrementaldecoder("utf-8")()
            bom = head.startswith(UTF8_BOM)
            chunk = head
            while chunk:
                digest.update(chunk)
                body = chunk[len(UTF8_BOM):] if size == 0 and bom else chunk
                size += len(chunk)
                try:
                    decoder.decode(body)
                except UnicodeDecodeError as error:
                    report_not_utf8(name, error, lines + error.object.count(b"\n", 0, error.start) + 1, problems)
                    return None
                lines += body.count(b"\n")
                chunk = handle.read(READ_CHUNK)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as error:  # it ends inside a character
                report_not_utf8(name, error, lines + 1, problems)
                return None
    except OSError as error:
        problems.add(name, f"cannot be read: {error.strerror or error}")
        return None
    return _StreamedFile(name, path, number, fmt, digest.hexdigest(), size, bom)


__all__ = ["STREAMED_FORMATS", "StreamedQuads", "can_stream", "read_records", "stream_records"]
