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
