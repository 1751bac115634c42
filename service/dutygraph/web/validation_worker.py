"""One validation, in a process of its own: ``python -m dutygraph.web.validation_worker JOB_DIR``.

The service writes the uploaded files and ``job.json`` (``{"files": [[name, path]…],
"institution": [[name, path]…], "years": […], "engine": "fast"}``) into JOB_DIR and runs this
module; it loads and checks the records exactly as ``dutygraph validate`` does and writes, into the
same folder, either

- ``records.nt`` (the records as loaded), ``report.nt`` (the sh:ValidationReport) and
  ``result.json`` (``{"run": …validate --format json…, "files": [LoadedFile + role (records or
  institution)…], "triples": N}``),
  exit code 0; or
- ``error.json`` (``{"kind": "bad-input", "message": …}``), exit code 2; or
- ``error.json`` (``{"kind": "engine-timeout", "message": …}``), exit code 3: the external engine
  stopped a query of the validation at its own time limit (``EngineTimeLimit``); or
- ``error.json`` (``{"kind": "failure", "message": "ExceptionType: its first line"}``), exit code 1,
  with the traceback on standard error (which the service logs).

A process of its own keeps a large validation's memory and CPU out of the service process (whose
threads answer other requests meanwhile), and lets the service stop a validation that runs past
VALIDATION_TIME_LIMIT by killing it. Nothing here writes the embedded store.

When the service's store is an external SPARQL engine, ``job.json`` also has ``"store": {"url",
"update_url"}`` and ``"run_id"`` (the account and password, if any, come in the environment:
``DUTYGRAPH_STORE_USER``, ``DUTYGRAPH_STORE_PASSWORD``): the validation runs on the engine
(``validation.engine_dataset``). The records are written into the run's records graph
(``runs_store.records_graph(run_id)``), where the kept run will have them, and are left there when
the validation succeeds (``result.json`` then says ``"records_in_store": true`` and no
``records.nt`` is written); the run's work graph is dropped whatever happens, and the records graph
too unless the validation succeeded. Records that are all Turtle, TriG, N-Triples or N-Quads are
then checked and streamed from the saved files (``records_input.stream_records``), not held —
on the embedded path too, where ``records.nt`` is written as the records are read into the run's store.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox

from ..parent_death import die_with_parent
from ..records_input import RecordInputError, load_records, read_records
from ..validation import PolicyError, load_policy, validate_records
from ..validation.run import NoRecordsError, RecordStructureError


COPY_CHUNK = 10_000  # triples serialized to records.nt at a time


def _copied_to(path: Path, quads):
    """The quads as they are read (once, by the validation building its store), written to ``path``
    as N-Triples on the way: the records are read once and never all held (streamed files)."""
    with path.open("wb") as output:
        chunk = []
        for quad in quads:
            chunk.append(quad.triple)
            if len(chunk) == COPY_CHUNK:
                ox.serialize(chunk, output, format=ox.RdfFormat.N_TRIPLES)
                chunk.clear()
            yield quad
        if chunk:
            ox.serialize(chunk, output, format=ox.RdfFormat.N_TRIPLES)


def _engine(job: dict):
    """The RemoteStore of the job's engine, or None for the embedded path."""
    settings = job.get("store")
    if not settings:
        return None
    from ..remote_store import TIMEOUT_PARAMETER, RemoteStore

    return RemoteStore(settings["url"], settings.get("update_url") or None,
                       user=os.environ.get("DUTYGRAPH_STORE_USER") or None,
                       password=os.environ.get("DUTYGRAPH_STORE_PASSWORD") or None,
                       timeout=float(settings.get("timeout") or 3600),
                       timeout_parameter=settings.get("timeout_parameter", TIMEOUT_PARAMETER))


def main(job_dir: str) -> int:
    folder = Path(job_dir)
    job = json.loads((folder / "job.json").read_text())
    store = _engine(job)
    on_engine = {}
    if store is not None:
        from ..validation.engine_dataset import service_work_graph
        from .runs_store import records_graph

        on_engine = {"store": store, "records_graph": records_graph(job["run_id"]), "keep_records": True,
                     "work_graph": service_work_graph(job["run_id"])}
    try:
        # The records are only written into the run's store: streamed from the saved files (never
        # held) when they are all Turtle, TriG, N-Triples or N-Quads. On the embedded path records.nt
        # (what the service keeps with the run) is written as they are read.
        records = read_records([(name, Path(path)) for name, path in job["files"]], stream=True)
        record_quads = records.quads if store is not None else _copied_to(folder / "records.nt", records.quads)
        institution, institution_files = None, []
        if job.get("institution"):
            loaded = load_records([(name, Path(path).read_bytes()) for name, path in job["institution"]])
            institution, institution_files = loaded.quads, loaded.files
        run = validate_records(record_quads, years=job.get("years") or None, policy=load_policy(None),
                               institution_quads=institution, engine=job.get("engine", "fast"), **on_engine)
    except (RecordInputError, RecordStructureError, NoRecordsError, PolicyError) as error:
        (folder / "error.json").write_text(json.dumps({"kind": "bad-input", "message": str(error)}, ensure_ascii=False))
        return 2
    (folder / "report.nt").write_bytes(run.report_graph.serialize(format="nt", encoding="utf-8"))
    files = ([asdict(f) | {"role": "records"} for f in records.files]
             + [asdict(f) | {"role": "institution"} for f in institution_files])
    result = {"run": run.as_json(), "files": files, "triples": len(records.quads), "engine": run.engine,
              "records_in_store": store is not None}
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False))
    return 0


def _failed(job_dir: str, kind: str, message: str) -> None:
    (Path(job_dir) / "error.json").write_text(json.dumps({"kind": kind, "message": message[:1000]}, ensure_ascii=False))


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0]


def run(job_dir: str) -> int:
    """main, with a failure said in error.json (the service reads its message, not the traceback)."""
    from ..remote_store import EngineTimeLimit

    try:
        return main(job_dir)
    except EngineTimeLimit as error:
        _failed(job_dir, "engine-timeout", _first_line(error))
        return 3
    except Exception as error:
        _failed(job_dir, "failure", f"{type(error).__name__}: {_first_line(error)}")
        raise


if __name__ == "__main__":
    die_with_parent(int(sys.argv[2]))
    sys.exit(run(sys.argv[1]))
