"""``load_records``: every file read, checked and mapped to quads — all of them, or none.

The files are read in the order given and their quads follow that order, each file's in its own
order (an RDF file's as parsed, a table's row by row and column by column), so that the same inputs
always give the same quads. Any problem in any file raises RecordInputError listing all of them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from .errors import ProblemLog
from .formats import CSV, FormatRefused, detect_format
from .inputs import read_inputs
from .rdf_files import parse_rdf
from .rows_to_quads import tables_to_quads
from .tabular import Table, read_csv, read_xlsx
from .templates import TEMPLATES, template_for_file_name

DEFAULT_BASE = "https://example.org/dutygraph/records/"


@dataclass(frozen=True)
class LoadedFile:
    """What was loaded from one file."""

    name: str
    sha256: str  # hex digest of the bytes as given
    size: int  # bytes
    format: str  # turtle, trig, n-triples, n-quads, json-ld, rdf/xml, csv or xlsx
    triples: int | None  # statements it gave (None: streamed, not read through yet)
    rows: int | None = None  # data rows (CSV, XLSX); None for RDF
    templates: tuple[str, ...] = ()  # the templates its rows follow (CSV, XLSX)


@dataclass(frozen=True)
class LoadedRecords:
    quads: list[Quad] = field(default_factory=list)  # from stream_records: a StreamedQuads (iterable, sized)
    files: list[LoadedFile] = field(default_factory=list)


def load_records(files: list[Path | tuple[str, bytes]], *, base: str = DEFAULT_BASE,
                 max_bytes: int | None = None) -> LoadedRecords:
    """Load an office's records from RDF files and CSV/XLSX templates.

    ``files`` are paths or ``(name, bytes)`` pairs; ``base`` starts the IRI of every template row
    (``{base}{kind}/{id}``) and, followed by a file's name, is the base IRI of an RDF file;
    ``max_bytes`` refuses larger files unread. Raises RecordInputError, loading nothing, when any
    file has any problem.
    """
    problems = ProblemLog()
    _check_base(base, problems)
    problems.raise_if_any()
    inputs = read_inputs(list(files), max_bytes, problems)

    formats: list[str | None] = []
    rdf_quads: dict[int, list[Quad]] = {}
    tables: dict[int, list[Table]] = {}
    for number, given in enumerate(inputs, start=1):
        formats.append(None)
        if given.data is None:
            continue
        try:
            fmt = detect_format(given.name, given.data[:1024])
        except FormatRefused as refusal:
            problems.add(given.name, str(refusal))
            continue
        formats[-1] = fmt.name
        if fmt.rdf_format is not None:
            quads = parse_rdf(given.name, given.data, fmt, base=base, file_number=number, problems=problems)
            if quads is not None:
                rdf_quads[number] = quads
        elif fmt is CSV:
            template = template_for_file_name(given.name)
            if template is None:
                problems.add(given.name, "is not named by a template: its name must be TEMPLATE.csv or end with "
                             "_TEMPLATE.csv (e.g. 2024_talks.csv), where TEMPLATE is one of "
                             + ", ".join(t.name for t in TEMPLATES))
                continue
            table = read_csv(given.name, given.data, template, problems)
            tables[number] = [table] if table is not None else []
        else:
            tables[number] = read_xlsx(given.name, given.data, problems) or []

    rdf_subjects = {quad.subject.value for quads in rdf_quads.values() for quad in quads
                    if isinstance(quad.subject, NamedNode)}
    ordered_tables = [(number, table) for number in sorted(tables) for table in tables[number]]
    table_quads = tables_to_quads([table for _, table in ordered_tables], base=base,
                                  rdf_subjects=rdf_subjects, problems=problems)
    problems.raise_if_any()

    quads: list[Quad] = []
    loaded: list[LoadedFile] = []
    for number, given in enumerate(inputs, start=1):
        if number in rdf_quads:
            file_quads, rows, templates = rdf_quads[number], None, ()
        else:
            mine = [(table, q) for (n, table), q in zip(ordered_tables, table_quads) if n == number]
            file_quads = [quad for _, table_quads_of in mine for quad in table_quads_of]
            rows = sum(len(table.rows) for table, _ in mine)
            templates = tuple(table.template.name for table, _ in mine)
        quads.extend(file_quads)
        loaded.append(LoadedFile(given.name, hashlib.sha256(given.data).hexdigest(), len(given.data),
                                 formats[number - 1], len(file_quads), rows, templates))
    return LoadedRecords(quads, loaded)


def _check_base(base: str, problems: ProblemLog) -> None:
    try:
        valid = base.startswith(("http://", "https://")) and base.endswith("/") and bool(NamedNode(base))
    except ValueError:
        valid = False
    if not valid:
        problems.add(None, f"the base {base!r} must be an absolute http(s) IRI ending in '/'")


__all__ = ["DEFAULT_BASE", "LoadedFile", "LoadedRecords", "load_records"]
