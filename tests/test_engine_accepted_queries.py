"""A query text the service has accepted for the engine (web/remote_queries.py: Oxigraph's parser in
a query worker, then the function guard) goes to the engine at once when asked again; a refused text
is read and refused every time, and a text asked with other prefixes, another dataset or format is
read again. The engine is conftest's session ``virtuoso``, its namespace reset for this module.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

from dutygraph.web import create_app, remote_queries
from dutygraph.web.query_runner import WorkerPool

COUNT_MEASURES = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a dg:Measure }"


@pytest.fixture(scope="module")
def app(virtuoso, tmp_path_factory):
    virtuoso.reset()
    return create_app({"STORE_DIR": str(tmp_path_factory.mktemp("accepted")), "STORE_URL": virtuoso.sparql_url})


@pytest.fixture
def worker_runs(monkeypatch):
    """The texts the query workers read (every call of WorkerPool.run), the cache emptied first."""
    monkeypatch.setattr(remote_queries, "_accepted", remote_queries.TextMemo())
    texts: list[str] = []
    run = WorkerPool.run

    def counted(self, **kwargs):
        texts.append(kwargs["query"])
        return run(self, **kwargs)

    monkeypatch.setattr(WorkerPool, "run", counted)
    return texts


def ask(app, query: str, **params):
    response = app.test_client().get("/sparql?" + urllib.parse.urlencode({"query": query, **params}))
    return response.status_code, response.get_data()


def test_an_accepted_text_goes_to_the_engine_at_once_when_asked_again(app, worker_runs):
    first = ask(app, COUNT_MEASURES)
    assert first[0] == 200 and json.loads(first[1])["results"]["bindings"][0]["n"]["value"] == "37"
    assert ask(app, COUNT_MEASURES) == first
    assert ask(app, COUNT_MEASURES) == first
    assert worker_runs == [COUNT_MEASURES]  # read by a worker once


def test_refused_texts_are_read_and_refused_every_time(app, worker_runs):
    broken = "SELECT ?s WHERE { ?s ?p "
    custom = "SELECT ?x WHERE { BIND(<http://www.openlinksw.com/schemas/bif#sprintf>('%d', 1) AS ?x) }"
    answers = [ask(app, broken), ask(app, broken), ask(app, custom), ask(app, custom)]
    assert [status for status, _ in answers] == [400, 400, 500, 500]
    assert answers[0] == answers[1] and answers[2] == answers[3]
    assert b"custom function" in answers[2][1]
    assert worker_runs == [broken, broken, custom, custom]


def test_the_same_text_with_another_dataset_or_format_is_read_again(app, worker_runs):
    document = "https://w3id.org/dutygraph/graph/document"
    ask(app, COUNT_MEASURES)
    ask(app, COUNT_MEASURES, format="csv")
    ask(app, COUNT_MEASURES, **{"default-graph-uri": document})
    ask(app, "PREFIX dg: <https://w3id.org/dutygraph/ontology#> " + COUNT_MEASURES)
    ask(app, COUNT_MEASURES, format="csv")
    assert len(worker_runs) == 4


def test_the_remembered_texts_are_bounded(app, worker_runs, monkeypatch):
    monkeypatch.setattr(remote_queries, "ACCEPTED_TEXTS", 2)
    texts = [f"SELECT ?m WHERE {{ ?m a dg:Measure }} LIMIT {n}" for n in (1, 2, 3)]
    for text in texts:
        assert ask(app, text)[0] == 200
    assert list(key[0] for key in remote_queries._accepted) == texts[1:]  # the least recently asked dropped
    assert ask(app, texts[0])[0] == 200
    assert worker_runs == texts + texts[:1]
    monkeypatch.setattr(remote_queries, "ACCEPTED_TEXT_CHARS", 10)
    ask(app, texts[2])  # remembered before: not read
    long_text = COUNT_MEASURES + " # a comment that makes it long"
    ask(app, long_text)
    ask(app, long_text)
    assert worker_runs == texts + texts[:1] + [long_text, long_text]
