"""`dutygraph validate` and `dutygraph generate-records`: checking records, and making synthetic ones."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .records_input import DEFAULT_BASE, RecordInputError, load_records, read_records
from .validation import PolicyError, load_policy, validate_records
from .validation.engines import ENGINES
from .validation.report import render_text
from .validation.run import NoRecordsError, RecordStructureError

REPORT_FORMATS = ("text", "json", "turtle", "jsonld")


class EngineUnusable(Exception):
    """An external engine (--store URL) that cannot be used: the message says why and what to do."""


def engine_store(url: str, *, writable: bool = True, document: str = "exact"):
    """The RemoteStore of ``--store URL`` (update URL, account and password from DUTYGRAPH_STORE_UPDATE_URL,
    DUTYGRAPH_STORE_USER, DUTYGRAPH_STORE_PASSWORD, DUTYGRAPH_STORE_TIMEOUT_PARAMETER), checked: reachable, accepting updates when
    ``writable``, and holding this dutygraph's document graph (``document``: "exact", "present" or
    "none"). EngineUnusable otherwise."""
    import os

    from .remote_store import TIMEOUT_PARAMETER, RemoteError, RemoteStore, is_store_url
    from .validation.engine_dataset import EngineRefused, StaleDocument, check_document, check_engine, document_version

    if not is_store_url(url):
        raise EngineUnusable(f"--store takes the URL of a SPARQL endpoint (http://… or https://…), not {url!r}")
    store = RemoteStore(url, os.environ.get("DUTYGRAPH_STORE_UPDATE_URL") or None,
                        user=os.environ.get("DUTYGRAPH_STORE_USER") or None,
                        password=os.environ.get("DUTYGRAPH_STORE_PASSWORD") or None,
                        timeout=float(os.environ.get("DUTYGRAPH_STORE_TIMEOUT") or 3600),
                        timeout_parameter=os.environ.get("DUTYGRAPH_STORE_TIMEOUT_PARAMETER", TIMEOUT_PARAMETER))
    try:
        check_engine(store, writable=writable)
        if document == "exact":
            check_document(store)
        elif document == "present" and document_version(store) is None:
            raise StaleDocument(f"the SPARQL engine at {url} has no dutygraph document graph; load it with "
                                "`dutygraph build --store URL`")
    except EngineRefused as error:
        raise EngineUnusable(str(error)) from None
    except StaleDocument as error:
        raise EngineUnusable(str(error)) from None
    except RemoteError as error:
        raise EngineUnusable(f"cannot use the SPARQL engine at {url}: {error}") from None
    return store


def cmd_validate(args) -> int:
    from .remote_store import RemoteError

    try:
        store = engine_store(args.store) if args.store else None
    except EngineUnusable as error:
        print(f"dutygraph: {error}", file=sys.stderr)
        return 2
    try:
        # The records are only written into the run's store (in memory, or an engine's): streamed
        # from the files, never held (records_input.streamed), when they are all Turtle, TriG,
        # N-Triples or N-Quads.
        records = read_records([Path(f) for f in args.files], base=args.base, stream=True)
        institution = None
        if args.institution:
            institution = load_records([Path(f) for f in args.institution], base=args.base).quads
        policy = load_policy(Path(args.policy) if args.policy else None)
        run = validate_records(records.quads, years=args.year or None, policy=policy,
                               institution_quads=institution, engine=args.engine, store=store)
    except (RecordInputError, RecordStructureError, NoRecordsError, PolicyError) as error:
        print(f"dutygraph: bad input: {error}", file=sys.stderr)
        return 2
    except RemoteError as error:
        print(f"dutygraph: the validation on the SPARQL engine at {args.store} failed: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        text = json.dumps(run.as_json(), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "turtle":
        text = run.report_graph.serialize(format="turtle")
    elif args.format == "jsonld":
        text = run.report_graph.serialize(format="json-ld", indent=2)
    else:
        text = render_text(run.results, run.years, args.lang)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0 if run.conforms else 1


def cmd_generate_records(args) -> int:
    import pyoxigraph as ox

    from .examples import PREFIXES
    from .records_generator import generate

    try:
        generated = generate(colleges=args.colleges, years=args.years, seed=args.seed,
                             violation_rate=args.violation_rate, start_year=args.start_year,
                             breaks=set(args.break_duty or ()))
    except ValueError as error:
        print(f"dutygraph: {error}", file=sys.stderr)
        return 2
    rdf_format = args.format or ("turtle" if args.output and args.output.endswith(".ttl") else "ntriples")

    def write(stream) -> None:
        if rdf_format == "turtle":
            stream.write(ox.serialize(ox.parse(generated.ntriples(args.part).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES),
                                      format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
        else:
            generated.write_ntriples(stream, args.part)

    if args.output:
        with open(args.output, "wb") as stream:
            write(stream)
        print(f"wrote {args.output}: {len(generated.institution)} institution and {len(generated.records)} record triples, "
              f"{len(generated.expected)} duty instance(s) broken", file=sys.stderr)
    else:
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    if args.expected:
        Path(args.expected).write_text(json.dumps(
            [{"shape": shape, "focus": focus} for shape, focus in sorted(generated.expected)], indent=1) + "\n", encoding="utf-8")
    return 0


def add_parsers(sub) -> None:
    validate = sub.add_parser("validate", help="check an institution's records against the duties")
    validate.add_argument("files", nargs="+", metavar="FILE",
                          help="records: Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML, or CSV/XLSX templates (data/templates)")
    validate.add_argument("--year", type=int, action="append", help="a year to check (repeatable; default: every year the records date)")
    validate.add_argument("--format", choices=REPORT_FORMATS, default="text")
    validate.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the text report")
    validate.add_argument("--institution", action="append", metavar="FILE",
                          help="the institution's description (units, posts, people, tenures); default: the records' own, else the example institution")
    validate.add_argument("--policy", metavar="FILE", help="a policy file overriding data/policy.toml")
    validate.add_argument("--engine", choices=ENGINES, default="fast", help="fast (SPARQL on Oxigraph) or pyshacl (the reference)")
    validate.add_argument("--base", default=DEFAULT_BASE, help="base IRI for CSV/XLSX rows and relative IRIs")
    validate.add_argument("--output", help="write the report to this file")
    validate.add_argument("--store", metavar="URL",
                          help="validate on this SPARQL 1.1 engine (its /sparql endpoint; the document graph loaded there "
                               "by `dutygraph build --store URL`): the records go into a temporary graph, dropped afterwards")
    validate.set_defaults(handler=cmd_validate)

    generate = sub.add_parser("generate-records", help="write synthetic records (with their institution) for demos and benchmarks")
    generate.add_argument("--colleges", type=int, default=5)
    generate.add_argument("--years", type=int, default=1)
    generate.add_argument("--seed", type=int, default=61)
    generate.add_argument("--violation-rate", type=float, default=0.0, help="probability that each duty instance is broken")
    generate.add_argument("--start-year", type=int, default=2024)
    generate.add_argument("--break", dest="break_duty", action="append", metavar="SHAPE", help="break the first instance of this duty shape")
    generate.add_argument("--part", choices=("all", "institution", "records"), default="all")
    generate.add_argument("--format", choices=("ntriples", "turtle"), help="default: turtle for a .ttl output, else N-Triples")
    generate.add_argument("--output", help="file to write (default: standard output)")
    generate.add_argument("--expected", metavar="FILE", help="also write the broken duty instances (shape, focus) as JSON")
    generate.set_defaults(handler=cmd_generate_records)
