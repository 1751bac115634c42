"""The keys a template cell may name from the curation tables: roles (actors.csv) and accountable units.

They are read through ``dutygraph.paths.curation_dir()``, so a tree given by DUTYGRAPH_ROOT is
honoured, and cached per directory.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from .. import paths


def curation_keys() -> dict[str, frozenset[str]]:
    """``{"role": role keys of actors.csv, "unit": keys of units.csv}``."""
    return _keys(paths.curation_dir())


@lru_cache(maxsize=4)
def _keys(directory: Path) -> dict[str, frozenset[str]]:
    with (directory / "actors.csv").open(encoding="utf-8", newline="") as handle:
        roles = frozenset(row["actor"] for row in csv.DictReader(handle) if row["kind"] == "role")
    with (directory / "units.csv").open(encoding="utf-8", newline="") as handle:
        units = frozenset(row["unit"] for row in csv.DictReader(handle))
    return {"role": roles, "unit": units}
