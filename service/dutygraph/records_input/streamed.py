"""Records read from RDF files as a stream: for a validation on an external engine, never held.

``load_records`` holds every quad of every file (at 10^7 record triples about 9 GiB of Python
objects). A validation on an external engine (``dutygraph validate FILE --store URL``) only writes
the records to the engine, so ``stream_records`` checks the files first, as ``load_records`` does,
without keeping their quads, and gives a ``StreamedQuads`` that parses them again each time it is
iterated, chunk by chunk, with the same quads in the same order as ``load_records`` gives:

1. every file: its format (from the name and first bytes), that it is UTF-8 (read in chunks), its
   size and SHA-256;
2. every file parsed once, counting its quads, each problem reported as ``load_records`` reports it
   (syntax errors with line and column; named graphs outside TriG and N-Quads);
3. then, each time the quads are iterated, the files parsed again through a reader that hashes what
   it reads: a file whose bytes changed since step 1 raises RecordInputError when it ends (the run
   fails, and what it wrote to the engine is dropped with its temporary graphs).

All or nothing, as ``load_records``: any problem in steps 1–2 raises RecordInputError before
anything is written. Turtle, TriG, N-Triples and N-Quads files given as paths are streamed
(``can_stream``); JSON-LD and RDF/XML are checked as whole documents, and CSV/XLSX tables are
mapped row by row across files, so any of those among the files means ``load_records``.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

import pyoxigraph

from .errors import Problem, ProblemLog, RecordInputError
from .formats import N_QUADS, N_TRIPLES, TRIG, TURTLE, UTF8_BOM, Format, FormatRefused, detect_format
from .inputs import file_name
from .loading import DEFAULT_BASE, LoadedFile, LoadedRecords, _check_base
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


class StreamedQuads:
    """The quads of checked RDF files, parsed again on every iteration; ``len()`` is their number."""

    def __init__(self, files: list[_StreamedFile], counts: list[int], base: str):
        self.files, self.counts, self.base = files, counts, base

    def __len__(self) -> int:
        return sum(self.counts)

    def __iter__(self) -> Iterator[pyoxigraph.Quad]:
        for file in self.files:
            yield from self._quads_of(file)

    def _quads_of(self, file: _StreamedFile) -> Iterator[pyoxigraph.Quad]:
        with file.path.open("rb", buffering=0) as handle:
            reader = _HashingReader(handle, bom=file.bom)
            parsed = pyoxigraph.parse(io.BufferedReader(reader, READ_CHUNK), format=file.format.rdf_format,
                                      base_iri=base_iri_for(self.base, file.name))
            problems = ProblemLog()
            try:
                yield from relabelled_quads(parsed, file.number)
            except (SyntaxError, ValueError, OSError) as error:
                parse_failure(file.name, file.format, error, problems)
            if problems or reader.size != file.size or reader.digest.hexdigest() != file.sha256:
                raise RecordInputError(problems.kept or [Problem(
                    file.name, "changed while it was being read (its bytes are not those checked before the "
                    "validation began); nothing of this run is kept: validate it again")])


def stream_records(paths: list, *, base: str = DEFAULT_BASE) -> LoadedRecords:
    """Check RDF files (see the module doc) and give their quads as a ``StreamedQuads``.

    Raises RecordInputError, having written nothing anywhere, when any file has any problem; and
    ValueError when ``can_stream(paths)`` is false (call ``load_records`` then). ``paths``: paths, or
    ``(name, path)`` pairs."""
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
    streamed = StreamedQuads(checked, [], base)
    counts = []
    for file in checked:
        counts.append(_count_quads(streamed, file, problems))
    problems.raise_if_any()
    streamed.counts = counts
    loaded = [LoadedFile(file.name, file.sha256, file.size, file.format.name, count)
              for file, count in zip(checked, counts)]
    return LoadedRecords(streamed, loaded)


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
                    line = lines + error.object.count(b"\n", 0, error.start) + 1
                    byte = error.object[error.start:error.start + 1].hex()
                    problems.add(name, f"is not UTF-8 (byte 0x{byte} cannot be decoded); save the file as UTF-8",
                                 line=line)
                    return None
                lines += body.count(b"\n")
                chunk = handle.read(READ_CHUNK)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as error:  # it ends inside a character
                byte = error.object[error.start:error.start + 1].hex()
                problems.add(name, f"is not UTF-8 (byte 0x{byte} cannot be decoded); save the file as UTF-8",
                             line=lines + 1)
                return None
    except OSError as error:
        problems.add(name, f"cannot be read: {error.strerror or error}")
        return None
    return _StreamedFile(name, path, number, fmt, digest.hexdigest(), size, bom)


def _count_quads(streamed: StreamedQuads, file: _StreamedFile, problems: ProblemLog) -> int:
    """The number of quads the file gives, parsing it through; 0 after reporting its problems."""
    count = 0
    try:
        for quad in streamed._quads_of(file):
            if not file.format.named_graphs and not isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
                problems.add(file.name, "has named graphs; they are accepted only in TriG (.trig) or "
                             "N-Quads (.nq) files")
                return 0
            count += 1
    except RecordInputError as error:
        for problem in error.problems:
            problems.add(problem.file, problem.message, line=problem.line, column=problem.column)
        return 0
    return count


__all__ = ["STREAMED_FORMATS", "StreamedQuads", "can_stream", "stream_records"]
