"""Validation in the browser: upload, progress, reports by unit and measure, kept runs, compliance overview.

Routes of this blueprint (all need an account; a run the account may not read is 404, as one that
does not exist):

- ``GET /validate``: the upload form. Without JavaScript it is a plain multipart form that posts to
  ``POST /validate`` (``runs_api``), which answers a browser's form with 303 to the run page; with
  ``static/validate.js`` the files may be dropped on the page, each file's format is shown (unknown
  ones flagged) before anything is sent, and the upload runs asynchronously with its progress shown.
- ``GET /runs/overview``: the compliance overview across the runs the user may read
  (``compliance_overview``), its chart drawn server-side as inline SVG (``compliance_chart``).
- ``GET /runs/ID/records/resource?iri=IRI``: one record of a run (``report_records``).

``runs_api`` serves ``/runs`` and ``/runs/ID`` and calls ``runs_page`` and ``run_page`` here when
the client asks for HTML, so that the pages and the data share one URL.

Every page is in Chinese or English (``i18n``; the words in ``validation_words``), is readable
without JavaScript, and carries ``Cache-Control: no-store`` when it shows anything of a run: records
name cadres and discipline matters, and a shared computer's cache should not keep them.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request

from . import validation_words  # noqa: F401  (registers the pages' words)
from .auth import account_store, require_account
from .compliance_chart import year_chart
from .compliance_overview import BadFilter, build_overview, parse_filters
from .i18n import MESSAGES, current_language, t
from .page_context import render
from .report_labels import document_facts
from .report_records import record_view
from .report_views import SEVERITY_ORDER, by_measure, by_unit, is_iri, local_path, message, record_path
from .runs_store import Run, get_run, is_run_id, may_read, readable_runs, run_results
from .store_access import service_store
from .validation_forms import by_bearer, form_token, prefers_html

bp = Blueprint("validation_pages", __name__)

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}


def page(template: str, status: int = 200, **values) -> Response:
    """A page showing run data: rendered with the page context, never cached, no referrer elsewhere."""
    response = render(template, status, **values)
    response.headers.update(PRIVATE)
    return response


def _audit(account, action: str, run_id: str | None, detail: str = "") -> None:
    account_store().log(account.name if account else None, action, run_id, detail, request.remote_addr)


def _form_token() -> str:
    """The form token for a page's forms; none for a Bearer client, whose session is not a browser's."""
    return "" if by_bearer() else form_token()


def _template_values() -> dict:
    return {"severities": SEVERITY_ORDER, "local_path": local_path, "record_path": record_path, "is_iri": is_iri,
            "message_of": lambda result: message(result, current_language())}


# -- pages that runs_api serves -------------------------------------------------------------------

def runs_page(runs: list[Run]) -> Response:
    return page("runs.html", runs=runs)


def run_page(run: Run, results: dict, status: int = 200) -> Response:
    facts = document_facts()
    items = results.get("results", [])
    return page("run.html", status, run=run, results=items, by_unit=by_unit(items),
                by_measure=by_measure(items, facts.measures), csrf=_form_token(), **_template_values())


def error_page(status: int, message_text: str, *, back: str | None = "/validate") -> Response:
    """A failed form post, for a browser: the message (the loader's, with file, row and column) and a way back."""
    explanation = f"validate.error_{status}" if f"validate.error_{status}" in MESSAGES else "validate.error_other"
    return page("validate_error.html", status, code=status, message=message_text, back=back, explanation=explanation)


def not_found_page(message_text: str) -> Response:
    return page("run_not_found.html", 404, message=message_text)


# -- the upload form ------------------------------------------------------------------------------

def _format_table() -> list[tuple[str, str]]:
    from ..records_input.formats import FORMATS

    return [(ext, fmt.name) for fmt in FORMATS for ext in fmt.extensions]


def _template_names() -> list[str]:
    from ..records_input.templates import TEMPLATES

    return [template.name for template in TEMPLATES]


def _script_data() -> str:
    """What validate.js needs, as JSON for a non-executed <script type="application/json"> (CSP allows it)."""
    from ..records_input.templates import _NAME_SEPARATORS

    words = {key: t(f"validate.js.{key}") for key in (
        "unknown", "csv_no_template", "csv_template", "uploading", "queued", "validating", "storing", "done", "failed",
        "busy", "network", "remove", "no_files", "unknown_blocks")}
    data = {"formats": dict(_format_table()), "templates": _template_names(), "separators": list(_NAME_SEPARATORS),
            "words": words}
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


@bp.get("/validate")
def upload_form():
    require_account()
    return page("validate.html", formats=_format_table(), templates=_template_names(), csrf=_form_token(),
                script_data=_script_data(), max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                time_limit=current_app.config["VALIDATION_TIME_LIMIT"])


# -- the compliance overview ----------------------------------------------------------------------

@bp.get("/runs/overview")
def overview():
    account = require_account()
    facts = document_facts()
    try:
        filters = parse_filters(request.args, facts)
    except BadFilter as error:
        return error_page(400, str(error), back="/runs/overview") if prefers_html() else _plain(400, str(error))
    store = service_store().store
    runs = readable_runs(store, account)
    if filters.runs:
        runs = [run for run in runs if run.id in filters.runs]
    chosen = []
    for run in runs:
        chosen.append((run, run_results(store, run.id)))
        _audit(account, "read", run.id, "results (compliance overview)")
    view = build_overview(chosen, facts, filters)
    unit_labels = {u["key"]: u for u in view.units}
    return page("compliance.html", view=view, chart=year_chart(view.years), filters=filters,
                filter_unit=unit_labels.get(filters.unit), measure_labels=dict(view.measures),
                all_runs=readable_runs(store, account) if filters.runs else runs, **_template_values())


def _plain(status: int, text: str) -> Response:
    return Response(text.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")


# -- one record of a run --------------------------------------------------------------------------

@bp.get("/runs/<run_id>/records/resource")
def run_record(run_id):
    account = require_account()
    store = service_store().store
    run = get_run(store, run_id) if is_run_id(run_id) else None
    if run is None or not may_read(account, run):
        text = f"no run {run_id!r} that you may read"
        return not_found_page(text) if prefers_html() else _plain(404, text)
    iri = (request.args.get("iri") or "").strip()
    try:
        view = record_view(store, run, iri) if iri else None
    except ValueError:
        view = None
    if view is None:
        text = f"iri must be the IRI of a record of run {run_id}, not {iri!r}"
        return error_page(400, text, back=f"/runs/{run_id}") if prefers_html() else _plain(400, text)
    _audit(account, "read", run_id, f"record {iri}")
    results = [r for r in run_results(store, run_id).get("results", []) if r.get("focus") == iri]
    return page("run_record.html", 200 if view.found else 404, run=run, view=view, results=results,
                **_template_values())
