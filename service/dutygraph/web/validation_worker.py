"""One validation, in a process of its own: ``python -m dutygraph.web.validation_worker JOB_DIR``.

The service writes the uploaded files and ``job.json`` (``{"files": [[name, path]…],
"institution": [[name, path]…], "years": […], "engine": "fast"}``) into JOB_DIR and runs this
module; it loads and checks the records exactly as ``dutygraph validate`` does and writes, into the
same folder, either

- ``records.nt`` (the records as loaded), ``report.nt`` (the sh:ValidationReport) and
  ``result.json`` (``{"run": …validate --format json…, "files": [LoadedFile + role (records or
  institution)…], "triples": N}``),
  exit code 0; or
- ``error.json`` (``{"kind": "bad-input", "message": …}``), exit code 2.

A process of its own keeps a large validation's memory and CPU out of the service process (whose
threads answer other requests meanwhile), and lets the service stop a validation that runs past
VALIDATION_TIME_LIMIT by killing it. Nothing here writes the store.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox

from ..parent_death import die_with_parent
from ..records_input import RecordInputError, load_records
from ..validation import PolicyError, load_policy, validate_records
from ..validation.run import NoRecordsError, RecordStructureError


def _write_triples(path: Path, quads) -> None:
    with path.open("wb") as output:
        ox.serialize((q.triple for q in quads), output, format=ox.RdfFormat.N_TRIPLES)


def main(job_dir: str) -> int:
    folder = Path(job_dir)
    job = json.loads((folder / "job.json").read_text())
    try:
        records = load_records([(name, Path(path).read_bytes()) for name, path in job["files"]])
        institution, institution_files = None, []
        if job.get("institution"):
            loaded = load_records([(name, Path(path).read_bytes()) for name, path in job["institution"]])
            institution, institution_files = loaded.quads, loaded.files
        run = validate_records(records.quads, years=job.get("years") or None, policy=load_policy(None),
                               institution_quads=institution, engine=job.get("engine", "fast"))
    except (RecordInputError, RecordStructureError, NoRecordsError, PolicyError) as error:
        (folder / "error.json").write_text(json.dumps({"kind": "bad-input", "message": str(error)}, ensure_ascii=False))
        return 2
    _write_triples(folder / "records.nt", records.quads)
    (folder / "report.nt").write_bytes(run.report_graph.serialize(format="nt", encoding="utf-8"))
    files = ([asdict(f) | {"role": "records"} for f in records.files]
             + [asdict(f) | {"role": "institution"} for f in institution_files])
    result = {"run": run.as_json(), "files": files, "triples": len(records.quads), "engine": run.engine}
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    die_with_parent(int(sys.argv[2]))
    sys.exit(main(sys.argv[1]))
