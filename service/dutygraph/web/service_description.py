"""The SPARQL 1.1 Service Description of /sparql (https://www.w3.org/TR/sparql11-service-description/),
and the example query that the SPARQL editor (``sparql_editor``) opens new tabs with.

The description is made of Oxigraph terms and serialized by Oxigraph in the negotiated RDF format;
its ``sd:endpoint`` is the URL the request came to. It states what the endpoint does — SPARQL 1.1
Query only, no update, no federation — and every results and graph format it answers.
"""

from __future__ import annotations

import pyoxigraph as ox

from .negotiation import GRAPH_FORMATS, RESULT_FORMATS, oxigraph_format

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def description_triples(endpoint: str) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint + "#service")
    dataset, default_graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, DCTERMS_TITLE, ox.Literal("dutygraph: 常工党〔2022〕61号 duties (read-only SPARQL endpoint)", language="en")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
    ]
    for fmt in RESULT_FORMATS + GRAPH_FORMATS:
        triples.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(oxigraph_format(fmt).iri)))
    return triples


def description(endpoint: str, fmt) -> bytes:
    prefixes = {"sd": SD, "dcterms": "http://purl.org/dc/terms/"}
    return ox.serialize(description_triples(endpoint), format=oxigraph_format(fmt), prefixes=prefixes)


EXAMPLE_QUERY = """PREFIX dg: <https://w3id.org/dutygraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?measure ?label WHERE {
  ?measure a dg:Measure ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
} LIMIT 10"""
