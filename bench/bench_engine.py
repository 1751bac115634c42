"""Benchmark: the embedded Oxigraph store against an external SPARQL engine (Virtuoso 7), 10^6 and 10^7 triples.

    .venv/bin/python bench/bench_engine.py                          # 10^6 and 10^7 triples (about 1.5 h)
    .venv/bin/python bench/bench_engine.py --sizes 1e4,1e5 --repetitions 5   # a quick check

Virtuoso comes from the system (`virtuoso-t`, `isql-vt`, Debian's virtuoso-opensource-7-bin). This
script starts its own instance (its own ini, free loopback ports, a database folder under a
temporary directory, NumberOfBuffers/MaxDirtyBuffers for --buffers-gib GiB at Virtuoso's 85,000
buffers per GiB, the optimizer settings docs/external-engine.md asks for, MaxQueryExecutionTime
3600 s so that no validation query is cut), one fresh instance per size, and stops it (by its pid)
when the size is done. dutygraph reaches it with updates on /sparql-auth (digest, dba).

For each size, in one run, on this machine:

1. records: `dutygraph generate-records` (seed 61, violation rate 2%, 19 years, colleges scaled
   with the size: 300 colleges give 0.93 x 10^6 record triples as in bench_validation.py and
   bench_service.py, 3,000 give 9.3 x 10^6), N-Triples, cached in bench/.cache/. When generated
   in the run (missing, or --fresh-records), its time is a step of the tables (first column).
2. load time. Embedded (a worker process): a pyoxigraph Store on disk, the document graph loaded
   into its default graph as the service does (`Store.load`), the records bulk-loaded into the
   records graph of a run (`Store.bulk_load(path=…, to_graph=…)`, as `runs_store.add_run` does),
   flushed; its size on disk then, and after the compaction RocksDB would run in the background
   (`Store.optimize()`, timed apart, before the questions so that it does not run beside them).
   Virtuoso: the document graph as dutygraph writes it (`dutygraph build --store URL`,
   less `dutygraph build` alone, when that option exists; else the service's start-up path
   `RemoteServiceStore`: `RemoteStore.load` in INSERT DATA requests and the data-version
   statement), then the records with the bulk loader over isql: `ld_dir(dir, file, graph)`,
   `rdf_loader_run()`, `checkpoint`, into the same records graph. That graph is made a kept run (a
   run description written, as the service writes one): the service drops run graphs without one
   when it starts.
3. questions. Every canned question (queries/*.rq, required parameters bound with
   CannedQuery.bind from the example of their `# param:` header): embedded in-process (the
   worker, default graph only, query + reading every solution) against Virtuoso's own answer time
   (direct HTTP: the request RemoteStore sends, POST /sparql, default-graph-uri = the document
   graph, named-graph-uri = none, its text and results format, a new connection each time as
   SPARQLWrapper opens one) and against the service in front of Virtuoso (`dutygraph serve --store
   DIR` with DUTYGRAPH_STORE_URL = Virtuoso's /sparql; GET /sparql, anonymous, SPARQL JSON,
   keep-alive). The time the service adds = its median minus Virtuoso's direct median, per question
   and the median over the questions. Direct and service repetitions alternate. Two analytics
   queries over the records graph (a GROUP BY over every typed record, a FILTER NOT EXISTS
   anti-join) the same ways, through the service as admin (default-graph-uri = the records graph),
   and what the service asks the engine before every logged-in caller's query and at start
   (`RemoteStore.named_graphs()`, `runs_store.list_runs`). Answers are compared with the embedded
   store's (rows, and the values order-free).
4. a full validation. Embedded: `dutygraph validate FILE --format json` in a process of its own
   (time and peak resident memory from wait4); skipped with "not run: needs ~X GiB" when the
   estimate from the largest smaller size (its peak x the records ratio) would pass
   --memory-limit-gib or what the machine has free. On the engine: `dutygraph validate FILE --store
   URL --format json` when `validate` has --store, and POST /validate on the STORE_URL service as
   well up to --post-validate-max records (the upload, the validation and the kept run); without
   --store, POST /validate alone, and it says what is missing. Counts (by severity) are compared.
5. a table per size, the ratio of every step between consecutive sizes (10^7/10^6) flagged when
   it passes --growth-flag x the records ratio (faster than the data), PASS/FAIL against the
   targets (service adds < 5 ms at the median; a full validation of 10^7 on the engine < 5 min;
   no step's time grows faster than the data — and, read strictly, every time above the records'
   ratio itself is listed too; memory and disk sizes are shown and flagged apart, as sizes),
   machine, versions, load average and date.

The phases of one size do not overlap: the embedded worker and the embedded validation run with
no Virtuoso up, and Virtuoso's phase after them, so that no two 10^7 datasets are in memory at once
and the two engines do not share the 2 cores. Every child runs under a watchdog that kills it (its
own process group, by pid) when its resident memory passes --memory-limit-gib or the machine's
available memory falls under 0.75 GiB. Temporary stores and Virtuoso's database are deleted at
the end (--keep keeps them).

For diagnosing the engine: --threads-per-query and --stop-compiler-when-over-run-time set the two
timing-dependent settings of Virtuoso's ini (printed in the run's log), and --query-log writes the
engine validation's query log and keeps its work graph (docs/external-engine.md, Configuration).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_service import (CACHE, HOST, JSON_RESULTS, RATE, SEED, Client, Server,  # noqa: E402
                           canned_questions, dutygraph_command, free_port, median, p90, records_file, say,
                           sparql_path)

XML_RESULTS = "application/sparql-results+xml"
YEARS = 19
TRIPLES_PER_COLLEGE_YEAR = 163  # 929,348 record triples for 300 colleges x 19 years
PLANS = {10_000: (3, YEARS), 100_000: (30, YEARS), 1_000_000: (300, YEARS), 10_000_000: (3000, YEARS)}
RUN_ID = "bench"
LATENCY_TARGET_MS = 5.0
VALIDATION_TARGET_S = 300.0
VALIDATION_TARGET_SIZE = 10_000_000
GIB = 2**30
MIB = 2**20
# The embedded validation's peak in README (bench_validation.py): 1.6 GiB for 929,348 record triples.
README_PEAK = (929_348, 1.6 * GIB)

ANALYTICS = [
    ("GROUP BY: records per class",
     "SELECT ?class (COUNT(?record) AS ?records) WHERE { ?record a ?class } GROUP BY ?class ORDER BY DESC(?records) ?class"),
    ("FILTER NOT EXISTS: meetings without a decision",
     "SELECT (COUNT(?meeting) AS ?meetings) WHERE { ?meeting a dg:SecondaryPartyOrganisationMeeting "
     "FILTER NOT EXISTS { ?decision dg:madeAt ?meeting } }"),
]


# -- machine and processes ------------------------------------------------------------------------

def meminfo(field: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def virtuoso_version() -> str:
    try:
        out = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, timeout=20)
        text = out.stdout + out.stderr
        found = re.search(r"Version (\S+)", text)
        return f"Virtuoso {found.group(1)}" if found else "Virtuoso (version unknown)"
    except (OSError, subprocess.TimeoutExpired):
        return "Virtuoso not found"


def machine() -> list[str]:
    import pyoxigraph
    from importlib.metadata import version

    model = "unknown cpu"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    versions = []
    for name in ("dutygraph", "SPARQLWrapper", "waitress", "flask"):
        try:
            versions.append(f"{name} {version(name)}")
        except Exception:
            versions.append(f"{name} not installed")
    return [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {platform.machine()}, {model}, {os.cpu_count()} cores, {meminfo('MemTotal') / GIB:.1f} GiB memory "
        f"({meminfo('MemAvailable') / GIB:.1f} GiB available now), {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, {virtuoso_version()}, " + ", ".join(versions),
        f"load average now (1, 5, 15 min): {load_average()}",
    ]


def process_tree(root: int) -> list[int]:
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parent.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sorted(tree)


def tree_rss(root: int) -> int:
    page, total = os.sysconf("SC_PAGE_SIZE"), 0
    for pid in process_tree(root):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
    return total


class Watchdog(threading.Thread):
    """Samples the resident memory of a process tree; kills the tree's process group (the child
    was started in a session of its own) past the memory limit, when the machine runs short, or
    past the deadline."""

    FLOOR = int(0.75 * GIB)

    def __init__(self, pid: int, *, limit: float | None, timeout: float | None):
        super().__init__(daemon=True)
        self.pid, self.limit = pid, limit
        self.deadline = time.monotonic() + timeout if timeout else None
        self.peak, self.reason = 0, None
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(0.25):
            rss = tree_rss(self.pid)
            self.peak = max(self.peak, rss)
            if self.limit and rss > self.limit:
                self.kill(f"its memory passed the limit of {self.limit / GIB:.1f} GiB")
            elif meminfo("MemAvailable") < self.FLOOR:
                self.kill(f"the machine had less than {self.FLOOR / GIB:.2f} GiB available (at {rss / GIB:.1f} GiB)")
            elif self.deadline and time.monotonic() > self.deadline:
                self.kill("it passed its time limit")

    def kill(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        self._stop.set()


class LoadSampler(threading.Thread):
    """The machine's 1-minute load average every 5 s (other people's jobs share the 2 cores)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self._stop = threading.Event()

    def run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(5):
                return

    def stop(self) -> str:
        self._stop.set()
        values = self.samples or [os.getloadavg()[0]]
        return f"min {min(values):.2f}, median {median(values):.2f}, max {max(values):.2f} ({len(values)} samples)"


def run_measured(command: list[str], *, stdout: Path, stderr: Path, env: dict | None = None,
                 limit: float | None = None, timeout: float | None = None) -> dict:
    """Run command in a session of its own; its wall time, exit code and peak RSS (wait4)."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, start_new_session=True)
        watchdog = Watchdog(process.pid, limit=limit, timeout=timeout)
        watchdog.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        watchdog.stop()
    return {"seconds": seconds, "code": process.returncode, "peak": usage.ru_maxrss * 1024, "killed": watchdog.reason}


def result_keys(report: dict) -> list[str]:
    """The results of `validate --format json` as sorted "severity shape focus value" lines."""
    return sorted(f"{r.get('severity')} {r.get('shape')} {r.get('focus')} {r.get('value')}" for r in report.get("results", []))


def error_message(log: Path, limit: int = 600) -> str:
    """The first `dutygraph: …` line of a child's stderr (else its last lines), shortened."""
    text = log.read_text(errors="replace").strip() if log.is_file() else ""
    for line in text.splitlines():
        if line.startswith("dutygraph:"):
            return line[:limit] + (" …" if len(line) > limit else "")
    return " | ".join(text.splitlines()[-5:])[-limit:]


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1 << 24), b""):
            count += chunk.count(b"\n")
    return count


# -- answers --------------------------------------------------------------------------------------

def normalised(solutions) -> list:
    """pyoxigraph QuerySolutions (or a boolean) as sorted rows of (variable, value), GROUP_CONCAT
    parts sorted (their order is free), empty strings left out like unbound values (GROUP_CONCAT
    over nothing: Virtuoso gives "", Oxigraph leaves it unbound), for comparing engines' answers;
    lists, so that they survive JSON."""
    import pyoxigraph as ox

    if isinstance(solutions, ox.QueryBoolean):
        return [[["boolean", str(bool(solutions))]]]
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = []
        for name in names:
            term = solution[name]
            if term is None:
                continue
            value = term.value
            if value == "":
                continue  # GROUP_CONCAT over nothing: Virtuoso "", Oxigraph unbound
            for separator in ("; ", "、", ", "):
                if separator in value:
                    value = separator.join(sorted(value.split(separator)))
                    break
            row.append([name, value])
        rows.append(row)
    return sorted(rows)


def timing(values: list[float]) -> dict:
    return {"median": median(values), "p90": p90(values), "n": len(values)}


# -- the embedded worker (a process of its own) ---------------------------------------------------

def embedded_worker(path: str, store_dir: str, repetitions: int, warmup: int, analytics_repetitions: int,
                    with_optional: bool) -> dict:
    import pyoxigraph as ox

    from dutygraph.namespaces import PREFIXES
    from dutygraph.web.runs_store import records_graph
    from dutygraph.web.store_access import _document_ntriples

    document = _document_ntriples()  # built before the clock starts, as for Virtuoso
    store = ox.Store(store_dir)
    start = time.perf_counter()
    store.load(document, format=ox.RdfFormat.N_TRIPLES)  # as ServiceStore._refresh_document
    store.flush()
    document_seconds = time.perf_counter() - start
    graph = ox.NamedNode(records_graph(RUN_ID))
    start = time.perf_counter()
    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)  # as runs_store.add_run
    store.flush()
    records_seconds = time.perf_counter() - start
    loaded_disk = directory_size(Path(store_dir))
    # RocksDB compacts the bulk loader's files in the background (at 10^7, ten batches of 10^6 quads
    # whose key ranges overlap): done here, timed, so that it does not run beside the questions.
    start = time.perf_counter()
    store.optimize()
    optimized = {"seconds": time.perf_counter() - start, "disk_bytes": directory_size(Path(store_dir))}
    default = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[ox.DefaultGraph()],
                                    named_graphs=[])))["n"].value
    held = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[graph],
                                 named_graphs=[])))["n"].value

    def ask(text: str, dataset) -> tuple[float, object]:
        start = time.perf_counter()
        result = store.query(text, prefixes=PREFIXES, default_graph=dataset, named_graphs=[])
        rows = list(result) if isinstance(result, ox.QuerySolutions) else result
        seconds = time.perf_counter() - start
        return seconds, result, rows

    def measure(text: str, dataset, reps: int, warm: int) -> dict:
        times, answer = [], None
        for repetition in range(warm + reps):
            seconds, result, rows = ask(text, dataset)
            if repetition >= warm:
                times.append(seconds)
            if answer is None:
                answer = normalised(store.query(text, prefixes=PREFIXES, default_graph=dataset, named_graphs=[]))
        return timing(times) | {"rows": len(answer), "answer": answer}

    questions = {}
    for q in canned_questions(with_optional):
        questions[q["name"]] = measure(q["text"], [ox.DefaultGraph()], repetitions, warmup)
    analytics = {}
    for label, text in ANALYTICS:
        analytics[label] = measure(text, [graph], analytics_repetitions, 1)
    return {"document_seconds": document_seconds, "records_seconds": records_seconds, "document_triples": int(default),
            "record_triples": int(held), "disk_bytes": loaded_disk, "questions": questions, "analytics": analytics,
            "optimized": optimized}


# -- Virtuoso -------------------------------------------------------------------------------------

class Virtuoso:
    """Our own virtuoso-t: its ini, ports and database under folder; stopped by its pid."""

    def __init__(self, folder: Path, *, buffers_gib: float, allowed: list[Path], after_image_limit: int = 50_000_000,
                 threads_per_query: int | None = None, stop_compiler: int = 1):
        self.folder = folder
        self.threads_per_query = threads_per_query or os.cpu_count() or 2
        self.db = folder / "db"
        self.db.mkdir(parents=True)
        self.sql_port, self.http_port = free_port(), free_port()
        while self.http_port == self.sql_port:
            self.http_port = free_port()
        self.buffers = int(85_000 * buffers_gib)
        self.dirty = int(self.buffers * 0.75)
        dirs = ", ".join(["."] + [str(p) for p in allowed])
        self.ini = folder / "virtuoso.ini"
        self.ini.write_text(f"""[Database]
DatabaseFile = {self.db}/virtuoso.db
ErrorLogFile = {self.db}/virtuoso.log
LockFile = {self.db}/virtuoso.lck
TransactionFile = {self.db}/virtuoso.trx
xa_persistent_file = {self.db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {self.db}/virtuoso-temp.db
TransactionFile = {self.db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {HOST}:{self.sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = {self.buffers}
MaxDirtyBuffers = {self.dirty}
MaxQueryMem = 2G
ThreadsPerQuery = {self.threads_per_query}
AsyncQueueMaxThreads = 10
DirsAllowed = {dirs}
DefaultIsolation = 2
MaxOptimizeLayouts = 100
StopCompilerWhenXOverRunTime = {stop_compiler}
TransactionAfterImageLimit = {after_image_limit}

[HTTPServer]
ServerPort = {HOST}:{self.http_port}
ServerRoot = {folder}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 3600
DefaultQuery = ASK {{}}
""")
        self.log = (folder / "virtuoso-t.log").open("wb")
        self.process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(self.ini)], cwd=folder,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http_port}/sparql"

    @property
    def auth_url(self) -> str:
        return f"http://{HOST}:{self.http_port}/sparql-auth"

    def wait_ready(self, timeout: float = 300) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with code {self.process.returncode}: {self.tail()}")
            try:
                status, _, _ = Client(self.http_port, timeout=5).get("/sparql?" + urlencode({"query": "ASK {}"}),
                                                                     headers={"Accept": XML_RESULTS})
                if status == 200:
                    return time.perf_counter() - start
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"virtuoso-t did not answer within {timeout:.0f} s: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        log = self.db / "virtuoso.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.is_file() else ""

    def isql(self, sql: str, timeout: float = 7200) -> tuple[float, str]:
        start = time.perf_counter()
        done = subprocess.run(["isql-vt", f"{HOST}:{self.sql_port}", "dba", "dba", f"exec={sql}"],
                              capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - start
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt {sql!r} failed ({done.returncode}): {output.strip()[-2000:]}")
        return seconds, output

    def rss(self) -> int:
        return tree_rss(self.process.pid) if self.process.poll() is None else 0

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.isql("checkpoint; shutdown;", timeout=120)
            except Exception:  # noqa: BLE001 - SIGTERM then
                pass
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()
        self.log.close()


def engine_accept() -> str:
    """The results format RemoteStore asks the engine for (SPARQL JSON now; XML in its first version)."""
    from dutygraph import remote_store

    return getattr(remote_store, "RESULTS_JSON", XML_RESULTS)


def engine_text(text: str) -> str:
    """The query text as RemoteStore sends it: its PREFIX lines, then ``engine_query_text`` (FROM
    removed, escapes decoded …) when this dutygraph has it."""
    from dutygraph import remote_store
    from dutygraph.remote_store import NO_GRAPH

    text = prefixed(text)
    rewrite = getattr(remote_store, "engine_query_text", None)
    return rewrite(text, [NO_GRAPH]) if rewrite else text


def engine_post(port: int, text: str, default_graph: str, accept: str | None = None, timeout: float = 3600):
    """The request RemoteStore sends Virtuoso for a query (SPARQLWrapper over urllib: POST,
    form-encoded, a new connection each time, closed after the answer; text as ``engine_text``
    makes it, format as ``engine_accept``): (status, body, response).

    Not a keep-alive connection: on one, Virtuoso's answers of a few tens of KB wait ~40 ms for the
    client's delayed ACK (Nagle), which a closed connection does not (its last segment goes with FIN)."""
    from dutygraph.remote_store import NO_GRAPH

    accept = accept or engine_accept()
    body = urlencode({"query": text, "default-graph-uri": default_graph, "named-graph-uri": NO_GRAPH}).encode()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("POST", "/sparql", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept, "Connection": "close"})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, data, response


def prefixed(text: str) -> str:
    from dutygraph.namespaces import PREFIXES

    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items()) + text


def parse_results(body: bytes, media: str):
    import pyoxigraph as ox

    return ox.parse_query_results(body, format=ox.QueryResultsFormat.XML if "xml" in media else ox.QueryResultsFormat.JSON)


def has_option(command: list[str], option: str) -> bool:
    done = subprocess.run([dutygraph_command()] + command + ["--help"], capture_output=True, text=True)
    return option in done.stdout


# -- one size -------------------------------------------------------------------------------------

def plan_for(size: float) -> tuple[int, int]:
    return PLANS.get(int(size)) or (max(1, round(size / TRIPLES_PER_COLLEGE_YEAR / YEARS)), YEARS)


def size_label(size: float) -> str:
    exponent = math.log10(size) if size > 0 else 0
    return f"10^{exponent:.0f}" if abs(exponent - round(exponent)) < 1e-9 else f"{size:,.0f}"


def estimate_peak(records: int, measured: list[tuple[int, int]]) -> tuple[int, str]:
    smaller = [m for m in measured if m[0] < records]
    if smaller:
        base_records, base_peak = max(smaller)
        basis = f"{base_peak / GIB:.2f} GiB measured at {base_records:,} record triples, x {records / base_records:.1f}"
    else:
        base_records, base_peak = README_PEAK
        basis = f"README's {base_peak / GIB:.1f} GiB at {base_records:,} record triples, x {records / base_records:.2f}"
    return int(base_peak * records / base_records), basis


def memory_verdict(need: int, limit: float) -> str | None:
    """Why a run that needs about `need` bytes must not start now (None: it may)."""
    available = meminfo("MemAvailable")
    if need > limit:
        return f"needs ~{need / GIB:.1f} GiB, more than the limit of {limit / GIB:.0f} GiB (--memory-limit-gib)"
    if need > available - Watchdog.FLOOR:
        return f"needs ~{need / GIB:.1f} GiB, the machine has {available / GIB:.1f} GiB available now"
    return None


def run_size(size: float, args, work: Path, measured_peaks: list[tuple[int, int]]) -> dict:
    sampler = LoadSampler()
    sampler.start()
    try:
        return _run_size(size, args, work, measured_peaks)
    finally:
        load = sampler.stop()
        if _last.get("out") is not None:
            _last["out"]["load"] = load


_last: dict = {}


def _run_size(size: float, args, work: Path, measured_peaks: list[tuple[int, int]]) -> dict:
    colleges, years = plan_for(size)
    label = size_label(size)
    say()
    say(f"== {label}: {colleges} colleges x {years} years ==  (load average {load_average()})")
    path, generated = records_file(colleges, years, fresh=args.fresh_records)
    records = count_lines(path)
    say(f"records: {records:,} triples, {path.stat().st_size / MIB:,.0f} MiB N-Triples, "
        + (f"generated in {generated:.1f} s" if generated is not None else f"cached {path.relative_to(HERE.parent)}"))
    out = {"size": size, "label": label, "colleges": colleges, "years": years, "records": records,
           "file_bytes": path.stat().st_size, "steps": {}, "notes": [], "problems": []}
    _last["out"] = out
    steps = out["steps"]
    if generated is not None:  # a step of either path, told in the first column
        steps["generating the records (generate-records)"] = {"embedded": generated}
    limit = args.memory_limit_gib * GIB

    # 1. embedded: load and questions, in a worker --------------------------------------------------
    store_dir = work / f"oxigraph-{label}"
    command = [sys.executable, str(Path(__file__).resolve()), "--embedded-worker", str(path), str(store_dir),
               str(args.repetitions), str(args.warmup), str(args.analytics_repetitions), "1" if args.with_optional else "0"]
    say(f"embedded: loading and asking in a worker process (load average {load_average()}) …")
    ran = run_measured(command, stdout=work / "embedded.json", stderr=work / "embedded.log", limit=limit,
                       timeout=args.timeout)
    shutil.rmtree(store_dir, ignore_errors=True)
    if ran["code"] != 0:
        raise SystemExit(f"the embedded worker failed ({ran['code']}, {ran['killed'] or 'not killed'}):\n"
                         + (work / "embedded.log").read_text(errors="replace")[-3000:])
    embedded = json.loads((work / "embedded.json").read_text())
    out["embedded"] = embedded | {"worker_peak": ran["peak"]}
    steps["load: records (bulk)"] = {"embedded": embedded["records_seconds"]}
    steps["load: document graph"] = {"embedded": embedded["document_seconds"]}
    say(f"embedded: document {embedded['document_triples']:,} triples in {embedded['document_seconds']:.2f} s, records "
        f"{embedded['record_triples']:,} triples bulk-loaded in {embedded['records_seconds']:.1f} s, store "
        f"{embedded['disk_bytes'] / MIB:,.0f} MiB on disk, {embedded['optimized']['disk_bytes'] / MIB:,.0f} MiB "
        f"compacted; worker peak {ran['peak'] / GIB:.2f} GiB")
    optimized = embedded["optimized"]
    out["notes"].append(f"embedded store after the bulk load: {embedded['disk_bytes'] / MIB:,.0f} MiB on disk; "
                        f"its compaction (Store.optimize(), before the questions; RocksDB does it in the background "
                        f"otherwise) took {seconds_text(optimized['seconds'])} and left {optimized['disk_bytes'] / MIB:,.0f} MiB "
                        "(Oxigraph's RocksDB leaves levels 0 and 1 uncompressed, the bulk loader's files are LZ4)")
    if embedded["record_triples"] != records:
        out["problems"].append(f"embedded store holds {embedded['record_triples']:,} record triples, the file {records:,}")

    # 2. embedded: a full validation ----------------------------------------------------------------
    need, basis = estimate_peak(records, measured_peaks)
    refused = None if args.skip_embedded_validation else memory_verdict(need, limit)
    if args.skip_embedded_validation:
        out["embedded_validation"] = {"not_run": "--skip-embedded-validation"}
    elif refused:
        out["embedded_validation"] = {"not_run": f"{refused} ({basis})"}
    else:
        say(f"embedded: dutygraph validate --format json (memory estimate ~{need / GIB:.1f} GiB; "
            f"load average {load_average()}) …")
        report = work / "embedded-report.json"
        ran = run_measured([dutygraph_command(), "validate", str(path), "--format", "json", "--output", str(report)],
                           stdout=work / "validate.out", stderr=work / "validate.log", limit=limit, timeout=args.timeout)
        if ran["killed"] or ran["code"] not in (0, 1):
            out["embedded_validation"] = {"not_run": f"stopped: {ran['killed']}" if ran["killed"] else
                                          f"failed ({ran['code']}): " + error_message(work / "validate.log"),
                                          "seconds": ran["seconds"], "peak": ran["peak"]}
        else:
            result = json.loads(report.read_text())
            out["embedded_validation"] = {"seconds": ran["seconds"], "peak": ran["peak"], "counts": result["counts"],
                                          "results": len(result["results"]), "keys": result_keys(result)}
            measured_peaks.append((records, ran["peak"]))
            report.unlink()
    ev = out["embedded_validation"]
    say("embedded validation: " + (f"{ev['seconds']:.1f} s, peak {ev['peak'] / GIB:.2f} GiB, counts {ev['counts']}"
                                   if "counts" in ev else f"not run: {ev['not_run']}"))

    # 3. Virtuoso ----------------------------------------------------------------------------------
    say(f"Virtuoso: starting our own instance (NumberOfBuffers {int(85_000 * args.buffers_gib):,}, "
        f"{args.buffers_gib:g} GiB; TransactionAfterImageLimit {int(args.after_image_limit):,} bytes; "
        f"ThreadsPerQuery {args.threads_per_query or os.cpu_count() or 2}; "
        f"StopCompilerWhenXOverRunTime {args.stop_compiler_when_over_run_time}; "
        f"load average {load_average()}) …")
    virtuoso = Virtuoso(work / f"virtuoso-{label}", buffers_gib=args.buffers_gib, allowed=[path.parent, work],
                        after_image_limit=int(args.after_image_limit), threads_per_query=args.threads_per_query,
                        stop_compiler=args.stop_compiler_when_over_run_time)
    servers: list[Server] = []
    try:
        ready = virtuoso.wait_ready()
        say(f"Virtuoso: {virtuoso.url} up in {ready:.1f} s (isql port {virtuoso.sql_port}, pid {virtuoso.process.pid})")
        out["virtuoso"] = engine_phase(path, records, label, args, work, virtuoso, out, measured_peaks, servers)
    finally:
        for server in servers:
            server.stop()
        out["virtuoso_rss"] = virtuoso.rss()
        virtuoso.stop()
        if not args.keep:
            shutil.rmtree(virtuoso.folder, ignore_errors=True)
            shutil.rmtree(work / f"service-store-{label}", ignore_errors=True)
    gv = out["virtuoso"].get("validation", {})
    pv = out["virtuoso"].get("validation_post", {})
    steps["full validation"] = {"embedded": ev.get("seconds") if "counts" in ev else None,
                                "virtuoso": gv.get("seconds") if "counts" in gv else None,
                                "service": pv.get("seconds") if "counts" in pv else None}
    out["memory"] = {"full validation: peak memory": {"embedded": ev.get("peak") if "counts" in ev else None,
                                                      "virtuoso": gv.get("peak") if "counts" in gv else None,
                                                      "service": pv.get("peak") if "counts" in pv else None},
                     "embedded worker (load + questions): peak memory": {"embedded": out["embedded"]["worker_peak"]},
                     "store on disk (after the bulk load)": {"embedded": out["embedded"]["disk_bytes"],
                                                             "virtuoso": out["virtuoso"].get("disk_bytes")},
                     "store on disk (compacted)": {"embedded": out["embedded"]["optimized"]["disk_bytes"]}}
    return out


def engine_phase(path: Path, records: int, label: str, args, work: Path, virtuoso: Virtuoso, out: dict,
                 measured_peaks: list[tuple[int, int]], servers: list[Server]) -> dict:
    from dutygraph.remote_store import DOCUMENT_GRAPH, RemoteStore
    from dutygraph.web import store_access
    from dutygraph.web.runs_store import Run, description_quads, records_graph

    steps = out["steps"]
    result: dict = {}
    graph = records_graph(RUN_ID)
    credentials = {"update_url": virtuoso.auth_url, "user": "dba", "password": "dba"}
    remote = RemoteStore(virtuoso.url, **credentials, timeout=3600)
    service_dir = work / f"service-store-{label}"

    # the document graph, as dutygraph writes it
    if has_option(["build"], "--store"):
        env = dict(os.environ, DUTYGRAPH_STORE_UPDATE_URL=virtuoso.auth_url, DUTYGRAPH_STORE_USER="dba",
                   DUTYGRAPH_STORE_PASSWORD="dba")
        timed = {}
        for key, extra in (("build", []), ("build --store", ["--store", virtuoso.url])):
            ran = run_measured([dutygraph_command(), "build", "--output-dir", str(work / "build")] + extra,
                               stdout=work / "build.out", stderr=work / "build.log", env=env, timeout=args.timeout)
            if ran["code"] != 0:
                raise SystemExit(f"dutygraph {key} failed: " + (work / "build.log").read_text(errors="replace")[-2000:])
            timed[key] = ran["seconds"]
        shutil.rmtree(work / "build", ignore_errors=True)
        document_seconds = max(0.0, timed["build --store"] - timed["build"])
        how = (f"`dutygraph build --store URL` ({timed['build --store']:.2f} s) less `dutygraph build` alone "
               f"({timed['build']:.2f} s: building the graph from its sources, which the embedded figure leaves out)")
        out["notes"].append(f"document graph on Virtuoso: {how}")
    else:
        how = ("the service's start-up path (RemoteServiceStore.refresh_document: RemoteStore.load, INSERT DATA of "
               f"{__import__('dutygraph.remote_store', fromlist=['x']).INSERT_CHUNK} triples a request, then the "
               "data-version statement; `dutygraph build` has no --store); the N-Triples built before the clock starts")
        document = store_access._document_ntriples()
        original = store_access._document_ntriples
        store_access._document_ntriples = lambda: document
        try:
            start = time.perf_counter()
            store_access.RemoteServiceStore(service_dir, virtuoso.url, **credentials)
            document_seconds = time.perf_counter() - start
        finally:
            store_access._document_ntriples = original
    steps["load: document graph"]["virtuoso"] = document_seconds
    direct = virtuoso.http_port

    def count(graph_iri: str) -> int:
        status, body, _ = engine_post(direct, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", graph_iri)
        if status != 200:
            raise RuntimeError(f"Virtuoso answered {status}: {body[:500]!r}")
        return int(next(iter(parse_results(body, engine_accept())))["n"].value)

    document_triples = count(DOCUMENT_GRAPH)
    say(f"Virtuoso: document graph {document_triples:,} triples in {document_seconds:.2f} s, via {how}")
    if document_triples != out["embedded"]["document_triples"]:
        out["problems"].append(f"document graph: Virtuoso holds {document_triples:,} triples, embedded "
                               f"{out['embedded']['document_triples']:,}")

    # the records, with the bulk loader
    say(f"Virtuoso: ld_dir + rdf_loader_run() + checkpoint of {path.name} into <{graph}> (load average {load_average()}) …")
    listed, _ = virtuoso.isql(f"ld_dir('{path.parent}', '{path.name}', '{graph}');")
    loaded, _ = virtuoso.isql("rdf_loader_run();")
    checkpointed, _ = virtuoso.isql("checkpoint;")
    _, states = virtuoso.isql("SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_state <> 2 OR ll_error IS NOT NULL;")
    unfinished = re.search(r"_{10,}\s+(\d+)", states)
    if unfinished is None or unfinished.group(1) != "0":
        _, listing = virtuoso.isql("SELECT ll_file, ll_state, ll_error FROM DB.DBA.load_list;")
        out["problems"].append(f"Virtuoso's bulk load did not finish cleanly: {listing.strip()[-800:]}")
    bulk = listed + loaded + checkpointed
    result["disk_bytes"] = directory_size(virtuoso.db)
    steps["load: records (bulk)"]["virtuoso"] = bulk
    held = count(graph)
    say(f"Virtuoso: records {held:,} triples in {bulk:.1f} s (ld_dir {listed:.2f} s, rdf_loader_run {loaded:.1f} s, "
        f"checkpoint {checkpointed:.1f} s); database {directory_size(virtuoso.db) / MIB:,.0f} MiB on disk, "
        f"virtuoso-t {virtuoso.rss() / GIB:.2f} GiB resident")
    if held != records:
        out["problems"].append(f"Virtuoso holds {held:,} record triples, the file {records:,} "
                               "(Virtuoso merges duplicate triples; the embedded store too)")

    # a kept run's description, so that the service keeps the graph (it drops undescribed run graphs)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = Run(id=RUN_ID, owner="bench", label="bench_engine.py: bulk-loaded, not validated", started=now, ended=now,
              engine="none", conforms=False, years=[], counts={}, record_triples=records)
    remote.extend(description_quads(run, {}))

    # the service in front of Virtuoso
    token = secrets.token_urlsafe(32)
    env = dict(os.environ, DUTYGRAPH_STORE_URL=virtuoso.url, DUTYGRAPH_STORE_UPDATE_URL=virtuoso.auth_url,
               DUTYGRAPH_STORE_USER="dba", DUTYGRAPH_STORE_PASSWORD="dba", DUTYGRAPH_ADMIN_TOKEN=token,
               DUTYGRAPH_UPLOAD_MAX_BYTES=str(8 * GIB), DUTYGRAPH_VALIDATION_TIME_LIMIT=str(int(args.timeout)))
    env.pop("DUTYGRAPH_STORE_DIR", None)
    port = free_port()
    service = Server("dutygraph serve", [dutygraph_command(), "serve", "--host", HOST, "--port", str(port),
                                         "--store", str(service_dir)], port, work / f"serve-{label}.log", env=env, cwd=work)
    servers.append(service)
    started = service.wait_ready(sparql_path("ASK {}"), timeout=600)
    steps["service start over the data"] = {"virtuoso": started}
    say(f"dutygraph serve: http://{HOST}:{port}/ on STORE_URL {virtuoso.url}, up in {started:.1f} s "
        "(polled every 0.25 s; it lists the engine's run graphs and drops undescribed ones at start)")
    admin = {"Authorization": f"Bearer {token}"}
    front = Client(port, timeout=3600)
    status, body, _ = front.get("/runs", headers=admin | {"Accept": "application/json"})
    runs = json.loads(body)["runs"] if status == 200 else []
    if not any(r["id"] == RUN_ID for r in runs):
        out["problems"].append(f"the service does not list the bench run (GET /runs: {status})")

    # canned questions: Virtuoso direct against the service
    questions = canned_questions(args.with_optional)
    say(f"questions: {len(questions)} canned, {args.repetitions} timed repetitions after {args.warmup} untimed, "
        "direct and through the service alternating (load average {})…".format(load_average()))
    per_question = {}
    for q in questions:
        text = engine_text(q["text"])
        times = {"direct": [], "service": []}
        answers = {}
        for repetition in range(args.warmup + args.repetitions):
            timed = repetition >= args.warmup
            start = time.perf_counter()
            status, body, response = engine_post(direct, text, DOCUMENT_GRAPH)
            elapsed = time.perf_counter() - start
            if status != 200:
                out["problems"].append(f"{q['name']}: Virtuoso answered {status}: {body[:300].decode(errors='replace')}")
                break
            if timed:
                times["direct"].append(elapsed)
            if "direct" not in answers:
                answers["direct"] = normalised(parse_results(body, engine_accept()))
                if response.getheader("X-SQL-State"):
                    out["problems"].append(f"{q['name']}: Virtuoso's answer is partial (X-SQL-State "
                                           f"{response.getheader('X-SQL-State')}: {response.getheader('X-SQL-Message')})")
            start = time.perf_counter()
            status, body, _ = front.get(q["sparql"], headers={"Accept": JSON_RESULTS})
            elapsed = time.perf_counter() - start
            if status != 200:
                out["problems"].append(f"{q['name']}: the service answered {status}: {body[:300].decode(errors='replace')}")
                break
            if timed:
                times["service"].append(elapsed)
            if "service" not in answers:
                answers["service"] = normalised(parse_results(body, JSON_RESULTS))
        emb = out["embedded"]["questions"][q["name"]]
        entry = {"embedded": emb["median"], "virtuoso": median(times["direct"]), "service": median(times["service"]),
                 "virtuoso_p90": p90(times["direct"]), "service_p90": p90(times["service"]), "rows": emb["rows"]}
        entry["added"] = entry["service"] - entry["virtuoso"]
        entry["same"] = compare(emb, answers)
        per_question[q["name"]] = entry
        steps[f"q {q['name']}"] = {"embedded": emb["median"], "virtuoso": entry["virtuoso"], "service": entry["service"]}
    result["questions"] = per_question

    # analytics over the records
    per_query = {}
    for name, text in ANALYTICS:
        times = {"direct": [], "service": []}
        answers = {}
        began = time.perf_counter()
        for repetition in range(1 + args.analytics_repetitions):
            if repetition > 3 and time.perf_counter() - began > args.budget:
                out["notes"].append(f"{name}: {repetition - 1} timed repetitions (the --budget of {args.budget:g} s)")
                break
            start = time.perf_counter()
            status, body, _ = engine_post(direct, engine_text(text), graph)
            elapsed = time.perf_counter() - start
            if status != 200:
                out["problems"].append(f"{name}: Virtuoso answered {status}: {body[:300].decode(errors='replace')}")
                break
            if repetition:
                times["direct"].append(elapsed)
            answers.setdefault("direct", normalised(parse_results(body, engine_accept())))
            start = time.perf_counter()
            status, body, _ = front.get("/sparql?" + urlencode({"query": text, "default-graph-uri": graph}),
                                        headers=admin | {"Accept": JSON_RESULTS})
            elapsed = time.perf_counter() - start
            if status != 200:
                out["problems"].append(f"{name}: the service answered {status}: {body[:300].decode(errors='replace')}")
                break
            if repetition:
                times["service"].append(elapsed)
            answers.setdefault("service", normalised(parse_results(body, JSON_RESULTS)))
        emb = out["embedded"]["analytics"][name]
        entry = {"embedded": emb["median"], "virtuoso": median(times["direct"]), "service": median(times["service"]),
                 "rows": emb["rows"]}
        entry["added"] = entry["service"] - entry["virtuoso"]
        entry["same"] = compare(emb, answers)
        per_query[name] = entry
        steps[f"a {name}"] = {"embedded": emb["median"], "virtuoso": entry["virtuoso"], "service": entry["service"]}
    result["analytics"] = per_query
    front.close()

    # what the service asks the engine before a logged-in caller's query (readable runs), and at start
    from dutygraph.web.runs_store import list_runs

    for name, call in (("RemoteStore.named_graphs()", remote.named_graphs), ("runs_store.list_runs(RemoteStore)",
                                                                             lambda: list_runs(remote))):
        times = []
        began = time.perf_counter()
        for repetition in range(1 + args.analytics_repetitions):
            if repetition > 3 and time.perf_counter() - began > args.budget:
                out["notes"].append(f"{name}: {repetition - 1} timed repetitions (the --budget of {args.budget:g} s)")
                break
            start = time.perf_counter()
            call()
            if repetition:
                times.append(time.perf_counter() - start)
        steps[f"s {name}"] = {"virtuoso": median(times)}

    # a full validation on the engine
    result["validation"], post = engine_validation(path, records, label, args, work, virtuoso, service, token, out,
                                                   measured_peaks)
    if post is not None:
        result["validation_post"] = post
    return result


def compare(embedded: dict, answers: dict) -> str:
    verdicts = []
    for way, rows in answers.items():
        if len(rows) != embedded["rows"]:
            verdicts.append(f"{way}: {len(rows)} rows, embedded {embedded['rows']}")
        elif rows != embedded["answer"]:
            differing = [(a, b) for a, b in zip(embedded["answer"], rows) if a != b]
            first = [(k, v) for k, v in differing[0][1] if [k, v] not in differing[0][0]] if differing else []
            verdicts.append(f"{way}: values differ in {len(differing)} rows, e.g. {first[:2]}")
    if len(answers) < 2:
        verdicts.append("not every way answered")
    return "same" if not verdicts else "; ".join(verdicts)


def service_validates_on_engine() -> bool:
    """Whether this dutygraph's POST /validate on a STORE_URL service validates on the engine (its
    worker writes the records there: ``records_in_store``) rather than on an in-memory Oxigraph store."""
    import inspect

    from dutygraph.web import validation_worker

    return "records_in_store" in inspect.getsource(validation_worker)


def engine_validation(path: Path, records: int, label: str, args, work: Path, virtuoso: Virtuoso, service: Server,
                      token: str, out: dict, measured_peaks) -> tuple[dict, dict | None]:
    """(the validation on the engine, POST /validate measured besides it or None)."""
    limit = args.memory_limit_gib * GIB
    if args.skip_engine_validation:
        return {"not_run": "--skip-engine-validation", "missing": []}, None
    missing = []
    if not service_validates_on_engine():
        missing.append("validation on the engine behind POST /validate (its worker validates on an in-memory Oxigraph "
                       "store, then writes the run to the engine)")
    if not has_option(["validate"], "--store"):
        missing.insert(0, "`dutygraph validate FILE --store URL` (validate has no --store option)")
        post = post_validate(path, records, args, work, virtuoso, service, token, measured_peaks, None)
        return post | {"missing": missing}, None
    say(f"engine validation: dutygraph validate FILE --store {virtuoso.url} --format json (load average {load_average()}) …")
    report = work / "engine-report.json"
    env = dict(os.environ, DUTYGRAPH_STORE_UPDATE_URL=virtuoso.auth_url, DUTYGRAPH_STORE_USER="dba",
               DUTYGRAPH_STORE_PASSWORD="dba", DUTYGRAPH_STORE_TIMEOUT=str(int(args.timeout)))
    if args.query_log:
        env |= {"DUTYGRAPH_ENGINE_QUERY_LOG": str(work / f"engine-queries-{label}.jsonl"),
                "DUTYGRAPH_ENGINE_KEEP_WORK_GRAPH": "1"}
        say(f"engine validation: query log {work / f'engine-queries-{label}.jsonl'}, work graph kept")
    watch_virtuoso = Watchdog(virtuoso.process.pid, limit=None, timeout=None)
    watch_virtuoso.start()
    ran = run_measured([dutygraph_command(), "validate", str(path), "--store", virtuoso.url, "--format", "json",
                        "--output", str(report)], stdout=work / "engine-validate.out",
                       stderr=work / "engine-validate.log", env=env, limit=limit, timeout=args.timeout)
    watch_virtuoso.stop()
    if ran["killed"] or ran["code"] not in (0, 1):
        cli = {"not_run": (f"stopped after {ran['seconds']:.0f} s: {ran['killed']}" if ran["killed"] else
                           f"failed ({ran['code']}) after {ran['seconds']:.0f} s: "
                           + error_message(work / "engine-validate.log")),
               "missing": missing, "how": "dutygraph validate FILE --store URL"}
    else:
        result = json.loads(report.read_text())
        report.unlink()
        cli = {"seconds": ran["seconds"], "peak": ran["peak"], "engine_peak": watch_virtuoso.peak,
               "counts": result["counts"], "how": "dutygraph validate FILE --store URL", "missing": missing,
               "on_engine": True, "keys": result_keys(result)}
    post = None
    if records <= args.post_validate_max:
        post = post_validate(path, records, args, work, virtuoso, service, token, measured_peaks, cli.get("peak"))
    return cli, post


def post_validate(path: Path, records: int, args, work: Path, virtuoso: Virtuoso, service: Server, token: str,
                  measured_peaks, measured_peak: int | None) -> dict:
    """POST /validate of the records to the STORE_URL service: time, the service tree's peak memory, counts."""
    limit = args.memory_limit_gib * GIB
    on_engine = service_validates_on_engine()
    how = f"POST /validate on the STORE_URL service ({'on the engine' if on_engine else 'in-memory Oxigraph in its worker'})"
    if measured_peak is not None:
        need, basis = measured_peak, f"the CLI's peak on the engine, {measured_peak / GIB:.2f} GiB"
    else:
        need, basis = estimate_peak(records, measured_peaks)
    need += 2 * path.stat().st_size + virtuoso.rss()  # the service holds the upload; Virtuoso stays up
    refused = memory_verdict(need, limit)
    if refused:
        return {"not_run": f"POST /validate {refused} (the worker: {basis}; plus the upload held by the service and "
                           "Virtuoso's memory)", "how": how}
    say(f"POST /validate of {path.stat().st_size / MIB:,.0f} MiB to the STORE_URL service, {how} "
        f"(memory estimate ~{need / GIB:.1f} GiB; load average {load_average()}) …")
    client = Client(service.port, timeout=args.post_validate_timeout + 60)
    watchdog = Watchdog(service.process.pid, limit=limit, timeout=args.post_validate_timeout)
    watch_virtuoso = Watchdog(virtuoso.process.pid, limit=None, timeout=None)
    watchdog.start()
    watch_virtuoso.start()
    try:
        with path.open("rb") as body:
            start = time.perf_counter()
            try:
                status, answer, _ = client.request("POST", "/validate?" + urlencode({"label": "bench_engine"}), body=body,
                                                   headers={"Authorization": f"Bearer {token}",
                                                            "Content-Type": "application/n-triples",
                                                            "Content-Length": str(path.stat().st_size),
                                                            "Accept": "application/json"})
            except OSError as error:
                status, answer = type(error).__name__, str(error).encode()
            seconds = time.perf_counter() - start
    finally:
        watchdog.stop()
        watch_virtuoso.stop()
        client.close()
    if status != 201:
        return {"not_run": f"POST /validate answered {status} after {seconds:.0f} s"
                           + (f" (stopped: {watchdog.reason})" if watchdog.reason else "")
                           + f": {answer[:500].decode(errors='replace')}", "how": how}
    report = json.loads(answer)
    run = report["run"]
    from dutygraph.web.runs_store import records_graph

    status, body, _ = engine_post(virtuoso.http_port, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", records_graph(run["id"]))
    kept = int(next(iter(parse_results(body, engine_accept())))["n"].value) if status == 200 else None
    return {"seconds": seconds, "peak": watchdog.peak, "engine_peak": watch_virtuoso.peak, "counts": report["counts"],
            "how": how, "on_engine": on_engine, "kept_records": kept}


# -- the report -----------------------------------------------------------------------------------

def seconds_text(value) -> str:
    if value is None or value != value:
        return "—"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def print_size(result: dict) -> None:
    say()
    say(f"== {result['label']}: {result['records']:,} record triples ({result['colleges']} colleges x {result['years']} "
        f"years, {result['file_bytes'] / MIB:,.0f} MiB N-Triples) ==")
    steps = result["steps"]
    say(f"{'step':<56} {'embedded':>11} {'Virtuoso':>11} {'service':>11} {'added':>9}  answers")
    v = result.get("virtuoso", {})
    for name in ordered(steps):
        values = steps[name]
        extra, added, same = "", "", ""
        if name.startswith("q "):
            entry = v.get("questions", {}).get(name[2:], {})
            added = f"{entry.get('added', float('nan')) * 1000:.2f}" if entry else ""
            same = f"{entry.get('rows', '?')} rows, {entry.get('same', '?')}" if entry else ""
        elif name.startswith("a "):
            entry = v.get("analytics", {}).get(name[2:], {})
            added = f"{entry.get('added', float('nan')) * 1000:.2f}" if entry else ""
            same = f"{entry.get('rows', '?')} rows, {entry.get('same', '?')}" if entry else ""
        say(f"{name:<56} {seconds_text(values.get('embedded')):>11} {seconds_text(values.get('virtuoso')):>11} "
            f"{seconds_text(values.get('service')):>11} {added:>9}  {same}{extra}")
    questions = v.get("questions", {})
    if questions:
        added = [q["added"] for q in questions.values() if q["added"] == q["added"]]
        m = median(added)
        worst = max(questions.items(), key=lambda item: item[1]["added"] if item[1]["added"] == item[1]["added"] else -1)
        say(f"{'median over the ' + str(len(questions)) + ' canned questions':<56} "
            f"{seconds_text(median([q['embedded'] for q in questions.values()])):>11} "
            f"{seconds_text(median([q['virtuoso'] for q in questions.values()])):>11} "
            f"{seconds_text(median([q['service'] for q in questions.values()])):>11} {m * 1000:>9.2f}  "
            f"(largest added: {worst[0]}, {worst[1]['added'] * 1000:.2f} ms)")
    ev = result["embedded_validation"]
    gv = v.get("validation", {})
    pv = v.get("validation_post", {})

    def gib(entry: dict) -> str:
        return format(entry["peak"] / GIB, ".2f") if "counts" in entry else "—"

    say(f"{'full validation: peak memory (GiB; service: its process tree)':<56} {gib(ev):>11} {gib(gv):>11} {gib(pv):>11}"
        + (f"   (virtuoso-t during it: {gv['engine_peak'] / GIB:.2f} GiB)" if gv.get("engine_peak") else ""))
    if "counts" in ev:
        say(f"  embedded validation (dutygraph validate FILE): counts {ev['counts']}")
    else:
        say(f"  embedded validation not run: {ev['not_run']}")
    for entry in (gv, pv):
        if not entry:
            continue
        if "counts" in entry:
            same = "the same counts as embedded" if "counts" in ev and ev["counts"] == entry["counts"] else (
                f"DIFFERENT counts from embedded {ev.get('counts')}" if "counts" in ev else "(no embedded run to compare)")
            say(f"  {entry['how']}: {entry['seconds']:.1f} s, counts {entry['counts']}: {same}"
                + (f"; the kept run's records graph on Virtuoso: {entry['kept_records']:,} triples"
                   if entry.get("kept_records") else ""))
            if not entry.get("on_engine"):
                say("    (not a validation on the engine: the shapes ran on Oxigraph in the service's worker)")
            if "keys" in entry and "keys" in ev and entry["keys"] != ev["keys"]:
                ours, theirs = set(ev["keys"]), set(entry["keys"])
                for title, items in (("only embedded", sorted(ours - theirs)), ("only on the engine", sorted(theirs - ours))):
                    if items:
                        say(f"    {title} ({len(items)}): " + "; ".join(items[:3]) + (" …" if len(items) > 3 else ""))
        else:
            say(f"  {entry.get('how', 'engine-side validation')} not run: {entry.get('not_run')}")
    for item in gv.get("missing", []):
        say(f"  missing: {item}")
    e = result["embedded"]
    say(f"  embedded worker peak {e['worker_peak'] / GIB:.2f} GiB (load + questions); store {e['disk_bytes'] / MIB:,.0f} MiB "
        f"({e['optimized']['disk_bytes'] / MIB:,.0f} MiB compacted); "
        f"virtuoso-t resident at the end {result.get('virtuoso_rss', 0) / GIB:.2f} GiB")
    say(f"  load average (1 min) while this size ran: {result.get('load', '?')} on {os.cpu_count()} cores")
    for note in result["notes"]:
        say(f"  note: {note}")
    for problem in result["problems"]:
        say(f"  PROBLEM: {problem}")


def ordered(steps: dict) -> list[str]:
    """The steps, the full validation last."""
    return [k for k in steps if k != "full validation"] + [k for k in steps if k == "full validation"]


def growth(results: list[dict], flag: float) -> dict[str, list[str]]:
    """Ratios of every step between consecutive sizes. Returned: the times flagged as growing faster
    than the data ("times": above ``flag`` x the records' ratio; "strict": above the ratio itself)
    and the memory and disk sizes flagged ("sizes", not times: not in the target)."""
    found = {"times": [], "strict": [], "sizes": []}
    for small, large in zip(results, results[1:]):
        data = large["records"] / small["records"]
        say()
        say(f"== growth {large['label']}/{small['label']}: records x {data:.2f}; << marks a step that grows more than "
            f"{flag:g} x that (x {flag * data:.1f}): faster than the data ==")
        say(f"{'step':<56} {'embedded':>9} {'Virtuoso':>9} {'service':>9}")
        for table in ("steps", "memory"):
            if table == "memory":
                say("sizes (memory, disk; not times):")
            for name in ordered(large[table]):
                values = large[table][name]
                cells = []
                for way in ("embedded", "virtuoso", "service"):
                    big, little = values.get(way), small[table].get(name, {}).get(way)
                    if big is None or little is None or little != little or big != big or little <= 0:
                        cells.append(f"{'—':>9}")
                        continue
                    ratio = big / little
                    mark = "<<" if ratio > flag * data else ""
                    item = f"{name} ({way}): x {ratio:.1f} for x {data:.1f} the records"
                    if mark:
                        found["times" if table == "steps" else "sizes"].append(item)
                    if table == "steps" and ratio > data:
                        found["strict"].append(item)
                    cells.append(f"{ratio:>7.2f}{mark:2}")
                say(f"{name:<56} " + " ".join(cells))
    return found


def verdicts(results: list[dict], flagged: dict[str, list[str]], single: bool) -> None:
    say()
    say("== targets ==")
    for result in results:
        questions = result.get("virtuoso", {}).get("questions", {})
        added = [q["added"] for q in questions.values() if q["added"] == q["added"]]
        if added:
            m = median(added) * 1000
            say(f"service in front of Virtuoso adds < {LATENCY_TARGET_MS:g} ms at the median ({result['label']}): "
                f"{m:.2f} ms: {'PASS' if m < LATENCY_TARGET_MS else 'FAIL'}")
    target = [r for r in results if int(r["size"]) == VALIDATION_TARGET_SIZE]
    if not target:
        say(f"full validation of {size_label(VALIDATION_TARGET_SIZE)} on the engine < {VALIDATION_TARGET_S / 60:g} min: "
            f"NOT MEASURED ({size_label(VALIDATION_TARGET_SIZE)} not among --sizes)")
    else:
        gv = target[0].get("virtuoso", {}).get("validation", {})
        if "counts" in gv and gv.get("on_engine"):
            say(f"full validation of {size_label(VALIDATION_TARGET_SIZE)} on the engine < {VALIDATION_TARGET_S / 60:g} min: "
                f"{gv['seconds']:.0f} s: {'PASS' if gv['seconds'] < VALIDATION_TARGET_S else 'FAIL'}")
        else:
            why = gv.get("not_run") or (f"only {gv['how']} exists, measured at {gv['seconds']:.0f} s" if "counts" in gv else "?")
            say(f"full validation of {size_label(VALIDATION_TARGET_SIZE)} on the engine < {VALIDATION_TARGET_S / 60:g} min: "
                f"NOT MEASURED: {why}")
            for item in gv.get("missing", []):
                say(f"  missing: {item}")
    for result in results:
        ev = result["embedded_validation"]
        for key in ("validation", "validation_post"):
            entry = result.get("virtuoso", {}).get(key)
            if entry and "counts" in entry and "counts" in ev:
                say(f"same counts, embedded and {entry['how']} ({result['label']}): "
                    f"{'yes' if entry['counts'] == ev['counts'] else 'NO: ' + str(ev['counts']) + ' vs ' + str(entry['counts'])}")
    if single:
        say("no step grows faster than the data: NOT MEASURED (one size only)")
        return
    if flagged["times"]:
        say(f"no step grows faster than the data (times, --growth-flag x the data): FAIL ({len(flagged['times'])} step(s)):")
        for item in flagged["times"]:
            say(f"  {item}")
    else:
        say("no step grows faster than the data (times, --growth-flag x the data): PASS")
    say(f"  read strictly (any ratio above the records' own): {len(flagged['strict'])} time(s)"
        + (":" if flagged["strict"] else ""))
    for item in flagged["strict"]:
        say(f"    {item}")
    if flagged["sizes"]:
        say(f"  sizes (not times, not the target) growing faster than the data: {len(flagged['sizes'])}:")
        for item in flagged["sizes"]:
            say(f"    {item}")


# -- main -----------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e6,1e7", help="record triples, comma-separated (default 1e6,1e7)")
    parser.add_argument("--fresh-records", action="store_true",
                        help="generate the records again though cached, and time it (a step of the growth table)")
    parser.add_argument("--repetitions", type=int, default=20, help="timed repetitions per canned question and way")
    parser.add_argument("--warmup", type=int, default=3, help="untimed repetitions first")
    parser.add_argument("--analytics-repetitions", type=int, default=10, help="timed repetitions per analytics query")
    parser.add_argument("--budget", type=float, default=120,
                        help="seconds after which an analytics query stops repeating (after 3 timed repetitions)")
    parser.add_argument("--with-optional", action="store_true", help="bind optional parameters too (their example)")
    parser.add_argument("--buffers-gib", type=float, default=3.0, help="Virtuoso's buffer pool (85,000 buffers per GiB)")
    parser.add_argument("--after-image-limit", type=float, default=1e9,
                        help="Virtuoso's TransactionAfterImageLimit, bytes (its default, 5e7, aborts the engine "
                             "validation's day-number INSERT at 10^7 with SR325)")
    parser.add_argument("--threads-per-query", type=int, default=None,
                        help="Virtuoso's ThreadsPerQuery (default: the number of cores)")
    parser.add_argument("--stop-compiler-when-over-run-time", type=int, choices=(0, 1), default=1,
                        help="Virtuoso's StopCompilerWhenXOverRunTime (default 1)")
    parser.add_argument("--query-log", action="store_true",
                        help="log every query of the engine validation (DUTYGRAPH_ENGINE_QUERY_LOG) into "
                             "engine-queries-SIZE.jsonl in the temporary directory, and keep the work graph "
                             "(DUTYGRAPH_ENGINE_KEEP_WORK_GRAPH); with --keep both outlive the run")
    parser.add_argument("--memory-limit-gib", type=float, default=18.0, help="no child may pass this resident memory")
    parser.add_argument("--growth-flag", type=float, default=1.2, help="flag a step whose ratio passes this x the data ratio")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a child is stopped")
    parser.add_argument("--skip-embedded-validation", action="store_true")
    parser.add_argument("--skip-engine-validation", action="store_true")
    parser.add_argument("--post-validate-timeout", type=float, default=900,
                        help="seconds after which POST /validate is stopped (the service is killed: it is the last step)")
    parser.add_argument("--post-validate-max", type=float, default=1e6,
                        help="also time POST /validate on the STORE_URL service up to this many record triples "
                             "(when `validate --store` exists; without it POST /validate is the engine-side run)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--embedded-worker", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.embedded_worker:
        path, store_dir, reps, warm, areps, optional = args.embedded_worker
        print(json.dumps(embedded_worker(path, store_dir, int(reps), int(warm), int(areps), optional == "1")))
        return
    for tool in ("virtuoso-t", "isql-vt"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found (Virtuoso 7: apt-get install virtuoso-opensource-7-bin)")
    sizes = sorted(float(s) for s in re.split(r"[,\s]+", args.sizes.strip()) if s)
    started = time.perf_counter()
    for line in machine():
        say(line)
    say(f"sizes: {', '.join(size_label(s) for s in sizes)}; seed {SEED}, violation rate {RATE}; {args.repetitions} timed "
        f"repetitions per question ({args.warmup} untimed first), {args.analytics_repetitions} per analytics query")
    CACHE.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="dutygraph-bench-engine-"))
    results, measured_peaks = [], []
    try:
        failed = []
        for size in sizes:
            try:
                results.append(run_size(size, args, work, measured_peaks))
            except Exception:  # noqa: BLE001 - the other sizes' figures are still worth printing
                import traceback

                failed.append(f"{size_label(size)}: {traceback.format_exc().strip().splitlines()[-1]}")
                say(f"{size_label(size)} FAILED:\n{traceback.format_exc()}")
                continue
            print_size(results[-1])
        say()
        say("=" * 40 + " all sizes " + "=" * 40)
        for result in results:
            print_size(result)
        for item in failed:
            say(f"FAILED: {item}")
        flagged = growth(results, args.growth_flag)
        verdicts(results, flagged, len(results) < 2)
        say()
        for line in machine():
            say(line)
        say(f"whole run: {time.perf_counter() - started:.0f} s")
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
