"""The limits that keep one client, or one query, from taking the service down.

Each is a key of the app config (``create_app(test_config={...})`` or the instance ``config.py``):

``QUERY_TIME_LIMIT`` (seconds, default 10)
    Wall-clock time a query may run. Oxigraph cannot cancel a query in-process, so queries run in
    worker subprocesses (``query_worker.py``, kept in a pool of MAX_CONCURRENT_QUERIES) that open a
    store snapshot read-only; when the time is up the worker is killed (SIGKILL), which really stops
    the evaluation and frees its CPU and memory, and the client gets 504 with a message.
``RESULT_ROW_LIMIT`` (rows or triples, default 10000)
    Results beyond it are *truncated*, not refused: the client gets the first rows, well-formed in
    the asked format, and the header ``Result-Truncated: true`` (``Result-Row-Limit`` always says the
    limit). Truncating keeps exploratory queries useful; a client that must have everything adds
    ``LIMIT``/``OFFSET`` and pages.
``MAX_CONTENT_LENGTH`` (bytes, default 1 MiB)
    Flask's own key: a larger request body is answered 413 before it is read.
``MAX_CONCURRENT_QUERIES`` (default 4)
    Queries running at once; one more is answered 503 with ``Retry-After`` at once, never queued, so
    a burst cannot pile up waiting threads.
``UPLOAD_MAX_BYTES`` (default 64 MiB)
    The largest ``POST /validate`` body (all files together); larger is 413 and nothing is kept.
``MAX_CONCURRENT_VALIDATIONS`` (default 2)
    Validations running at once, each in its own worker process; one more is 503 with Retry-After.
``VALIDATION_TIME_LIMIT`` (seconds, default 900)
    Wall-clock time one validation may take; past it the worker is killed, 504, nothing is kept.
    (A 10^6-triple run takes about 35 s here: ``bench/bench_validation.py``.)
``GRAPH_NODE_LIMIT`` (default 400)
    Nodes in one answer of ``/graph.json``; a larger neighbourhood is cut and says so (``truncated``).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from flask import current_app

DEFAULTS = {
    "QUERY_TIME_LIMIT": 10.0,
    "RESULT_ROW_LIMIT": 10_000,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_CONCURRENT_QUERIES": 4,
    "RETRY_AFTER_SECONDS": 2,
    "UPLOAD_MAX_BYTES": 64 * 1024 * 1024,
    "MAX_CONCURRENT_VALIDATIONS": 2,
    "VALIDATION_TIME_LIMIT": 900.0,
    "GRAPH_NODE_LIMIT": 400,
}


class Busy(Exception):
    """Every query slot is taken."""


def init_app(app) -> None:
    from .query_runner import shared_pool

    app.extensions["dutygraph.query_slots"] = threading.BoundedSemaphore(app.config["MAX_CONCURRENT_QUERIES"])
    app.extensions["dutygraph.query_pool"] = shared_pool(app.config["MAX_CONCURRENT_QUERIES"])


def query_pool():
    return current_app.extensions["dutygraph.query_pool"]


@contextmanager
def query_slot():
    """Hold one of the MAX_CONCURRENT_QUERIES slots while a query runs; Busy when none is free."""
    slots = current_app.extensions["dutygraph.query_slots"]
    if not slots.acquire(blocking=False):
        raise Busy()
    try:
        yield
    finally:
        slots.release()
