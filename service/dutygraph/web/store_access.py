"""The on-disk Oxigraph store the service queries, built once and reopened afterwards.

``STORE_DIR`` (default ``.dutygraph-store/`` in the working directory) holds ``oxigraph/``, the
store, and ``built-for.txt``, the data version it was built for: a hash of the package version and
of every file of the resource tree (ontology, shapes, data). On start the store is reused when the
marker matches and rebuilt from ``build_full_graph()`` (into the default graph) when it does not.
The build goes to a temporary directory and is moved into place with its marker last, so a build
that fails half-way is never taken for a finished one. Queries open the store read-only in worker
processes (see ``query_runner``); the service itself never writes to it after the build.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from flask import current_app

from .. import __version__, paths

MARKER = "built-for.txt"
STORE_SUBDIR = "oxigraph"


def data_version() -> str:
    digest = hashlib.sha256(f"dutygraph {__version__}\n".encode())
    for directory in (paths.ontology_dir(), paths.shapes_dir(), paths.data_dir()):
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(directory.parent)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _build(target: Path) -> None:
    import pyoxigraph as ox

    from ..graph_build import build_full_graph, serialize

    store = ox.Store(str(target))
    store.bulk_load(serialize(build_full_graph(), "ntriples"), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    del store  # closes the RocksDB instance before the directory is moved


def ensure_store(store_dir: Path) -> Path:
    """The path of an up-to-date store under store_dir, building it when missing or stale."""
    store_dir = Path(store_dir)
    marker, store_path = store_dir / MARKER, store_dir / STORE_SUBDIR
    version = data_version()
    if store_path.is_dir() and marker.is_file() and marker.read_text().strip() == version:
        return store_path
    store_dir.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=store_dir))
    try:
        _build(building / STORE_SUBDIR)
        shutil.rmtree(store_path, ignore_errors=True)
        (building / STORE_SUBDIR).rename(store_path)
        marker.write_text(version + "\n")
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return store_path


def init_app(app) -> None:
    app.extensions["dutygraph.store_path"] = ensure_store(Path(app.config["STORE_DIR"]))


def store_path() -> Path:
    """The store of the running app (for worker processes to open read-only)."""
    return current_app.extensions["dutygraph.store_path"]
