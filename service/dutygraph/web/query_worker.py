"""Queries, in a process of their own: ``python query_worker.py`` answers framed requests on stdin.

Run as a plain script (not ``-m``) so that it imports nothing but pyoxigraph: it starts fast and
holds no Flask state. It serves one request after another, for as long as its parent keeps it:
each request is a frame (4-byte big-endian length, then JSON) naming the store snapshot, the query,
its dataset, the format and the row cap. The worker opens the snapshot read-only (and keeps it open
until a request names another), runs the query and answers with two frames: a JSON header —
``{"status": "ok", "rows": N, "truncated": bool}`` or ``{"status": "error", "kind":
"syntax"|"evaluation", "message": …}`` — and the serialized answer. The parent (``query_runner``)
kills it when the time limit is up; nothing here needs to cooperate with that.

Rows beyond ``row_limit`` are dropped: SELECT solutions are encoded as SPARQL JSON results (the
answer itself when JSON was asked for, written as Oxigraph writes it) and, for the other results
formats, re-parsed by Oxigraph so that it serializes the truncated set; triples are serialized from
the truncated list.
"""

import json
import select
import sys

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _term(term):
    kind = type(term)
    if kind is ox.NamedNode:
        return {"type": "uri", "value": term.value}
    if kind is ox.Literal:
        encoded = {"type": "literal", "value": term.value}
        language = term.language
        if language:
            encoded["xml:lang"] = language
        else:
            datatype = term.datatype.value
            if datatype != XSD_STRING:
                encoded["datatype"] = datatype
        return encoded
    if kind is ox.BlankNode:
        return {"type": "bnode", "value": term.value}
    return {"type": "triple", "value": {
        "subject": _term(term.subject), "predicate": _term(term.predicate), "object": _term(term.object)}}


_opened = {}  # the snapshot this worker has open: {path: Store}


def _store(path):
    if path not in _opened:
        _opened.clear()  # closes the previous snapshot
        _opened[path] = ox.Store.read_only(path)
    return _opened[path]


def _graphs(iris):
    if iris is None:
        return None
    return [ox.DefaultGraph() if iri == "" else ox.NamedNode(iri) for iri in iris]


def run(request):
    store = _store(request["store"])
    try:
        result = store.query(
            request["query"], prefixes=request["prefixes"],
            default_graph=_graphs(request["default_graph"]), named_graphs=_graphs(request["named_graphs"]),
        )
    except SyntaxError as error:
        return {"status": "error", "kind": "syntax", "message": str(error)}, b""
    return encode(result, request["format"], request["row_limit"])


def encode(result, format_name, limit):
    """(header, body) of a query result in the format named (an attribute of QueryResultsFormat or
    RdfFormat), with at most limit rows or triples. The embedded store's workers and the external
    engine's path (``remote_queries``, through ``encode_rows``) both answer through it."""
    if isinstance(result, ox.QueryBoolean):
        body = result.serialize(format=getattr(ox.QueryResultsFormat, format_name))
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
        return encode_rows([v.value for v in result.variables], [list(row) for row in rows], format_name, truncated)
    body = ox.serialize(rows, format=getattr(ox.RdfFormat, format_name))
    return {"status": "ok", "rows": len(rows), "truncated": truncated}, body


def encode_rows(variables, rows, format_name, truncated):
    """(header, body) of SELECT solutions given as rows of terms in the variables' order (None:
    unbound), already cut to the row cap: SPARQL JSON results as Oxigraph writes them, or, for the
    other results formats, those re-read by Oxigraph and written in that format.

    The JSON is the text ``json.dumps`` gives the whole document (compact, not ASCII-escaped), put
    together from pieces: each distinct term of the answer is written once (an answer's rows repeat
    their terms: the same unit, role or measure in row after row)."""
    keys = [_dumps(name) + ":" for name in variables]
    written = {}  # term -> its JSON object
    bindings = []
    for row in rows:
        parts = []
        for key, term in zip(keys, row):
            if term is None:
                continue
            text = written.get(term)
            if text is None:
                text = written[term] = _dumps(_term(term))
            parts.append(key + text)
        bindings.append("{" + ",".join(parts) + "}")
    encoded = ('{"head":{"vars":' + _dumps(list(variables)) + '},"results":{"bindings":['
               + ",".join(bindings) + "]}}").encode()
    if format_name == "JSON":  # already the answer (as Oxigraph writes it): no second encoding
        body = encoded
    else:
        solutions = ox.parse_query_results(encoded, format=ox.QueryResultsFormat.JSON)
        body = solutions.serialize(format=getattr(ox.QueryResultsFormat, format_name))
    return {"status": "ok", "rows": len(rows), "truncated": truncated}, body


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _read_frame(stream):
    size = stream.read(4)
    if len(size) < 4:
        return None
    return stream.read(int.from_bytes(size, "big"))


def _write_frame(stream, data):
    stream.write(len(data).to_bytes(4, "big") + data)


IDLE_SECONDS = 600  # a worker nobody used for this long exits (its pool starts another when needed)


def _die_with_parent():
    """SIGKILL this worker when the service dies (see dutygraph/parent_death.py, of which this is a copy
    that imports nothing): a query in progress would otherwise run on with no time limit."""
    import ctypes
    import os
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if len(sys.argv) > 1 and os.getppid() != int(sys.argv[1]):
        os._exit(1)


def main():
    _die_with_parent()
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    while True:
        ready, _, _ = select.select([requests], [], [], IDLE_SECONDS)
        if not ready:
            return
        frame = _read_frame(requests)
        if frame is None:  # the parent closed the pipe: stop
            return
        try:
            header, body = run(json.loads(frame))
        except (OSError, ValueError, RuntimeError) as error:
            header, body = {"status": "error", "kind": "evaluation", "message": str(error)}, b""
        _write_frame(answers, json.dumps(header).encode())
        _write_frame(answers, body)
        answers.flush()


if __name__ == "__main__":
    main()
