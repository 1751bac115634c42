"""Asynchronous uploads: ``POST /validate`` answered 202 at once, the validation going on in a thread.

A browser that uploads a large record set should not hold one request open for minutes with no word
of progress (nor time out behind a proxy). With ``Prefer: respond-async`` or ``?async=1`` the
service reads the upload, takes a validation slot (503 at once when none is free, as for a
synchronous upload), and answers ``202 Accepted`` with ``Location: /jobs/ID``; a thread then does
what the synchronous call does — the worker with its time limit, ``keep_run``'s all-or-nothing
write, the audit entries — and records each step in the job:

``queued`` → ``uploading`` (the files are written for the worker) → ``validating`` → ``storing`` →
``done`` (with the run's URL) or ``failed`` (with the message the synchronous call would have
answered, and its status: 400 for bad input, 504 past the time limit, 500 otherwise).

Jobs live in this process's memory only (``JobBoard``): a job of a process that died is simply gone,
and so is its run — the upload was never stored; the job folder left on disk is deleted when the
service starts (``validation_jobs.init_app``). A finished job is kept ``KEEP_SECONDS`` for its owner
to read, then forgotten. Only the account that uploaded may read a job (anyone else: 404).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from .validation_jobs import BadUpload, Slot, ValidationFailed, ValidationTimeout, discard, run_validation
from .validation_uploads import Upload, keep_run, upload_detail

STATES = ("queued", "uploading", "validating", "storing", "done", "failed")
KEEP_SECONDS = 3600.0
MAX_JOBS = 1000
_JOB_ID = re.compile(r"^[0-9a-f]{24}$")


@dataclass
class Job:
    id: str
    owner: str
    run_id: str
    state: str = "queued"
    run_url: str | None = None
    error: str | None = None
    status: int | None = None  # what the synchronous call would have answered, once finished
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def as_json(self) -> dict:
        return {"id": self.id, "url": f"/jobs/{self.id}", "state": self.state, "run": self.run_url,
                "error": self.error, "status": self.status}


class JobBoard:
    """The jobs of this process, by id; finished ones are forgotten KEEP_SECONDS after they finished."""

    def __init__(self):
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def add(self, job: Job) -> None:
        with self._lock:
            self._prune()
            self._jobs[job.id] = job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            self._prune()
            job = self._jobs.get(job_id)
            return None if job is None else Job(**job.__dict__)  # a copy: the thread goes on changing it

    def update(self, job_id: str, **changes) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                for name, value in changes.items():
                    setattr(job, name, value)
                job.updated = time.time()

    def _prune(self) -> None:
        now = time.time()
        for job_id in [j.id for j in self._jobs.values() if j.finished and now - j.updated > KEEP_SECONDS]:
            del self._jobs[job_id]
        finished = sorted((j for j in self._jobs.values() if j.finished), key=lambda j: j.updated)
        for job in finished[:max(0, len(self._jobs) - MAX_JOBS)]:
            del self._jobs[job.id]


def init_app(app) -> None:
    app.extensions["dutygraph.validation_jobs_board"] = JobBoard()


def board() -> JobBoard:
    return current_app.extensions["dutygraph.validation_jobs_board"]


def is_job_id(text: str) -> bool:
    return bool(_JOB_ID.match(text))


def readable_job(job_id: str, account) -> Job | None:
    """The job, when it exists and account uploaded it (nobody else reads a job, admins neither)."""
    if account is None or not is_job_id(job_id):
        return None
    job = board().get(job_id)
    return job if job is not None and job.owner == account.name else None


def start(account, run_id: str, upload: Upload, started: datetime, slot: Slot, remote_addr: str | None) -> Job:
    """Register a job and start its thread; the slot (already taken) is the thread's to release."""
    job = Job(id=secrets.token_hex(12), owner=account.name, run_id=run_id)
    jobs = board()
    jobs.add(job)
    app = current_app._get_current_object()
    answered = Job(**job.__dict__)  # as it is now: the thread starts changing job at once
    thread = threading.Thread(target=_work, args=(app, jobs, job.id, account.name, run_id, upload, started, slot, remote_addr),
                              name=f"validation-{run_id}", daemon=True)
    try:
        thread.start()
    except BaseException:
        slot.release()
        jobs.update(job.id, state="failed", status=500, error="the validation could not be started; nothing was kept")
        raise
    return answered


def _work(app, jobs: JobBoard, job_id: str, owner: str, run_id: str, upload: Upload, started: datetime, slot: Slot,
          remote_addr: str | None) -> None:
    from .auth import account_store

    def fail(status: int, message: str) -> None:
        jobs.update(job_id, state="failed", status=status, error=message)

    with app.app_context():
        try:
            output = run_validation(run_id, upload.files, upload.institution, upload.years, slot=slot,
                                    on_state=lambda state: jobs.update(job_id, state=state))
        except BadUpload as error:
            account_store().log(owner, "upload-refused", None, f"{upload.names}: bad input", remote_addr)
            return fail(400, f"bad input; nothing was kept: {error}")
        except ValidationTimeout as error:
            return fail(504, str(error))
        except ValidationFailed as error:
            app.logger.error("validation failed: %s", error)
            return fail(500, f"{error}; nothing was kept")
        except Exception:
            app.logger.exception("validation job %s failed", job_id)
            return fail(500, "the validation failed unexpectedly; nothing was kept")
        finally:
            slot.release()
        jobs.update(job_id, state="storing")
        try:
            run, _ = keep_run(run_id, owner, upload, started, output)
        except Exception:
            app.logger.exception("storing run %s failed", run_id)
            return fail(500, "the run could not be stored; nothing was kept")
        finally:
            discard(run_id)
        account_store().log(owner, "upload", run_id, upload_detail(upload, run), remote_addr)
        jobs.update(job_id, state="done", status=201, run_url=f"/runs/{run_id}")
