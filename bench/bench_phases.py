"""Benchmark: where the time of one embedded validation goes, step by step, and how each step grows.

    .venv/bin/python bench/bench_phases.py                    # 10^6 and 10^7 record triples
    .venv/bin/python bench/bench_phases.py --sizes 1e6 --top 10

For each size it takes the generated records of bench_engine.py (seed 61, 2% broken; cached under
bench/.cache, generated when missing) and, in a fresh process so that memory and caches are its
own, runs what `dutygraph validate FILE` runs, timing each step of ``validation.run``: checking the
records file's bytes, building the in-memory Oxigraph store (the file parsed as it is loaded: the
records are streamed, ``records_input.stream_records``), the record shapes (records.ttl), the years of
the records, the day numbers, the duty shapes (and, inside them, each compiled constraint's query),
the report. The steps are wrapped, not changed: the counts are the run's own. It prints each
step's seconds, the slowest constraints, the process's peak memory, and then, between consecutive
sizes, each step's ratio against the records' ratio (``<<`` marks a step growing more than
--growth-flag times faster than the data).

The constraints run on two threads (``shacl_engine.QUERY_THREADS``), so their seconds add up to
more than the duty-shape step's wall time.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_engine import PLANS, load_average, size_label  # noqa: E402
from bench_service import machine, records_file, say  # noqa: E402

STEPS = [("parse", "checking the records file's bytes (records_input.read_records, streamed)"),
         ("build_dataset", "the in-memory store: document + records parsed into it (bulk_extend)"),
         ("structure_problems", "record shapes (records.ttl)"),
         ("years_of_records", "years of the records (periods.years_of_records)"),
         ("derive_day_numbers", "day numbers of the dates"),
         ("run_shapes", "duty shapes (duties.ttl), wall time"),
         ("interpret_report", "the report: duty results"),
         ("total", "the whole run, reading the file included")]


def worker(path: str, top: int) -> dict:
    """One validation of the records at path, every step timed (in this process)."""
    import threading

    from rdflib import BNode

    from dutygraph.records_input import read_records
    from dutygraph.shacl_engine import engine as shacl_engine
    from dutygraph.validation import run as run_module

    seconds: dict[str, float] = {}
    checks: list[tuple[float, str, int]] = []
    lock = threading.Lock()

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
        return wrapper

    for name, _ in STEPS:
        if hasattr(run_module, name):
            setattr(run_module, name, timed(name, getattr(run_module, name)))
    run_check = shacl_engine._run

    def timed_check(check, data, union_default_graph):
        start = time.perf_counter()
        found = run_check(check, data, union_default_graph)
        node = check.shape.node
        shape = "a property shape" if isinstance(node, BNode) else str(node).rsplit("#", 1)[-1]
        label = f"{shape} {str(check.component).rsplit('#', 1)[-1]}"
        with lock:
            checks.append((time.perf_counter() - start, label, len(found)))
        return found

    shacl_engine._run = timed_check
    start = time.perf_counter()
    quads = read_records([Path(path)], stream=True).quads  # as `dutygraph validate FILE`
    seconds["parse"] = time.perf_counter() - start
    run = run_module.validate_records(quads)
    seconds["total"] = time.perf_counter() - start
    checks.sort(reverse=True)
    return {"seconds": seconds, "counts": run.counts, "records": len(quads), "checks": checks[:top],
            "checks_total": sum(c[0] for c in checks), "checks_n": len(checks),
            "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def run_size(size: float, top: int) -> dict:
    colleges, years = PLANS[int(size)]
    path, generated = records_file(colleges, years)
    if generated is not None:
        say(f"generated {path.name} in {generated:.1f} s")
    say(f"== {size_label(size)}: {colleges} colleges x {years} years, {path.name} (load average {load_average()}) …")
    done = subprocess.run([sys.executable, __file__, "--worker", str(path), str(top)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the worker failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["label"] = size_label(size)
    say(f"records: {result['records']:,} quads; counts {result['counts']}; peak memory "
        f"{result['peak'] / 2**30:.2f} GiB")
    for name, text in STEPS:
        say(f"  {result['seconds'].get(name, 0.0):8.2f} s  {text}")
    say(f"  slowest of the {result['checks_n']} compiled constraints (they add up to "
        f"{result['checks_total']:.1f} s on two threads):")
    for seconds, label, rows in result["checks"]:
        say(f"  {seconds:8.2f} s  {rows:6d} results  {label}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e6,1e7", help="record triples, comma-separated (10^4 to 10^7)")
    parser.add_argument("--top", type=int, default=8, help="slowest constraints to print")
    parser.add_argument("--growth-flag", type=float, default=1.2,
                        help="mark a step whose ratio passes this x the records' ratio")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]))))
        return
    sizes = [float(part) for part in args.sizes.split(",") if part.strip()]
    unknown = [size for size in sizes if int(size) not in PLANS]
    if unknown:
        raise SystemExit(f"sizes must be among {', '.join(size_label(s) for s in PLANS)}: got {unknown}")
    for line in machine():
        say(line)
    started = time.perf_counter()
    results = [run_size(size, args.top) for size in sizes]
    for small, large in zip(results, results[1:]):
        ratio = large["records"] / small["records"]
        say(f"== growth {large['label']}/{small['label']}: records x {ratio:.2f}; << marks more than "
            f"x {args.growth_flag * ratio:.1f} ==")
        for name, text in STEPS:
            before, after = small["seconds"].get(name), large["seconds"].get(name)
            if before and after:
                grown = after / before
                mark = "<<" if grown > args.growth_flag * ratio else "  "
                say(f"  x {grown:6.2f} {mark} {text}")
        say(f"  x {large['peak'] / small['peak']:6.2f}    peak memory")
    say(f"whole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
