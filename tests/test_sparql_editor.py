"""/editor: the SPARQL editor (dutygraph.web.sparql_editor) and the front-end bundles it loads.

The page is checked as a browser would load it, without running its scripts (browser tests are
elsewhere): one tab per canned question, each query really running on /sparql; only this site's
files loaded, each served; the plain form and the list of questions for a browser without
JavaScript; both languages; and the committed bundles named by the versions package-lock.json pins.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest

from dutygraph.namespaces import PREFIXES
from dutygraph.queries import list_canned_queries
from dutygraph.web import create_app
from dutygraph.web.graph_assets import VENDOR_DIR, manifest

REPO = Path(__file__).resolve().parents[1]
STATIC = VENDOR_DIR.parent
CONFIG = re.compile(r'<script type="application/json" id="editor-config">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(test_config={"STORE_DIR": str(tmp_path_factory.mktemp("editor-store"))})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def page(client, path: str = "/editor", lang: str = "en") -> str:
    response = client.get(path, headers={"Accept-Language": lang})
    assert response.status_code == 200, response.data
    assert response.content_type == "text/html; charset=utf-8"
    return response.data.decode()


def config_of(html: str) -> dict:
    return json.loads(CONFIG.search(html).group(1))


@pytest.fixture(scope="module")
def english(client):
    return page(client, lang="en")


@pytest.fixture(scope="module")
def chinese(client):
    return page(client, lang="zh")


# -- the tabs -------------------------------------------------------------------------------------

def test_one_tab_per_canned_question_named_by_its_title(english, chinese):
    queries = list_canned_queries()
    assert len(queries) == 17
    for html, lang in ((english, "en"), (chinese, "zh")):
        tabs = config_of(html)["tabs"]
        assert [tab["name"] for tab in tabs] == [q.name for q in queries]
        assert [tab["id"] for tab in tabs] == [f"canned-{q.name}" for q in queries]
        assert [tab["label"] for tab in tabs] == [q.title_en if lang == "en" else q.title_zh for q in queries]
        assert all(tab["title"] == {"zh": q.title_zh, "en": q.title_en} for tab, q in zip(tabs, queries))


def test_every_tab_runs_on_the_endpoint(client, english):
    failures = []
    for tab in config_of(english)["tabs"]:
        response = client.post("/sparql", data={"query": tab["query"]}, headers={"Accept": "application/sparql-results+json"})
        if response.status_code != 200:
            failures.append(f"{tab['name']}: {response.status_code} {response.data[:300]!r}")
            continue
        answer = json.loads(response.data)
        assert "results" in answer or "boolean" in answer
    assert failures == []


def test_parameters_are_bound_to_their_examples(english, chinese):
    tabs = {tab["name"]: tab["query"] for tab in config_of(english)["tabs"]}
    unit_duties = tabs["unit-duties"]
    assert 'WHERE { VALUES (?unit) { ("组织部") } ' in unit_duties
    assert '#   ?unit = "组织部" (example)' in unit_duties
    assert 'VALUES (?item) { ("6-1") }' in tabs["item-obligations"]
    assert 'VALUES (?actor) { ("一把手") }' in tabs["actor-duties"]
    assert 'VALUES (?mechanism) { ("三重一大") }' in tabs["mechanism-invocations"]
    # no example to take: left UNDEF, with a comment saying what to set
    assert "VALUES (?measure) { (UNDEF) }" in tabs["measure-units"]
    assert "#   ?measure: not set (UNDEF): set it to the measure's number, 1 to 37" in tabs["measure-units"]
    assert "VALUES" not in tabs["graph-counts"]  # no parameters, nothing bound
    assert "#   ?measure: 未设（UNDEF），请填入 the measure's number, 1 to 37" in {
        tab["name"]: tab["query"] for tab in config_of(chinese)["tabs"]}["measure-units"]


def test_the_prefixes_a_query_uses_are_declared(english):
    """The endpoint predeclares them, but the editor's syntax check would flag an undeclared prefix."""
    for tab in config_of(english)["tabs"]:
        body = "\n".join(line for line in tab["query"].splitlines() if not line.lstrip().startswith("#"))
        declared = dict(re.findall(r"PREFIX (\w+): <([^>]+)>", body))
        used = {name for name in PREFIXES if re.search(rf"(?<![\w:/#-]){name}:(?!//)", body.split("SELECT", 1)[-1])}
        assert used <= set(declared), tab["name"]
        assert all(PREFIXES[name] == iri for name, iri in declared.items())
        assert tab["query"].startswith("# title@en: ")  # the question's header is kept


def test_the_editor_is_configured_for_this_site_only(english):
    config = config_of(english)
    assert config["endpoint"] == "/sparql"
    assert config["iriBase"] == "https://w3id.org/dutygraph/id/" and config["pageBase"] == "/id/"
    assert "https://w3id.org/dutygraph/ontology#ContentItem" in config["terms"]["class"]
    assert "https://w3id.org/dutygraph/ontology#accountableFor" in config["terms"]["property"]
    script = (STATIC / "editor.js").read_text(encoding="utf-8")
    # what would otherwise reach other sites: the default endpoint (DBpedia) and its list, prefix.cc, the
    # Linked Open Vocabularies API of the class and property completers; and what would be kept
    for setting in ("persistenceId: null", "populateFromUrl: false", "prefixCcApi = null",
                    'forkAutocompleter("property"', 'forkAutocompleter("class"',
                    "endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } }",
                    'method: "POST"', 'data-editor-ready', 'data-editor-query'):
        assert setting in script


# -- what the page loads --------------------------------------------------------------------------

def loaded(html: str) -> list[str]:
    """The URLs the page makes a browser load: scripts, stylesheets, images, icons."""
    urls = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    urls += re.findall(r'<link[^>]*\shref="([^"]+)"', html)
    urls += re.findall(r'<img[^>]*\ssrc="([^"]+)"', html)
    return [unescape(url) for url in urls]


def test_it_loads_only_this_sites_files_and_they_are_served(client, english):
    urls = loaded(english)
    files = manifest()["yasgui"]["files"]
    assert f"/static/vendor/{files['js']}" in urls
    assert f"/static/vendor/{files['css']}" in urls
    assert "/static/editor.js" in urls
    for url in urls:
        assert url.startswith("/static/") or url.startswith("data:"), url
        if url.startswith("/static/"):
            response = client.get(url)
            assert response.status_code == 200, url
            response.close()
    # every script is one of those files or the JSON of the configuration: the page runs no inline script
    for tag in re.findall(r"<script[^>]*>", english):
        assert ' src="/static/' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r'(src|href)="(https?:)?//', english)
    response = client.get("/editor")
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    assert "connect-src 'self';" in response.headers["Content-Security-Policy"]


def test_the_bundles_load_nothing_from_elsewhere():
    css = (VENDOR_DIR / manifest()["yasgui"]["files"]["css"]).read_text(encoding="utf-8")
    assert "@import" not in css and "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    yasgui = (VENDOR_DIR / manifest()["yasgui"]["files"]["js"]).read_text(encoding="utf-8")
    assert "prefixCcApi:null" in yasgui  # YASQE's default: the bundled prefixes, no prefix.cc
    assert "sourceMappingURL" not in yasgui
    cytoscape = (VENDOR_DIR / manifest()["cytoscape"]["files"]["js"]).read_text(encoding="utf-8")
    for call in ("fetch(", "XMLHttpRequest", "importScripts", "new Worker"):
        assert call not in cytoscape


# -- a shared query, and the page without JavaScript ------------------------------------------------

SHARED = 'SELECT ?m WHERE { ?m a dg:Measure } LIMIT 3 # <b>"&'


def test_a_shared_query_opens_in_the_page(client):
    html = page(client, "/editor?query=" + quote(SHARED))
    # editor.js reads ?query= (and YASGUI's #query=) itself; the form without JavaScript carries it too
    textarea = re.search(r'<textarea id="sparql-form-query" name="query"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert unescape(textarea) == SHARED
    assert "<b>" not in textarea
    script = (STATIC / "editor.js").read_text(encoding="utf-8")
    assert 'params.get("query")' in script and "sharedTab.query()" in script
    assert client.post("/sparql", data={"query": SHARED}).status_code == 200


def test_without_javascript_a_form_for_sparql_and_the_questions(client, english):
    noscript = english[english.index("<noscript>"):english.index("</noscript>")]
    assert '<form id="sparql-form" method="post" action="/sparql">' in noscript
    assert '<textarea id="sparql-form-query" name="query" rows="12"' in noscript
    assert '<select name="format">' in noscript and '<option value="csv">' in noscript
    links = [(unescape(url), unescape(title)) for url, title in
             re.findall(r'<li><a href="(/queries[^"]*)" lang="en">([^<]+)</a>', noscript)]
    assert [title for _, title in links] == [q.title_en for q in list_canned_queries()]
    pages = dict((title, url) for url, title in links)
    assert pages["Everything a unit owes"] == "/queries/unit-duties?unit=%E7%BB%84%E7%BB%87%E9%83%A8&format=html"
    assert pages["How big the graph is"] == "/queries/graph-counts?format=html"
    assert pages["The units accountable for a measure"] == "/queries?format=html#measure-units"  # no example: its form
    for url, _ in links:
        response = client.get(url)
        assert (response.status_code, response.content_type) == (200, "text/html; charset=utf-8"), url
    # the form posts what the endpoint reads
    response = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }", "format": "json"})
    assert (response.status_code, json.loads(response.data)) == (200, {"head": {}, "boolean": True})


def test_chinese_and_english(english, chinese):
    assert '<html lang="en">' in english and "<h1>SPARQL editor</h1>" in english
    assert '<html lang="zh-Hans">' in chinese and "<h1>SPARQL 查询编辑器</h1>" in chinese
    assert config_of(chinese)["sharedTabName"] == "分享的查询" and config_of(english)["sharedTabName"] == "Shared query"


# -- the committed bundles ------------------------------------------------------------------------

def test_the_vendor_files_carry_the_versions_package_lock_pins():
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    package = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    assert package["scripts"]["build-assets"] == "bash scripts/build-assets.sh"
    pinned = package["devDependencies"]
    data = manifest()
    for library, name in (("yasgui", "@zazuko/yasgui"), ("cytoscape", "cytoscape")):
        locked = lock[f"node_modules/{name}"]
        assert pinned[name] == locked["version"] == data[library]["version"]  # pinned exactly, no range
        assert data[library]["integrity"] == locked["integrity"]
        for kind, file in data[library]["files"].items():
            assert f"{library}-{locked['version']}." in file, file
            assert (VENDOR_DIR / file).is_file()
    assert re.match(r"^4\.6\.\d+$", data["yasgui"]["version"]) and data["cytoscape"]["version"].startswith("3.")
    named = {file for library in ("yasgui", "cytoscape") for file in data[library]["files"].values()}
    assert {p.name for p in VENDOR_DIR.iterdir()} == named | {"manifest.json"}  # no stale version left over
    assert "MIT License" in (VENDOR_DIR / data["yasgui"]["files"]["licence"]).read_text(encoding="utf-8")
    assert "Cytoscape Consortium" in (VENDOR_DIR / data["cytoscape"]["files"]["licence"]).read_text(encoding="utf-8")


def test_node_modules_is_not_committed():
    assert "node_modules/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
