"""Running one upload's validation in a worker process, within the service's limits.

``run_validation`` takes one of MAX_CONCURRENT_VALIDATIONS slots (``Busy`` at once when none is
free: 503), writes the uploaded files into ``STORE_DIR/jobs/RUN_ID/``, runs ``validation_worker``
with VALIDATION_TIME_LIMIT (killed past it: ``ValidationTimeout``), and returns what it wrote. The
job folder is deleted afterwards whatever happened, and every leftover one when the service starts
(an upload cut short by a killed process).

An asynchronous upload (``validation_async``) takes its slot with ``take_slot`` while the request
is still open, so that "too many at once" is still a 503 answered at once, and hands the slot to
the background thread's ``run_validation(…, slot=…)``; ``on_state`` reports each step (writing the
files, validating) so the job can say where it is. One code path for both: the same slots, limits
and folders.

On an external SPARQL engine (``service_store().remote``) the worker validates there, in the run's
records graph and a work graph of the run (``validation_worker``); ``job.json`` names the engine,
the account and password go in the worker's environment. Whatever stops a run before it is kept
(bad input, the time limit, a failed worker) drops both graphs; the work graph of a run that the
service did not live to finish is dropped when the service starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from .limits import Busy
from .store_access import service_store

JOBS_SUBDIR = "jobs"


class ValidationTimeout(Exception):
    pass


class BadUpload(ValueError):
    """Records that cannot be checked (the loader's or the record shapes' message)."""


class ValidationFailed(RuntimeError):
    pass


@dataclass
class ValidationOutput:
    folder: Path
    result: dict

    @property
    def records_ntriples(self) -> Path | None:
        """The records as loaded; None when the worker left them in the engine's records graph."""
        return None if self.result.get("records_in_store") else self.folder / "records.nt"

    @property
    def report_ntriples(self) -> Path:
        return self.folder / "report.nt"


def init_app(app) -> None:
    from . import validation_async

    jobs = Path(app.config["STORE_DIR"]) / JOBS_SUBDIR
    shutil.rmtree(jobs, ignore_errors=True)
    jobs.mkdir(parents=True, exist_ok=True)
    store = app.extensions.get("dutygraph.store")
    if store is not None and store.remote:
        from ..remote_store import RemoteError
        from ..validation.engine_dataset import SERVICE_WORK_PREFIX, drop_temporary_graphs

        try:
            dropped = drop_temporary_graphs(store.store, SERVICE_WORK_PREFIX)
        except RemoteError as error:
            app.logger.warning("could not drop the work graphs of interrupted validations: %s", error)
        else:
            if dropped:
                app.logger.warning("dropped the work graphs of %d interrupted validation(s)", len(dropped))
    app.extensions["dutygraph.validation_slots"] = threading.BoundedSemaphore(app.config["MAX_CONCURRENT_VALIDATIONS"])
    validation_async.init_app(app)


class Slot:
    """One held validation slot; released once, however many times ``release`` is called."""

    def __init__(self, semaphore: threading.BoundedSemaphore):
        self._semaphore = semaphore
        self._held = True
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if self._held:
                self._held = False
                self._semaphore.release()


def take_slot() -> Slot:
    """One of MAX_CONCURRENT_VALIDATIONS slots, or Busy at once (never queued)."""
    slots = current_app.extensions["dutygraph.validation_slots"]
    if not slots.acquire(blocking=False):
        raise Busy()
    return Slot(slots)


def _safe_name(number: int, name: str) -> str:
    return f"{number:03d}-" + "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[-100:]


def job_folder(run_id: str) -> Path:
    return Path(current_app.config["STORE_DIR"]) / JOBS_SUBDIR / run_id


def _no_report(state: str) -> None:
    pass


def run_validation(run_id: str, files: list[tuple[str, bytes]], institution: list[tuple[str, bytes]],
                   years: list[int], *, slot: Slot | None = None, on_state=_no_report) -> ValidationOutput:
    """Validate in a worker; the caller deletes the folder (``discard``) once it has kept the output.

    slot: one already taken with ``take_slot`` (released here either way); else one is taken now.
    on_state("uploading") is called before the files are written, on_state("validating") before
    the worker starts."""
    slot = slot or take_slot()
    folder = job_folder(run_id)
    try:
        on_state("uploading")
        folder.mkdir(parents=True)
        job = {"files": [], "institution": [], "years": years, "engine": "fast"}
        engine_env = _engine_job(job, run_id)
        for key, given in (("files", files), ("institution", institution)):
            for number, (name, data) in enumerate(given, start=1):
                path = folder / f"{key}-{_safe_name(number, name)}"
                path.write_bytes(data)
                job[key].append([name, str(path)])
        (folder / "job.json").write_text(json.dumps(job, ensure_ascii=False))
        on_state("validating")
        limit = current_app.config["VALIDATION_TIME_LIMIT"]
        worker = subprocess.Popen([sys.executable, "-I", "-m", "dutygraph.web.validation_worker", str(folder), str(os.getpid())],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env=dict(os.environ, **engine_env) if engine_env else None)
        try:
            _, errors = worker.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.communicate()
            raise ValidationTimeout(f"the validation did not finish within the time limit of {limit:g} s and was stopped; "
                                    "nothing was kept") from None
        except BaseException:
            worker.kill()
            worker.communicate()
            raise
        failure = _worker_error(folder) if worker.returncode != 0 else None
        if worker.returncode == 2 and failure is not None and failure.get("kind") == "bad-input":
            raise BadUpload(failure["message"])
        if worker.returncode == 3 and failure is not None and failure.get("kind") == "engine-timeout":
            raise ValidationTimeout(f"{failure['message']}; the engine's own limit on a query (Virtuoso: "
                                    "MaxQueryExecutionTime) must be above the longest query of a validation "
                                    "(docs/external-engine.md); nothing was kept")
        if worker.returncode != 0:
            text = errors.decode(errors="replace").strip()
            current_app.logger.error("validation worker of run %s (exit code %s):\n%s", run_id, worker.returncode,
                                     "\n".join(text.splitlines()[-40:]) or "no output")
            message = failure["message"] if failure is not None else (text.splitlines()[-1:] or ["no message"])[0]
            raise ValidationFailed(f"the validation worker failed (exit code {worker.returncode}): {message}")
        return ValidationOutput(folder, json.loads((folder / "result.json").read_text()))
    except BaseException:
        discard(run_id)
        _drop_engine_graphs(run_id)
        raise
    finally:
        slot.release()


def _worker_error(folder: Path) -> dict | None:
    """The worker's error.json, when it wrote one."""
    try:
        return json.loads((folder / "error.json").read_text())
    except (OSError, ValueError):
        return None


def _engine_job(job: dict, run_id: str) -> dict[str, str]:
    """On an external engine: the engine in job.json, its account for the worker's environment."""
    store = service_store()
    if not store.remote:
        return {}
    remote = store.store
    job["store"] = {"url": remote.query_url, "update_url": remote.update_url,
                    "timeout": float(current_app.config["VALIDATION_TIME_LIMIT"]) + 60,
                    "timeout_parameter": remote.timeout_parameter or ""}
    job["run_id"] = run_id
    return {name: value for name, value in (("DUTYGRAPH_STORE_USER", remote.user or ""),
                                             ("DUTYGRAPH_STORE_PASSWORD", remote.password or "")) if value}


def _drop_engine_graphs(run_id: str) -> None:
    """The records and work graphs a stopped run may have left on the engine (none on the embedded store)."""
    store = service_store()
    if not store.remote:
        return
    from ..remote_store import RemoteError
    from ..validation.engine_dataset import service_work_graph
    from .runs_store import records_graph

    try:
        store.store.drop_graphs([records_graph(run_id), service_work_graph(run_id)])
    except RemoteError as error:
        current_app.logger.warning("could not drop the graphs of the stopped run %s: %s", run_id, error)


def discard(run_id: str) -> None:
    shutil.rmtree(job_folder(run_id), ignore_errors=True)
