"""/graph and /graph.json: the obligation graph around a resource (dutygraph.web.graph_view).

The neighbourhoods are checked against `dutygraph duties` (duties.duties on the in-process store):
around 审计处 exactly the five items it answers for, their measures and categories, and the units,
actors and mechanisms of those items. The page is checked as a browser without JavaScript sees it
(the same neighbourhood as lists of links), and for what its script needs; drawing is for the
browser tests.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from jsonschema import Draft202012Validator

from dutygraph.duties import duties
from dutygraph.web import create_app
from dutygraph.web.graph_assets import VENDOR_DIR, manifest

ID = "https://w3id.org/dutygraph/id/"
AUDIT = ID + "unit/audit-office"
JSON = "application/json"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(test_config={"STORE_DIR": str(tmp_path_factory.mktemp("graph-store"))})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def view(client, query: str = "", status: int = 200) -> dict:
    response = client.get("/graph.json" + (f"?{query}" if query else ""))
    assert response.status_code == status, response.data
    assert response.content_type == JSON
    return response.get_json()


def of_kind(data: dict, kind: str) -> set[str]:
    return {n["id"] for n in data["nodes"] if n["kind"] == kind}


def edges(data: dict, kind: str) -> set[tuple[str, str]]:
    return {(e["source"], e["target"]) for e in data["edges"] if e["kind"] == kind}


@pytest.fixture(scope="module")
def audit_rows(store):
    return duties(store, "审计处")


# -- around a unit --------------------------------------------------------------------------------

def test_around_the_audit_office(client, audit_rows):
    data = view(client, "focus=unit/audit-office")
    items = {row["iri"] for row in audit_rows}
    assert {row["key"] for row in audit_rows} == {"9-3", "11-1", "29-1", "30-1", "35-1"}
    assert of_kind(data, "item") == items
    assert of_kind(data, "measure") == {f"{ID}measure/{row['measure']}" for row in audit_rows}
    categories = {n["id"]: n["labels"] for n in data["nodes"] if n["kind"] == "category"}
    assert sorted(categories.values(), key=lambda labels: labels["zh"]) == sorted(
        {row["category"]["zh"]: row["category"] for row in audit_rows}.values(), key=lambda labels: labels["zh"])
    # what hangs on those items, as `dutygraph duties` lists it
    for kind, field in (("unit", "units"), ("actor", "actors"), ("mechanism", "mechanisms")):
        assert of_kind(data, kind) == {x["iri"] for row in audit_rows for x in row[field]}, kind
    # the edges
    assert edges(data, "accountable_for") == {(u["iri"], row["iri"]) for row in audit_rows for u in row["units"]}
    assert edges(data, "acts_on") == {(a["iri"], row["iri"]) for row in audit_rows for a in row["actors"]}
    assert edges(data, "invokes") == {(row["iri"], m["iri"]) for row in audit_rows for m in row["mechanisms"]}
    part_of = edges(data, "part_of")
    assert {(row["iri"], f"{ID}measure/{row['measure']}") for row in audit_rows} <= part_of
    assert all(target in categories for source, target in part_of if "/measure/" in source)
    assert len(part_of) == len(items) + len(of_kind(data, "measure"))


def test_the_answer_says_what_it_is(client, app, document):
    data = view(client, "focus=unit/audit-office")
    assert data["focus"] == {"id": AUDIT, "kind": "unit", "key": "audit-office",
                             "labels": {"zh": "审计处", "en": "Audit Office"}, "url": "/id/unit/audit-office", "focus": True}
    assert data["nodes"][0] == data["focus"]
    assert (data["depth"], data["kinds"]) == (1, ["category", "measure", "item", "unit", "actor", "mechanism"])
    assert (data["node_limit"], data["truncated"]) == (400, False) and "note" not in data
    assert data["counts"] == {kind: len(of_kind(data, kind)) for kind in data["kinds"]}
    for node in data["nodes"]:
        kind, key = node["id"][len(ID):].split("/")
        assert (node["kind"], node["key"], node["url"]) == (kind, key, f"/id/{kind}/{key}")
        assert node["labels"]["zh"] and node["labels"]["en"]
        assert ("number" in node) == (kind in ("measure", "category"))
    ids = {n["id"] for n in data["nodes"]}
    labels = {"accountable_for": {"zh": "负责", "en": "accountable for"}, "part_of": {"zh": "属于", "en": "part of"},
              "acts_on": {"zh": "履行", "en": "acts on"}, "invokes": {"zh": "运用", "en": "invokes"}}
    for edge in data["edges"]:
        assert edge["source"] in ids and edge["target"] in ids
        assert edge["labels"] == labels[edge["kind"]]
        assert edge["id"] == f"{edge['kind']}:{edge['source']}->{edge['target']}"
    # the answer is what /openapi.json says it is
    schema = document["paths"]["/graph.json"]["get"]["responses"]["200"]["content"][JSON]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    for query in ("focus=unit/audit-office", "", "focus=measure/16&depth=2&kinds=item,unit"):
        assert [e.message for e in validator.iter_errors(view(client, query))] == []


@pytest.fixture(scope="module")
def document(client):
    return client.get("/openapi.json").get_json()


@pytest.mark.parametrize("focus", [AUDIT, "/id/unit/audit-office", "unit/audit-office", "audit-office", "审计处",
                                   "Audit Office", "audit office"])
def test_a_focus_by_iri_path_key_or_label(client, focus):
    """A bare key or label is a unit before an actor: "audit-office" and "审计处" name both."""
    assert view(client, "focus=" + focus) == view(client, "focus=unit/audit-office")


def test_other_kinds_of_focus(client, store):
    assert view(client, "focus=actor/audit-office")["focus"]["kind"] == "actor"
    measure = view(client, "focus=16")  # a bare number is the measure
    assert measure["focus"]["id"] == ID + "measure/16" and measure["focus"]["number"] == 16
    assert of_kind(measure, "item") == {ID + "item/16-1"}
    category = view(client, "focus=category/2")
    assert of_kind(category, "category") == {ID + "category/2"}
    assert all(f"{ID}category/2" == target for source, target in edges(category, "part_of") if "/measure/" in source)
    leader = view(client, "focus=actor/number-one-leader")
    acted = {row["iri"] for row in duties(store) if ID + "actor/number-one-leader" in {a["iri"] for a in row["actors"]}}
    assert of_kind(leader, "item") == acted
    sanzhong = view(client, "focus=三重一大")
    assert sanzhong["focus"]["id"] == ID + "mechanism/sanzhong-yida"
    assert of_kind(view(client, "focus=item/9-3"), "item") == {ID + "item/9-3"}


@pytest.mark.parametrize("focus", ["nope", "unit/nope", "obligation/6-1-b", "frequency/annual", "run/x", "unit/../x",
                                   "https://example.org/unit/audit-office", '"} } SELECT', "measure/99"])
def test_an_unknown_focus_is_404_json(client, focus):
    data = view(client, "focus=" + focus.replace("&", "%26"), status=404)
    assert set(data) == {"error"} and data["error"].startswith("no unit, measure, item, category, actor or mechanism is")


@pytest.mark.parametrize("query, message", [
    ("focus=unit/audit-office&depth=3", "depth must be 1 or 2, not '3'"),
    ("depth=x", "depth must be 1 or 2, not 'x'"),
    ("kinds=unit,bogus", "unknown kind bogus; the kinds are: category, measure, item, unit, actor, mechanism"),
])
def test_a_bad_depth_or_kind_is_400_json(client, query, message):
    assert view(client, query, status=400) == {"error": message}


def test_depth_2_adds_the_items_of_what_depth_1_found(client, store):
    near, wide = view(client, "focus=unit/audit-office"), view(client, "focus=unit/audit-office&depth=2")
    assert wide["depth"] == 2
    assert {n["id"] for n in near["nodes"]} <= {n["id"] for n in wide["nodes"]}
    rows = duties(store)
    expected = set()
    for row in rows:
        attached = {x["iri"] for field in ("units", "actors", "mechanisms") for x in row[field]}
        if attached & (of_kind(near, "unit") | of_kind(near, "actor") | of_kind(near, "mechanism")):
            expected.add(row["iri"])
    assert of_kind(wide, "item") == expected
    # depth 2 through units only, when only units are shown beside the structure
    units_only = view(client, "focus=unit/audit-office&depth=2&kinds=category,measure,item,unit")
    assert of_kind(units_only, "item") == {row["iri"] for row in rows
                                            if {u["iri"] for u in row["units"]} & of_kind(near, "unit")}


def test_kinds_hidden_are_contracted(client, audit_rows):
    data = view(client, "focus=unit/audit-office&kinds=unit,measure")
    assert {n["kind"] for n in data["nodes"]} == {"unit", "measure"} and data["kinds"] == ["measure", "unit"]
    # with the items hidden a unit answers for the items' measures
    assert edges(data, "accountable_for") == {(u["iri"], f"{ID}measure/{row['measure']}") for row in audit_rows
                                              for u in row["units"]}
    assert {e["kind"] for e in data["edges"]} == {"accountable_for"}
    repeated = view(client, "focus=unit/audit-office&kinds=unit&kinds=measure")
    assert repeated == data
    focus_only = view(client, "focus=unit/audit-office&kinds=")
    assert [n["id"] for n in focus_only["nodes"]] == [AUDIT] and focus_only["edges"] == []
    assert focus_only["kinds"] == []


def test_without_a_focus_the_skeleton_of_the_document(client, store):
    data = view(client)
    assert data["focus"] is None and data["kinds"] == ["category", "measure", "unit"]
    assert (len(of_kind(data, "category")), len(of_kind(data, "measure")), len(of_kind(data, "unit"))) == (5, 37, 13)
    assert len(data["nodes"]) == 55
    rows = duties(store)
    assert edges(data, "accountable_for") == {(u["iri"], f"{ID}measure/{row['measure']}") for row in rows for u in row["units"]}
    assert len(edges(data, "part_of")) == 37
    everything = view(client, "kinds=category,measure,item,unit,actor,mechanism")
    assert len(of_kind(everything, "item")) == 56


def test_the_cap_on_nodes(client, app):
    app.config["GRAPH_NODE_LIMIT"] = 10
    try:
        data = view(client, "focus=unit/audit-office")
    finally:
        del app.config["GRAPH_NODE_LIMIT"]
    assert len(data["nodes"]) == 10 and data["truncated"] is True and data["node_limit"] == 10
    assert data["nodes"][0]["id"] == AUDIT
    assert data["note"]["en"] == ("This view has 31 nodes, more than the limit of 10: only the first 10 are shown. "
                                  "Lower the depth or hide some kinds.")
    assert "上限 10" in data["note"]["zh"]
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])


# -- the page -------------------------------------------------------------------------------------

def page(client, query: str = "", lang: str = "en", status: int = 200) -> str:
    response = client.get("/graph" + (f"?{query}" if query else ""), headers={"Accept-Language": lang})
    assert response.status_code == status
    assert response.content_type == "text/html; charset=utf-8"
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    return response.data.decode()


def test_the_page_draws_the_json_with_this_sites_files(client):
    html = page(client, "focus=unit/audit-office")
    assert '<div id="graph" class="graph-canvas" data-source="/graph.json?focus=unit%2Faudit-office" data-lang="en"' in html
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    assert scripts == [f"/static/vendor/{manifest()['cytoscape']['files']['js']}", "/static/graph-view.js"]
    for url in scripts + re.findall(r'<link[^>]*\shref="(/[^"]+)"', html):
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()
    for tag in re.findall(r"<script[^>]*>", html):
        assert ' src="/static/' in tag or 'type="application/json"' in tag
    assert not re.search(r'(src|href)="(https?:)?//', html)
    words = json.loads(re.search(r'<script type="application/json" id="graph-words">(.*?)</script>', html, re.S).group(1))
    assert words["kinds"]["unit"] == "accountable unit" and words["edges"]["acts_on"] == "acts on"
    script = (VENDOR_DIR.parent / "graph-view.js").read_text(encoding="utf-8")
    for hook in ('"data-graph-ready", "true"', "window.location.assign(url)", "window.dutygraphGraph"):
        assert hook in script


def test_without_javascript_the_same_neighbourhood_as_lists(client, audit_rows):
    data = view(client, "focus=unit/audit-office")
    html = page(client, "focus=unit/audit-office")
    outline = html[html.index('<div id="graph-outline">'):html.index('<p class="muted graph-credits">')]
    linked = set(re.findall(r'<a class="node kind-(\w+)(?: focus)?" href="([^"]+)" data-iri="([^"]+)">', outline))
    assert {(kind, url, iri) for kind, url, iri in linked} == {(n["kind"], n["url"], n["id"]) for n in data["nodes"]}
    # nested: category, then measure, then item with its units
    for row in audit_rows:
        item = outline.index(f'href="/id/item/{row["key"]}"')
        measure = outline.rindex(f'href="/id/measure/{row["measure"]}"', 0, item)
        assert outline.rindex('class="node kind-category"', 0, measure) < measure
    assert '<a class="centre" href="/graph?focus=unit/organisation-department"' in outline
    # the form works without JavaScript too
    start = html.index('<form id="graph-form"')
    form = html[start:html.index("</form>", start)]
    assert '<input type="text" name="focus" value="unit/audit-office"' in form
    assert '<input type="hidden" name="kinds" value="">' in form
    assert form.count('type="checkbox" name="kinds"') == 6 and form.count(" checked>") == 6
    assert '<option value="unit/audit-office">' in form  # the focus field's suggestions


def test_the_page_without_a_focus_offers_a_choice(client):
    html = page(client, lang="zh")
    chooser = html[html.index('<section id="graph-chooser"'):html.index("</section>")]
    units = re.findall(r'href="/graph\?focus=unit/([a-z-]+)"', chooser)
    measures = re.findall(r'href="/graph\?focus=measure/(\d+)"', chooser)
    assert len(units) == 13 and measures == [str(n) for n in range(1, 38)]
    assert 'href="/graph?focus=actor/number-one-leader"' in chooser
    assert "<h1>职责关系图</h1>" in html
    assert page(client, "focus=unit/audit-office").count('id="graph-chooser"') == 0


def test_pages_in_both_languages(client):
    assert "<h1>Graph around Audit Office" in page(client, "focus=unit/audit-office", lang="en")
    chinese = page(client, "focus=unit/audit-office", lang="zh")
    assert "<h1>关系图：审计处" in chinese and 'data-lang="zh"' in chinese
    assert "措施 9 贯彻执行民主集中制" in chinese  # a measure with its number


def test_an_unknown_focus_is_a_404_page_with_the_choice(client):
    html = page(client, "focus=nope", status=404)
    assert "No such focus" in html and 'id="graph-chooser"' in html and 'id="graph"' not in html
    assert "depth must be 1 or 2" in unescape(page(client, "depth=7", status=400))
