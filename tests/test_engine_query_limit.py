"""A query the service gave up on stops on the engine too, though the engine's own limit is above
the longest query of a validation (here: none at all, MaxQueryExecutionTime = 0).

The service drops the connection at its deadline (Virtuoso 7.2 stops a query within about two
seconds of its client hanging up), and every read carries the engine's per-request limit (Virtuoso's ``timeout`` parameter, in
milliseconds: RemoteStore.timeout_parameter), set to the time the caller has left plus
ENGINE_GRACE_SECONDS. Whether the engine still evaluates a query is read off the Virtuoso
process's CPU time (/proc/PID/stat): a query of a few billion rows keeps one core busy.
"""

from __future__ import annotations

import os
import time
import urllib.parse

import pytest

from conftest import running_virtuoso
from dutygraph import remote_store
from dutygraph.remote_store import DOCUMENT_GRAPH, EngineTimeLimit, RemoteStore, RemoteTimeout
from dutygraph.web import create_app, store_access

# Four copies of 1,000 triples side by side (or of the document graph, once the service has loaded it):
# 10^12 rows or more to count, which keeps Virtuoso busy for hours. (With five copies Virtuoso 7.2
# gives up within seconds by itself.)
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
IDLE_CPU_SECONDS = 0.3  # CPU time in one second of wall time below which the engine evaluates nothing
BUSY_CPU_SECONDS = 0.6  # ... and above which it still evaluates the query
STOPS_WITHIN = 30.0  # seconds after the caller gave up (the limit asked for is 1 s + 1 s of grace)


@pytest.fixture(scope="module")
def unlimited(tmp_path_factory):
    """A Virtuoso with no limit of its own on a query, and 1,000 triples in the document graph."""
    for engine in running_virtuoso(tmp_path_factory.mktemp("virtuoso-unlimited"), 0):
        triples = " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(1000))
        engine.update(f"INSERT DATA {{ GRAPH <{DOCUMENT_GRAPH}> {{ {triples} }} }}")
        yield engine


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_in_one_second(pid: int) -> float:
    before = cpu_seconds(pid)
    time.sleep(1.0)
    return cpu_seconds(pid) - before


def seconds_until_idle(pid: int, within: float) -> float | None:
    """Seconds until the engine spends less than IDLE_CPU_SECONDS in a second; None if not within."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        if cpu_in_one_second(pid) < IDLE_CPU_SECONDS:
            return time.monotonic() - start
    return None


def test_a_read_the_caller_gave_up_on_stops_on_the_engine(unlimited):
    pid = unlimited.process.pid
    assert seconds_until_idle(pid, 10) is not None  # idle before
    store = RemoteStore(unlimited.sparql_url)
    assert store.timeout_parameter == "timeout" == store_access.TIMEOUT_PARAMETER
    started = time.monotonic()
    with pytest.raises(RemoteTimeout):
        store.answer(ENDLESS, timeout=1.0)
    assert time.monotonic() - started < 1.0 + 2.0  # the caller's own deadline, whatever the engine does
    assert seconds_until_idle(pid, STOPS_WITHIN) is not None, "the engine still evaluates the abandoned query"


def test_the_service_504_stops_the_engine_query_too(unlimited, tmp_path):
    pid = unlimited.process.pid
    app = create_app({"STORE_DIR": str(tmp_path / "store"), "STORE_URL": unlimited.sparql_url, "QUERY_TIME_LIMIT": 1.0})
    assert seconds_until_idle(pid, 10) is not None
    response = app.test_client().get("/sparql?" + urllib.parse.urlencode({"query": ENDLESS}))
    assert response.status_code == 504
    assert response.get_data() == b"the query did not finish within the time limit of 1 s and was stopped\n"
    assert seconds_until_idle(pid, STOPS_WITHIN) is not None, "the engine still evaluates the query of the 504"


def test_the_engine_stops_at_the_limit_the_read_carries(unlimited, monkeypatch):
    """The parameter itself reaches the engine: with a limit shorter than the caller's wait (the grace
    made negative here), the engine stops the query while the caller still waits, and its partial
    answer is refused as EngineTimeLimit. Without the parameter the caller waits out its own
    deadline (Virtuoso also stops a query soon after its client hangs up, as the tests above allow)."""
    monkeypatch.setattr(remote_store, "ENGINE_GRACE_SECONDS", -8.0)  # the engine is given 10 - 8 = 2 s
    started = time.monotonic()
    with pytest.raises(EngineTimeLimit):
        RemoteStore(unlimited.sparql_url).answer(ENDLESS, timeout=10.0)
    assert time.monotonic() - started < 9.0
    started = time.monotonic()
    with pytest.raises(RemoteTimeout) as waited:
        RemoteStore(unlimited.sparql_url, timeout_parameter="").answer(ENDLESS, timeout=10.0)
    assert not isinstance(waited.value, EngineTimeLimit) and time.monotonic() - started >= 9.9
