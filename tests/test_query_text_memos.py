"""What is read off a query text once and remembered: the guard's answer (``inspect_query``) and the
text the engine is sent (``remote_store._engine_text``). Remembering changes no answer; a refused
text is read every time; the memory is bounded."""

from __future__ import annotations

import warnings

import pytest

from dutygraph import remote_store
from dutygraph.namespaces import PREFIXES
from dutygraph.web import query_guard
from dutygraph.web.query_guard import NotAQuery, QueryRefused, inspect_query


@pytest.fixture(autouse=True)
def empty_memo():
    query_guard._inspected.clear()
    yield
    query_guard._inspected.clear()


def test_an_accepted_text_is_read_once(monkeypatch):
    reads = []
    real = query_guard.keywords
    monkeypatch.setattr(query_guard, "keywords", lambda text: reads.append(text) or real(text))
    text = "SELECT ?m FROM <http://example.org/g> WHERE { ?m a dg:Measure }"
    first = inspect_query(text, PREFIXES)
    assert inspect_query(text, PREFIXES) is first
    assert reads == [text]
    assert first.form == "SELECT" and first.from_graphs == ("http://example.org/g",)


def test_the_prefixes_are_part_of_what_is_remembered():
    text = "ASK FROM ex:g { }"
    one = inspect_query(text, {"ex": "http://one.example/"})
    other = inspect_query(text, {"ex": "http://other.example/"})
    assert one.from_graphs == ("http://one.example/g",)
    assert other.from_graphs == ("http://other.example/g",)
    assert inspect_query(text, {"ex": "http://one.example/"}) is one


@pytest.mark.parametrize("text, error", [
    ("INSERT DATA { <http://x/s> <http://x/p> 1 }", QueryRefused),
    ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", QueryRefused),
    ("hello", NotAQuery),
])
def test_a_refused_text_is_refused_every_time(text, error):
    for _ in range(3):
        with pytest.raises(error):
            inspect_query(text, PREFIXES)
    assert query_guard._inspected == {}


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(query_guard, "INSPECTED_TEXTS", 3)
    texts = [f"SELECT ({n} AS ?n) {{ }}" for n in range(5)]
    for text in texts:
        inspect_query(text, PREFIXES)
    inspect_query(texts[2], PREFIXES)  # asked again: the most recent
    inspect_query("ASK { }", PREFIXES)
    assert [key[0] for key in query_guard._inspected] == [texts[4], texts[2], "ASK { }"]


def test_a_long_text_is_not_remembered(monkeypatch):
    monkeypatch.setattr(query_guard, "INSPECTED_TEXT_CHARS", 100)
    long_text = "SELECT * { }" + " " * 100
    assert inspect_query(long_text, PREFIXES).form == "SELECT"
    assert inspect_query("SELECT * { }", PREFIXES).form == "SELECT"
    assert [key[0] for key in query_guard._inspected] == ["SELECT * { }"]


@pytest.mark.parametrize("text, named", [
    ('SELECT (GROUP_CONCAT(?u; separator="、") AS ?units) FROM <http://x/g> { GRAPH <http://x/h> { ?s ?p ?u } }',
     ["http://x/h"]),
    ('SELECT * { GRAPH <http://x/h> { ?s ?p "0042"^^<http://www.w3.org/2001/XMLSchema#integer> } }', []),
    ("ASK { FILTER(1 >= 0) }", []),
])
def test_the_engine_text_is_the_rewrite_of_the_text(text, named):
    expected = remote_store.ascii_separators(remote_store.engine_query_text(text, named))
    assert remote_store._engine_text(text, tuple(named)) == expected
    assert remote_store._engine_text(text, tuple(named)) == expected  # remembered, the same


def test_the_engine_client_does_not_guess_the_form_from_the_text():
    """SPARQLWrapper's setQuery reads the form with a regular expression over the whole text (and
    warns when it finds none); RemoteStore sends the protocol operation it knows."""
    store = remote_store.RemoteStore("http://127.0.0.1:9/sparql")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = store._client(store.query_url, "{ } # no form here")
    assert client.queryString == "{ } # no form here"
    assert client.queryType == "SELECT" and not client.isSparqlUpdateRequest()
    update = store._client(store.query_url, "SELECT * { }", update=True)
    assert update.isSparqlUpdateRequest()
