"""Where the ontology, shapes, queries and data are found.

An installed wheel carries them in ``dutygraph/resources/``; a source checkout has them at the
repository root (``ontology/``, ``shapes/``, ``queries/``, ``data/``). The environment variable
``DUTYGRAPH_ROOT`` points the tools at another tree of the same layout.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "resources"
_CHECKOUT = Path(__file__).resolve().parents[2]


def resource_root() -> Path:
    """DUTYGRAPH_ROOT, when set, names a tree of one's own (a curated copy, say) to build from."""
    override = os.environ.get("DUTYGRAPH_ROOT")
    if override:
        return Path(override)
    if (_PACKAGED / "ontology").is_dir():
        return _PACKAGED
    return _CHECKOUT


def ontology_dir() -> Path:
    return resource_root() / "ontology"


def shapes_dir() -> Path:
    return resource_root() / "shapes"


def queries_dir() -> Path:
    return resource_root() / "queries"


def data_dir() -> Path:
    return resource_root() / "data"


def source_dir() -> Path:
    return data_dir() / "source"


def curation_dir() -> Path:
    return data_dir() / "curation"


def java_dir() -> Path:
    return Path(__file__).resolve().parent / "java"
