"""What a validation asked of an external engine and what came back, for finding a wrong answer.

Two settings, both for diagnosis (off by default):

- ``DUTYGRAPH_ENGINE_QUERY_LOG=FILE``: every query of a validation on an engine is appended to FILE
  as one JSON line: ``{"at", "run", "seconds", "rows", "graphs", "query"}`` — the query as the run
  gives it to ``RemoteStore`` (after ``engine_dialect`` and the term rewrites; the client's own
  rewrites, ``remote_store.engine_query_text``, come after and are the same when it is asked
  again; prefixes given apart are written into the text), the run's key, its default graphs, the
  seconds the answer took and its number of rows; and a line ``{"at", "run", "confirmation",
  "dropped", "added"}`` for each aggregating check whose results changed when their focus nodes
  were asked again alone (``shacl_engine.engine.confirm_results``). The file holds the records' IRIs and literals that the queries name
  (few: the queries are the compiled shapes'), so keep it where the records may be.
- ``DUTYGRAPH_ENGINE_KEEP_WORK_GRAPH=1``: the run's work graph is left on the engine (its IRI is
  written to the log and to standard error), so that a query of the log can be asked again over
  the same data. It holds a copy of the records: drop it (``DROP SILENT GRAPH <IRI>``) when done.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import datetime, timezone

LOG_ENV = "DUTYGRAPH_ENGINE_QUERY_LOG"
KEEP_ENV = "DUTYGRAPH_ENGINE_KEEP_WORK_GRAPH"

_lock = threading.Lock()


def keep_work_graph() -> bool:
    return os.environ.get(KEEP_ENV, "").strip().lower() in ("1", "true", "yes")


def log_query(run: str, graphs: list[str], sparql: str, seconds: float, rows: int | None,
              prefixes: dict[str, str] | None = None) -> None:
    """One line in the query log, when LOG_ENV names one (else nothing); ``prefixes`` given apart
    from the text are written into it, so that the logged text can be asked again as it is."""
    if not os.environ.get(LOG_ENV):
        return
    text = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items()) + sparql
    _write({"run": run, "seconds": round(seconds, 4), "rows": rows, "graphs": graphs, "query": text})


def log_confirmation(run: str, shape: str, dropped: list[dict], added: list[dict]) -> None:
    """The results of an aggregating check that changed when its focus nodes were asked alone
    (``shacl_engine.engine.confirm_results``): one line, when LOG_ENV names a log."""
    _write({"run": run, "confirmation": shape, "dropped": dropped, "added": added})


def log_kept(run: str, work_graph: str) -> None:
    print(f"dutygraph: the work graph of run {run} is kept on the engine ({KEEP_ENV}): <{work_graph}>", file=sys.stderr)
    _write({"run": run, "kept_work_graph": work_graph})


def _write(entry: dict) -> None:
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    line = json.dumps({"at": datetime.now(timezone.utc).isoformat(timespec="milliseconds")} | entry, ensure_ascii=False)
    with _lock, open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")
