"""Validation runs over HTTP: ``POST /validate`` keeps a run; ``/runs`` lists, shows and deletes them.

- ``POST /validate``: records as a multipart upload (any number of files in ``files``, the
  institution's description optionally in ``institution``) or as a raw body with its Content-Type
  (``?name=FILE`` names it; a CSV body must be named after its template, e.g. ``?name=2024_talks.csv``);
  ``label`` and ``year`` (repeatable) as form fields or URL parameters. Every format of ``dutygraph
  validate``. The body may be UPLOAD_MAX_BYTES long (413 beyond). Bad records are 400 with the
  loader's message (file, row, column), and nothing is kept. The answer is 201 with ``Location:
  /runs/ID`` and the report as JSON, Turtle, JSON-LD or HTML (``format`` or Accept).
- ``GET /runs``: the runs the caller may read (JSON, or HTML for a browser); ``GET /runs/ID``: one
  run's description and results; ``GET /runs/ID/records`` and ``/runs/ID/report``: its graphs
  (Turtle, N-Triples, JSON-LD, RDF/XML by ``format`` or Accept); ``DELETE /runs/ID`` (or ``POST
  /runs/ID/delete`` from a form): the run, whole, by its owner or an admin.

Everything here needs an account (``auth``); a run that the caller may not read is 404, exactly
as one that does not exist. Uploads, reads and deletions go to the audit log.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, redirect, request

from .auth import account_store, require_account
from .limits import Busy
from .negotiation import GRAPH_FORMATS, HTML, Format, NotAcceptable, UnknownFormat, choose
from .runs_store import (Run, RunFile, add_run, delete_run, get_run, graph_triples, is_run_id, may_read,
                         readable_runs, records_graph, report_graph, run_results)
from .runs_store import new_run_id
from .store_access import service_store
from .validation_jobs import BadUpload, ValidationFailed, ValidationTimeout, discard, run_validation

bp = Blueprint("runs", __name__)

JSON = Format("application/json", False, ("json",))
REPORT_FORMATS = (JSON,) + tuple(f for f in GRAPH_FORMATS if f.oxigraph in ("TURTLE", "JSON_LD")) + (HTML,)
LISTING_FORMATS = (JSON, HTML)
RDF_FORMATS = tuple(f for f in GRAPH_FORMATS if f.oxigraph in ("TURTLE", "N_TRIPLES", "JSON_LD", "RDF_XML"))
RAW_NAMES = {
    "text/turtle": "records.ttl", "application/x-turtle": "records.ttl", "application/trig": "records.trig",
    "application/n-triples": "records.nt", "application/n-quads": "records.nq", "application/ld+json": "records.jsonld",
    "application/rdf+xml": "records.rdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "records.xlsx",
}
REPORT_PREFIXES = {"sh": "http://www.w3.org/ns/shacl#", "dg": "https://w3id.org/dutygraph/ontology#",
                   "id": "https://w3id.org/dutygraph/id/"}


class UploadError(ValueError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _plain(status: int, message: str, **headers) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")
    response.headers.update(headers)
    return response


def _audit(account, action: str, run_id: str | None, detail: str = "") -> None:
    account_store().log(account.name if account else None, action, run_id, detail, request.remote_addr)


def _format(table, what: str) -> Format:
    return choose(table, what, request.values.getlist("format"), request.accept_mimetypes)


# -- reading the upload ---------------------------------------------------------------------------

def _years() -> list[int]:
    years = []
    for value in request.values.getlist("year"):
        if not value.strip():
            continue
        if not value.strip().isdigit() or not 1900 <= int(value) <= 2999:
            raise UploadError(400, f"year must be a four-digit year, not {value!r}")
        years.append(int(value))
    return years


def _uploaded_files() -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    if request.mimetype == "multipart/form-data":
        records, institution = [], []
        for field, storage in request.files.items(multi=True):
            if not storage.filename:
                continue
            (institution if field == "institution" else records).append((storage.filename, storage.read()))
        if not records:
            raise UploadError(400, "no records: upload one or more files in the form field 'files'")
        return records, institution
    if request.mimetype in ("", "application/x-www-form-urlencoded"):
        raise UploadError(415, "send records as multipart/form-data (field 'files') or as a raw body with its "
                               "Content-Type (text/turtle, application/trig, application/n-triples, application/n-quads, "
                               "application/ld+json, application/rdf+xml, text/csv, the XLSX type)")
    name = request.args.get("name") or RAW_NAMES.get(request.mimetype)
    if name is None and request.mimetype == "text/csv":
        raise UploadError(400, "a CSV body needs ?name=TEMPLATE.csv (e.g. ?name=2024_talks.csv) to say which template it follows")
    if name is None:
        raise UploadError(415, f"records cannot be read from {request.mimetype}; see /openapi.json for the formats")
    data = request.get_data(cache=False)
    if not data:
        raise UploadError(400, "the request body is empty: no records")
    return [(name, data)], []


# -- POST /validate -------------------------------------------------------------------------------

@bp.route("/validate", methods=["POST"])
def validate():
    account = require_account()
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        return _plain(413, f"the upload is larger than the limit of {limit} bytes; nothing was kept")
    try:
        fmt = _format(REPORT_FORMATS, "a validation report")
        years = _years()
        label = (request.values.get("label") or "").strip()[:500]
        files, institution = _uploaded_files()
    except UploadError as error:
        return _plain(error.status, str(error))
    except (UnknownFormat,) as error:
        return _plain(400, str(error))
    except NotAcceptable as error:
        return _plain(406, str(error))
    started = datetime.now(timezone.utc)
    run_id = new_run_id(started)
    names = ", ".join(name for name, _ in files + institution)
    try:
        output = run_validation(run_id, files, institution, years)
    except BadUpload as error:
        _audit(account, "upload-refused", None, f"{names}: bad input")
        return _plain(400, f"bad input; nothing was kept: {error}")
    except Busy:
        retry = str(current_app.config["RETRY_AFTER_SECONDS"])
        return _plain(503, f"too many validations at once (limit {current_app.config['MAX_CONCURRENT_VALIDATIONS']}); "
                           f"retry in {retry} s", **{"Retry-After": retry})
    except ValidationTimeout as error:
        return _plain(504, str(error))
    except ValidationFailed as error:
        current_app.logger.error("validation failed: %s", error)
        return _plain(500, f"{error}; nothing was kept")
    try:
        result = output.result
        summary = result["run"]
        run = Run(
            id=run_id, owner=account.name, label=label, started=_iso(started), ended=_iso(datetime.now(timezone.utc)),
            engine=result["engine"], conforms=summary["conforms"], years=summary["years"],
            counts={k: summary["counts"].get(k, 0) for k in ("Violation", "Warning", "Info")},
            record_triples=result["triples"],
            files=[RunFile(f["name"], f["sha256"], f["size"], f["format"], f["triples"], f["role"]) for f in result["files"]],
        )
        add_run(service_store(), run, records_ntriples=output.records_ntriples,
                report_ntriples=output.report_ntriples, results=summary)
    finally:
        discard(run_id)
    _audit(account, "upload", run_id, f"{names} ({run.record_triples} record triples)")
    response = _report_response(run, summary, fmt)
    response.status_code = 201
    response.headers["Location"] = f"/runs/{run_id}"
    return response


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _report_response(run: Run, results: dict, fmt: Format) -> Response:
    if fmt is JSON:
        return jsonify({"run": run.as_json() | {"url": f"/runs/{run.id}"}, **results})
    if fmt is HTML:
        return Response(render_run_html(run, results), content_type=HTML.content_type)
    triples = graph_triples(service_store().store, report_graph(run.id))
    body = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt.oxigraph), prefixes=REPORT_PREFIXES)
    return Response(body, content_type=fmt.content_type)


# -- /runs ----------------------------------------------------------------------------------------

def _readable_run(run_id: str, account) -> Run | None:
    if not is_run_id(run_id):
        return None
    run = get_run(service_store().store, run_id)
    return run if run is not None and may_read(account, run) else None


def _no_run(run_id: str) -> Response:
    return _plain(404, f"no run {run_id!r} that you may read")


@bp.route("/runs", methods=["GET"])
def list_runs():
    account = require_account()
    try:
        fmt = _format(LISTING_FORMATS, "the list of runs")
    except (UnknownFormat, NotAcceptable) as error:
        return _plain(406, str(error))
    runs = readable_runs(service_store().store, account, with_files=True)
    _audit(account, "list", None, f"{len(runs)} runs")
    if fmt is HTML:
        return Response(render_runs_html(runs), content_type=HTML.content_type)
    return jsonify({"runs": [run.as_json() | {"url": f"/runs/{run.id}"} for run in runs]})


@bp.route("/runs/<run_id>", methods=["GET"])
def show_run(run_id):
    account = require_account()
    run = _readable_run(run_id, account)
    if run is None:
        return _no_run(run_id)
    try:
        fmt = _format(REPORT_FORMATS, "a run")
    except UnknownFormat as error:
        return _plain(400, str(error))
    except NotAcceptable as error:
        return _plain(406, str(error))
    _audit(account, "read", run_id, "run and report")
    return _report_response(run, run_results(service_store().store, run_id), fmt)


@bp.route("/runs/<run_id>/<part>", methods=["GET"])
def run_graph(run_id, part):
    account = require_account()
    if part not in ("records", "report"):
        return _plain(404, "a run has /records and /report")
    run = _readable_run(run_id, account)
    if run is None:
        return _no_run(run_id)
    try:
        fmt = _format(RDF_FORMATS, f"the {part} of a run")
    except UnknownFormat as error:
        return _plain(400, str(error))
    except NotAcceptable as error:
        return _plain(406, str(error))
    graph = records_graph(run_id) if part == "records" else report_graph(run_id)
    triples = graph_triples(service_store().store, graph)
    _audit(account, "read", run_id, part)
    body = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt.oxigraph), prefixes=REPORT_PREFIXES)
    return Response(body, content_type=fmt.content_type)


@bp.route("/runs/<run_id>", methods=["DELETE"])
@bp.route("/runs/<run_id>/delete", methods=["POST"])
def remove_run(run_id):
    account = require_account()
    run = _readable_run(run_id, account)
    if run is None:
        return _no_run(run_id)
    delete_run(service_store(), run_id)
    _audit(account, "delete", run_id, f"owner {run.owner}")
    if request.method == "POST":
        return redirect("/runs", code=303)
    return Response(status=204)


# -- HTML -----------------------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem;color:#222}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}}
.Violation{{color:#a00}}.Warning{{color:#a60}}</style></head>
<body><h1>{title}</h1>
{body}
</body></html>
"""


def render_runs_html(runs: list[Run]) -> str:
    rows = "".join(
        f"<tr><td><a href=\"/runs/{escape(r.id)}\">{escape(r.id)}</a></td><td>{escape(r.label)}</td><td>{escape(r.owner)}</td>"
        f"<td>{escape(r.started)}</td><td>{' '.join(map(str, r.years))}</td><td>{r.counts['Violation']}</td>"
        f"<td>{r.counts['Warning']}</td></tr>" for r in runs)
    body = ("<table><tr><th>run</th><th>label</th><th>uploaded by</th><th>time (UTC)</th><th>years</th>"
            f"<th>violations</th><th>warnings</th></tr>{rows}</table>" if runs else "<p>No runs yet.</p>")
    return _PAGE.format(title="Validation runs", body=body)


def render_run_html(run: Run, results: dict) -> str:
    files = "".join(f"<li>{escape(f.name)} ({f.format}, {f.size} bytes, {f.triples} triples, sha256 {f.sha256})</li>"
                    for f in run.files)
    by_measure: dict[int, list[dict]] = {}
    for result in results.get("results", []):
        by_measure.setdefault(result["measure"], []).append(result)
    sections = []
    for measure in sorted(by_measure):
        rows = "".join(
            f"<tr class=\"{escape(r['severity'])}\"><td>{escape(r['severity'])}</td>"
            f"<td><a href=\"{escape(r['item_iri'])}\">{escape(r['item_key'])}</a></td><td>{escape(r['duty'].get('en', ''))}</td>"
            f"<td>{escape(str(r.get('period') or ''))}</td><td>{escape(', '.join(u.get('en', '') for u in r['units']))}</td>"
            f"<td>{escape(r['message'].get('en', ''))}<br>{escape(r['message'].get('zh', ''))}</td></tr>"
            for r in by_measure[measure])
        sections.append(f"<h2>Measure {measure}</h2><table><tr><th>severity</th><th>item</th><th>duty</th><th>year</th>"
                        f"<th>accountable units</th><th>message</th></tr>{rows}</table>")
    verdict = "Every duty checked was met." if run.conforms else (
        f"{run.counts['Violation']} violations, {run.counts['Warning']} warnings.")
    body = (f"<p>Uploaded by {escape(run.owner)} at {escape(run.started)}"
            f"{(' — ' + escape(run.label)) if run.label else ''}. Years: {' '.join(map(str, run.years))}. {verdict}</p>"
            f"<ul>{files}</ul>{''.join(sections)}"
            f"<p><a href=\"/runs/{escape(run.id)}/records\">records</a> · <a href=\"/runs/{escape(run.id)}/report\">report (Turtle)</a></p>")
    return _PAGE.format(title=f"Validation run {escape(run.id)}", body=body)
