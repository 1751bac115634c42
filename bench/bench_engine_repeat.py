"""Benchmark: the same full validation on the engine, repeated on one Virtuoso instance.

    .venv/bin/python bench/bench_engine_repeat.py RECORDS.nt --runs 6 [--expected '{"Violation": 4031, ...}']

Starts a Virtuoso of its own with bench_engine.py's settings (3 GiB of buffers, MaxQueryMem 2G,
ThreadsPerQuery = cores), writes the document graph (`dutygraph build --store URL`), bulk-loads the
records into a records graph beside (as bench_engine.py does before its validation), then runs
`dutygraph validate RECORDS --store URL --format json` --runs times, each dropping its own work
graph, with the engine query log on. Per run it prints the time, the counts (against --expected, or
the first run's), the LiaisonShape query's rows and seconds (the query that answered wrongly in some
runs, docs/external-engine.md), the confirming queries of the aggregating checks (their number,
rows and seconds) and any result they changed, and virtuoso-t's peak resident memory during the run and after it:
whether the engine's answers and its memory stay the same from run to run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_engine import Virtuoso, Watchdog, machine  # noqa: E402
from bench_service import dutygraph_command  # noqa: E402

GIB = 2**30
LIAISON_WORDS = ("guidedBy", "DemocraticLifeMeeting", "COUNT(DISTINCT")  # the LiaisonShape query's text
FOCUSED = "VALUES ?this {"  # a confirming query's (shacl_engine.engine.confirm_results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path, help="N-Triples records (dutygraph generate-records)")
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--expected", type=json.loads, default=None, help="counts by severity, JSON")
    parser.add_argument("--buffers-gib", type=float, default=3.0)
    args = parser.parse_args()
    records = args.records.resolve()
    if not records.is_file():
        raise SystemExit(f"no such file: {records}")
    for line in machine():
        print(line, flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-engine-repeat-"))
    virtuoso = Virtuoso(work / "virtuoso", buffers_gib=args.buffers_gib, allowed=[records.parent],
                        after_image_limit=1_000_000_000)
    try:
        virtuoso.wait_ready()
        env = dict(os.environ, DUTYGRAPH_STORE_UPDATE_URL=virtuoso.auth_url, DUTYGRAPH_STORE_USER="dba",
                   DUTYGRAPH_STORE_PASSWORD="dba", DUTYGRAPH_STORE_TIMEOUT="3600")
        built = subprocess.run([dutygraph_command(), "build", "--output-dir", str(work / "build"), "--store",
                                virtuoso.url], env=env, capture_output=True)
        if built.returncode != 0:
            raise SystemExit(f"dutygraph build --store failed: {built.stderr[-1000:]!r}")
        start = time.perf_counter()
        graph = "https://w3id.org/dutygraph/graph/run/bench-records/records"
        for sql in (f"ld_dir('{records.parent}', '{records.name}', '{graph}');", "rdf_loader_run();", "checkpoint;"):
            virtuoso.isql(sql)
        print(f"records {records.name} bulk-loaded beside in {time.perf_counter() - start:.1f} s; "
              f"virtuoso-t {virtuoso.rss() / GIB:.2f} GiB", flush=True)
        expected = args.expected
        for run in range(args.runs):
            log = work / f"queries-{run}.jsonl"
            report = work / f"report-{run}.json"
            watch = Watchdog(virtuoso.process.pid, limit=None, timeout=None)  # its peak; stops it if the machine runs short
            watch.start()
            start = time.perf_counter()
            done = subprocess.run([dutygraph_command(), "validate", str(records), "--store", virtuoso.url,
                                   "--format", "json", "--output", str(report)],
                                  env=env | {"DUTYGRAPH_ENGINE_QUERY_LOG": str(log)}, capture_output=True)
            seconds = time.perf_counter() - start
            watch.stop()
            top = watch.peak
            if done.returncode not in (0, 1) or not report.exists():
                print(f"run {run}: failed ({done.returncode}) after {seconds:.1f} s: {done.stderr[-800:]!r}", flush=True)
                break
            counts = json.loads(report.read_text())["counts"]
            expected = expected or counts
            entries = [json.loads(line) for line in log.open(encoding="utf-8")]
            queries = [entry for entry in entries if "query" in entry]
            liaison = [entry for entry in queries if all(word in entry["query"] for word in LIAISON_WORDS)
                       and FOCUSED not in entry["query"]]
            focused = [entry for entry in queries if FOCUSED in entry["query"]]
            changes = [entry for entry in entries if "confirmation" in entry]
            print(f"run {run}: {seconds:.1f} s, counts {counts} {'same' if counts == expected else 'DIFFERENT'}, "
                  f"LiaisonShape query {[(entry['rows'], entry['seconds']) for entry in liaison]}, "
                  f"confirming queries {len(focused)} ({sum(entry['rows'] or 0 for entry in focused)} rows, "
                  f"{sum(entry['seconds'] for entry in focused):.1f} s), "
                  f"virtuoso-t peak {top / GIB:.2f} GiB, after {virtuoso.rss() / GIB:.2f} GiB", flush=True)
            for change in changes:
                print(f"  confirmation changed {change['confirmation']}: {len(change['dropped'])} dropped "
                      f"{change['dropped'][:5]}, {len(change['added'])} added {change['added'][:5]}", flush=True)
            if virtuoso.process.poll() is not None:
                print("virtuoso-t is gone: " + virtuoso.tail(), flush=True)
                break
    finally:
        virtuoso.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
