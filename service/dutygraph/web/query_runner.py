"""Running a query in a worker subprocess, with the time limit enforced by killing it.

Each query gets a fresh ``query_worker.py`` process (``python -I``, so no environment or user site
reaches it) that opens the store with ``pyoxigraph.Store.read_only``. ``communicate(timeout=…)``
waits at most QUERY_TIME_LIMIT seconds; then the worker is killed with SIGKILL and reaped, so the
query's CPU and memory are freed at once, and ``QueryTimeout`` is raised. A fresh process per query
costs some tens of milliseconds and means no state, and no stuck query, outlives its request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

WORKER = Path(__file__).with_name("query_worker.py")


class QueryTimeout(Exception):
    """The query ran out of time and its worker was killed."""


class QuerySyntaxError(ValueError):
    """Oxigraph's parser rejected the query; the message is the parser's."""


class QueryFailed(RuntimeError):
    """The query could not be evaluated (the store could not be read, the worker died …)."""


@dataclass(frozen=True)
class QueryAnswer:
    body: bytes
    rows: int
    truncated: bool


def run_query(*, store_path: Path, query: str, prefixes: dict[str, str], default_graph: list[str] | None,
              named_graphs: list[str] | None, oxigraph_format: str, row_limit: int,
              time_limit: float) -> QueryAnswer:
    request = json.dumps({
        "store": str(store_path), "query": query, "prefixes": prefixes, "default_graph": default_graph,
        "named_graphs": named_graphs, "format": oxigraph_format, "row_limit": row_limit,
    }).encode()
    worker = subprocess.Popen(
        [sys.executable, "-I", str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        output, errors = worker.communicate(request, timeout=time_limit)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()  # reap it and close its pipes
        raise QueryTimeout(f"the query did not finish within the time limit of {time_limit:g} s and was stopped") from None
    except BaseException:
        worker.kill()
        worker.communicate()
        raise
    header_line, _, body = output.partition(b"\n")
    try:
        header = json.loads(header_line)
    except ValueError:
        message = errors.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise QueryFailed(f"the query worker failed (exit code {worker.returncode}): {message[0]}") from None
    if header["status"] == "error":
        if header["kind"] == "syntax":
            raise QuerySyntaxError(header["message"])
        raise QueryFailed(header["message"])
    return QueryAnswer(body, header["rows"], header["truncated"])
