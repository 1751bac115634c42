"""/queries: the canned questions over HTTP (dutygraph.web.canned_queries).

Each case reads request -> status -> content type -> exact content. The expected answers are the
same questions run in process on the built store (`run_canned_query`), and facts of the source
document (审计处 is named in the 责任单位 cells of 9-3, 11-1, 29-1, 30-1 and 35-1).
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from dutygraph.output_formats import plain
from dutygraph.queries import list_canned_queries, run_canned_query
from dutygraph.web import create_app, query_service
from dutygraph.web.limits import Busy
from dutygraph.web.query_runner import QueryFailed, QuerySyntaxError, QueryTimeout

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON = "application/json"
CSV = "text/csv; charset=utf-8"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
NAMES = [q.name for q in list_canned_queries()]
UNIT_DUTIES = {
    "name": "unit-duties",
    "title": {"zh": "某单位的全部职责", "en": "Everything a unit owes"},
    "description": "Every content item a unit is accountable for (责任单位), with its measure and an English summary, "
                   "in document order. The unit is named in Chinese or English, or by its IRI key.",
    "parameters": [{"name": "unit", "type": "string", "required": True,
                    "description": "the unit's Chinese or English name or key, e.g. 组织部, Audit Office, audit-office"}],
    "url": "/queries/unit-duties",
    "formats": {"json": "/queries/unit-duties.json", "csv": "/queries/unit-duties.csv",
                "html": "/queries/unit-duties?format=html"},
}
MISSING_UNIT = ("query 'unit-duties' needs the parameter 'unit': the unit's Chinese or English name or key, "
                "e.g. 组织部, Audit Office, audit-office")


# Every case runs on both backends (conftest's `backend`: the embedded store, Virtuoso), the same answers.

@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, backend):
    directory = tmp_path_factory.mktemp("store")
    create_app(backend.config(directory))  # builds it (or loads the engine's document graph) once for the module
    return directory


@pytest.fixture
def app(store_dir, backend):
    return create_app(backend.config(store_dir))


@pytest.fixture
def client(app):
    return app.test_client()


def term_json(term) -> dict:
    """A term as SPARQL 1.1 JSON results write it."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def expected_answer(store, name: str, values: dict) -> dict:
    result = run_canned_query(store, name, values)
    query = next(q for q in list_canned_queries() if q.name == name)
    return {
        "query": name,
        "parameters": {p.name: values.get(p.name) for p in query.parameters},
        "variables": result.variables,
        "rows": [{v: plain(row[v]) for v in result.variables} for row in result.rows],
        "bindings": [{v: term_json(row[v]) for v in result.variables if row[v] is not None} for row in result.rows],
    }


def expected_csv(store, name: str, values: dict) -> bytes:
    result = run_canned_query(store, name, values)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if row[v] is None else row[v].value for v in result.variables])
    return out.getvalue().encode("utf-8")


# -- the list -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, headers", [
    ("/queries", {"Accept": JSON}),
    ("/queries?format=json", {"Accept": BROWSER}),
    ("/queries.json", {"Accept": BROWSER}),
    ("/queries", {"Accept": "*/*"}),
    ("/queries", {}),
])
def test_the_list_as_json(client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.content_type == JSON
    body = response.get_json()
    assert body["count"] == 17 == len(NAMES)
    assert [q["name"] for q in body["queries"]] == NAMES
    assert next(q for q in body["queries"] if q["name"] == "unit-duties") == UNIT_DUTIES
    assert next(q for q in body["queries"] if q["name"] == "graph-counts")["parameters"] == []


def test_the_list_for_a_browser_is_a_plain_page(client):
    response = client.get("/queries", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.content_type == HTML
    page = response.get_data(as_text=True)
    assert page.startswith("<!DOCTYPE html>")
    assert '<a href="/queries/unit-duties?format=html">Everything a unit owes · 某单位的全部职责</a>' in page
    assert ('<form method="get" action="/queries/unit-duties"><label>unit * <input type="text" name="unit" value="" '
            'required title="the unit&#x27;s Chinese or English name or key, e.g. 组织部, Audit Office, audit-office">'
            '</label>') in page
    assert page.count("<h2 ") == 17
    for external in ("<script", "src=", "<link", "@import", "url("):
        assert external not in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.parametrize("query, status, message", [
    ("format=xml", 406, "format 'xml' cannot carry the list of canned queries; use one of: application/json (json), "
                        "text/html (html)\n"),
    ("format=nonsense", 400, "unknown format 'nonsense'; for the list of canned queries use one of: application/json "
                             "(json), text/html (html)\n"),
])
def test_the_list_in_another_format(client, query, status, message):
    response = client.get(f"/queries?{query}")
    assert (response.status_code, response.content_type, response.get_data(as_text=True)) == (status, TEXT, message)


# -- running a question ---------------------------------------------------------------------------

@pytest.mark.parametrize("path, headers", [
    ("/queries/unit-duties?unit=组织部", {}),
    ("/queries/unit-duties?unit=%E7%BB%84%E7%BB%87%E9%83%A8", {"Accept": "*/*"}),
    ("/queries/unit-duties.json?unit=组织部", {"Accept": BROWSER}),
    ("/queries/unit-duties?unit=组织部&format=json", {"Accept": BROWSER}),
    ("/queries/unit-duties?unit=组织部", {"Accept": JSON}),
])
def test_unit_duties_via_the_url_equal_those_in_process(client, store, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.content_type == JSON
    assert response.headers["Result-Row-Limit"] == "10000"
    assert "Result-Truncated" not in response.headers
    body = response.get_json()
    assert body == expected_answer(store, "unit-duties", {"unit": "组织部"})
    assert len(body["rows"]) == 35  # 组织部 is named in 35 of the 56 责任单位 cells
    assert body["rows"][0] == {
        "item": "1-1", "measure": 1, "measure_zh": body["rows"][0]["measure_zh"], "measure_en": body["rows"][0]["measure_en"],
        "summary": body["rows"][0]["summary"], "unit_iri": "https://w3id.org/dutygraph/id/unit/organisation-department",
    }
    assert body["bindings"][0]["measure"] == {"type": "literal", "value": "1",
                                              "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert body["bindings"][0]["unit_iri"] == {"type": "uri",
                                               "value": "https://w3id.org/dutygraph/id/unit/organisation-department"}


def test_the_audit_offices_items_from_the_source(client, table):
    wanted = [f"{item.measure.number}-{item.number}" for category in table.categories for measure in category.measures
              for item in measure.items if "审计处" in item.units]
    assert wanted == ["9-3", "11-1", "29-1", "30-1", "35-1"]
    for name in ("审计处", "Audit Office", "audit office", "audit-office"):
        body = client.get("/queries/unit-duties.json", query_string={"unit": name}).get_json()
        assert [row["item"] for row in body["rows"]] == wanted
        assert body["parameters"] == {"unit": name}


@pytest.mark.parametrize("path, headers", [
    ("/queries/unit-duties.csv?unit=审计处", {"Accept": BROWSER}),
    ("/queries/unit-duties?unit=审计处&format=csv", {}),
    ("/queries/unit-duties?unit=审计处", {"Accept": "text/csv"}),
])
def test_csv(client, store, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.content_type == CSV
    assert response.data == expected_csv(store, "unit-duties", {"unit": "审计处"})
    lines = response.data.decode("utf-8").split("\r\n")
    assert lines[0] == "item,measure,measure_zh,measure_en,summary,unit_iri"
    assert lines[1].startswith("9-3,9,贯彻执行民主集中制,Implement democratic centralism,")
    assert lines[1].endswith(",https://w3id.org/dutygraph/id/unit/audit-office")
    assert len(lines) == 1 + 5 + 1  # header, the five items, and the last line's end


def test_html_is_a_table_with_links_and_a_form(client, store):
    response = client.get("/queries/unit-duties?unit=审计处", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.content_type == HTML
    page = response.get_data(as_text=True)
    assert "<title>Everything a unit owes · 某单位的全部职责</title>" in page
    assert "<tr><th>item</th><th>measure</th><th>measure_zh</th><th>measure_en</th><th>summary</th><th>unit_iri</th></tr>" in page
    assert page.count("<tr><td>") == 5
    assert ('<td><a href="https://w3id.org/dutygraph/id/unit/audit-office">https://w3id.org/dutygraph/id/unit/audit-office'
            '</a></td></tr>') in page
    assert '<tr><td>9-3</td><td>9</td><td>贯彻执行民主集中制</td><td>Implement democratic centralism</td>' in page
    assert '<input type="text" name="unit" value="审计处" required' in page
    assert ('5 rows · as <a href="/queries/unit-duties.json?unit=%E5%AE%A1%E8%AE%A1%E5%A4%84">JSON</a> · '
            '<a href="/queries/unit-duties.csv?unit=%E5%AE%A1%E8%AE%A1%E5%A4%84">CSV</a>') in page
    for external in ("<script", "src=", "<link"):
        assert external not in page


def test_an_optional_parameter_left_out_is_null_and_lets_everything_through(client, store):
    body = client.get("/queries/measures-by-category.json").get_json()
    assert body["parameters"] == {"category": None}
    assert len(body["rows"]) == 37
    assert body == expected_answer(store, "measures-by-category", {})
    third = client.get("/queries/measures-by-category.json?category=3").get_json()
    assert third == expected_answer(store, "measures-by-category", {"category": "3"})
    assert {row["category"] for row in third["rows"]} == {3}


def test_a_question_without_parameters(client, store):
    body = client.get("/queries/graph-counts.json").get_json()
    assert body["parameters"] == {}
    assert body["rows"] == [{"categories": 5, "measures": 37, "items": 56, "obligations": body["rows"][0]["obligations"],
                             "units": 13, "actors": body["rows"][0]["actors"], "mechanisms": body["rows"][0]["mechanisms"],
                             "regulations": body["rows"][0]["regulations"], "frequencies": body["rows"][0]["frequencies"]}]
    assert body == expected_answer(store, "graph-counts", {})


# -- what is refused ------------------------------------------------------------------------------

@pytest.mark.parametrize("path, status, message", [
    ("/queries/unit-duties", 400, MISSING_UNIT),
    ("/queries/unit-duties?unit=", 400, MISSING_UNIT),
    ("/queries/unit-duties?unit=审计处&colour=red", 400, "query 'unit-duties' has no parameter colour; it takes: unit"),
    ("/queries/unit-duties?unit=审计处&unit=组织部", 400, "give the parameter 'unit' once, not 2 times"),
    ("/queries/measure-units?measure=sixteen", 400, "parameter 'measure' must be a whole number, not 'sixteen'"),
    ("/queries/no-such-question", 404, "no canned query 'no-such-question'; there are: " + ", ".join(NAMES)),
])
def test_refusals_in_json(client, path, status, message):
    response = client.get(path)
    assert response.status_code == status
    assert response.content_type == JSON
    body = response.get_json()
    assert body["error"] == message
    if status == 404:
        assert body == {"error": message, "queries": NAMES}


def test_refusals_in_csv_are_text_and_in_html_a_page_with_the_form(client):
    response = client.get("/queries/unit-duties.csv")
    assert (response.status_code, response.content_type, response.get_data(as_text=True)) == (400, TEXT, MISSING_UNIT + "\n")
    response = client.get("/queries/unit-duties", headers={"Accept": BROWSER})
    assert (response.status_code, response.content_type) == (400, HTML)
    page = response.get_data(as_text=True)
    assert f'<p class="error">{MISSING_UNIT.replace(chr(39), "&#x27;")}</p>' in page
    assert '<form method="get" action="/queries/unit-duties">' in page
    response = client.get("/queries/x.tsv")
    assert response.status_code == 404
    assert response.get_json()["error"].startswith(
        "no canned query 'x.tsv' (answers come as NAME.json, NAME.csv or NAME?format=json|csv|html); there are: ")


@pytest.mark.parametrize("path, headers, status, message", [
    ("/queries/graph-counts?format=turtle", {}, 406,
     "format 'turtle' cannot carry the answer of a canned query; use one of: application/json (json), text/csv (csv), "
     "text/html (html)\n"),
    ("/queries/graph-counts?format=yaml", {}, 400,
     "unknown format 'yaml'; for the answer of a canned query use one of: application/json (json), text/csv (csv), "
     "text/html (html)\n"),
    ("/queries/graph-counts.csv?format=json", {}, 400, "the URL asks for .csv but format=json: give one of them\n"),
    ("/queries/graph-counts", {"Accept": "application/xml"}, 406,
     "none of the media types accepted (application/xml) can carry the answer of a canned query; available: "
     "application/json (json), text/csv (csv), text/html (html)\n"),
])
def test_formats_it_does_not_give(client, path, headers, status, message):
    response = client.get(path, headers=headers)
    assert (response.status_code, response.content_type, response.get_data(as_text=True)) == (status, TEXT, message)


@pytest.mark.parametrize("failure, status, message", [
    (QuerySyntaxError("expected WHERE"), 400, "SPARQL syntax error: expected WHERE"),
    (QueryTimeout("the query did not finish within the time limit of 10 s and was stopped"), 504,
     "the query did not finish within the time limit of 10 s and was stopped"),
    (QueryFailed("the store could not be read"), 500, "the query could not be evaluated: the store could not be read"),
    (Busy(), 503, "too many queries at once (limit 4); retry in 2 s"),
])
def test_query_service_failures(client, monkeypatch, failure, status, message):
    def fail(query, *, account=None):
        raise failure

    monkeypatch.setattr(query_service, "select", fail)
    response = client.get("/queries/unit-duties.json?unit=审计处")
    assert (response.status_code, response.content_type, response.get_json()) == (status, JSON, {"error": message})
    if status == 503:
        assert response.headers["Retry-After"] == "2"
    response = client.get("/queries/unit-duties.csv?unit=审计处")
    assert (response.status_code, response.content_type, response.get_data(as_text=True)) == (status, TEXT, message + "\n")


def test_the_row_limit_cuts_and_says_so(store_dir, store, backend):
    client = create_app(backend.config(store_dir, RESULT_ROW_LIMIT=5)).test_client()
    response = client.get("/queries/measures-by-category.json")
    assert response.status_code == 200
    assert (response.headers["Result-Row-Limit"], response.headers["Result-Truncated"]) == ("5", "true")
    assert response.get_json()["rows"] == expected_answer(store, "measures-by-category", {})["rows"][:5]


# -- every question alike on both backends -------------------------------------------------------

def _example(parameter) -> str:
    """The first example of a `# param:` description ("e.g. 组织部, Audit Office" → 组织部; "1 to 37" → 1)."""
    import re

    text = parameter.description
    if "e.g." in text:
        return re.split(r",\s*| or ", text.split("e.g.", 1)[1].strip())[0].strip()
    return re.search(r"\d+", text).group(0)


def _concatenated(sparql: str) -> dict[str, str]:
    """{variable: separator} of the query's GROUP_CONCAT(…; separator="…") AS ?variable."""
    import re

    return {m.group(2): m.group(1) for m in re.finditer(
        r'GROUP_CONCAT\([^;()]*;\s*separator\s*=\s*"([^"]*)"\s*\)\s+AS\s+\?(\w+)', sparql, re.IGNORECASE)}


def _unordered(rows: list[dict], concatenated: dict[str, str]) -> list[str]:
    """Rows as sorted JSON, the parts of a GROUP_CONCAT sorted (their order is free in SPARQL)."""
    out = []
    for row in rows:
        fixed = dict(row)
        for name, separator in concatenated.items():
            if fixed.get(name) == "":
                fixed[name] = None  # over no values Virtuoso concatenates "", Oxigraph leaves it unbound (docs)
            if isinstance(fixed.get(name), str):
                fixed[name] = sorted(fixed[name].split(separator))
        out.append(json.dumps(fixed, sort_keys=True, ensure_ascii=False))
    return sorted(out)


@pytest.mark.parametrize("query", list_canned_queries(), ids=lambda q: q.name)
def test_every_question_answers_as_in_process(client, store, query):
    """The same rows as the embedded store in-process — on Virtuoso too, whose GROUP_CONCAT writes a
    separator beyond ASCII ("、") as "?" unless the service puts it back (remote_store.ascii_separators)."""
    values = {p.name: _example(p) for p in query.parameters if p.required}
    if query.name == "acting-not-accountable":
        assert "、" in query.sparql  # the separator beyond ASCII this test is about
    response = client.get(f"/queries/{query.name}", query_string=values, headers={"Accept": JSON})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    expected = expected_answer(store, query.name, values)
    assert body["variables"] == expected["variables"]
    concatenated = _concatenated(query.sparql)
    assert _unordered(body["rows"], concatenated) == _unordered(expected["rows"], concatenated)
