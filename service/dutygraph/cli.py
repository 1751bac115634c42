"""The `dutygraph` command.

Exit codes: 0 success; 1 a check failed or the curated data is inconsistent; 2 bad usage or input
(an unknown unit, a bad query parameter, a SPARQL syntax error).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .curation import CurationError
from .output_formats import FORMATS, plain, render
from .queries import QueryError, SelectResult, list_canned_queries, run_canned_query, run_sparql

EXPORT_FORMATS = {"turtle": "turtle", "ntriples": "ntriples", "jsonld": "json-ld"}



def _store(url: str | None = None):
    if url:
        from .cli_validate import engine_store

        return engine_store(url, writable=False, document="present")
    from .store import open_document_store

    return open_document_store()


def cmd_build(args) -> int:
    import pyoxigraph as ox

    from .cli_validate import EngineUnusable, engine_store
    from .graph_build import write_build

    try:
        engine = engine_store(args.store, document="none") if args.store else None
    except EngineUnusable as error:
        print(f"dutygraph: {error}", file=sys.stderr)
        return 2
    written = write_build(Path(args.output_dir))
    store = ox.Store()
    store.bulk_load(path=str(written["full"]), format=ox.RdfFormat.TURTLE)  # what was written, not a second build
    counts = run_canned_query(store, "graph-counts")
    for name, path in written.items():
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    if engine is not None:
        from .remote_store import RemoteError
        from .validation.engine_dataset import load_document

        try:
            load_document(engine, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
            counts = run_canned_query(engine, "graph-counts")  # as the engine answers them
        except RemoteError as error:
            print(f"dutygraph: loading the document graph into {args.store} failed: {error}", file=sys.stderr)
            return 2
        print(f"loaded the document graph into {args.store} ({len(store)} triples, replacing what it had)")
    row = counts.rows[0]
    print(", ".join(f"{plain(row[v])} {v}" for v in counts.variables))
    return 0


def cmd_check(args) -> int:
    from .checks import check_consistency, check_coverage, check_dl_profile, check_integrity
    from .graph_build import build_full_graph

    graph = build_full_graph()
    print(f"[ok] curation tables: consistent with the source ({len(graph)} triples built)")
    outcomes = [check_integrity(graph), check_coverage(graph)]
    if not args.skip_owl:
        outcomes += [check_consistency(graph), check_dl_profile(graph)]
    for outcome in outcomes:
        print(outcome.report())
    failed = [o.name for o in outcomes if not o.passed]
    if failed:
        print(f"check failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


COVERAGE_COLUMNS = ["measure", "item", "checkable", "shapes", "obligations_checked", "obligations_stated", "reason"]
COVERAGE_CSV_COLUMNS = [
    "measure", "item", "title", "checkable", "shapes", "obligations_checked", "obligations_stated", "reason", "reason_zh",
]


def _coverage_rows(store) -> list[dict]:
    """The rows of the canned query duty-coverage, with shapes and obligations as sorted lists."""
    result = run_canned_query(store, "duty-coverage")
    rows = []
    for solution in result.rows:
        row = {name: plain(value) for name, value in solution.items()}
        for column in ("shapes", "obligations_checked"):
            row[column] = sorted(part for part in (row[column] or "").split(", ") if part)
        rows.append(row)
    return rows


def _markdown_cell(value) -> str:
    text = ", ".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|")


def coverage_markdown(rows: list[dict]) -> str:
    """The docs page docs/coverage.md: a heading, how it is made, the counts, and the table."""
    checkable = [row for row in rows if row["checkable"] == "yes"]
    shapes = {shape for row in rows for shape in row["shapes"]}
    lines = [
        "# Duty coverage",
        "",
        "Generated from the graph by `dutygraph coverage --format markdown > docs/coverage.md`; do not edit by hand.",
        "",
        f"Of the {len(rows)} content items, {len(checkable)} can be checked from records: the {len(shapes)} duty shapes of "
        "`shapes/duties.ttl` enforce them (`dg:enforces`), each checking the obligations listed "
        f"(`dg:enforcesObligation`). The other {len(rows) - len(checkable)} cannot, for the reason given "
        "(`dg:notCheckableBecause`, curated in `data/curation/coverage.csv`). `dutygraph check` fails when the two disagree.",
        "",
        "| measure | item | title | checkable from records | duty shapes | obligations checked | why not checkable | 无法依据记录核查的原因 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        checked = f"{', '.join(row['obligations_checked'])} (of {row['obligations_stated']})" if row["obligations_checked"] else ""
        cells = [row["measure"], row["item"], row["title"], row["checkable"], row["shapes"], checked, row["reason"], row["reason_zh"]]
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def cmd_coverage(args) -> int:
    rows = _coverage_rows(_store())
    if args.format == "markdown":
        sys.stdout.write(coverage_markdown(rows))
    elif args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        columns = COVERAGE_COLUMNS if args.format == "table" else COVERAGE_CSV_COLUMNS
        sys.stdout.write(render(columns, rows, args.format))
    return 0


def cmd_duties(args) -> int:
    from .duties import CSV_COLUMNS, TABLE_COLUMNS, duties, for_display

    rows = duties(_store(), unit=args.unit)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        columns = TABLE_COLUMNS if args.format == "table" else CSV_COLUMNS
        sys.stdout.write(render(columns, for_display(rows, args.lang), args.format))
    return 0


def _params(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise QueryError(f"--param takes name=value, not {pair!r}")
        values[name.strip()] = value
    return values


def cmd_query(args) -> int:
    if args.list:
        rows = [
            {"name": q.name, "title_en": q.title_en, "title_zh": q.title_zh,
             "parameters": [f"{p.name}{'' if p.required else '?'}:{p.type}" for p in q.parameters]}
            for q in list_canned_queries()
        ]
        sys.stdout.write(render(["name", "title_en", "title_zh", "parameters"], rows, args.format))
        return 0
    if bool(args.name) == bool(args.sparql):
        raise QueryError("give either a canned query NAME or --sparql 'QUERY' (or --list)")
    store = _store(args.store)
    if args.sparql:
        if args.param:
            raise QueryError("--param goes with a canned query, not with --sparql")
        result = run_sparql(store, args.sparql)
    else:
        result = run_canned_query(store, args.name, _params(args.param))
    if isinstance(result, SelectResult):
        rows = [{k: plain(v) for k, v in row.items()} for row in result.rows]
        sys.stdout.write(render(result.variables, rows, args.format))
    elif isinstance(result, bool):
        print(json.dumps({"boolean": result}) if args.format == "json" else str(result).lower())
    else:
        from rdflib import Graph

        from .graph_build import new_graph

        graph: Graph = new_graph()
        graph.parse(data="\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in result), format="nt")
        sys.stdout.write(graph.serialize(format="turtle"))
    return 0


def cmd_export(args) -> int:
    from .graph_build import build_full_graph, serialize

    data = serialize(build_full_graph(), EXPORT_FORMATS[args.format])
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({len(data)} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dutygraph",
        description="The supervision duties of 常工党〔2022〕61号 as a knowledge graph: build, check, ask.",
    )
    parser.add_argument("--version", action="version", version=f"dutygraph {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build the graph from the source text and curation tables")
    build.add_argument("--output-dir", default="build", help="where to write the Turtle files (default: build)")
    build.add_argument("--store", metavar="URL", help="also load the document graph into this SPARQL 1.1 engine "
                                                      "(its /sparql endpoint, updates allowed), replacing it there")
    build.set_defaults(handler=cmd_build)

    check = sub.add_parser("check", help="run the quality checks: SHACL integrity, duty coverage, HermiT consistency, OWL 2 DL profile")
    check.add_argument("--skip-owl", action="store_true", help="only the curation and SHACL checks (no Java)")
    check.set_defaults(handler=cmd_check)

    duties = sub.add_parser("duties", help="the who-owes-what table, one row per content item")
    duties.add_argument("--unit", help="only the items this unit is accountable for (Chinese or English name)")
    duties.add_argument("--format", choices=FORMATS, default="table")
    duties.add_argument("--lang", choices=("zh", "en"), default="zh", help="label language for table and CSV")
    duties.set_defaults(handler=cmd_duties)

    coverage = sub.add_parser("coverage", help="which items records can show: the enforcing duty shapes, or why not")
    coverage.add_argument("--format", choices=FORMATS + ("markdown",), default="table")
    coverage.set_defaults(handler=cmd_coverage)

    query = sub.add_parser("query", help="run a canned question of queries/ or any SPARQL query")
    query.add_argument("name", nargs="?", help="the canned query's name (see --list)")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter of the canned query")
    query.add_argument("--sparql", help="run this SPARQL query instead of a canned one")
    query.add_argument("--list", action="store_true", help="list the canned queries")
    query.add_argument("--format", choices=FORMATS, default="table")
    query.add_argument("--store", metavar="URL", help="ask this SPARQL 1.1 engine's document graph (loaded by "
                                                      "`dutygraph build --store URL`) instead of a fresh in-memory build")
    query.set_defaults(handler=cmd_query)

    export = sub.add_parser("export", help="write the whole graph (ontology + data)")
    export.add_argument("--format", choices=tuple(EXPORT_FORMATS), default="turtle")
    export.add_argument("--output", help="file to write (default: standard output)")
    export.set_defaults(handler=cmd_export)

    from .cli_validate import add_parsers as add_validation_parsers

    add_validation_parsers(sub)
    from .cli_serve import add_parsers as add_serve_parsers

    add_serve_parsers(sub)
    from .cli_accounts import add_parsers as add_account_parsers

    add_account_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CurationError as error:
        print(f"dutygraph: {error}", file=sys.stderr)
        return 1
    except QueryError as error:
        print(f"dutygraph: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as error:
        from .cli_validate import EngineUnusable
        from .remote_store import RemoteError

        if isinstance(error, (EngineUnusable, RemoteError)):  # an external engine (--store URL) failed or refused
            print(f"dutygraph: {error}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
