"""The service's on-disk Oxigraph store: one writer, read-only snapshots for the query workers.

``STORE_DIR`` (default ``.dutygraph-store/`` in the working directory) holds:

``oxigraph/``
    The primary store, opened read-write by the service process only. Its default graph is the
    document graph (ontology and instance data); each kept validation run adds named graphs
    (``runs_store``). ``built-for.txt`` names the data version the document graph was built for
    (a hash of the package version and of the resource tree); on start a stale document graph is
    replaced — the default graph only, so kept runs survive an upgrade.
``snapshots/N/``
    Oxigraph backups of the primary (RocksDB checkpoints: hard links, cheap), taken after every
    write. Query workers open the newest one read-only: Oxigraph documents opening a store read-only
    while another process writes it as undefined behaviour, and a checkpoint is never written. A
    snapshot superseded for longer than SNAPSHOT_GRACE_SECONDS (120 s, or twice QUERY_TIME_LIMIT
    and 10 s when that is longer: longer than any query may still read it) is deleted at the next
    write.

Every write goes through ``ServiceStore.write()`` (one writer at a time), and is followed by a new
snapshot before the writer returns, so a client that wrote sees its write in its next query.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from flask import current_app

from .. import __version__, paths

MARKER = "built-for.txt"
STORE_SUBDIR = "oxigraph"
SNAPSHOTS_SUBDIR = "snapshots"
SNAPSHOT_GRACE_SECONDS = 120.0

_open_stores: dict[tuple, "ServiceStore | RemoteServiceStore"] = {}  # one ServiceStore per store directory and process
_open_lock = threading.Lock()


def data_version() -> str:
    digest = hashlib.sha256(f"dutygraph {__version__}\n".encode())
    for directory in (paths.ontology_dir(), paths.shapes_dir(), paths.data_dir()):
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(directory.parent)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _document_ntriples() -> bytes:
    from ..graph_build import build_full_graph, serialize

    return serialize(build_full_graph(), "ntriples")


class StoreInUse(RuntimeError):
    """The primary store could not be opened (most often: another process has it open)."""


class ServiceStore:
    """The primary store of one STORE_DIR, its write lock and its snapshots."""

    remote = False

    def __init__(self, store_dir: Path):
        self.directory = Path(store_dir)
        self.directory.mkdir(parents=True, exist_ok=True)
        # A bulk load cut short (the process killed) leaves its temporary SST files, which the store
        # never ingested and never will; the store is not open yet, so they can go.
        for leftover in (self.directory / STORE_SUBDIR).glob("bulk-*.sst"):
            leftover.unlink(missing_ok=True)
        try:
            self.store = ox.Store(str(self.directory / STORE_SUBDIR))
        except OSError as error:
            raise StoreInUse(f"cannot open the store {self.directory / STORE_SUBDIR}: {error} "
                             "(is another dutygraph process serving this store directory?)") from None
        self._write_lock = threading.RLock()
        self._snapshot_lock = threading.Lock()
        self._superseded: list[tuple[float, Path]] = []
        self.grace_seconds = SNAPSHOT_GRACE_SECONDS
        self._snapshots = self.directory / SNAPSHOTS_SUBDIR
        self._refresh_document()
        shutil.rmtree(self._snapshots, ignore_errors=True)  # no worker of an earlier process is alive
        self._snapshots.mkdir()
        self._sequence = 0
        self._current: Path | None = None
        self.publish()

    @property
    def store_path(self) -> Path:
        return self.directory / STORE_SUBDIR

    def _refresh_document(self) -> bool:
        marker, version = self.directory / MARKER, data_version()
        if marker.is_file() and marker.read_text().strip() == version:
            return False
        marker.unlink(missing_ok=True)
        # Two steps, the marker last: a start interrupted between them finds no marker and redoes both.
        self.store.remove_graph(ox.DefaultGraph())
        self.store.load(_document_ntriples(), format=ox.RdfFormat.N_TRIPLES)
        self.store.flush()
        marker.write_text(version + "\n")
        return True

    def refresh_document(self) -> None:
        """Replace the document graph when the data version changed (checked at every app start)."""
        with self._write_lock:
            if self._refresh_document():
                self.publish()

    @contextmanager
    def write(self):
        """Hold the write lock; publish a snapshot of what was written when the block ends."""
        with self._write_lock:
            try:
                yield self.store
            finally:
                self.publish()

    def publish(self) -> Path:
        """Take a snapshot of the primary and make it the one new queries read."""
        with self._snapshot_lock:
            self.store.flush()
            self._sequence += 1
            target = self._snapshots / f"{self._sequence:08d}"
            building = self._snapshots / f"building-{self._sequence:08d}"
            self.store.backup(str(building))
            building.rename(target)
            if self._current is not None:
                self._superseded.append((time.monotonic(), self._current))
            self._current = target
            self._delete_old_snapshots()
            return target

    def _delete_old_snapshots(self) -> None:
        now, kept = time.monotonic(), []
        for since, path in self._superseded:
            if now - since > self.grace_seconds:
                shutil.rmtree(path, ignore_errors=True)
            else:
                kept.append((since, path))
        self._superseded = kept

    @property
    def snapshot(self) -> Path:
        """The newest snapshot (for worker processes to open read-only)."""
        return self._current


# remote_store.TIMEOUT_PARAMETER, written out: the embedded service never imports remote_store.
TIMEOUT_PARAMETER = "timeout"


class RemoteServiceStore:
    """The graph, the records and the kept runs on an external SPARQL 1.1 engine (``STORE_URL``).

    The document graph is the engine's named graph ``remote_store.DOCUMENT_GRAPH``; its data version
    is a statement in ``remote_store.SERVICE_GRAPH``, checked at every start like the embedded
    store's marker file. Writes take the same lock (one writer per service process); there are no
    snapshots — the engine serves reads beside writes itself. STORE_DIR still holds what is the
    service's own: accounts, the session key and upload jobs.
    """

    remote = True

    def __init__(self, store_dir: Path, url: str, *, update_url: str | None = None, user: str | None = None,
                 password: str | None = None, timeout_parameter: str | None = TIMEOUT_PARAMETER):
        from ..remote_store import RemoteStore

        self.directory = Path(store_dir)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.store = RemoteStore(url, update_url, user=user, password=password, timeout_parameter=timeout_parameter)
        self.url = url
        self._write_lock = threading.RLock()
        self.grace_seconds = 0.0
        self.refresh_document()
        # Once per start: graphs written behind the service's back (a bulk load over isql) enter the
        # registry that RemoteStore.named_graphs reads (a scan of every quad, O(data)).
        self.store.rescan_graphs()

    @property
    def store_path(self) -> str:
        return self.url

    @property
    def snapshot(self):
        return None

    def refresh_document(self) -> None:
        from ..remote_store import DOCUMENT_GRAPH, SERVICE_GRAPH

        version = data_version()
        built_for = ox.NamedNode(SERVICE_GRAPH + "#builtFor")
        graph = ox.NamedNode(SERVICE_GRAPH)
        with self._write_lock:
            found = [q.object.value for q in self.store.quads_for_pattern(graph, built_for, None, graph)]
            if found == [version]:
                return
            # The version statement last: a start interrupted before it redoes the whole load.
            self.store.remove_graph(ox.NamedNode(SERVICE_GRAPH))
            self.store.remove_graph(ox.NamedNode(DOCUMENT_GRAPH))
            self.store.load(_document_ntriples(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(DOCUMENT_GRAPH))
            self.store.extend([ox.Quad(graph, built_for, ox.Literal(version), graph)])

    @contextmanager
    def write(self):
        with self._write_lock:
            yield self.store

    def publish(self) -> None:
        """Nothing to publish: the engine's readers see a write once it is answered."""


def open_service_store(store_dir: Path, url: str | None = None, **remote) -> ServiceStore | RemoteServiceStore:
    """The store of store_dir (or of the engine at url), opened once per process (Flask apps of one
    process share it)."""
    key = (Path(store_dir).resolve(), url)
    with _open_lock:
        if key not in _open_stores:
            _open_stores[key] = RemoteServiceStore(key[0], url, **remote) if url else ServiceStore(key[0])
        else:
            _open_stores[key].refresh_document()
        return _open_stores[key]


def ensure_store(store_dir: Path) -> Path:
    """The path of the primary store under store_dir, built or refreshed as needed."""
    return open_service_store(store_dir).store_path


def init_app(app) -> None:
    config = app.config
    service_store = open_service_store(
        Path(config["STORE_DIR"]), config.get("STORE_URL") or None, **(
            {"update_url": config.get("STORE_UPDATE_URL") or None, "user": config.get("STORE_USER") or None,
             "password": config.get("STORE_PASSWORD") or None,
             "timeout_parameter": config.get("STORE_TIMEOUT_PARAMETER", TIMEOUT_PARAMETER)} if config.get("STORE_URL") else {}))
    # A query may still read the snapshot it started on: keep it well past the longest query.
    service_store.grace_seconds = max(service_store.grace_seconds, 2 * float(app.config["QUERY_TIME_LIMIT"]) + 10)
    app.extensions["dutygraph.store"] = service_store
    app.extensions["dutygraph.store_path"] = service_store.store_path


def service_store() -> ServiceStore | RemoteServiceStore:
    return current_app.extensions["dutygraph.store"]


def store_path() -> Path:
    """The newest snapshot of the running app's store (for worker processes to open read-only)."""
    return service_store().snapshot
