"""The SPARQL 1.1 Service Description of /sparql (https://www.w3.org/TR/sparql11-service-description/)
and, for a browser, a small self-contained HTML page with a query form.

The description is made of Oxigraph terms and serialized by Oxigraph in the negotiated RDF format;
its ``sd:endpoint`` is the URL the request came to. It states what the endpoint does — SPARQL 1.1
Query only, no update, no federation — and every results and graph format it answers.
"""

from __future__ import annotations

from html import escape

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

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dutygraph SPARQL endpoint</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
textarea {{ width: 100%; font-family: ui-monospace, monospace; font-size: 0.95rem; }}
label, button {{ margin-right: 1rem; }}
code {{ background: #f3f3f3; padding: 0 0.2rem; }}
</style>
</head>
<body>
<h1>dutygraph SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 queries over the duties of 常工党〔2022〕61号. Updates and <code>SERVICE</code>
are refused; a query may run {time_limit:g} s and returns at most {row_limit} rows.</p>
<form method="get" action="{endpoint}">
<textarea name="query" rows="12">{example}</textarea>
<p><label>Format
<select name="format">
{options}
</select></label>
<button type="submit">Run query</button></p>
</form>
<p>Machine clients: <code>GET {endpoint}?query=…</code>, or <code>POST</code> the query as
<code>application/x-www-form-urlencoded</code> or <code>application/sparql-query</code>;
the service description is at <code>{endpoint}</code> with <code>Accept: text/turtle</code>.</p>
</body>
</html>
"""


def html_page(endpoint: str, time_limit: float, row_limit: int) -> str:
    options = "\n".join(
        f'<option value="{fmt.names[0]}">{escape(fmt.names[0])} ({escape(fmt.media_type)})</option>'
        for fmt in RESULT_FORMATS + GRAPH_FORMATS
    )
    return _PAGE.format(endpoint=escape(endpoint), example=escape(EXAMPLE_QUERY), options=options,
                        time_limit=time_limit, row_limit=row_limit)
