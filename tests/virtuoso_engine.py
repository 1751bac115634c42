"""A throw-away Virtuoso (Debian's ``virtuoso-opensource-7-bin``) for the test suite.

``Virtuoso(folder).start()`` writes ``folder/virtuoso.ini`` with its own database under
``folder/db``, free loopback ports for the SQL server (isql) and for HTTP, a short
``[SPARQL] MaxQueryExecutionTime`` and a large ``ResultSetMaxRows``, and ``folder`` in
``DirsAllowed`` (so that ``ld_dir`` may bulk-load files put there). It starts ``virtuoso-t -f -c
virtuoso.ini`` in a process group of its own, waits (at most ``START_SECONDS``) until ``/sparql``
answers, and lets the anonymous ``SPARQL`` user update (``grant SPARQL_UPDATE``), as the service
needs to write the document graph and the kept runs. ``stop()`` kills the process group and waits
for it; a test process that dies without stopping it takes it along (``PR_SET_PDEATHSIG``). ``reset()`` drops every graph under ``https://w3id.org/dutygraph/`` — a fresh namespace for
the next test module without a new engine.

Nothing here is dutygraph code: it talks to Virtuoso with urllib and ``isql-vt`` only.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

START_SECONDS = 30.0
NAMESPACE = "https://w3id.org/dutygraph/"

INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 20
CheckpointInterval = 60
NumberOfBuffers = 100000
MaxDirtyBuffers = 75000
DirsAllowed = ., {folder}, /usr/share/virtuoso-opensource-7/vad
DefaultIsolation = 2
; the SQL optimizer's search: Virtuoso 7.2 spends ~2 s compiling dutygraph's larger UNION queries
; (an /api resource) with no limit, 0.2 s with these, the plans as good on this small graph
MaxOptimizeLayouts = 100
StopCompilerWhenXOverRunTime = 1

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 20
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
DefaultQuery = ASK {{}}
"""


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when the test process dies, even by SIGKILL (Linux's
    PR_SET_PDEATHSIG; virtuoso-t -f stays in the foreground, so the setting holds for the server)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def installed() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class VirtuosoFailed(RuntimeError):
    pass


class Virtuoso:
    """One Virtuoso server on loopback ports, its files under folder."""

    def __init__(self, folder: Path, *, max_seconds: int = 5, max_rows: int = 1_000_000):
        self.dir = Path(folder)
        self.max_seconds, self.max_rows = max_seconds, max_rows
        self.process: subprocess.Popen | None = None
        self.http_port = self.isql_port = 0

    # -- addresses ---------------------------------------------------------------------------------

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def log_path(self) -> Path:
        return self.dir / "db" / "virtuoso.log"

    def log(self) -> str:
        parts = []
        for path in (self.dir / "virtuoso.out", self.log_path):
            if path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    # -- life --------------------------------------------------------------------------------------

    def start(self, attempts: int = 3) -> "Virtuoso":
        """Start the server (new ports on each attempt: a free port may be taken meanwhile)."""
        for attempt in range(attempts):
            try:
                self._start_once()
                return self
            except VirtuosoFailed:
                self.stop()
                if attempt == attempts - 1:
                    raise
        return self

    def _start_once(self) -> None:
        shutil.rmtree(self.dir / "db", ignore_errors=True)
        (self.dir / "db").mkdir(parents=True)
        self.http_port, self.isql_port = free_port(), free_port()
        while self.isql_port == self.http_port:
            self.isql_port = free_port()
        ini = self.dir / "virtuoso.ini"
        ini.write_text(INI.format(db=self.dir / "db", folder=self.dir, isql_port=self.isql_port,
                                  http_port=self.http_port, max_rows=self.max_rows, max_seconds=self.max_seconds))
        with open(self.dir / "virtuoso.out", "wb") as out:
            self.process = subprocess.Popen(["virtuoso-t", "-f", "-c", str(ini)], cwd=self.dir, stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.process.poll() is not None:
                raise VirtuosoFailed(f"virtuoso-t exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.select("ASK {}", timeout=2) is not None:
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise VirtuosoFailed(f"Virtuoso did not answer on {self.sparql_url} within {START_SECONDS:g} s:\n{self.log()}")
            time.sleep(0.2)
        self.isql('grant SPARQL_UPDATE to "SPARQL";')

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(30)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- talking to it -----------------------------------------------------------------------------

    def isql(self, sql: str, timeout: float = 60) -> str:
        """Run SQL with isql-vt as dba; its output. VirtuosoFailed when isql reports an error."""
        done = subprocess.run(["isql-vt", f"127.0.0.1:{self.isql_port}", "dba", "dba", f"exec={sql}"],
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise VirtuosoFailed(f"isql-vt {sql!r} failed ({done.returncode}): {done.stdout}{done.stderr}")
        return done.stdout

    def select(self, query: str, timeout: float = 30) -> dict:
        """SPARQL JSON results of a query on the anonymous endpoint (over every graph of the engine)."""
        url = self.sparql_url + "?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def update(self, update: str, timeout: float = 60) -> None:
        data = urllib.parse.urlencode({"update": update}).encode()
        request = urllib.request.Request(self.sparql_url, data=data,
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()

    def graphs(self, prefix: str = NAMESPACE) -> list[str]:
        """The engine's graphs (with at least one triple) whose IRI starts with prefix."""
        answer = self.select(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}')
        return sorted(row["g"]["value"] for row in answer["results"]["bindings"])

    def reset(self) -> list[str]:
        """Drop every graph of dutygraph's namespace (the document, the service's facts, kept runs,
        anything a test wrote there); the graphs dropped."""
        dropped = self.graphs()
        if dropped:
            self.update(" ; ".join(f"DROP SILENT GRAPH <{graph}>" for graph in dropped))
        return dropped
