"""Shared fixtures: the parsed source, the built graph, an Oxigraph store, and the CLI."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dutygraph import paths
from dutygraph.curation import load_curation
from dutygraph.graph_build import build_full_graph
from dutygraph.source_table import parse_source
from dutygraph.store import store_from_graph

REPO = Path(__file__).resolve().parents[1]
SOURCE_FILE = REPO / "data" / "source" / "changgongdang-2022-61.txt"


@pytest.fixture(scope="session")
def source_text() -> str:
    return SOURCE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def table(source_text):
    return parse_source(source_text)


@pytest.fixture(scope="session")
def curation():
    return load_curation(paths.source_dir(), paths.curation_dir())


@pytest.fixture(scope="session")
def graph(curation):
    return build_full_graph(curation)


@pytest.fixture(scope="session")
def store(graph):
    return store_from_graph(graph)


def dutygraph_command() -> list[str]:
    """The installed console command, next to the interpreter running the tests."""
    script = Path(sys.executable).parent / "dutygraph"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dutygraph.cli"]


@pytest.fixture
def run_cli():
    """Run `dutygraph ARGS…` as a user would; returns the CompletedProcess (text mode)."""

    def run(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        environment = dict(os.environ)
        environment.update(env or {})
        return subprocess.run(
            dutygraph_command() + list(args), capture_output=True, text=True, timeout=timeout,
            env=environment, cwd=REPO,
        )

    return run


@pytest.fixture
def resource_copy(tmp_path):
    """A copy of the resource tree (ontology, shapes, queries, data) to corrupt in a test."""
    root = tmp_path / "tree"
    for name in ("ontology", "shapes", "queries", "data"):
        shutil.copytree(paths.resource_root() / name, root / name)
    return root


class Listener:
    """A local listening socket that records whether anything connected to it."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except (TimeoutError, socket.timeout):
                return count
            connection.close()
            count += 1

    def close(self):
        self.socket.close()


@pytest.fixture
def listener():
    opened = Listener()
    yield opened
    opened.close()


# -- the backends: the embedded store, and an external SPARQL engine (Virtuoso) --------------------
#
# Test modules that run against both take the module-scoped `backend` fixture: their tests run
# once on the embedded Oxigraph store and once on a Virtuoso started for the session
# (tests/virtuoso_engine.py), with the same expected answers. Each module gets a fresh namespace on
# the engine: every graph under https://w3id.org/dutygraph/ is dropped before its tests (the
# document graph is reloaded by the first app, in about a second) — one engine for the session,
# since starting one costs a few seconds. A test about the embedded store itself (its folder,
# snapshots, worker processes) is marked `embedded_only` and skipped on the engine, with the reason.

from dataclasses import dataclass, field

import virtuoso_engine


def pytest_configure(config):
    config.addinivalue_line("markers", "embedded_only(reason): a test about the embedded Oxigraph store itself; "
                                       "skipped on the external engine (the reason says why)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        marker = item.get_closest_marker("embedded_only")
        callspec = getattr(item, "callspec", None)
        if marker is not None and callspec is not None and callspec.params.get("backend") == "virtuoso":
            reason = marker.args[0] if marker.args else "about the embedded store itself"
            item.add_marker(pytest.mark.skip(reason=f"embedded store only: {reason}"))


def running_virtuoso(folder, max_seconds: int):
    """A fixture's body: a Virtuoso in ``folder`` stopping a query at ``max_seconds``, yielded
    started and killed afterwards (on failure too); the test fails (or, by a developer's choice,
    is skipped) when Virtuoso is not installed."""
    if not virtuoso_engine.installed():
        message = "virtuoso-t is not installed (scripts/system-deps.sh installs virtuoso-opensource-7-bin)"
        if os.environ.get("DUTYGRAPH_SKIP_ENGINE_TESTS") == "1":  # a developer's choice, never CI's
            pytest.skip(message)
        pytest.fail(message + "; DUTYGRAPH_SKIP_ENGINE_TESTS=1 skips the engine's tests instead")
    engine = virtuoso_engine.Virtuoso(folder, max_seconds=max_seconds)
    try:
        engine.start()
        yield engine
    finally:
        engine.stop()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A Virtuoso for the session: .sparql_url, .isql_port, .dir; killed at the end (on failure too)."""
    yield from running_virtuoso(tmp_path_factory.mktemp("virtuoso"), VIRTUOSO_MAX_SECONDS)


# The engine's own limit on a query ([SPARQL] MaxQueryExecutionTime), as docs/external-engine.md
# asks of a deployment: above the longest query of a validation (a limit of 5 s cut a duty query of
# three validations at once on a slow machine, Virtuoso SR171, 2026-12-02). A query the service
# gave up on is stopped on the engine by the limit each read carries (RemoteStore.timeout_parameter;
# tests/test_engine_query_limit.py).
VIRTUOSO_MAX_SECONDS = 300


@dataclass
class Backend:
    """Where a test's app keeps the graph: name is "embedded" or "virtuoso"."""

    name: str
    engine: virtuoso_engine.Virtuoso | None = None
    settings: dict = field(default_factory=dict)

    @property
    def remote(self) -> bool:
        return self.engine is not None

    def config(self, store_dir, **extra) -> dict:
        """create_app's test_config for a store directory on this backend."""
        return {"STORE_DIR": str(store_dir), **self.settings, **extra}

    def env(self) -> dict[str, str]:
        """The environment that puts `dutygraph serve` on this backend (DUTYGRAPH_STORE_URL …)."""
        return {f"DUTYGRAPH_{key}": str(value) for key, value in self.settings.items()}


@pytest.fixture(scope="module", params=["embedded", "virtuoso"])
def backend(request):
    if request.param == "embedded":
        return Backend("embedded")
    engine = request.getfixturevalue("virtuoso")
    engine.reset()  # a fresh namespace for this module
    return Backend("virtuoso", engine, {"STORE_URL": engine.sparql_url})
