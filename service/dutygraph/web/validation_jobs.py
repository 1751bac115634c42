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
    def records_ntriples(self) -> Path:
        return self.folder / "records.nt"

    @property
    def report_ntriples(self) -> Path:
        return self.folder / "report.nt"


def init_app(app) -> None:
    from . import validation_async

    jobs = Path(app.config["STORE_DIR"]) / JOBS_SUBDIR
    shutil.rmtree(jobs, ignore_errors=True)
    jobs.mkdir(parents=True, exist_ok=True)
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
        for key, given in (("files", files), ("institution", institution)):
            for number, (name, data) in enumerate(given, start=1):
                path = folder / f"{key}-{_safe_name(number, name)}"
                path.write_bytes(data)
                job[key].append([name, str(path)])
        (folder / "job.json").write_text(json.dumps(job, ensure_ascii=False))
        on_state("validating")
        limit = current_app.config["VALIDATION_TIME_LIMIT"]
        worker = subprocess.Popen([sys.executable, "-I", "-m", "dutygraph.web.validation_worker", str(folder), str(os.getpid())],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        if worker.returncode == 2 and (folder / "error.json").is_file():
            raise BadUpload(json.loads((folder / "error.json").read_text())["message"])
        if worker.returncode != 0:
            tail = errors.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise ValidationFailed(f"the validation worker failed (exit code {worker.returncode}): {tail[0]}")
        return ValidationOutput(folder, json.loads((folder / "result.json").read_text()))
    except BaseException:
        discard(run_id)
        raise
    finally:
        slot.release()


def discard(run_id: str) -> None:
    shutil.rmtree(job_folder(run_id), ignore_errors=True)
