"""What an upload to ``POST /validate`` is made of, and how a validated upload becomes a kept run.

Both the synchronous answer (``runs_api``) and the background job (``validation_async``) read the
upload with ``read_upload`` while the request is open (Flask's request, and its body, are gone once
it is answered) and keep the run with ``keep_run`` — so an asynchronous upload is refused, checked
and stored exactly as a synchronous one: the same messages, the same all-or-nothing write, the
same audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import request

from .runs_store import Run, RunFile, add_run
from .store_access import service_store
from .validation_jobs import ValidationOutput

RAW_NAMES = {
    "text/turtle": "records.ttl", "application/x-turtle": "records.ttl", "application/trig": "records.trig",
    "application/n-triples": "records.nt", "application/n-quads": "records.nq", "application/ld+json": "records.jsonld",
    "application/rdf+xml": "records.rdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "records.xlsx",
}


class UploadError(ValueError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Upload:
    files: list[tuple[str, bytes]]
    institution: list[tuple[str, bytes]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    label: str = ""

    @property
    def names(self) -> str:
        return ", ".join(name for name, _ in self.files + self.institution)


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
        for name, storage in request.files.items(multi=True):
            if not storage.filename:
                continue  # a file input left empty (the browser sends it with no name)
            (institution if name == "institution" else records).append((storage.filename, storage.read()))
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


def read_upload() -> Upload:
    """The files, years and label of this request; UploadError (with its status) when they cannot be."""
    years = _years()
    label = (request.values.get("label") or "").strip()[:500]
    files, institution = _uploaded_files()
    return Upload(files, institution, years, label)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def keep_run(run_id: str, owner: str, upload: Upload, started: datetime, output: ValidationOutput) -> tuple[Run, dict]:
    """Write the validated upload as run ``run_id`` (all or nothing, ``runs_store.add_run``); the run and its results."""
    result = output.result
    summary = result["run"]
    run = Run(
        id=run_id, owner=owner, label=upload.label, started=iso(started), ended=iso(datetime.now(timezone.utc)),
        engine=result["engine"], conforms=summary["conforms"], years=summary["years"],
        counts={k: summary["counts"].get(k, 0) for k in ("Violation", "Warning", "Info")},
        record_triples=result["triples"],
        files=[RunFile(f["name"], f["sha256"], f["size"], f["format"], f["triples"], f["role"]) for f in result["files"]],
    )
    add_run(service_store(), run, records_ntriples=output.records_ntriples,
            report_ntriples=output.report_ntriples, results=summary)
    return run, summary


def upload_detail(upload: Upload, run: Run) -> str:
    """The audit log's detail of a kept upload."""
    return f"{upload.names} ({run.record_triples} record triples)"
