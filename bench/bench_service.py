"""Benchmark: the query service (`dutygraph serve`) over HTTP, against pyoxigraph in-process and rdflib-endpoint.

    .venv/bin/python bench/bench_service.py                     # 300 colleges x 19 years (~10^6 triples), 8 clients x 20 s
    .venv/bin/python bench/bench_service.py --colleges 5 --years 1 --repetitions 10 --duration 5   # a quick check

rdflib-endpoint comes from the `bench` extra: `.venv/bin/python -m pip install -c constraints.txt ".[bench]"`.

In one run, on this machine:

1. generates records (`dutygraph generate-records`, seed 61, violation rate 2%; 300 colleges x 19
   years as in bench_validation.py give ~0.93 x 10^6 record triples; the file is cached in
   bench/.cache/), starts `dutygraph serve` on a fresh store directory and a free loopback port,
   uploads the records through `POST /validate` (raw N-Triples body, admin token) and times the
   upload + validation + storing, then checks with `GET /runs` and a count through `/sparql` (as
   admin) that the store holds them.
2. for every canned question (queries/*.rq; required parameters from the example of their
   `# param:` header, optional ones left out), times R repetitions, one client, keep-alive, of
   (a) the answer over HTTP: `/sparql` with the bound query text (SPARQL JSON results), and
   `/queries/NAME?param=…` (JSON) when the service has that route; (b) the same bound text on
   pyoxigraph in the bench process, on the newest snapshot the service's query workers read
   (`STORE_DIR/snapshots/<highest>`, opened with `Store.read_only`: the same files, so the same
   data) with the dataset the service gives an anonymous query (the default graph, no named
   graph), counting "query + reading every solution". The repetitions of (a) and (b) alternate.
   It prints medians and p90s, the time HTTP adds per question and the median of those.
3. dumps the same snapshot as N-Quads and serves it with rdflib-endpoint (its `SparqlEndpoint`
   app on an rdflib `Dataset` with the default graph = the document graph, as in dutygraph, and
   the run's graphs as named graphs; dutygraph's prefixes bound so that the same query text
   runs; uvicorn, one process), checks that every canned question gets the same number of rows
   (and the same values) from both, then runs C client processes (keep-alive, http.client) that
   issue a round-robin mix of the questions both answer alike for D seconds, first against
   dutygraph serve (`/sparql`, and `/queries` when present), then against rdflib-endpoint.
   Requests/s are counted at the clients (answers 200 completed before the deadline). The load
   clients run on the same 2 cores as the servers: their own CPU time is printed next to the
   server's, so one can see how much of the machine each took.

dutygraph serve runs with MAX_CONCURRENT_QUERIES raised to the number of clients (by default it
answers the fifth concurrent query 503 at once); `--query-slots` sets it otherwise.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
SEED, RATE = 61, 0.02
HOST = "127.0.0.1"
JSON_RESULTS = "application/sparql-results+json"
LATENCY_TARGET_MS = 5.0
THROUGHPUT_TARGET = 10.0


# -- small helpers --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def median(values):
    return statistics.median(values) if values else float("nan")


def p90(values):
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def ms(seconds: float) -> str:
    return "—" if seconds != seconds else f"{seconds * 1000:.2f}"


def say(text: str = "") -> None:
    print(text, flush=True)


class Client:
    """One keep-alive HTTP/1.1 connection (reopened when the server closes it)."""

    def __init__(self, port: int, timeout: float = 60.0, host: str = HOST):
        self.host, self.port, self.timeout = host, port, timeout
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        for attempt in (0, 1):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # a keep-alive connection the server had closed: retry once on a fresh one
                self.close()
                if attempt:
                    raise
                continue
            except BaseException:
                self.close()
                raise
            if response.will_close:
                self.close()
            return response.status, data, response
        raise AssertionError("unreachable")

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)


def sparql_path(text: str) -> str:
    return "/sparql?" + urlencode({"query": text})


def result_rows(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


# -- the machine ----------------------------------------------------------------------------------

def machine() -> list[str]:
    import pyoxigraph

    model = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    versions = []
    for name in ("rdflib", "rdflib-endpoint", "waitress", "flask", "uvicorn", "fastapi"):
        try:
            from importlib.metadata import version

            versions.append(f"{name} {version(name)}")
        except Exception:
            versions.append(f"{name} not installed")
    return [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {platform.machine()}, {model}, {os.cpu_count()} cores, {memory} memory, "
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, " + ", ".join(versions),
    ]


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of process root and its live descendants (and reaped children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parent, used = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parent[int(entry)] = int(fields[1])
        used[int(entry)] = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parent.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(used.get(pid, 0) for pid in tree) / ticks


# -- records and the service ----------------------------------------------------------------------

def dutygraph_command() -> str:
    command = Path(sys.executable).with_name("dutygraph")
    return str(command) if command.exists() else (shutil.which("dutygraph") or "dutygraph")


def records_file(colleges: int, years: int, fresh: bool = False) -> tuple[Path, float | None]:
    """The cached records of these parameters, generated when missing (or, with ``fresh``, again):
    (path, seconds the generation took, or None when cached)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"records-{colleges}x{years}-seed{SEED}-rate{RATE}.nt"
    if path.is_file() and path.stat().st_size and not fresh:
        return path, None
    partial = path.with_suffix(".partial")
    start = time.perf_counter()
    done = subprocess.run([dutygraph_command(), "generate-records", "--colleges", str(colleges), "--years", str(years),
                           "--seed", str(SEED), "--violation-rate", str(RATE), "--output", str(partial)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"dutygraph generate-records failed ({done.returncode}): {done.stderr.strip()}")
    partial.rename(path)
    return path, time.perf_counter() - start


def count_ntriples(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.strip() and not line.lstrip().startswith(b"#"))


class Server:
    def __init__(self, name: str, command: list[str], port: int, log: Path, env: dict | None = None,
                 cwd: Path | None = None):
        self.name, self.port, self.log_path = name, port, log
        self.log = log.open("wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                        cwd=cwd, start_new_session=True)

    def wait_ready(self, probe: str, timeout: float) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode}:\n{self.tail()}")
            try:
                status, _, _ = Client(self.port, timeout=5).get(probe, headers={"Accept": JSON_RESULTS})
                if status == 200:
                    return time.perf_counter() - start
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 20) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own session: the server and its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def latest_snapshot(store_dir: Path) -> Path:
    snapshots = [p for p in (store_dir / "snapshots").iterdir() if p.name.isdigit()]
    return max(snapshots, key=lambda p: int(p.name))


# -- canned questions -----------------------------------------------------------------------------

def example_value(parameter) -> str:
    """The first example of a `# param:` description ("e.g. 组织部, Audit Office" → 组织部; "1 to 37" → 1)."""
    import re

    text = parameter.description
    if "e.g." in text:
        first = text.split("e.g.", 1)[1].strip()
        return re.split(r",\s*| or ", first)[0].strip()
    number = re.search(r"\d+", text)
    if number and parameter.type == "integer":
        return number.group(0)
    raise SystemExit(f"no example value for parameter {parameter.name!r} ({text!r})")


def canned_questions(with_optional: bool) -> list[dict]:
    from dutygraph.queries import list_canned_queries

    questions = []
    for query in list_canned_queries():
        values = {p.name: example_value(p) for p in query.parameters if p.required or with_optional}
        text = query.bind(values)
        questions.append({
            "name": query.name, "values": values, "text": text, "sparql": sparql_path(text),
            "canned": f"/queries/{query.name}" + (f"?{urlencode(values)}" if values else ""),
        })
    return questions


# -- rdflib-endpoint, in a process of its own -----------------------------------------------------

def serve_rdflib_endpoint(nquads: str, port: int) -> None:
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    from dutygraph.namespaces import PREFIXES

    start = time.perf_counter()
    dataset = Dataset(default_union=False)  # the default graph is the document graph alone, as in dutygraph
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri, override=True, replace=True)
    dataset.parse(nquads, format="nquads")
    loaded = time.perf_counter() - start
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False, title="bench")
    quads = sum(1 for _ in dataset.quads((None, None, None, None)))  # len(dataset) counts a triple of two graphs once
    print(json.dumps({"quads": quads, "load_seconds": loaded,
                      "startup_seconds": time.perf_counter() - start}), flush=True)
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


# -- load clients, each in a process of its own ---------------------------------------------------

def load_client(port: int, paths: list[tuple[str, str]], offset: int, start_at: float, stop_at: float,
                timeout: float) -> dict:
    """GET the (path, Accept) pairs round-robin from offset between start_at and stop_at (time.monotonic, system-wide)."""
    client = Client(port, timeout=timeout)
    ok, errors, latencies = 0, {}, []
    while time.monotonic() < start_at:
        time.sleep(0.005)
    cpu_start = os.times()
    index = offset
    while time.monotonic() < stop_at:
        path, accept = paths[index % len(paths)]
        index += 1
        started = time.perf_counter()
        try:
            status, _, _ = client.get(path, headers={"Accept": accept})
        except Exception as error:  # noqa: BLE001 - every failure is counted, by kind
            status = type(error).__name__
        elapsed = time.perf_counter() - started
        if time.monotonic() > stop_at:
            break  # still in flight at the deadline: not counted
        if status == 200:
            ok += 1
            latencies.append(elapsed)
        else:
            errors[str(status)] = errors.get(str(status), 0) + 1
    cpu_end = os.times()
    client.close()
    return {"ok": ok, "errors": errors, "latencies": latencies,
            "cpu": (cpu_end.user - cpu_start.user) + (cpu_end.system - cpu_start.system)}


def throughput(label: str, server: Server, paths: list[tuple[str, str]], clients: int, duration: float, timeout: float) -> dict:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(clients) as pool:
        pool.map(time.sleep, [0.0] * clients)  # every client process is up before the clock starts
        start_at = time.monotonic() + 1.0
        stop_at = start_at + duration
        server_cpu_before = None
        pending = pool.starmap_async(load_client, [(server.port, paths, i * len(paths) // clients, start_at, stop_at, timeout)
                                                   for i in range(clients)])
        while time.monotonic() < start_at:
            time.sleep(0.001)
        server_cpu_before = tree_cpu_seconds(server.process.pid)
        while time.monotonic() < stop_at:
            time.sleep(0.01)
        server_cpu = tree_cpu_seconds(server.process.pid) - server_cpu_before
        results = pending.get(timeout=duration + timeout + 60)
    ok = sum(r["ok"] for r in results)
    errors: dict[str, int] = {}
    for r in results:
        for kind, count in r["errors"].items():
            errors[kind] = errors.get(kind, 0) + count
    latencies = [x for r in results for x in r["latencies"]]
    client_cpu = sum(r["cpu"] for r in results)
    cores = os.cpu_count() or 1
    row = {"label": label, "ok": ok, "rps": ok / duration, "errors": errors, "median": median(latencies),
           "p90": p90(latencies), "server_cpu": server_cpu, "client_cpu": client_cpu}
    error_text = ", ".join(f"{count} x {kind}" for kind, count in sorted(errors.items())) or "none"
    say(f"  {label:<34} {row['rps']:>9.1f} req/s  ({ok} answers in {duration:g} s; errors: {error_text}); "
        f"latency median {ms(row['median'])} ms, p90 {ms(row['p90'])} ms")
    say(f"  {'':<34} CPU during the run: server {server_cpu:.1f} s ({100 * server_cpu / (duration * cores):.0f}% of "
        f"{cores} cores), load clients {client_cpu:.1f} s ({100 * client_cpu / (duration * cores):.0f}%)")
    return row


# -- the run --------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--colleges", type=int, default=300, help="colleges of the generated records (default 300)")
    parser.add_argument("--years", type=int, default=19, help="years of the generated records (default 19)")
    parser.add_argument("--repetitions", type=int, default=30, help="timed repetitions per question and way (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per question and way first (default 3)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent load client processes (default 8)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per server (default 20)")
    parser.add_argument("--query-slots", type=int, help="MAX_CONCURRENT_QUERIES of dutygraph serve (default: --clients)")
    parser.add_argument("--with-optional", action="store_true", help="also give optional parameters their example")
    parser.add_argument("--client-timeout", type=float, default=120.0, help="seconds a client waits for an answer")
    parser.add_argument("--skip-rdflib", action="store_true", help="do not start rdflib-endpoint (no comparison)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary store directory and logs")
    parser.add_argument("--serve-rdflib-endpoint", nargs=2, metavar=("NQUADS", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_rdflib_endpoint:
        serve_rdflib_endpoint(args.serve_rdflib_endpoint[0], int(args.serve_rdflib_endpoint[1]))
        return

    import pyoxigraph as ox

    from dutygraph.namespaces import PREFIXES

    started_run = time.perf_counter()
    for line in machine():
        say(line)
    slots = args.query_slots or args.clients
    work = Path(tempfile.mkdtemp(prefix="dutygraph-bench-service-"))
    servers: list[Server] = []
    try:
        # 1. records, service, upload ------------------------------------------------------------
        say()
        path, generated = records_file(args.colleges, args.years)
        data = path.read_bytes()
        record_triples = count_ntriples(data)
        say(f"records: {args.colleges} colleges x {args.years} years, seed {SEED}, violation rate {RATE}: "
            f"{record_triples:,} triples, {len(data) / 2**20:.0f} MiB N-Triples "
            + (f"(generated in {generated:.1f} s)" if generated is not None else f"(cached {path.relative_to(HERE.parent)})"))
        token = secrets.token_urlsafe(32)
        env = dict(os.environ, DUTYGRAPH_ADMIN_TOKEN=token, DUTYGRAPH_UPLOAD_MAX_BYTES=str(2**30),
                   DUTYGRAPH_VALIDATION_TIME_LIMIT="3600", DUTYGRAPH_MAX_CONCURRENT_QUERIES=str(slots))
        env.pop("DUTYGRAPH_STORE_DIR", None)
        store_dir = work / "store"
        port = free_port()
        service = Server("dutygraph serve", [dutygraph_command(), "serve", "--host", HOST, "--port", str(port),
                                             "--store", str(store_dir)], port, work / "dutygraph-serve.log", env=env,
                         cwd=work)
        servers.append(service)
        ready = service.wait_ready(sparql_path("ASK {}"), timeout=300)
        say(f"dutygraph serve: http://{HOST}:{port}/, fresh store {store_dir}, up in {ready:.1f} s; "
            f"MAX_CONCURRENT_QUERIES={slots}, other limits default")
        admin = {"Authorization": f"Bearer {token}"}
        client = Client(port, timeout=3600)
        start = time.perf_counter()
        status, body, _ = client.request("POST", "/validate?" + urlencode({"label": "bench_service"}), body=data,
                                         headers=admin | {"Content-Type": "application/n-triples",
                                                          "Accept": "application/json"})
        upload = time.perf_counter() - start
        if status != 201:
            raise SystemExit(f"POST /validate answered {status} after {upload:.1f} s: {body[:2000].decode(errors='replace')}\n"
                             f"{service.tail()}")
        report = json.loads(body)
        run = report["run"]
        say(f"POST /validate ({len(data) / 2**20:.0f} MiB): 201 in {upload:.1f} s (upload + validation + storing + snapshot); "
            f"run {run['id']}: {run['record_triples']:,} record triples, {report['counts']}")
        status, body, _ = client.get("/runs", headers=admin | {"Accept": "application/json"})
        listed = {r["id"]: r for r in json.loads(body)["runs"]} if status == 200 else {}
        held = listed.get(run["id"], {}).get("record_triples")
        say(f"GET /runs: {status}, {len(listed)} run(s); this run lists {held:,} record triples "
            f"({'= the file' if held == record_triples else 'NOT the file: ' + str(record_triples)})")
        del data
        snapshot = latest_snapshot(store_dir)
        store = ox.Store.read_only(str(snapshot))
        total = len(store)
        default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        graphs = list(store.named_graphs())
        status, body, _ = client.get(sparql_path("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"),
                                     headers=admin | {"Accept": JSON_RESULTS})
        via_http = int(result_rows(body)[0]["n"]["value"]) if status == 200 else f"error {status}"
        say(f"store: {total:,} triples (snapshot {snapshot.name}): document graph {default:,}, {len(graphs)} named graphs "
            f"{total - default:,}; /sparql as admin counts {via_http:,}" if isinstance(via_http, int) else
            f"store: {total:,} triples; /sparql as admin: {via_http}")
        client.close()

        # 2. latency: HTTP against in-process ------------------------------------------------------
        questions = canned_questions(args.with_optional)
        client = Client(port, timeout=args.client_timeout)
        status, body, response = client.get(questions[0]["canned"], headers={"Accept": "application/json"})
        has_canned = status == 200 and (response.getheader("Content-Type") or "").startswith("application/json")
        say()
        say(f"latency: {len(questions)} canned questions, {args.repetitions} timed repetitions each way after {args.warmup} "
            f"untimed, one client, keep-alive; in-process = pyoxigraph Store.read_only on snapshot {snapshot.name}, "
            "default graph only, query + reading every solution; ms")
        say("/queries/NAME: " + ("present, timed too" if has_canned else f"not in this service (GET {questions[0]['canned']} "
                                                                           f"answered {status}): /sparql only"))

        def inproc(text: str) -> int:
            result = store.query(text, prefixes=PREFIXES, default_graph=[ox.DefaultGraph()], named_graphs=[])
            return 1 if isinstance(result, ox.QueryBoolean) else len(list(result))

        header = f"{'question':<24} {'rows':>5} {'in-proc med':>11} {'p90':>7} {'/sparql med':>11} {'p90':>7} {'added':>7}"
        if has_canned:
            header += f" {'/queries med':>12} {'p90':>7} {'added':>7}"
        say(header)
        added_sparql, added_canned, problems = [], [], []
        for q in questions:
            times = {"inproc": [], "sparql": [], "canned": []}
            counts = {}
            for repetition in range(args.warmup + args.repetitions):
                timed = repetition >= args.warmup
                start = time.perf_counter()
                counts["inproc"] = inproc(q["text"])
                if timed:
                    times["inproc"].append(time.perf_counter() - start)
                ways = [("sparql", q["sparql"], JSON_RESULTS)] + ([("canned", q["canned"], "application/json")] if has_canned else [])
                for way, url, accept in ways:
                    start = time.perf_counter()
                    status, body, _ = client.get(url, headers={"Accept": accept})
                    elapsed = time.perf_counter() - start
                    if status != 200:
                        problems.append(f"{q['name']} {way}: {status} after {elapsed * 1000:.0f} ms: "
                                        f"{body[:300].decode(errors='replace').strip()}")
                        continue
                    if timed:
                        times[way].append(elapsed)
                    if repetition == 0 and way == "sparql":
                        counts[way] = len(result_rows(body))
                        q["normalised"] = _normalised(result_rows(body))
                    elif repetition == 0:
                        counts[way] = len(json.loads(body)["rows"])
            q["rows"] = counts.get("sparql")
            q["sparql_median"] = median(times["sparql"])
            q["inproc_median"] = median(times["inproc"])
            if len({counts.get(w) for w in ("inproc", "sparql", "canned") if w in counts}) > 1:
                problems.append(f"{q['name']}: row counts differ: {counts}")
            add_s = median(times["sparql"]) - median(times["inproc"])
            added_sparql.append(add_s)
            line = (f"{q['name']:<24} {counts.get('sparql', '?'):>5} {ms(median(times['inproc'])):>11} {ms(p90(times['inproc'])):>7} "
                    f"{ms(median(times['sparql'])):>11} {ms(p90(times['sparql'])):>7} {ms(add_s):>7}")
            if has_canned:
                add_c = median(times["canned"]) - median(times["inproc"])
                added_canned.append(add_c)
                line += f" {ms(median(times['canned'])):>12} {ms(p90(times['canned'])):>7} {ms(add_c):>7}"
            if q["values"]:
                line += "   " + " ".join(f"{k}={v}" for k, v in q["values"].items())
            say(line)
        verdicts = []
        for way, added in (("/sparql", added_sparql), ("/queries", added_canned)):
            if added and all(a == a for a in added):
                m = median(added)
                verdicts.append(f"{way} {m * 1000:.2f} ms")
                say(f"median over the questions of the time HTTP adds ({way}): {m * 1000:.2f} ms (max {max(added) * 1000:.2f} ms "
                    f"for {questions[added.index(max(added))]['name']}): "
                    f"{'PASS' if m * 1000 < LATENCY_TARGET_MS else 'FAIL'} against the target of < {LATENCY_TARGET_MS:g} ms")
        for problem in problems:
            say(f"  problem: {problem}")
        client.close()
        store = None  # close the snapshot

        # 3. throughput: dutygraph serve against rdflib-endpoint -----------------------------------
        say()
        mix = [q for q in questions if q.get("rows") is not None]
        endpoint = None
        if not args.skip_rdflib:
            try:
                import rdflib_endpoint  # noqa: F401
                import uvicorn  # noqa: F401
            except ImportError:
                raise SystemExit("rdflib-endpoint is not installed: .venv/bin/python -m pip install -c constraints.txt '.[bench]'")
            nquads = work / "store.nq"
            start = time.perf_counter()
            ox.Store.read_only(str(snapshot)).dump(str(nquads), format=ox.RdfFormat.N_QUADS)
            dumped = time.perf_counter() - start
            rport = free_port()
            endpoint = Server("rdflib-endpoint", [sys.executable, str(Path(__file__).resolve()), "--serve-rdflib-endpoint",
                                                  str(nquads), str(rport)], rport, work / "rdflib-endpoint.log", cwd=work)
            servers.append(endpoint)
            ready = endpoint.wait_ready(sparql_path("ASK {}"), timeout=1800)
            info = json.loads(next(line for line in endpoint.log_path.read_text().splitlines() if line.startswith("{")))
            say(f"rdflib-endpoint: the same snapshot dumped as N-Quads ({nquads.stat().st_size / 2**20:.0f} MiB, {dumped:.1f} s), "
                f"loaded into an rdflib Dataset (memory store, default graph = the document): {info['quads']:,} quads, "
                f"parsed in {info['load_seconds']:.1f} s, serving after {ready:.1f} s (uvicorn, one process)")
            rclient = Client(rport, timeout=args.client_timeout)
            say(f"same answers? every question once on rdflib-endpoint (rows, ms for that one request; dutygraph /sparql median "
                "from above):")
            mix = []
            for q in questions:
                start = time.perf_counter()
                try:
                    status, body, _ = rclient.get(q["sparql"], headers={"Accept": JSON_RESULTS})
                except OSError as error:
                    status, body = type(error).__name__, b""
                    rclient.close()
                elapsed = time.perf_counter() - start
                if not isinstance(status, int):  # it is still busy with that query: wait until it answers again
                    endpoint.wait_ready(sparql_path("ASK {}"), timeout=3600)
                if status != 200:
                    say(f"  {q['name']:<24} rdflib-endpoint answered {status} after {elapsed * 1000:.0f} ms: "
                        f"{body[:200].decode(errors='replace').strip()}  -> left out of the mix")
                    continue
                rows = result_rows(body)
                same_values = _normalised(rows) == q.get("normalised")
                verdict = "same rows" if len(rows) == q["rows"] and same_values else (
                    "same count, values differ" if len(rows) == q["rows"] else f"DIFFERENT: dutygraph {q['rows']} rows")
                say(f"  {q['name']:<24} {len(rows):>5} {elapsed * 1000:>10.1f} ms  (dutygraph {ms(q['sparql_median']):>6} ms)  {verdict}"
                    + ("" if len(rows) == q["rows"] else "  -> left out of the mix"))
                if len(rows) == q["rows"]:
                    mix.append(q)
            rclient.close()
        say()
        say(f"throughput: {args.clients} client processes, keep-alive, {args.duration:g} s each, round-robin over the "
            f"{len(mix)} questions both answer alike; counted at the clients (answers 200 before the deadline); the clients "
            f"share the {os.cpu_count()} cores with the server")
        rows = {}
        rows["sparql"] = throughput("dutygraph serve /sparql", service, [(q["sparql"], JSON_RESULTS) for q in mix], args.clients,
                                    args.duration, args.client_timeout)
        if has_canned:
            rows["canned"] = throughput("dutygraph serve /queries/NAME", service, [(q["canned"], "application/json") for q in mix],
                                        args.clients, args.duration, args.client_timeout)
        if endpoint is not None:
            rows["rdflib"] = throughput("rdflib-endpoint /sparql", endpoint, [(q["sparql"], JSON_RESULTS) for q in mix], args.clients,
                                        args.duration, args.client_timeout)
            theirs = rows["rdflib"]["rps"]
            for key, label in (("sparql", "/sparql"), ("canned", "/queries")):
                if key in rows:
                    ratio = rows[key]["rps"] / theirs if theirs else float("inf")
                    say(f"dutygraph serve {label} / rdflib-endpoint: {ratio:.1f}x: "
                        f"{'PASS' if ratio >= THROUGHPUT_TARGET else 'FAIL'} against the target of >= {THROUGHPUT_TARGET:g}x")
        say()
        say(f"whole run: {time.perf_counter() - started_run:.0f} s")
    finally:
        for server in reversed(servers):
            server.stop()
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _normalised(bindings: list[dict]) -> list:
    """Rows as sorted tuples of (variable, value) for comparing two engines' answers (order-free)."""
    rows = []
    for binding in bindings:
        row = []
        for var, term in sorted(binding.items()):
            value = term.get("value", "")
            if "; " in value or "、" in value or ", " in value:  # GROUP_CONCAT: the order of the parts is free
                for separator in ("; ", "、", ", "):
                    if separator in value:
                        value = separator.join(sorted(value.split(separator)))
                        break
            row.append((var, value))
        rows.append(tuple(row))
    return sorted(rows)


if __name__ == "__main__":
    main()
