"""Reading the given files — paths, or (name, bytes) pairs from a web upload — within the size cap.

A path is measured before it is read, and never read beyond the cap, so an oversized upload costs
nothing. An upload's name is reduced to its last segment: it names the file in reports, chooses the
format and the template, and ends the base IRI of its relative IRIs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ProblemLog


@dataclass(frozen=True)
class InputFile:
    name: str
    data: bytes | None  # None when it could not or must not be read (reported)


def file_name(name: str) -> str:
    """The last segment of a name that may carry a directory, from any operating system."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def read_inputs(files: list, max_bytes: int | None, problems: ProblemLog) -> list[InputFile]:
    inputs = []
    for given in files:
        if isinstance(given, tuple) and len(given) == 2 and isinstance(given[0], str):
            name, data = file_name(given[0]), given[1]
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"the content of {name!r} must be bytes, not {type(data).__name__}")
            inputs.append(InputFile(name, _within_cap(name, bytes(data), max_bytes, problems)))
        elif isinstance(given, os.PathLike):
            path = Path(given)
            inputs.append(InputFile(path.name, _read_path(path, max_bytes, problems)))
        else:
            raise TypeError(f"expected a path or a (name, bytes) pair, not {type(given).__name__}")
    return inputs


def _too_large(name: str, size: int, max_bytes: int, problems: ProblemLog) -> None:
    problems.add(name, f"is {size:,} bytes, over the limit of {max_bytes:,} bytes; it was not loaded")


def _within_cap(name: str, data: bytes, max_bytes: int | None, problems: ProblemLog) -> bytes | None:
    if max_bytes is not None and len(data) > max_bytes:
        _too_large(name, len(data), max_bytes, problems)
        return None
    return data


def _read_path(path: Path, max_bytes: int | None, problems: ProblemLog) -> bytes | None:
    try:
        if not path.is_file():
            problems.add(path.name, "is not a file" if path.exists() else f"does not exist ({path})")
            return None
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            _too_large(path.name, size, max_bytes, problems)
            return None
        with path.open("rb") as handle:
            # Read one byte past the cap: a file that grew since it was measured is still refused.
            data = handle.read(max_bytes + 1) if max_bytes is not None else handle.read()
    except OSError as error:
        problems.add(path.name, f"cannot be read: {error.strerror or error}")
        return None
    return _within_cap(path.name, data, max_bytes, problems)
