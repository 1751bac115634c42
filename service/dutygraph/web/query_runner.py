"""Running a query in a worker process, with the time limit enforced by killing it.

Oxigraph cannot cancel a query in-process, so queries run in ``query_worker.py`` processes
(``python -I``, so no environment or user site reaches them) that open a store snapshot
read-only. A ``WorkerPool`` keeps up to MAX_CONCURRENT_QUERIES of them alive between queries, so
that a query costs a round trip over a pipe rather than a process start. The parent waits at most
QUERY_TIME_LIMIT seconds for the answer; then that worker is killed with SIGKILL and reaped — the
query's CPU and memory are freed at once — ``QueryTimeout`` is raised, and the next query that
needs a worker starts a fresh one. A worker that fails in any other way is also killed, never
reused.

Workers are started from one long-lived thread of the service (``_spawn``): a worker asks Linux to
kill it when its parent dies (``PR_SET_PDEATHSIG``, ``query_worker._die_with_parent``), and Linux
means the parent *thread*. A pooled worker outlives the request that needed it, so a worker started
from a request's thread would be killed when that thread ends (a test's thread, a thread of a
server's pool that shrinks), under the next query that took it from the pool.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
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


_spawner = None
_spawner_lock = threading.Lock()


def _spawn() -> subprocess.Popen:
    """A new worker process, started from the spawner thread (see the module docstring)."""
    global _spawner
    from concurrent.futures import ThreadPoolExecutor

    with _spawner_lock:
        if _spawner is None:
            _spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dutygraph-query-worker-spawner")
        spawner = _spawner
    return spawner.submit(
        subprocess.Popen, [sys.executable, "-I", str(WORKER), str(os.getpid())], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    ).result()


class _Worker:
    def __init__(self):
        self.process = _spawn()

    def send(self, request: bytes) -> None:
        self.process.stdin.write(len(request).to_bytes(4, "big") + request)
        self.process.stdin.flush()

    def _read_exact(self, size: int, deadline: float) -> bytes:
        fd = self.process.stdout.fileno()
        chunks, missing = [], size
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(missing, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def read_frame(self, deadline: float) -> bytes:
        return self._read_exact(int.from_bytes(self._read_exact(4, deadline), "big"), deadline)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass


class WorkerPool:
    """Idle workers kept for reuse; at most ``size`` are kept (the caller bounds concurrency)."""

    def __init__(self, size: int):
        self.size = size
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.kill()
        return _Worker()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if len(self._idle) < self.size:
                self._idle.append(worker)
                return
        worker.kill()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()

    def run(self, *, store_path: Path, query: str, prefixes: dict[str, str], default_graph: list[str] | None,
            named_graphs: list[str] | None, oxigraph_format: str, row_limit: int, time_limit: float) -> QueryAnswer:
        """Run one query; default_graph and named_graphs are IRIs ("" is the store's default graph)."""
        request = json.dumps({
            "store": str(store_path), "query": query, "prefixes": prefixes, "default_graph": default_graph,
            "named_graphs": named_graphs, "format": oxigraph_format, "row_limit": row_limit,
        }).encode()
        deadline = time.monotonic() + time_limit
        worker = self._take()
        try:
            worker.send(request)
            header = json.loads(worker.read_frame(deadline))
            body = worker.read_frame(deadline)
        except TimeoutError:
            worker.kill()
            raise QueryTimeout(f"the query did not finish within the time limit of {time_limit:g} s and was stopped") from None
        except (EOFError, OSError, ValueError) as error:
            worker.kill()
            raise QueryFailed(f"the query worker failed (exit code {worker.process.returncode}): {error or 'no output'}") from None
        except BaseException:
            worker.kill()
            raise
        self._give_back(worker)
        if header["status"] == "error":
            if header["kind"] == "syntax":
                raise QuerySyntaxError(header["message"])
            raise QueryFailed(header["message"])
        return QueryAnswer(body, header["rows"], header["truncated"])


_pools: dict[int, WorkerPool] = {}
_pools_lock = threading.Lock()


def shared_pool(size: int) -> WorkerPool:
    """The process's pool of that size: apps of one process (tests make many) share their workers."""
    with _pools_lock:
        if size not in _pools:
            _pools[size] = WorkerPool(size)
        return _pools[size]


@atexit.register
def _close_pools() -> None:
    for pool in list(_pools.values()):
        pool.close()
