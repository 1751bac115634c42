"""One query, in a process of its own: ``python query_worker.py`` reads a JSON request on stdin.

Run as a plain script (not ``-m``) so that it imports nothing but pyoxigraph: it starts fast and
holds no Flask state. It opens the store read-only, runs the query and writes to stdout one JSON
header line — ``{"status": "ok", "rows": N, "truncated": bool}`` or ``{"status": "error",
"kind": "syntax"|"evaluation", "message": …}`` — followed by the serialized answer. The parent
(``query_runner``) kills it when the time limit is up; nothing here needs to cooperate with that.

Rows beyond ``row_limit`` are dropped: SELECT solutions are re-encoded as SPARQL JSON results and
re-parsed by Oxigraph so that any results format serializes the truncated set; triples are
serialized from the truncated list.
"""

import json
import sys

import pyoxigraph as ox


def _term(term):
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        encoded = {"type": "literal", "value": term.value}
        if term.language:
            encoded["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            encoded["datatype"] = term.datatype.value
        return encoded
    return {"type": "triple", "value": {
        "subject": _term(term.subject), "predicate": _term(term.predicate), "object": _term(term.object)}}


def _graphs(iris):
    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


def run(request):
    store = ox.Store.read_only(request["store"])
    limit = request["row_limit"]
    try:
        result = store.query(
            request["query"], prefixes=request["prefixes"],
            default_graph=_graphs(request["default_graph"]), named_graphs=_graphs(request["named_graphs"]),
        )
    except SyntaxError as error:
        return {"status": "error", "kind": "syntax", "message": str(error)}, b""
    if isinstance(result, ox.QueryBoolean):
        body = result.serialize(format=getattr(ox.QueryResultsFormat, request["format"]))
        return {"status": "ok", "rows": 1, "truncated": False}, body
    rows = []
    for item in result:
        if len(rows) == limit:
            truncated = True
            break
        rows.append(item)
    else:
        truncated = False
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        document = {"head": {"vars": variables}, "results": {"bindings": [
            {name: _term(row[name]) for name in variables if row[name] is not None} for row in rows]}}
        solutions = ox.parse_query_results(json.dumps(document).encode(), format=ox.QueryResultsFormat.JSON)
        body = solutions.serialize(format=getattr(ox.QueryResultsFormat, request["format"]))
    else:
        body = ox.serialize(rows, format=getattr(ox.RdfFormat, request["format"]))
    return {"status": "ok", "rows": len(rows), "truncated": truncated}, body


def main():
    request = json.loads(sys.stdin.buffer.read())
    try:
        header, body = run(request)
    except (OSError, ValueError, RuntimeError) as error:
        header, body = {"status": "error", "kind": "evaluation", "message": str(error)}, b""
    sys.stdout.buffer.write(json.dumps(header).encode() + b"\n" + body)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
