"""The service under load and under faults: real `dutygraph serve` processes, real HTTP clients.

Each test starts its own server(s) on a free loopback port with its own STORE_DIR (never the test
process's), talks to it with urllib, and kills every process it started (the `servers` fixture).
Every wait is bounded in count and in time.

- load: eight client threads query /sparql while three uploads run at once;
- SIGKILL: the server is killed during an upload's validation, just as it starts writing the run,
  and between the records and the description; after each restart no half run is visible;
- a runaway query is stopped at the time limit, its worker killed and the CPU freed.

The load and SIGKILL tests run on both backends (conftest's `backend`: the embedded store, and
Virtuoso, where the graph, the records and the runs live in the engine); on the engine the moments of
the kills are read from the engine (a run's records graph appearing) instead of the embedded store's
files. The worker-process tests are about the service's own processes and run once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from dutygraph.records_generator import generate
from dutygraph.records_input import load_records
from dutygraph.validation import load_policy, validate_records
from dutygraph.web.accounts import AccountStore
from dutygraph.web.runs_store import RUN_BASE, run_graphs

REPO = Path(__file__).resolve().parents[1]
ADMIN_TOKEN = "admin-token-for-the-fault-tests-qrstuvwx"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TEXT = "text/plain; charset=utf-8"
COUNT_MEASURES = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a dg:Measure }"
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT_MESSAGE = b"the query did not finish within the time limit of 1.5 s and was stopped\n"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def count_json(n: int) -> bytes:
    return (b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"%d",'
            b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}' % n)


MEASURES_37 = count_json(37)


# -- processes -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state is [0], ppid [1], utime [11], stime [12])."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def alive(pid: int) -> bool:
    fields = proc_stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def cpu_seconds(pid: int) -> float | None:
    fields = proc_stat(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cmdline(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def children(parent: int, marker: bytes = b"") -> list[int]:
    """Live processes whose parent is parent (and whose command line holds marker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = proc_stat(int(entry.name))
            if fields and int(fields[1]) == parent and fields[0] not in ("Z", "X") and marker in cmdline(int(entry.name)):
                found.append(int(entry.name))
    return found


def wait_until(condition, timeout: float, step: float = 0.01, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Server:
    """One `dutygraph serve` on a free loopback port over store_dir; its output goes to a log file."""

    def __init__(self, store_dir: Path, log: Path, env: dict[str, str]):
        self.store_dir, self.log_path, self.env = store_dir, log, env
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    def start(self, timeout: float = 60) -> "Server":
        assert self.process is None or self.process.poll() is not None, "already running"
        self.port = free_port()
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "dutygraph.cli", "serve", "--port", str(self.port), "--store", str(self.store_dir)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.store_dir.parent,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    self.process.wait()
                    raise AssertionError(f"dutygraph serve did not start:\n{self.log()}")
                time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class Servers:
    """Makes servers; at the end kills them and every stray worker a test handed over (by pid)."""

    def __init__(self, root: Path):
        self.root = root
        self.made: list[Server] = []
        self.strays: list[tuple[int, bytes]] = []

    def __call__(self, name: str, **env: str) -> Server:
        store_dir = self.root / name
        store_dir.mkdir(parents=True, exist_ok=True)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DUTYGRAPH_")}
        environment.update(DUTYGRAPH_ADMIN_TOKEN=ADMIN_TOKEN, **env)
        server = Server(store_dir, self.root / f"{name}.log", environment)
        self.made.append(server)
        return server

    def adopt(self, pid: int) -> None:
        """A worker that may outlive its killed server: killed at the end if it still runs (and is still it)."""
        command = cmdline(pid)
        if command:  # gone already (or not a process we know): nothing to watch
            self.strays.append((pid, command))

    def close(self) -> None:
        for server in self.made:
            if server.process is not None and server.process.poll() is None:
                server.process.kill()
                server.process.wait(10)
        for pid, command in self.strays:
            if command and alive(pid) and cmdline(pid) == command:
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def servers(tmp_path):
    made = Servers(tmp_path)
    try:
        yield made
    finally:
        made.close()


def account_token(store_dir: Path, name: str) -> dict[str, str]:
    """A token-only account made on the server's own accounts file, before the server starts."""
    accounts = AccountStore(store_dir / "accounts.sqlite3")
    accounts.create(name, None)
    return {"Authorization": f"Bearer {accounts.issue_token(name)}"}


# -- HTTP ----------------------------------------------------------------------------------------

def call(method: str, url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 60):
    """(status, headers, body) of one request, 4xx and 5xx included."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def call_retrying(method: str, url: str, data=None, headers=None, *, attempts: int = 40, within: float = 120,
                  log: list | None = None):
    """call(), retried after Retry-After while the answer is 503 (bounded in attempts and time)."""
    deadline = time.monotonic() + within
    for _ in range(attempts):
        status, answer_headers, body = call(method, url, data, headers, timeout=max(1.0, deadline - time.monotonic()))
        if status != 503:
            return status, answer_headers, body
        retry_after = answer_headers.get("Retry-After")
        assert retry_after is not None and retry_after.isdigit(), f"503 without a usable Retry-After: {body!r}"
        if log is not None:
            log.append(retry_after)
        if time.monotonic() + int(retry_after) > deadline:
            break
        time.sleep(int(retry_after))
    raise AssertionError(f"{method} {url}: still 503 after {attempts} attempts / {within} s")


def query_request(server: Server, query: str, how: str, headers: dict | None = None):
    if how == "GET":
        return "GET", server.url("/sparql?" + urllib.parse.urlencode({"query": query})), None, dict(headers or {})
    if how == "POST form":
        return ("POST", server.url("/sparql"), urllib.parse.urlencode({"query": query}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    return "POST", server.url("/sparql"), query.encode(), {"Content-Type": "application/sparql-query", **(headers or {})}


def upload(server: Server, headers: dict, data: bytes, name: str, label: str, content_type="application/n-triples",
           **kwargs):
    url = server.url("/validate?" + urllib.parse.urlencode({"name": name, "label": label}))
    return call_retrying("POST", url, data, {**headers, "Content-Type": content_type}, **kwargs)


def triples_of(data: bytes, fmt=ox.RdfFormat.N_TRIPLES) -> set[str]:
    return {str(t) for t in ox.parse(data, format=fmt)}


def expected_counts(name: str, data: bytes) -> dict:
    records = load_records([(name, data)])
    run = validate_records(records.quads, policy=load_policy(None))
    return {"counts": run.counts, "conforms": run.conforms, "record_triples": len(records.quads)}


def admin_runs(server: Server) -> dict[str, dict]:
    status, _, body = call("GET", server.url("/runs"), headers=ADMIN)
    assert status == 200
    return {run["id"]: run for run in json.loads(body)["runs"]}


def admin_run_graphs(server: Server) -> set[str]:
    """The run graphs the admin's GRAPH ?g ranges over."""
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    status, headers, body = call_retrying(*query_request(server, query, "GET", ADMIN))
    assert status == 200, body
    return {row["g"]["value"] for row in json.loads(body)["results"]["bindings"] if row["g"]["value"].startswith(RUN_BASE)}


def stored_run_graphs(store_dir: Path, backend=None) -> dict[str, int]:
    """{run graph IRI: triples} read from the on-disk store of a stopped server (or from the engine)."""
    if backend is not None and backend.remote:
        counts = backend.engine.select(f'SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                                       f'FILTER(STRSTARTS(STR(?g), "{RUN_BASE}")) }} GROUP BY ?g')
        return {row["g"]["value"]: int(row["n"]["value"]) for row in counts["results"]["bindings"]}
    store = ox.Store.read_only(str(store_dir / "oxigraph"))
    try:
        return {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in store.named_graphs()
                if isinstance(g, ox.NamedNode) and g.value.startswith(RUN_BASE)}
    finally:
        del store


# -- load ----------------------------------------------------------------------------------------

QUERY_THREADS, QUERIES_PER_THREAD = 8, 25
UPLOAD_PLANS = [("load-A", 6, 101), ("load-B", 9, 202), ("load-C", 12, 303)]  # label, colleges, seed


def fresh_engine(backend) -> None:
    """A test of its own servers starts on an empty namespace on the engine too (the runs of the last are dropped)."""
    if backend.remote:
        backend.engine.reset()


def test_queries_and_three_uploads_at_once(servers, backend):
    fresh_engine(backend)
    server = servers("load", DUTYGRAPH_RETRY_AFTER_SECONDS="1", **backend.env())
    owner = account_token(server.store_dir, "loader")
    sets = {label: generate(colleges, 1, seed, 0.1).ntriples().encode() for label, colleges, seed in UPLOAD_PLANS}
    assert len({len(data) for data in sets.values()}) == 3  # three different record sets
    expected = {label: expected_counts(f"{label}.nt", data) for label, data in sets.items()}
    server.start()

    start = threading.Barrier(QUERY_THREADS + len(sets), timeout=30)
    uploading = threading.Event()
    uploading.set()
    answers: list[tuple] = []  # (status, body, whether an upload was in flight, content type)
    query_retries: list[str] = []
    uploads: dict[str, tuple] = {}
    upload_retries: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def ask(number: int):
        try:
            start.wait()
            for index in range(QUERIES_PER_THREAD):
                how = ("GET", "POST form", "POST direct")[(number + index) % 3]
                during = uploading.is_set()
                status, headers, body = call_retrying(*query_request(server, COUNT_MEASURES, how), attempts=60,
                                                      within=90, log=query_retries)
                with lock:
                    answers.append((status, body, during, headers.get("Content-Type")))
                time.sleep(0.05)
        except BaseException as error:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(f"query thread {number}: {error!r}")

    def send(label: str):
        try:
            start.wait()
            uploads[label] = upload(server, owner, sets[label], f"{label}.nt", label, log=upload_retries)
        except BaseException as error:  # noqa: BLE001
            failures.append(f"upload {label}: {error!r}")

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(QUERY_THREADS)]
    senders = [threading.Thread(target=send, args=(label,)) for label in sets]
    for thread in threads + senders:
        thread.start()
    for thread in senders:
        thread.join(150)
    uploading.clear()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads + senders)
    assert failures == []

    assert len(answers) == QUERY_THREADS * QUERIES_PER_THREAD == 200
    wrong = [(status, body[:200]) for status, body, _, _ in answers if (status, body) != (200, MEASURES_37)]
    assert wrong == []  # no 5xx (503s were retried after Retry-After), every answer the 37 measures
    assert {content_type for *_, content_type in answers} == {"application/sparql-results+json"}
    assert sum(1 for _, _, during, _ in answers if during) >= 50  # the queries really ran beside the uploads
    assert upload_retries, "three uploads at once with two validation slots: one must have been told to retry"

    runs = admin_runs(server)
    assert len(runs) == 3
    by_label = {run["label"]: run for run in runs.values()}
    assert set(by_label) == set(sets)
    for label, data in sets.items():
        status, headers, body = uploads[label]
        assert status == 201, body
        answered = json.loads(body)
        run = by_label[label]
        assert headers["Location"] == f"/runs/{run['id']}"
        assert answered["counts"] == run["counts"] == expected[label]["counts"]
        assert run["record_triples"] == expected[label]["record_triples"]
        assert run["files"] == [{"name": f"{label}.nt", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                                 "format": "n-triples", "triples": expected[label]["record_triples"], "role": "records"}]
        status, headers, records = call("GET", server.url(f"/runs/{run['id']}/records?format=ntriples"), headers=owner)
        assert status == 200
        assert headers["Content-Type"] == "application/n-triples; charset=utf-8"
        assert triples_of(records) == triples_of(data)  # its own upload, nothing of the others
    assert admin_run_graphs(server) == {g for run_id in runs for g in run_graphs(run_id)}
    server.stop()
    assert "Traceback" not in server.log()


# -- SIGKILL during uploads ----------------------------------------------------------------------

def background_upload(server: Server, headers: dict, data: bytes, name: str):
    """Start an upload in a thread; returns (thread, outcome list)."""
    outcome: list = []

    def send():
        try:
            outcome.append(call("POST", server.url("/validate?" + urllib.parse.urlencode({"name": name, "label": name})),
                                data, {**headers, "Content-Type": "application/n-triples"}, timeout=120))
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            outcome.append(error)

    thread = threading.Thread(target=send)
    thread.start()
    return thread, outcome


def job_ids(store_dir: Path) -> list[str]:
    jobs = store_dir / "jobs"
    return sorted(p.name for p in jobs.iterdir()) if jobs.is_dir() else []


def check_after_restart(server: Server, finished: dict[str, set[str]], owner: dict) -> None:
    """The store opened, the document answers, exactly the finished runs are there, intact, and jobs/ is empty."""
    status, _, body = call_retrying(*query_request(server, COUNT_MEASURES, "GET"))
    assert (status, body) == (200, MEASURES_37)
    assert set(admin_runs(server)) == set(finished)
    assert admin_run_graphs(server) == {g for run_id in finished for g in run_graphs(run_id)}
    for run_id, triples in finished.items():
        status, _, records = call("GET", server.url(f"/runs/{run_id}/records?format=ntriples"), headers=owner)
        assert status == 200
        assert triples_of(records) == triples
    assert job_ids(server.store_dir) == []


def bulk_files(oxigraph: Path) -> set[str]:
    return {name for name in os.listdir(oxigraph) if name.startswith("bulk-")}


def table_files(oxigraph: Path) -> set[str]:
    return {name for name in os.listdir(oxigraph) if re.fullmatch(r"\d+\.sst", name)}


def kill_during_upload(server: Server, servers: Servers, owner: dict, data: bytes, name: str, moment, backend) -> dict:
    """Upload data, SIGKILL the server when moment(server, backend) returns, and say what the kill left
    in the store (on disk, or in the engine)."""
    thread, outcome = background_upload(server, owner, data, name)
    moment(server, backend)
    workers = children(server.pid)
    server.kill()
    for pid in workers:  # its workers, which may outlive it: see test_a_validation_worker_does_not_outlive…
        servers.adopt(pid)
    thread.join(30)
    assert not thread.is_alive() and outcome
    job, = job_ids(server.store_dir)
    on_disk = stored_run_graphs(server.store_dir, backend)
    return {"job": job, "answered": outcome[0][0] if isinstance(outcome[0], tuple) else repr(outcome[0]),
            "described": RUN_BASE + job in on_disk, "records": f"{RUN_BASE}{job}/records" in on_disk,
            "report": f"{RUN_BASE}{job}/report" in on_disk}


def during_validation(server: Server, backend) -> None:
    worker, = wait_until(lambda: children(server.pid, b"validation_worker"), 30, what="the validation worker")
    time.sleep(0.5)
    job, = job_ids(server.store_dir)
    assert alive(worker) and not (server.store_dir / "jobs" / job / "result.json").exists()  # still checking


def at_the_first_write(server: Server, backend) -> None:
    if backend.remote:  # the first INSERT DATA of the records has landed in the engine
        wait_until(lambda: engine_job_graphs(server, backend), 60, step=0.005, what="the run's first write to the engine")
        return
    oxigraph = server.store_dir / "oxigraph"
    before = bulk_files(oxigraph)
    wait_until(lambda: bulk_files(oxigraph) - before, 60, step=0.002, what="the run's bulk load to start")


def engine_job_graphs(server: Server, backend) -> set[str]:
    """The graphs of the running upload's job (its run id) that the engine holds."""
    jobs = job_ids(server.store_dir)
    return {graph for graph in backend.engine.graphs(RUN_BASE) if jobs and graph.startswith(RUN_BASE + jobs[0])}


def between_records_and_description(server: Server, backend) -> None:
    """When the report's bulk load starts: the records graph is in, the description not yet."""
    if backend.remote:  # half the records written (INSERT DATA after INSERT DATA), no description yet
        def half_written():
            jobs = job_ids(server.store_dir)
            if not jobs:
                return False
            answer = backend.engine.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{RUN_BASE}{jobs[0]}/records> {{ ?s ?p ?o }} }}")
            return int(answer["results"]["bindings"][0]["n"]["value"]) >= 45_000

        wait_until(half_written, 90, step=0.01, what="half the records in the engine")
        return
    oxigraph = server.store_dir / "oxigraph"
    bulk_before, tables_before = bulk_files(oxigraph), table_files(oxigraph)
    wait_until(lambda: bulk_files(oxigraph) - bulk_before, 60, step=0.002, what="the records' bulk load")
    wait_until(lambda: table_files(oxigraph) - tables_before, 30, step=0.002, what="the records' tables to be ingested")
    records_wave = bulk_files(oxigraph) - bulk_before
    wait_until(lambda: bulk_files(oxigraph) - bulk_before - records_wave, 30, step=0.001, what="the report's bulk load")


def test_sigkill_during_uploads_leaves_no_half_run(servers, backend):
    fresh_engine(backend)
    server = servers("killed", **backend.env())
    owner = account_token(server.store_dir, "uploader")
    big = generate(60, 9, 7, 0.02).ntriples().encode()  # about 9 * 10^4 triples (institution and records)
    assert len(big.splitlines()) > 90_000
    small = (REPO / "data" / "examples" / "2024-breaks-decision-venue.ttl").read_bytes()
    server.start()
    status, headers, body = upload(server, owner, small, "first.ttl", "first", content_type="text/turtle")
    assert status == 201, body
    finished = {headers["Location"].rsplit("/", 1)[1]: triples_of(small, ox.RdfFormat.TURTLE)}
    big_triples = triples_of(big)

    # 1. during the validation (the worker is checking); 2. as the service starts writing the run
    for number, moment in enumerate((during_validation, at_the_first_write), start=1):
        left = kill_during_upload(server, servers, owner, big, f"big-{number}.nt", moment, backend)
        assert left["answered"] != 201 and not left["described"] and not left["report"], left  # nothing kept
        server.start()
        check_after_restart(server, finished, owner)  # jobs/ included: the killed job's folder is gone
        if number == 1:
            orphans = [pid for pid, command in servers.strays if b"validation_worker" in command]
            assert not any(alive(pid) for pid in orphans)  # the worker died with its service
            assert job_ids(server.store_dir) == []

    # 3. between the records graph and the description: a half run on disk, dropped by the restart
    half_runs = []
    for attempt in range(3):
        left = kill_during_upload(server, servers, owner, big, f"big-3-{attempt}.nt", between_records_and_description,
                                  backend)
        server.start()
        if left["described"]:  # the kill came too late: the run was written whole, so it is kept whole
            finished[left["job"]] = big_triples
        else:
            assert left["answered"] != 201, left
            if left["records"] or left["report"]:  # graphs without a description: the restart dropped them
                half_runs.append(left["job"])
                assert f"dropped the graphs of 1 interrupted upload(s): {left['job']}" in server.log()
        check_after_restart(server, finished, owner)
        if half_runs:
            break
    assert half_runs, "no kill landed between the records graph and the description in 3 attempts (timing)"

    # a new upload works, and is the only change
    status, headers, body = upload(server, owner, small, "after.ttl", "after the kills", content_type="text/turtle")
    assert status == 201, body
    finished[headers["Location"].rsplit("/", 1)[1]] = triples_of(small, ox.RdfFormat.TURTLE)
    check_after_restart(server, finished, owner)
    server.stop()
    assert stored_run_graphs(server.store_dir, backend).keys() == {g for run_id in finished for g in run_graphs(run_id)}


def test_a_validation_worker_does_not_outlive_its_killed_service(servers):
    server = servers("orphan")
    owner = account_token(server.store_dir, "uploader")
    big = generate(60, 9, 8, 0.02).ntriples().encode()
    server.start()
    thread, outcome = background_upload(server, owner, big, "big.nt")
    worker = wait_until(lambda: children(server.pid, b"validation_worker"), 30, what="the validation worker")[0]
    servers.adopt(worker)
    time.sleep(0.3)
    server.kill()
    thread.join(30)
    time.sleep(1.0)
    still_running = alive(worker)
    assert not still_running, f"the validation worker (pid {worker}) outlived its SIGKILLed service"


# -- a runaway query -----------------------------------------------------------------------------

def test_a_runaway_query_is_stopped_at_the_limit_and_frees_the_cpu(servers):
    server = servers("runaway", DUTYGRAPH_QUERY_TIME_LIMIT="1.5").start()
    status, _, body = call("GET", query_request(server, COUNT_MEASURES, "GET")[1])
    assert (status, body) == (200, MEASURES_37)
    idle = children(server.pid, b"query_worker.py")
    assert len(idle) == 1  # the pool keeps the worker of the query that finished

    outcome = {}

    def ask():
        started = time.monotonic()
        outcome["answer"] = call("GET", query_request(server, EXPLOSIVE, "GET")[1], timeout=30)
        outcome["elapsed"] = time.monotonic() - started

    asking = threading.Thread(target=ask)
    asking.start()
    # the idle worker took the runaway query: it burns CPU
    runaway = idle[0]
    first = cpu_seconds(runaway)
    wait_until(lambda: (cpu_seconds(runaway) or 0) - first > 0.2, 5, what="the runaway query's worker to burn CPU")
    status, _, body = call("GET", query_request(server, COUNT_MEASURES, "GET")[1])  # answered meanwhile, by a new worker
    assert (status, body) == (200, MEASURES_37)
    asking.join(15)
    assert not asking.is_alive()
    status, headers, body = outcome["answer"]
    assert status == 504
    assert headers["Content-Type"] == TEXT
    assert body == TIMEOUT_MESSAGE
    assert 1.5 <= outcome["elapsed"] < 1.5 + 3
    assert not Path(f"/proc/{runaway}").exists()  # killed and reaped
    remaining = children(server.pid)
    workers = children(server.pid, b"query_worker.py")
    assert workers and runaway not in workers  # the other, idle worker stays alive for the next query
    before = {pid: cpu_seconds(pid) for pid in remaining + [server.pid]}
    time.sleep(1.0)
    used = {pid: (cpu_seconds(pid) or 0) - (spent or 0) for pid, spent in before.items()}
    assert all(seconds < 0.5 for seconds in used.values()), used  # nothing of the server runs at >50% CPU
    status, _, body = call(*query_request(server, COUNT_MEASURES, "POST direct"))
    assert (status, body) == (200, MEASURES_37)
    assert server.process.poll() is None
