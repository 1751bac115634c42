"""Validation in the browser (dutygraph.web.validation_pages, runs_api's pages, validation_async).

Flask's test client on one module-scoped store, with accounts made by auth's AccountStore and signed
in through the real /login form (its csrf field first, then the POST), so each client holds a
browser session exactly as a browser would. What is checked: the upload form and who sees it; a
form post answered by a redirect to the run page, which groups the result by unit and by measure
with links to the duty, the item and the offending record; the CSV download against the JSON
results; the asynchronous mode and its jobs; the compliance overview's counts; the record page; the
pages in Chinese and in English.
"""

from __future__ import annotations

import csv
import io
import re
import time
from html import escape
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from dutygraph.records_input import RecordInputError, load_records
from dutygraph.web import create_app
from dutygraph.web.accounts import AccountStore
from dutygraph.web.validation_jobs import JOBS_SUBDIR

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"
PASSWORD = "correct horse battery staple"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
EN = {**BROWSER, "Accept-Language": "en-GB,en;q=0.9"}
ZH = {**BROWSER, "Accept-Language": "zh-CN,zh;q=0.9"}
RUN_URL = re.compile(r"^/runs/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
JOB_URL = re.compile(r"^/jobs/[0-9a-f]{24}$")
SIT_IN = "2024-breaks-sit-in.ttl"
SIT_IN_FOCUS = "https://example.org/dutygraph/example/org/college-001"
BAD_TURTLE = b"@prefix dg: <https://w3id.org/dutygraph/ontology#> .\n<https://example.org/x> a dg:Talk ;\n"
CSV_HEADER = ["measure", "item", "duty", "severity", "period", "focus", "value", "units", "message_zh", "message_en"]


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("validation-pages-store")


@pytest.fixture(scope="module")
def app(store_dir):
    app = create_app({"STORE_DIR": str(store_dir), "QUERY_TIME_LIMIT": 20.0})
    accounts = AccountStore(store_dir / "accounts.sqlite3")
    for name in ("alice", "bob", "carol"):
        accounts.create(name, PASSWORD)
    return app


def csrf_field(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(app, name: str):
    """A test client signed in as name through the real sign-in form."""
    client = app.test_client()
    form = client.get("/login", headers=EN)
    assert form.status_code == 200
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf_field(form.get_data(as_text=True)),
                                           "next": "/validate"})
    assert response.status_code == 303 and response.headers["Location"] == "/validate"
    return client


@pytest.fixture(scope="module")
def alice(app):
    return sign_in(app, "alice")


@pytest.fixture(scope="module")
def bob(app):
    return sign_in(app, "bob")


def form_token(client) -> str:
    page = client.get("/validate", headers=EN)
    assert page.status_code == 200
    return csrf_field(page.get_data(as_text=True))


def form_post(client, files: list[tuple[str, bytes]], *, token: str | None = None, query: str = "",
              headers: dict | None = None, **fields):
    data = {"files": [(io.BytesIO(content), name) for name, content in files], **fields}
    if token is not False:
        data["csrf"] = token or form_token(client)
    return client.post("/validate" + query, data=data, content_type="multipart/form-data", headers=headers or EN)


def upload_page(client, name: str, **fields) -> str:
    """Upload one example through the form as a browser does; the run page's URL."""
    response = form_post(client, [(name, example(name))], **fields)
    assert response.status_code == 303, response.data
    location = response.headers["Location"]
    assert RUN_URL.match(location), location
    return location


@pytest.fixture(scope="module")
def sit_in_run(alice) -> str:
    return upload_page(alice, SIT_IN, label="sit-in & <b>label</b>")


def text_of(response) -> str:
    return response.get_data(as_text=True)


def job_after(client, location: str, seconds: float = 120) -> dict:
    """The job's state once it is done or failed (polled, bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(location, headers={"Accept": "application/json"})
        assert response.status_code == 200, response.data
        assert response.content_type == "application/json" and response.headers["Cache-Control"] == "no-store"
        job = response.json
        assert job["state"] in ("queued", "uploading", "validating", "storing", "done", "failed")
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def no_outside_resources(page: str) -> None:
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', page)
    assert "@import" not in page


# -- the upload form -----------------------------------------------------------------------------

def test_the_upload_form_is_for_signed_in_users_only(app, alice):
    anonymous = app.test_client()
    browser = anonymous.get("/validate", headers=EN)
    assert browser.status_code == 401 and browser.mimetype == "text/html"
    assert browser.headers["WWW-Authenticate"] == 'Bearer realm="dutygraph"'
    page = text_of(browser)
    assert '<a class="sign-in-link button" href="/login?next=/validate">Sign in</a>' in page
    assert 'type="file"' not in page
    script = anonymous.get("/validate")
    assert script.status_code == 401 and script.mimetype == "text/plain"
    assert text_of(script) == "sign in or send an API token (Authorization: Bearer …) to GET /validate\n"

    response = alice.get("/validate", headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    page = text_of(response)
    assert '<form id="upload" class="upload" method="post" action="/validate" enctype="multipart/form-data">' in page
    assert re.search(r'<input type="file" id="files" name="files" multiple required', page)
    assert re.search(r'<input type="file" id="institution" name="institution"', page)
    assert 'name="label"' in page and 'name="year"' in page and 'name="csrf"' in page
    assert 'class="drop-zone"' in page and '<script src="/static/validate.js" defer></script>' in page
    for extension, name in ((".ttl", "turtle"), (".trig", "trig"), (".nt", "n-triples"), (".nq", "n-quads"),
                            (".jsonld", "json-ld"), (".json", "json-ld"), (".rdf", "rdf/xml"), (".owl", "rdf/xml"),
                            (".xml", "rdf/xml"), (".csv", "csv"), (".xlsx", "xlsx")):
        assert f"<tr><td><code>{extension}</code></td><td>{name}</td></tr>" in page
    assert "<code>talks.csv</code>" in page and "<code>part_time_posts.csv</code>" in page
    no_outside_resources(page)
    script = app.test_client().get("/static/validate.js")
    assert script.status_code == 200 and b"XMLHttpRequest" in script.data and b"http" not in script.data.replace(b"XMLHttpRequest", b"")


# -- a form post and the run page ----------------------------------------------------------------

def section(page: str, start: str, end: str | None = None) -> str:
    part = page.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def test_a_form_post_redirects_to_the_run_page_grouped_by_unit_and_by_measure(alice, sit_in_run):
    run_id = sit_in_run.rsplit("/", 1)[1]
    results = alice.get(sit_in_run, headers={"Accept": "application/json"}).json["results"]
    assert [(r["shape"], r["item_key"], r["severity"], r["focus"]) for r in results] == [
        ("SitInShape", "9-2", "Warning", SIT_IN_FOCUS)]
    result = results[0]
    response = alice.get(sit_in_run, headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    page = text_of(response)
    assert f"<title>Validation run {run_id} · dutygraph</title>" in page
    assert "sit-in &amp; &lt;b&gt;label&lt;/b&gt;" in page and "<b>label</b>" not in page
    links = ('href="/shapes/duties#SitInShape"', 'href="/id/item/9-2"',
             f'href="/runs/{run_id}/records/resource?iri={quote(SIT_IN_FOCUS, safe="")}"')
    by_unit = section(page, 'id="by-unit"', 'id="by-measure"')
    by_measure = section(page, 'id="by-measure"', "</div>")
    units = [u["iri"].rsplit("/", 1)[1] for u in result["units"]]
    assert units == ["organisation-department", "discipline-inspection-department"]
    for unit in units:  # the result is under each unit that owes it
        group = section(by_unit, f'id="unit-{unit}"', "</section>")
        assert f'<a href="/id/unit/{unit}">' in group
        assert group.count("<article ") == 1 and escape(result["message"]["en"]) in group
        for link in links:
            assert link in group
    assert by_unit.count("<article ") == 2
    group = section(by_measure, 'id="measure-9"', "</section>")
    assert '<a href="/id/measure/9">Measure 9</a>' in group and group.count("<article ") == 1
    for link in links:
        assert link in group
    assert '<a href="#by-unit">' in page and '<a href="#by-measure">' in page  # tabs that are anchors
    for download in (f"/runs/{run_id}/report.csv", f"/runs/{run_id}?format=json", f"/runs/{run_id}/report?format=turtle",
                     f"/runs/{run_id}/records"):
        assert f'href="{download}"' in page
    assert f'<form method="post" action="/runs/{run_id}/delete">' in page
    assert "<script" not in page  # the report reads without JavaScript
    no_outside_resources(page)


def test_the_run_page_in_chinese_and_english(alice, sit_in_run):
    result = alice.get(sit_in_run, headers={"Accept": "application/json"}).json["results"][0]
    zh, en = text_of(alice.get(sit_in_run, headers=ZH)), text_of(alice.get(sit_in_run, headers=EN))
    assert '<html lang="zh-Hans">' in zh and '<html lang="en">' in en
    assert escape(result["message"]["zh"]) in zh and escape(result["message"]["en"]) not in zh
    assert escape(result["message"]["en"]) in en and escape(result["message"]["zh"]) not in en
    assert "按责任单位" in zh and "By accountable unit" in en
    assert escape(result["duty"]["zh"]) in zh and escape(result["duty"]["en"]) in en
    assert "[missing message" not in zh + en


def test_the_list_of_runs(alice, bob, sit_in_run):
    page = text_of(alice.get("/runs", headers=EN))
    assert f'<a href="{sit_in_run}">' in page and "sit-in &amp; &lt;b&gt;label&lt;/b&gt;" in page
    assert '<a class="button" href="/validate">Upload records</a>' in page and "<td>alice</td>" in page
    other = text_of(bob.get("/runs", headers=EN))
    assert sit_in_run not in other and "No runs that you may read yet." in other


def test_a_form_post_of_bad_records_is_the_error_page_with_the_loaders_message(app, alice):
    with pytest.raises(RecordInputError) as loader:
        load_records([("bad.ttl", BAD_TURTLE)])
    jobs = Path(app.config["STORE_DIR"]) / JOBS_SUBDIR
    before = alice.get("/runs", headers={"Accept": "application/json"}).json["runs"]
    response = form_post(alice, [("bad.ttl", BAD_TURTLE)])
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert escape(f"bad input; nothing was kept: {loader.value}") in text_of(response)
    assert '<a href="/validate">Back</a>' in text_of(response)
    refused = form_post(alice, [(SIT_IN, example(SIT_IN))], token=False)  # no form token: refused before anything runs
    assert refused.status_code == 403 and "reload the page and send it again" in text_of(refused)
    forged = form_post(alice, [(SIT_IN, example(SIT_IN))], token="forged")
    assert forged.status_code == 403
    assert alice.get("/runs", headers={"Accept": "application/json"}).json["runs"] == before
    assert list(jobs.iterdir()) == []


def test_the_csv_download_is_one_row_per_result(alice):
    run = upload_page(alice, "2024-breaks-petition-handling.ttl")
    results = alice.get(run, headers={"Accept": "application/json"}).json["results"]
    assert len(results) == 2
    download = alice.get(f"{run}/report.csv")
    assert download.status_code == 200 and download.content_type == "text/csv; charset=utf-8"
    assert download.headers["Content-Disposition"] == f'attachment; filename="dutygraph-run-{run.rsplit("/", 1)[1]}-report.csv"'
    assert alice.get(run, query_string={"format": "csv"}).data == download.data
    text = download.data.decode("utf-8")
    assert text.startswith(",".join(CSV_HEADER) + "\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_HEADER
    assert rows[1:] == [[str(r["measure"]), r["item_key"], r["shape"], r["severity"], str(r["period"]), r["focus"],
                         r["value"] or "", ";".join(u["iri"].rsplit("/", 1)[1] for u in r["units"]),
                         r["message"]["zh"], r["message"]["en"]] for r in results]


def test_a_form_deletes_the_run_with_its_token(alice, bob):
    run = upload_page(alice, "2024-breaks-liaison.ttl", label="to delete")
    run_id = run.rsplit("/", 1)[1]
    token = csrf_field(text_of(alice.get(run, headers=EN)))
    assert bob.post(f"{run}/delete", data={"csrf": token}, headers=EN).status_code == 404
    assert alice.post(f"{run}/delete", data={}, headers=EN).status_code == 403  # no token: the form was not ours
    assert alice.get(run, headers={"Accept": "application/json"}).status_code == 200
    deleted = alice.post(f"{run}/delete", data={"csrf": token}, headers=EN)
    assert deleted.status_code == 303 and deleted.headers["Location"] == "/runs"
    gone = alice.get(run, headers=EN)
    assert gone.status_code == 404 and gone.mimetype == "text/html" and run_id in text_of(gone)


# -- the asynchronous mode -----------------------------------------------------------------------

def test_an_asynchronous_upload_is_202_then_a_job_that_reaches_done(app, alice, bob):
    response = form_post(alice, [(SIT_IN, example(SIT_IN))], query="?async=1", headers={"Accept": "application/json"})
    assert response.status_code == 202 and response.content_type == "application/json"
    location = response.headers["Location"]
    assert JOB_URL.match(location)
    assert response.json["url"] == location and response.json["state"] == "queued" and response.json["run"] is None
    assert bob.get(location).status_code == 404  # another user's job is as one that does not exist
    assert app.test_client().get(location).status_code == 401
    job = job_after(alice, location)
    assert job["state"] == "done" and job["status"] == 201 and job["error"] is None, job
    assert RUN_URL.match(job["run"])
    kept = alice.get(job["run"], headers={"Accept": "application/json"})
    assert kept.status_code == 200 and kept.json["counts"] == {"Violation": 0, "Warning": 1, "Info": 0}
    assert bob.get(location).status_code == 404 and bob.get(job["run"]).status_code == 404


def test_prefer_respond_async_for_a_script_with_a_token(app, store_dir):
    token = AccountStore(store_dir / "accounts.sqlite3").issue_token("carol")
    client = app.test_client()
    response = client.post("/validate", query_string={"name": SIT_IN}, data=example(SIT_IN), content_type="text/turtle",
                           headers={"Authorization": f"Bearer {token}", "Prefer": "respond-async"})
    assert response.status_code == 202 and response.headers["Preference-Applied"] == "respond-async"
    deadline = time.monotonic() + 120
    while True:
        job = client.get(response.headers["Location"], headers={"Authorization": f"Bearer {token}"}).json
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job["state"] == "done", job
    run = client.get(job["run"], headers={"Authorization": f"Bearer {token}"})
    assert run.status_code == 200 and run.json["run"]["owner"] == "carol"
    client.delete(job["run"], headers={"Authorization": f"Bearer {token}"})  # carol's overview starts empty


def test_an_asynchronous_upload_of_a_bad_file_fails_with_the_loaders_message(app, alice):
    with pytest.raises(RecordInputError) as loader:
        load_records([("bad.ttl", BAD_TURTLE)])
    before = alice.get("/runs", headers={"Accept": "application/json"}).json["runs"]
    response = form_post(alice, [("bad.ttl", BAD_TURTLE)], query="?async=1", headers={"Accept": "application/json"})
    assert response.status_code == 202
    job = job_after(alice, response.headers["Location"])
    assert job["state"] == "failed" and job["status"] == 400 and job["run"] is None
    assert job["error"] == f"bad input; nothing was kept: {loader.value}"
    assert alice.get("/runs", headers={"Accept": "application/json"}).json["runs"] == before
    assert list((Path(app.config["STORE_DIR"]) / JOBS_SUBDIR).iterdir()) == []


def test_an_unknown_job_is_404(alice):
    assert alice.get("/jobs/" + "0" * 24).status_code == 404
    assert alice.get("/jobs/not-a-job").status_code == 404


# -- the compliance overview ---------------------------------------------------------------------

def matrix_cells(page: str) -> dict[tuple[str, int], tuple[str, str]]:
    """(unit key, measure) -> (cell class, shown value) of the units × measures matrix."""
    cells = {}
    for css, unit, measure, inner in re.findall(
            r'<td class="num cell-(\w+)" data-unit="([a-z-]+)" data-measure="(\d+)">(.*?)</td>', page):
        cells[(unit, int(measure))] = (css, re.sub(r"<[^>]+>", "", inner))
    return cells


def test_the_overview_counts_units_by_measures_over_two_runs(app):
    carol = sign_in(app, "carol")
    met = upload_page(carol, "2024-all-duties-met.ttl", label="all met")
    broken = upload_page(carol, SIT_IN, label="sit-in")
    assert carol.get(met, headers={"Accept": "application/json"}).json["counts"] == {"Violation": 0, "Warning": 0, "Info": 0}
    response = carol.get("/runs/overview", headers=EN)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = text_of(response)
    assert "The results of the 2 run(s) you may read, together." in page
    cells = matrix_cells(page)
    assert cells[("organisation-department", 9)] == ("Warning", "1")
    assert cells[("discipline-inspection-department", 9)] == ("Warning", "1")
    others = {key: value for key, value in cells.items()
              if key not in {("organisation-department", 9), ("discipline-inspection-department", 9)}}
    assert others and {value for value in others.values()} <= {("ok", "0"), ("na", "—")}
    assert ("ok", "0") in others.values() and ("na", "—") in others.values()
    years = section(page, '<table class="years">', "</table>")
    assert re.search(r'>2024</a></th>\s*<td class="num">0</td><td class="num">1</td><td class="num">0</td>'
                     r'<td class="num total">1</td>', years)
    assert '<svg viewBox="0 0 ' in page and 'class="bar bar-Warning"' in page and "<script" not in page
    link = re.search(r'<a href="(/runs/overview\?unit=organisation-department&amp;measure=9#results)"', page).group(1)
    filtered = text_of(carol.get(link.replace("&amp;", "&"), headers=EN))
    listed = section(filtered, 'id="results"')
    assert "1 result(s)." in listed and listed.count("<article ") == 1 and f'href="{broken}"' in listed
    chosen = text_of(carol.get("/runs/overview", query_string={"run": met.rsplit("/", 1)[1]}, headers=EN))
    assert "The results of the 1 run(s)" in chosen
    assert ("Warning", "1") not in matrix_cells(chosen).values()
    assert carol.get("/runs/overview", query_string={"measure": "x"}, headers=EN).status_code == 400
    zh = text_of(carol.get("/runs/overview", headers=ZH))
    assert "责任单位 × 工作措施" in zh and "各年度结果" in zh and "[missing message" not in zh


# -- the record page -----------------------------------------------------------------------------

def test_the_record_page_shows_the_focus_records_triples(alice, bob, sit_in_run):
    run_id = sit_in_run.rsplit("/", 1)[1]
    path = f"/runs/{run_id}/records/resource?iri={quote(SIT_IN_FOCUS, safe='')}"
    response = alice.get(path, headers=EN)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = text_of(response)
    referring = {t.subject.value for t in ox.parse(example(SIT_IN), format=ox.RdfFormat.TURTLE)
                 if t.object == ox.NamedNode(SIT_IN_FOCUS)}
    assert len(referring) == 7  # the meetings the organisation held: the records that refer to it
    for subject in referring:
        assert f'href="/runs/{run_id}/records/resource?iri={quote(subject, safe="")}"' in page
    assert section(page, "Records that refer to it", "</table>").count('<td class="p">') == len(referring)
    assert "dg:SecondaryPartyOrganisation" in page  # what the example institution says, marked as such
    assert "synthetic example institution" in page
    assert "The discipline inspection and supervision department sat in on 0 meeting(s)" in page  # its result
    for other in (bob, ):
        assert other.get(path, headers=EN).status_code == 404
        assert other.get(path).status_code == 404


def test_the_record_page_of_a_record_the_run_describes(alice):
    run = upload_page(alice, "2024-breaks-decision-venue.ttl")
    result, = alice.get(run, headers={"Accept": "application/json"}).json["results"]
    focus = result["focus"]
    stated = [t for t in ox.parse(example("2024-breaks-decision-venue.ttl"), format=ox.RdfFormat.TURTLE)
              if t.subject == ox.NamedNode(focus)]
    assert stated
    page = text_of(alice.get(f"{run}/records/resource", query_string={"iri": focus}, headers=EN))
    about = section(page, "What the run&#39;s records state about it", "</table>")
    assert about.count("<tr>") == len(stated) + 1  # the header and one row per statement
    for triple in stated:
        if isinstance(triple.object, ox.Literal):
            assert escape(triple.object.value) in about
    assert alice.get(f"{run}/records/resource", query_string={"iri": "not an iri"}, headers=EN).status_code == 400
    missing = alice.get(f"{run}/records/resource", query_string={"iri": "https://example.org/none"}, headers=EN)
    assert missing.status_code == 404


# -- sign-in pages and what anonymous gets -------------------------------------------------------

def test_the_sign_in_pages_in_both_languages(app):
    client = app.test_client()
    for headers, words in ((ZH, ("账号名", "密码", "登录")), (EN, ("Account name", "Password", "Sign in"))):
        response = client.get("/login", headers=headers)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        page = text_of(response)
        for word in words:
            assert word in page
        assert "<script" not in page
        logout = text_of(client.get("/logout", headers=headers))
        assert ("您尚未登录" if headers is ZH else "You are not signed in.") in logout
    wrong = client.post("/login", data={"name": "alice", "password": "wrong", "csrf": csrf_field(text_of(client.get("/login")))},
                        headers=ZH)
    assert wrong.status_code == 401 and "账号名或密码错误" in text_of(wrong)


def test_anonymous_gets_401_on_every_page_of_runs(app, sit_in_run):
    client = app.test_client()
    run_id = sit_in_run.rsplit("/", 1)[1]
    for path in ("/validate", "/runs", "/runs/overview", sit_in_run, f"{sit_in_run}/report.csv",
                 f"/runs/{run_id}/records/resource?iri={quote(SIT_IN_FOCUS, safe='')}", "/jobs/" + "0" * 24):
        for headers in ({}, EN):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, path
            assert SIT_IN_FOCUS not in text_of(response)


def test_every_page_has_every_word_in_both_languages(alice, sit_in_run):
    run_id = sit_in_run.rsplit("/", 1)[1]
    pages = ("/validate", "/runs", sit_in_run, f"/runs/{run_id}/records/resource?iri={quote(SIT_IN_FOCUS, safe='')}",
             "/runs/overview", "/runs/overview?unit=organisation-department&measure=9", "/login", "/logout")
    for headers, lang in ((ZH, "zh-Hans"), (EN, "en")):
        for path in pages:
            response = alice.get(path, headers=headers)
            assert response.status_code == 200, path
            page = text_of(response)
            assert f'<html lang="{lang}">' in page, path
            assert "[missing message" not in page, path
            assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
            no_outside_resources(page)
