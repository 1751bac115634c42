"""Wall time of dutygraph.shacl_engine against pySHACL on synthetic records.

    .venv/bin/python bench/bench_shacl_engine.py                      # ~10^5 triples, both engines
    .venv/bin/python bench/bench_shacl_engine.py --triples 1000000 --skip-pyshacl

Each synthetic record (ex:Record, a subclass of ex:Entry) has an id, an amount, a date, an owning
unit and labels in Chinese and English; about 1 % of the records break one rule each. The shapes use
sh:minCount, sh:maxCount, sh:datatype, sh:pattern, sh:minInclusive, sh:class, sh:uniqueLang and a
SHACL-SPARQL constraint with a message template. When both engines run, their results are compared.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import sys
import time

import pyoxigraph as ox
import rdflib

from dutygraph.shacl_engine import validate

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/bench/> .

ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/bench/"^^xsd:anyURI ] .

ex:EntryShape a sh:NodeShape ;
    sh:targetClass ex:Entry ;
    sh:property [ sh:path ex:id ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ;
                  sh:pattern "^R-[0-9]+$" ; sh:message "id: exactly one R-number"@en, "编号：恰好一个"@zh ] ;
    sh:property [ sh:path ex:amount ; sh:minCount 1 ; sh:datatype xsd:decimal ; sh:minInclusive 0 ] ;
    sh:property [ sh:path ex:date ; sh:datatype xsd:date ] ;
    sh:property [ sh:path ex:owner ; sh:minCount 1 ; sh:class ex:Unit ] ;
    sh:property [ sh:path rdfs:label ; sh:uniqueLang true ] ;
    sh:sparql [
        sh:prefixes ex: ;
        sh:message "amount {?value} exceeds the budget {?budget} of {?unit}"@en ;
        sh:select \"\"\"
            SELECT $this ?value ?budget ?unit WHERE {
                $this ex:owner ?unit ; ex:amount ?value .
                ?unit ex:budget ?budget .
                FILTER (?value > ?budget)
            }\"\"\" ] .
"""


def synthetic_ntriples(triples: int, seed: int = 61) -> tuple[str, int]:
    """N-Triples text of about ``triples`` triples; returns it with the number of records."""
    random_numbers = random.Random(seed)
    ex, xsd = "http://example.org/bench/", "http://www.w3.org/2001/XMLSchema#"
    rdf_type, label = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/2000/01/rdf-schema#label"
    lines = [f"<{ex}Record> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{ex}Entry> ."]
    units = 50
    for unit in range(units):
        lines.append(f"<{ex}unit/{unit}> <{rdf_type}> <{ex}Unit> .")
        lines.append(f'<{ex}unit/{unit}> <{ex}budget> "{1000 + unit * 10}"^^<{xsd}decimal> .')
    records = max(1, (triples - len(lines)) // 7)
    for number in range(records):
        record = f"<{ex}record/{number}>"
        fault = random_numbers.randrange(100) == 0 and random_numbers.randrange(6)
        lines.append(f"{record} <{rdf_type}> <{ex}Record> .")
        if fault != 1:
            lines.append(f'{record} <{ex}id> "R-{number}" .')
        if fault == 2:
            lines.append(f'{record} <{ex}id> "X{number}" .')
        amount = random_numbers.randrange(0, 900) if fault != 3 else 5000
        lines.append(f'{record} <{ex}amount> "{amount}.50"^^<{xsd}decimal> .')
        date = f"2022-{random_numbers.randrange(1, 13):02d}-{random_numbers.randrange(1, 29):02d}"
        lines.append(f'{record} <{ex}date> "{date if fault != 4 else "2022-13-40"}"^^<{xsd}date> .')
        owner = f"<{ex}unit/{number % units}>" if fault != 5 else f"<{ex}person/{number}>"
        lines.append(f"{record} <{ex}owner> {owner} .")
        lines.append(f'{record} <{label}> "记录 {number}"@zh .')
        lines.append(f'{record} <{label}> "Record {number}"@en .')
    return "\n".join(lines) + "\n", records


def comparable(term):
    # The Store keeps "120.50"^^xsd:decimal as "120.5"; rdflib keeps what the file says.
    if isinstance(term, rdflib.Literal) and term.value is not None and not term.ill_typed:
        return ("literal", term.value, term.datatype, term.language)
    return term


def result_key(focus, path, value, shape, component, severity) -> tuple:
    path = path if isinstance(path, rdflib.URIRef) else None  # complex paths: blank nodes
    return (focus, path, comparable(value), shape, component, severity)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--skip-pyshacl", action="store_true", help="time only the SPARQL-compiled engine")
    arguments = parser.parse_args()
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)  # the faults include ill-typed dates

    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"pyoxigraph {ox.__version__}, rdflib {rdflib.__version__}")
    data, records = synthetic_ntriples(arguments.triples)
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")

    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(data.encode(), format=ox.RdfFormat.N_TRIPLES)
    loaded = time.perf_counter()
    outcome = validate(store, shapes)
    finished = time.perf_counter()
    print(f"data: {len(store)} triples, {records} records")
    print(f"shacl_engine: load {loaded - started:.2f} s, validate {finished - loaded:.2f} s, "
          f"{len(outcome.results)} results, conforms={outcome.conforms}")
    started = time.perf_counter()
    report_size = len(outcome.report)  # the rdflib report graph is built on first access
    print(f"shacl_engine: report graph of {report_size} triples built in {time.perf_counter() - started:.2f} s")

    if not arguments.skip_pyshacl:
        import pyshacl

        graph = rdflib.Graph().parse(data=data, format="nt")
        started = time.perf_counter()
        conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True)
        elapsed = time.perf_counter() - started
        SH = rdflib.SH
        fields = (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity)
        pyshacl_keys = {
            result_key(*(report.value(result, field) for field in fields))
            for result in report.subjects(rdflib.RDF.type, SH.ValidationResult)
        }
        engine_keys = {result_key(*result[:6]) for result in outcome.results}
        print(f"pyshacl: validate {elapsed:.2f} s, {len(pyshacl_keys)} distinct results, conforms={conforms}")
        print(f"speed-up: {elapsed / (finished - loaded):.0f}x; same results: {engine_keys == pyshacl_keys}")
        if engine_keys != pyshacl_keys:
            print("only shacl_engine:", sorted(engine_keys - pyshacl_keys)[:5])
            print("only pySHACL:", sorted(pyshacl_keys - engine_keys)[:5])
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
