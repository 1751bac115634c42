"""Benchmark: validating generated records with dutygraph's engine and with plain pySHACL.

    .venv/bin/python bench/bench_validation.py                 # 10^4, 10^5, 10^6 triples; pySHACL up to 2*10^5
    .venv/bin/python bench/bench_validation.py --sizes 1e4 1e5 --pyshacl-max 2e5

For each size it generates an institution and its records (records_generator, violation rate 2%,
so the expected results are known), then, each in a fresh process so that peak memory is its own:

* dutygraph: `validate_records` end to end (load into Oxigraph, record shapes, periods, policy,
  day numbers, the 18 duty shapes with the SPARQL engine, the report);
* plain pySHACL: the same prepared dataset (the same triples, periods, policy and day numbers)
  as an rdflib in-memory Graph, `pyshacl.validate(..., inference="none", advanced=True)`, with no
  caching of any kind.

It prints wall time, peak resident memory, the number of results, and whether the two engines give
the same (focus node, shape, path, value) results and whether they are the injected violations.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

# (colleges, years) per size: about 170 record triples per college-year plus the document graph
PLANS = {10_000: (5, 1), 100_000: (60, 9), 1_000_000: (300, 19)}
SEED, RATE = 61, 0.02


def _generate(colleges: int, years: int):
    import pyoxigraph as ox

    from dutygraph.records_generator import generate

    generated = generate(colleges, years, SEED, RATE)
    quads = list(ox.parse(generated.ntriples().encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    return generated, quads


def worker(engine: str, colleges: int, years: int) -> dict:
    generated, quads = _generate(colleges, years)
    expected = sorted(f"{shape} {focus}" for shape, focus in generated.expected)
    if engine == "dutygraph":
        from dutygraph.validation import validate_records

        start = time.perf_counter()
        run = validate_records(quads)
        seconds = time.perf_counter() - start
        results = sorted({f"{r.focus} {r.shape_iri} None {r.value}" for r in run.results})
        found = sorted({f"{r.shape} {r.focus}" for r in run.results})
        triples = run.triples
    else:
        from pyshacl import validate
        from rdflib import Namespace

        from dutygraph.validation.day_numbers import derive_day_numbers
        from dutygraph.validation.engines import store_as_rdflib
        from dutygraph.validation.periods import period_quads, years_of_records
        from dutygraph.validation.policy import load_policy, policy_quads
        from dutygraph.validation.run import build_dataset, load_shapes

        sh = Namespace("http://www.w3.org/ns/shacl#")
        store = build_dataset(quads)
        store.bulk_extend(period_quads(years_of_records(store)) + policy_quads(load_policy()))
        derive_day_numbers(store)
        data = store_as_rdflib(store)
        shapes = load_shapes("duties.ttl")
        triples = len(data)
        start = time.perf_counter()
        _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True)
        seconds = time.perf_counter() - start
        results, found = set(), set()
        for node in report.subjects(sh.resultSeverity, None):
            focus, shape = report.value(node, sh.focusNode), report.value(node, sh.sourceShape)
            results.add(f"{focus} {shape} {report.value(node, sh.resultPath)} {report.value(node, sh.value)}")
            found.add(f"{str(shape).rsplit('#', 1)[-1]} {focus}")
        results, found = sorted(results), sorted(found)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"engine": engine, "triples": triples, "seconds": seconds, "peak_mib": peak_mib,
            "results": results, "matches_injected": found == expected, "injected": len(expected)}


def run_worker(engine: str, colleges: int, years: int, timeout: float) -> dict | None:
    command = [sys.executable, __file__, "--worker", engine, str(colleges), str(years)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(completed.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e5, 1e6])
    parser.add_argument("--pyshacl-max", type=float, default=2e5, help="run plain pySHACL only up to this size")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a run is abandoned")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, colleges, years = args.worker
        print(json.dumps(worker(engine, int(colleges), int(years))))
        return

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}")
    print(f"{'target':>9} {'triples':>9} {'engine':>10} {'seconds':>9} {'peak MiB':>9} {'results':>8} {'=injected':>10} {'=pySHACL':>9}")
    for size in args.sizes:
        colleges, years = PLANS.get(int(size)) or (max(1, int(size / 170 / 10)), 10)
        ours = run_worker("dutygraph", colleges, years, args.timeout)
        reference = run_worker("pyshacl", colleges, years, args.timeout) if size <= args.pyshacl_max else None
        same = "" if reference is None else str(ours["results"] == reference["results"])
        for row in (ours, reference):
            if row is None:
                continue
            print(f"{int(size):>9} {row['triples']:>9} {row['engine']:>10} {row['seconds']:>9.2f} {row['peak_mib']:>9.0f} "
                  f"{len(row['results']):>8} {str(row['matches_injected']):>10} {same:>9}")
        if reference is not None:
            print(f"{'':>9} speed-up over plain pySHACL: {reference['seconds'] / ours['seconds']:.1f}x")
        elif size <= args.pyshacl_max:
            print(f"{'':>9} plain pySHACL did not finish within {args.timeout:.0f} s (stopped): "
                  f"speed-up over it more than {args.timeout / ours['seconds']:.0f}x")
        elif size > args.pyshacl_max:
            print(f"{'':>9} (plain pySHACL not run above {int(args.pyshacl_max)} triples: --pyshacl-max)")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
