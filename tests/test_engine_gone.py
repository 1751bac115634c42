"""A validation whose engine went away after the service started: the upload is answered 500 with
what happened (the worker's error.json: the exception's type and first line), nothing is kept, and
the traceback is in the service's log, not in the answer."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from conftest import running_virtuoso
from dutygraph.web import create_app
from dutygraph.web.accounts import AccountStore
from dutygraph.web.validation_jobs import JOBS_SUBDIR

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "2024-breaks-appointment-talk.ttl"


def test_an_engine_gone_meanwhile_is_said_in_the_answer(tmp_path, caplog):
    store_dir = tmp_path / "store"
    engine_runs = running_virtuoso(tmp_path / "virtuoso", 300)
    engine = next(engine_runs)
    try:
        app = create_app({"STORE_DIR": str(store_dir), "STORE_URL": engine.sparql_url})
        accounts = AccountStore(store_dir / "accounts.sqlite3")
        accounts.create("alice", None)
        headers = {"Authorization": f"Bearer {accounts.issue_token('alice')}"}
    finally:
        engine.stop()  # gone before the upload
    caplog.set_level(logging.ERROR)
    response = app.test_client().post("/validate", query_string={"name": EXAMPLE.name}, data=EXAMPLE.read_bytes(),
                                      content_type="text/turtle", headers=headers)
    assert response.status_code == 500
    message = response.get_data(as_text=True)
    assert message.startswith("the validation worker failed (exit code 1): RemoteUnavailable: cannot reach the "
                              f"SPARQL engine at {engine.sparql_url}"), message
    assert message.rstrip().endswith("; nothing was kept")
    assert "Traceback" not in message and "\n" not in message.rstrip()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Traceback (most recent call last)" in logged and "RemoteUnavailable" in logged
    jobs = store_dir / JOBS_SUBDIR
    assert not jobs.exists() or not any(jobs.iterdir())  # the job's folder is gone
