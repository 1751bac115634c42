"""The problems found in an office's files, reported together and located as precisely as possible.

A spreadsheet cell is located by row (1-based as a spreadsheet shows it, the header being row 1) and
column (its header name); a place in an RDF file by line and column (1-based, as the parser counts).
"""

from __future__ import annotations

from dataclasses import dataclass

# Beyond this many, further problems are counted but not kept: a wholly wrong file of a million rows
# must give a readable report, not a million lines.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input. ``file`` is None only for a problem with the call itself."""

    file: str | None
    message: str
    row: int | None = None
    column: str | None = None
    line: int | None = None
    sheet: str | None = None  # the sheet of an XLSX workbook

    def __str__(self) -> str:
        place = []
        if self.sheet is not None:
            place.append(f"sheet {self.sheet}")
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.line is not None:
            place.append(f"line {self.line}")
        if self.column is not None:
            place.append(f"column {self.column}")
        where = self.file or "input"
        if place:
            where += " " + ", ".join(place)
        return f"{where}: {self.message}"


class RecordInputError(ValueError):
    """The files cannot be loaded; nothing of any of them was. ``problems`` says everything found."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        lines = [str(problem) for problem in self.problems]
        if self.total > len(self.problems):
            lines.append(f"… and {self.total - len(self.problems)} more problem(s) not shown")
        self.lines = lines
        super().__init__("\n".join(lines))

    def __str__(self) -> str:
        return "\n".join(self.lines)


class ProblemLog:
    """Collects problems across all files, keeping the first MAX_PROBLEMS and counting the rest."""

    def __init__(self, limit: int = MAX_PROBLEMS):
        self.limit = limit
        self.kept: list[Problem] = []
        self.total = 0

    def add(self, file: str | None, message: str, *, row: int | None = None, column: str | None = None,
            line: int | None = None, sheet: str | None = None) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(Problem(file, message, row=row, column=column, line=line, sheet=sheet))

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise RecordInputError(self.kept, self.total)
