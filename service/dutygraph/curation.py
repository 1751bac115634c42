"""Load the curation tables (data/curation/*.csv) and check them against the parsed source.

Every problem is collected and reported together, each naming the file, row and column, so that a
domain expert correcting a table sees all of them at once. Nothing is built from tables that fail.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .source_table import SourceTable, Span, parse_source, squeeze

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
OBLIGATION_ID = re.compile(r"^(\d+)-(\d+)-([a-z])$")
MODALITIES = ("obligation", "prohibition", "permission")
ACTOR_KINDS = ("role", "body")
FREQUENCY_KINDS = ("regular", "continuous", "trigger")
CHECKABLE = ("yes", "no")
# Codes of the EU Publications Office frequency authority table that a frequency may match.
EU_FREQUENCY_CODES = frozenset(
    "ANNUAL ANNUAL_2 ANNUAL_3 BIENNIAL BIMONTHLY BIWEEKLY CONT DAILY DAILY_2 DECENNIAL HOURLY "
    "IRREG MONTHLY MONTHLY_2 MONTHLY_3 NEVER OTHER QUADRENNIAL QUARTERLY QUINQUENNIAL "
    "TRIENNIAL UNKNOWN UPDATE_CONT WEEKLY WEEKLY_2 WEEKLY_3".split()
)


class CurationError(ValueError):
    """The curation tables disagree with the source or with each other."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s) in the curation tables:\n" + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass(frozen=True)
class DocumentMeta:
    key: str
    file: str
    number_zh: str
    issuer_zh: str
    issuer_en: str
    date: date
    date_zh: str
    title_zh: str
    title_en: str
    list_title_zh: str
    list_title_en: str
    classification_zh: str
    expected: dict[str, int]


@dataclass(frozen=True)
class Unit:
    key: str
    label_zh: str
    label_en: str
    definition_en: str


@dataclass(frozen=True)
class Actor:
    key: str
    label_zh: str
    label_en: str
    kind: str
    broader: str
    unit: str
    definition_en: str


@dataclass(frozen=True)
class Frequency:
    key: str
    label_zh: str
    label_en: str
    kind: str
    eu_code: str
    definition_en: str


@dataclass(frozen=True)
class Mechanism:
    key: str
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str


@dataclass(frozen=True)
class Regulation:
    key: str
    title_zh: str
    title_en: str
    note_en: str


@dataclass(frozen=True)
class ItemText:
    title_en: str
    summary_en: str


@dataclass(frozen=True)
class Obligation:
    key: str
    item: str
    excerpt_zh: str
    span: Span
    summary_en: str
    modality: str
    cue_zh: str
    actors: tuple[str, ...]
    targets: tuple[str, ...]
    frequencies: tuple[str, ...]
    mechanisms: tuple[str, ...]
    regulations: tuple[str, ...]
    row: int


@dataclass(frozen=True)
class Coverage:
    """Whether an item's duty can be checked from records (coverage.csv), and if not, why."""

    item: str
    checkable: bool
    reason_en: str
    reason_zh: str
    row: int


@dataclass(frozen=True)
class EditorialNote:
    target_kind: str
    target_key: str
    verbatim: str
    reading: str
    note_en: str
    ordinal: int  # 1-based among the notes on the same target


@dataclass
class Curation:
    document: DocumentMeta
    table: SourceTable
    categories: dict[int, str]
    measures: dict[int, str]
    items: dict[str, ItemText]
    units: dict[str, Unit]  # by label_zh, as the source names them
    actors: dict[str, Actor]
    frequencies: dict[str, Frequency]
    mechanisms: dict[str, Mechanism]
    regulations: dict[str, Regulation]
    obligations: list[Obligation]
    editorial_notes: list[EditorialNote] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)  # by item key, in source order


class _Problems(list):
    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        where = file if row is None else f"{file} row {row}"
        if column:
            where += f", column {column}"
        self.append(f"{where}: {message}")


def _read_csv(path: Path, columns: tuple[str, ...], problems: _Problems) -> list[tuple[int, dict[str, str]]]:
    """Rows as (row number as a spreadsheet shows it, cells); header and cells checked."""
    name = path.name
    if not path.is_file():
        problems.add(name, None, None, "file is missing")
        return []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                problems.add(name, None, None, "file is empty")
                return []
            if tuple(header) != columns:
                problems.add(name, 1, None, f"header is {header}, expected {list(columns)}")
                return []
            rows = []
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(columns):
                    problems.add(name, number, None, f"{len(cells)} cells where the header has {len(columns)}")
                    continue
                rows.append((number, {c: v.strip() for c, v in zip(columns, cells)}))
            return rows
    except UnicodeDecodeError as error:
        problems.add(name, None, None, f"not UTF-8 ({error})")
        return []
    except csv.Error as error:
        problems.add(name, None, None, f"malformed CSV ({error})")
        return []


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def load_document_meta(path: Path) -> DocumentMeta:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    expected = raw.pop("expected")
    return DocumentMeta(expected=dict(expected), **raw)


def _keyed(
    rows: list[tuple[int, dict[str, str]]], file: str, key_column: str, problems: _Problems, required: tuple[str, ...]
) -> dict[str, tuple[int, dict[str, str]]]:
    keyed: dict[str, tuple[int, dict[str, str]]] = {}
    for number, row in rows:
        key = row[key_column]
        if not SLUG.match(key):
            problems.add(file, number, key_column, f"{key!r} is not a lowercase slug (a-z, 0-9, -)")
            continue
        if key in keyed:
            problems.add(file, number, key_column, f"{key!r} is defined twice (first on row {keyed[key][0]})")
            continue
        for column in required:
            if not row[column]:
                problems.add(file, number, column, "is empty")
        keyed[key] = (number, row)
    return keyed


def load_curation(source_dir: Path, curation_dir: Path, document_key: str = "changgongdang-2022-61") -> Curation:
    """Parse the source, read every table, cross-check them; raise CurationError listing all problems."""
    document = load_document_meta(source_dir / f"{document_key}.toml")
    text = (source_dir / document.file).read_text(encoding="utf-8")
    table = parse_source(text)
    problems = _Problems()

    counts = table.counts()
    for what, expected in document.expected.items():
        if counts.get(what) != expected:
            problems.add(
                f"{document_key}.toml", None, f"expected.{what}", f"the source parses to {counts.get(what)}, not {expected}"
            )
    for field_name in ("number_zh", "issuer_zh", "date_zh", "title_zh", "list_title_zh", "classification_zh"):
        if getattr(document, field_name) not in text:
            problems.add(f"{document_key}.toml", None, field_name, "does not stand verbatim in the source text")

    # Titles and summaries -----------------------------------------------------------------
    categories = _numbered_titles(curation_dir, "categories.csv", "category", problems)
    _expect_exactly("categories.csv", "category", set(categories), {c.number for c in table.categories}, problems)
    measures = _numbered_titles(curation_dir, "measures.csv", "measure", problems)
    _expect_exactly("measures.csv", "measure", set(measures), {m.number for m in table.measures}, problems)
    for label, titles in (("categories.csv", categories), ("measures.csv", measures)):
        for key, title in titles.items():
            if not title:
                problems.add(label, None, "title_en", f"{key} has no English title")

    items: dict[str, ItemText] = {}
    for number, row in _read_csv(curation_dir / "items.csv", ("item", "title_en", "summary_en"), problems):
        for column in ("title_en", "summary_en"):
            if not row[column]:
                problems.add("items.csv", number, column, "is empty")
        items[row["item"]] = ItemText(row["title_en"], row["summary_en"])
    item_texts = {item.key: item for item in table.items}
    _expect_exactly("items.csv", "item", set(items), set(item_texts), problems)

    # Reference tables ---------------------------------------------------------------------
    unit_rows = _keyed(
        _read_csv(curation_dir / "units.csv", ("unit", "label_zh", "label_en", "definition_en"), problems),
        "units.csv", "unit", problems, ("label_zh", "label_en", "definition_en"),
    )
    units = {row["label_zh"]: Unit(key, row["label_zh"], row["label_en"], row["definition_en"]) for key, (_, row) in unit_rows.items()}
    _expect_exactly("units.csv", "label_zh", set(units), set(table.units), problems)

    actor_rows = _keyed(
        _read_csv(curation_dir / "actors.csv", ("actor", "label_zh", "label_en", "kind", "broader", "unit", "definition_en"), problems),
        "actors.csv", "actor", problems, ("label_zh", "label_en", "kind", "definition_en"),
    )
    actors = {key: Actor(key, **row_without(row, "actor")) for key, (_, row) in actor_rows.items()}
    for key, (number, row) in actor_rows.items():
        if row["kind"] not in ACTOR_KINDS:
            problems.add("actors.csv", number, "kind", f"{row['kind']!r} is not one of {ACTOR_KINDS}")
        if row["broader"] and row["broader"] not in actors:
            problems.add("actors.csv", number, "broader", f"unknown actor {row['broader']!r}")
        if row["unit"] and row["unit"] not in unit_rows:
            problems.add("actors.csv", number, "unit", f"unknown unit {row['unit']!r}")
        if row["unit"] and row["kind"] != "body":
            problems.add("actors.csv", number, "unit", "only a body can be the same body as an accountable unit")
    for key in actors:
        seen, current = {key}, actors[key].broader
        while current and current in actors:
            if current in seen:
                problems.add("actors.csv", actor_rows[key][0], "broader", f"{key!r} is broader than itself")
                break
            seen.add(current)
            current = actors[current].broader

    frequency_rows = _keyed(
        _read_csv(curation_dir / "frequencies.csv", ("frequency", "label_zh", "label_en", "kind", "eu_code", "definition_en"), problems),
        "frequencies.csv", "frequency", problems, ("label_zh", "label_en", "kind", "definition_en"),
    )
    frequencies = {key: Frequency(key, **row_without(row, "frequency")) for key, (_, row) in frequency_rows.items()}
    for key, (number, row) in frequency_rows.items():
        if row["kind"] not in FREQUENCY_KINDS:
            problems.add("frequencies.csv", number, "kind", f"{row['kind']!r} is not one of {FREQUENCY_KINDS}")
        if row["eu_code"] and row["eu_code"] not in EU_FREQUENCY_CODES:
            problems.add("frequencies.csv", number, "eu_code", f"{row['eu_code']!r} is not an EU frequency code")

    mechanism_rows = _keyed(
        _read_csv(curation_dir / "mechanisms.csv", ("mechanism", "label_zh", "label_en", "definition_zh", "definition_en"), problems),
        "mechanisms.csv", "mechanism", problems, ("label_zh", "label_en", "definition_zh", "definition_en"),
    )
    mechanisms = {key: Mechanism(key, **row_without(row, "mechanism")) for key, (_, row) in mechanism_rows.items()}

    regulation_rows = _keyed(
        _read_csv(curation_dir / "regulations.csv", ("regulation", "title_zh", "title_en", "note_en"), problems),
        "regulations.csv", "regulation", problems, ("title_zh", "title_en"),
    )
    regulations = {key: Regulation(key, **row_without(row, "regulation")) for key, (_, row) in regulation_rows.items()}

    # Obligations --------------------------------------------------------------------------
    obligations = _load_obligations(curation_dir, table, actors, frequencies, mechanisms, regulations, problems)
    used = {
        "actors.csv": {k for o in obligations for k in o.actors + o.targets},
        "frequencies.csv": {k for o in obligations for k in o.frequencies},
        "mechanisms.csv": {k for o in obligations for k in o.mechanisms},
        "regulations.csv": {k for o in obligations for k in o.regulations},
    }
    for file, defined in (
        ("actors.csv", actor_rows), ("frequencies.csv", frequency_rows),
        ("mechanisms.csv", mechanism_rows), ("regulations.csv", regulation_rows),
    ):
        broader_only = {a.broader for a in actors.values()} if file == "actors.csv" else set()
        for key, (number, _) in defined.items():
            if key not in used[file] and key not in broader_only:
                problems.add(file, number, None, f"{key!r} is defined but no obligation uses it")

    notes = _load_editorial_notes(curation_dir, table, unit_rows, problems)
    coverage = _load_coverage(curation_dir, table, problems)

    if problems:
        raise CurationError(list(problems))
    return Curation(
        document=document, table=table, categories=categories, measures=measures, items=items,
        units=units, actors=actors, frequencies=frequencies, mechanisms=mechanisms,
        regulations=regulations, obligations=obligations, editorial_notes=notes, coverage=coverage,
    )


def _numbered_titles(curation_dir: Path, file: str, column: str, problems: _Problems) -> dict[int, str]:
    titles: dict[int, str] = {}
    for number, row in _read_csv(curation_dir / file, (column, "title_en"), problems):
        if not row[column].isdigit():
            problems.add(file, number, column, f"{row[column]!r} is not a number")
            continue
        titles[int(row[column])] = row["title_en"]
    return titles


def row_without(row: dict[str, str], key_column: str) -> dict[str, str]:
    return {k: v for k, v in row.items() if k != key_column}


def _expect_exactly(file: str, column: str, found: set, expected: set, problems: _Problems) -> None:
    for missing in sorted(expected - found, key=str):
        problems.add(file, None, column, f"{missing!r} from the source has no row")
    for extra in sorted(found - expected, key=str):
        problems.add(file, None, column, f"{extra!r} is not in the source")


def _load_obligations(curation_dir, table, actors, frequencies, mechanisms, regulations, problems) -> list[Obligation]:
    columns = ("obligation", "item", "excerpt_zh", "summary_en", "modality", "cue_zh",
               "actors", "targets", "frequencies", "mechanisms", "regulations")
    file = "obligations.csv"
    items = {item.key: item for item in table.items}
    letters_by_item: dict[str, list[str]] = {}
    obligations = []
    for number, row in _read_csv(curation_dir / file, columns, problems):
        key, item_key = row["obligation"], row["item"]
        match = OBLIGATION_ID.match(key)
        if not match or f"{match.group(1)}-{match.group(2)}" != item_key:
            problems.add(file, number, "obligation", f"{key!r} is not '{item_key}-x' with a letter x")
            continue
        item = items.get(item_key)
        if item is None:
            problems.add(file, number, "item", f"{item_key!r} is not an item of the source")
            continue
        letters_by_item.setdefault(item_key, []).append(match.group(3))
        for column in ("excerpt_zh", "summary_en", "modality", "actors"):
            if not row[column]:
                problems.add(file, number, column, "is empty")
        try:
            span = table.locate(row["excerpt_zh"], item.span) if row["excerpt_zh"] else item.span
        except KeyError:
            problems.add(file, number, "excerpt_zh", f"is not verbatim in item {item_key}'s text")
            continue
        if row["modality"] and row["modality"] not in MODALITIES:
            problems.add(file, number, "modality", f"{row['modality']!r} is not one of {MODALITIES}")
        if row["cue_zh"] and row["cue_zh"] not in row["excerpt_zh"]:
            problems.add(file, number, "cue_zh", f"{row['cue_zh']!r} is not in the excerpt")
        references = {}
        for column, known in (("actors", actors), ("targets", actors), ("frequencies", frequencies),
                              ("mechanisms", mechanisms), ("regulations", regulations)):
            keys = _split(row[column])
            for ref in keys:
                if ref not in known:
                    problems.add(file, number, column, f"unknown key {ref!r}")
            references[column] = keys
        for ref in references["mechanisms"]:
            if ref in mechanisms and mechanisms[ref].label_zh not in item.text:
                problems.add(file, number, "mechanisms", f"item {item_key}'s text does not name {mechanisms[ref].label_zh!r}")
        for ref in references["regulations"]:
            if ref in regulations and regulations[ref].title_zh not in item.text:
                problems.add(file, number, "regulations", f"item {item_key}'s text does not cite {regulations[ref].title_zh!r}")
        obligations.append(Obligation(
            key=key, item=item_key, excerpt_zh=row["excerpt_zh"], span=span, summary_en=row["summary_en"],
            modality=row["modality"], cue_zh=row["cue_zh"], row=number, **references,
        ))
    for item_key, letters in letters_by_item.items():
        expected = [chr(ord("a") + n) for n in range(len(letters))]
        if letters != expected:
            problems.add(file, None, "obligation", f"item {item_key}'s obligations are lettered {letters}, expected {expected}")
    for item_key in items:
        if item_key not in letters_by_item:
            problems.add(file, None, "item", f"item {item_key} has no obligation")
    order = {item.key: n for n, item in enumerate(table.items)}
    obligations.sort(key=lambda o: (order[o.item], o.key))
    return obligations


def _load_editorial_notes(curation_dir, table, unit_rows, problems) -> list[EditorialNote]:
    file = "editorial_notes.csv"
    categories = {str(c.number): c.verbatim for c in table.categories}
    measures = {str(m.number): m.verbatim for m in table.measures}
    items = {i.key: i.text for i in table.items}
    units = {key: row["label_zh"] for key, (_, row) in unit_rows.items()}
    texts = {"category": categories, "measure": measures, "item": items, "unit": units}
    notes, ordinals = [], {}
    for number, row in _read_csv(curation_dir / file, ("target", "verbatim", "reading", "note_en"), problems):
        kind, _, key = row["target"].partition("/")
        target_text = texts.get(kind, {}).get(key)
        if target_text is None:
            problems.add(file, number, "target", f"{row['target']!r} is not category/N, measure/N, item/M-K or unit/KEY of the graph")
            continue
        for column in ("verbatim", "reading", "note_en"):
            if not row[column]:
                problems.add(file, number, column, "is empty")
        if row["verbatim"] and row["verbatim"] not in target_text and row["verbatim"] not in squeeze(target_text):
            problems.add(file, number, "verbatim", f"{row['verbatim']!r} is not in the text of {row['target']}")
        ordinals[row["target"]] = ordinals.get(row["target"], 0) + 1
        notes.append(EditorialNote(kind, key, row["verbatim"], row["reading"], row["note_en"], ordinals[row["target"]]))
    return notes


def _load_coverage(curation_dir, table, problems) -> dict[str, Coverage]:
    """One row per item: `yes` when duty shapes check it against records, `no` with the reasons why not.

    Whether the `yes` rows are exactly the items shapes/duties.ttl enforces is checked on the built
    graph (checks/coverage.py), since the shapes are not curation.
    """
    file = "coverage.csv"
    order = {item.key: n for n, item in enumerate(table.items)}
    rows: dict[str, Coverage] = {}
    for number, row in _read_csv(curation_dir / file, ("item", "checkable_from_records", "reason_en", "reason_zh"), problems):
        key, checkable = row["item"], row["checkable_from_records"]
        if key not in order:
            problems.add(file, number, "item", f"{key!r} is not an item of the source")
            continue
        if key in rows:
            problems.add(file, number, "item", f"{key!r} has a second row (first on row {rows[key].row})")
            continue
        if checkable not in CHECKABLE:
            problems.add(file, number, "checkable_from_records", f"{checkable!r} is not one of {CHECKABLE}")
            continue
        for column in ("reason_en", "reason_zh"):
            if checkable == "no" and not row[column]:
                problems.add(file, number, column, f"is empty: say why item {key}'s duty cannot be checked from records")
            if checkable == "yes" and row[column]:
                problems.add(file, number, column, f"must be empty for a checkable item: the shapes that enforce {key} say what is checked")
        rows[key] = Coverage(key, checkable == "yes", row["reason_en"], row["reason_zh"], number)
    for missing in sorted(set(order) - set(rows), key=order.get):
        problems.add(file, None, "item", f"{missing!r} from the source has no row")
    return {key: rows[key] for key in sorted(rows, key=order.get)}
