"""Validation runs over HTTP: ``POST /validate`` keeps a run; ``/runs`` lists, shows and deletes them.

- ``POST /validate``: records as a multipart upload (any number of files in ``files``, the
  institution's description optionally in ``institution``) or as a raw body with its Content-Type
  (``?name=FILE`` names it; a CSV body must be named after its template, e.g. ``?name=2024_talks.csv``);
  ``label`` and ``year`` (repeatable) as form fields or URL parameters. Every format of ``dutygraph
  validate``. The body may be UPLOAD_MAX_BYTES long (413 beyond). Bad records are 400 with the
  loader's message (file, row, column), and nothing is kept. The answer is 201 with ``Location:
  /runs/ID`` and the report as JSON, Turtle, JSON-LD or HTML (``format`` or Accept).

  Two other ways to answer the same upload: a browser's form post (``validation_forms``) is
  answered 303 to the run page, or with an error page carrying the same message; with ``Prefer:
  respond-async`` or ``?async=1`` the answer is 202 with ``Location: /jobs/ID`` at once and the
  validation goes on in the background (``validation_async``); ``GET /jobs/ID`` says how far it is.
- ``GET /runs``: the runs the caller may read (JSON, or HTML for a browser); ``GET /runs/ID``: one
  run's description and results (JSON, Turtle, JSON-LD, the report page, or CSV —
  ``?format=csv`` or ``/runs/ID/report.csv``, see ``report_csv``); ``GET /runs/ID/records`` and
  ``/runs/ID/report``: its graphs (Turtle, N-Triples, JSON-LD, RDF/XML by ``format`` or Accept);
  ``DELETE /runs/ID`` (or ``POST /runs/ID/delete`` from a form): the run, whole, by its owner or
  an admin.

Everything here needs an account (``auth``); a run that the caller may not read is 404, exactly
as one that does not exist. Uploads, reads and deletions go to the audit log. A request that
changes runs and is signed in by the browser session must carry the session's form token
(``validation_forms``); Bearer requests need none.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, redirect, request

from . import validation_async, validation_pages
from .auth import account_store, require_account
from .limits import Busy
from .negotiation import GRAPH_FORMATS, HTML, Format, NotAcceptable, UnknownFormat, choose
from .report_csv import report_csv
from .runs_store import (Run, delete_run, get_run, graph_triples, is_run_id, may_read, new_run_id, readable_runs,
                         records_graph, report_graph, run_results)
from .store_access import service_store
from .validation_forms import REFUSAL, form_token_ok, is_browser_form_post, prefers_html
from .validation_jobs import BadUpload, ValidationFailed, ValidationTimeout, discard, run_validation, take_slot
from .validation_uploads import UploadError, keep_run, read_upload, upload_detail

bp = Blueprint("runs", __name__)

JSON = Format("application/json", False, ("json",))
REPORT_FORMATS = (JSON,) + tuple(f for f in GRAPH_FORMATS if f.oxigraph in ("TURTLE", "JSON_LD")) + (HTML,)
LISTING_FORMATS = (JSON, HTML)
RDF_FORMATS = tuple(f for f in GRAPH_FORMATS if f.oxigraph in ("TURTLE", "N_TRIPLES", "JSON_LD", "RDF_XML"))
CSV = Format("text/csv", True, ("csv",))
RUN_FORMATS = REPORT_FORMATS + (CSV,)  # GET /runs/ID only: POST /validate answers as it always did
REPORT_PREFIXES = {"sh": "http://www.w3.org/ns/shacl#", "dg": "https://w3id.org/dutygraph/ontology#",
                   "id": "https://w3id.org/dutygraph/id/"}


def _plain(status: int, message: str, **headers) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")
    response.headers.update(headers)
    return response


def _audit(account, action: str, run_id: str | None, detail: str = "") -> None:
    account_store().log(account.name if account else None, action, run_id, detail, request.remote_addr)


def _format(table, what: str) -> Format:
    return choose(table, what, request.values.getlist("format"), request.accept_mimetypes)


def _prefers_async() -> bool:
    """Prefer: respond-async (RFC 7240), which the 202 then says it applied."""
    return "respond-async" in {token.strip().lower() for value in request.headers.getlist("Prefer")
                                for token in value.split(",")}


def _wants_async() -> bool:
    return _prefers_async() or request.args.get("async", "").lower() in ("1", "true", "yes")


# -- POST /validate -------------------------------------------------------------------------------

@bp.route("/validate", methods=["POST"])
def validate():
    account = require_account()
    browser = is_browser_form_post()

    def fail(status: int, message: str, **headers) -> Response:
        if browser:
            response = validation_pages.error_page(status, message)
            response.headers.update(headers)
            return response
        return _plain(status, message, **headers)

    limit = current_app.config["UPLOAD_MAX_BYTES"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        return fail(413, f"the upload is larger than the limit of {limit} bytes; nothing was kept")
    if not form_token_ok():
        return fail(403, REFUSAL)
    try:
        fmt = HTML if browser else _format(REPORT_FORMATS, "a validation report")
        upload = read_upload()
    except UploadError as error:
        return fail(error.status, str(error))
    except (UnknownFormat,) as error:
        return _plain(400, str(error))
    except NotAcceptable as error:
        return _plain(406, str(error))
    started = datetime.now(timezone.utc)
    run_id = new_run_id(started)
    try:
        slot = take_slot()
    except Busy:
        retry = str(current_app.config["RETRY_AFTER_SECONDS"])
        return fail(503, f"too many validations at once (limit {current_app.config['MAX_CONCURRENT_VALIDATIONS']}); "
                         f"retry in {retry} s", **{"Retry-After": retry})
    if _wants_async():
        job = validation_async.start(account, run_id, upload, started, slot, request.remote_addr)
        response = jsonify(job.as_json())
        response.status_code = 202
        response.headers.update({"Location": f"/jobs/{job.id}", "Cache-Control": "no-store"})
        if _prefers_async():
            response.headers["Preference-Applied"] = "respond-async"
        return response
    try:
        output = run_validation(run_id, upload.files, upload.institution, upload.years, slot=slot)
    except BadUpload as error:
        _audit(account, "upload-refused", None, f"{upload.names}: bad input")
        return fail(400, f"bad input; nothing was kept: {error}")
    except ValidationTimeout as error:
        return fail(504, str(error))
    except ValidationFailed as error:
        current_app.logger.error("validation failed: %s", error)
        return fail(500, f"{error}; nothing was kept")
    try:
        run, summary = keep_run(run_id, account.name, upload, started, output)
    finally:
        discard(run_id)
    _audit(account, "upload", run_id, upload_detail(upload, run))
    if browser:
        return redirect(f"/runs/{run_id}", code=303)
    response = _report_response(run, summary, fmt)
    response.status_code = 201
    response.headers["Location"] = f"/runs/{run_id}"
    return response


@bp.get("/jobs/<job_id>")
def job_state(job_id):
    """An asynchronous upload's state, for the account that sent it (anyone else: 404)."""
    account = require_account()
    job = validation_async.readable_job(job_id, account)
    if job is None:
        return _plain(404, f"no job {job_id!r} that you may read (jobs live in the service's memory: "
                           "a restart forgets them, and their uploads were not kept)")
    response = jsonify(job.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


def _report_response(run: Run, results: dict, fmt: Format) -> Response:
    if fmt is JSON:
        return jsonify({"run": run.as_json() | {"url": f"/runs/{run.id}"}, **results})
    if fmt is HTML:
        return validation_pages.run_page(run, results)
    if fmt is CSV:
        response = Response(report_csv(results.get("results", [])), content_type=CSV.content_type)
        response.headers["Content-Disposition"] = f'attachment; filename="dutygraph-run-{run.id}-report.csv"'
        return response
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
    message = f"no run {run_id!r} that you may read"
    return validation_pages.not_found_page(message) if prefers_html() else _plain(404, message)


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
        return validation_pages.runs_page(runs)
    return jsonify({"runs": [run.as_json() | {"url": f"/runs/{run.id}"} for run in runs]})


def _show(run_id: str, table) -> Response:
    account = require_account()
    run = _readable_run(run_id, account)
    if run is None:
        return _no_run(run_id)
    try:
        fmt = _format(table, "a run")
    except UnknownFormat as error:
        return _plain(400, str(error))
    except NotAcceptable as error:
        return _plain(406, str(error))
    _audit(account, "read", run_id, "report as CSV" if fmt is CSV else "run and report")
    return _report_response(run, run_results(service_store().store, run_id), fmt)


@bp.route("/runs/<run_id>", methods=["GET"])
def show_run(run_id):
    return _show(run_id, RUN_FORMATS)


@bp.get("/runs/<run_id>/report.csv")
def run_report_csv(run_id):
    return _show(run_id, (CSV,))


@bp.route("/runs/<run_id>/<part>", methods=["GET"])
def run_graph(run_id, part):
    account = require_account()
    if part not in ("records", "report"):
        return _plain(404, "a run has /records, /report and /report.csv")
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
    if not form_token_ok():
        return validation_pages.error_page(403, REFUSAL, back=f"/runs/{run_id}") if prefers_html() else _plain(403, REFUSAL)
    delete_run(service_store(), run_id)
    _audit(account, "delete", run_id, f"owner {run.owner}")
    if request.method == "POST":
        return redirect("/runs", code=303)
    return Response(status=204)
