"""/api/: the document graph as JSON resources (dutygraph.web.duty_api).

Each case reads request -> status -> content type -> exact content. The facts must be those of
`dutygraph duties` (duties.duties on the in-process store) and of the source document: 5
categories, 37 measures, 56 content items, 13 accountable units; 审计处 answers for 9-3, 11-1,
29-1, 30-1 and 35-1.
"""

from __future__ import annotations

import pytest

from dutygraph.duties import LINKS, duties
from dutygraph.queries import run_canned_query, run_sparql
from dutygraph.web import create_app, query_service
from dutygraph.web.limits import Busy
from dutygraph.web.query_runner import QueryFailed, QueryTimeout

JSON = "application/json"
ID = "https://w3id.org/dutygraph/id/"
AUDIT_ITEMS = ["9-3", "11-1", "29-1", "30-1", "35-1"]


# Every case runs on both backends (conftest's `backend`: the embedded store, Virtuoso), the same answers.

@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, backend):
    directory = tmp_path_factory.mktemp("store")
    create_app(backend.config(directory))  # builds it (or loads the engine's document graph) once for the module
    return directory


@pytest.fixture
def client(store_dir, backend):
    return create_app(backend.config(store_dir)).test_client()


def get(client, path: str, status: int = 200):
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == JSON
    return response.get_json()


def reference(kind: str, key: str, zh: str, en: str, collection: str) -> dict:
    return {"iri": f"{ID}{kind}/{key}", "key": key, "labels": {"zh": zh, "en": en}, "api": f"/api/{collection}/{key}"}


def plain_refs(refs: list[dict]) -> list[dict]:
    """API references in the form `dutygraph duties` gives them: {iri, zh, en}, in IRI order."""
    return sorted(({"iri": r["iri"], "zh": r["labels"]["zh"], "en": r["labels"]["en"]} for r in refs), key=lambda r: r["iri"])


def unit_rows(store) -> list:
    return run_sparql(store, 'SELECT ?u ?zh ?en WHERE { ?u a dg:AccountableUnit ; rdfs:label ?zh , ?en . '
                             'FILTER(lang(?zh) = "zh" && lang(?en) = "en") } ORDER BY ?u').rows


# -- the index and the lists ----------------------------------------------------------------------

def test_the_index(client, store):
    body = get(client, "/api/")
    counts = {c["name"]: c["count"] for c in body["collections"]}
    # the document's own counts, then the curation's, as the graph has them
    assert {k: counts[k] for k in ("categories", "measures", "items", "units")} == {
        "categories": 5, "measures": 37, "items": 56, "units": 13}
    graph = run_canned_query(store, "graph-counts").rows[0]
    for name in ("obligations", "actors", "mechanisms", "regulations", "frequencies"):
        assert counts[name] == int(graph[name].value)
    assert [c["name"] for c in body["collections"]] == [
        "categories", "measures", "items", "obligations", "units", "actors", "mechanisms", "frequencies", "regulations"]
    units = next(c for c in body["collections"] if c["name"] == "units")
    assert units == {"name": "units", "labels": {"zh": "责任单位", "en": "accountable units"}, "count": 13,
                     "api": "/api/units", "member": "/api/units/{key}", "by_label": True}
    assert body["document"] == {
        "iri": f"{ID}document/changgongdang-2022-61", "notation": "常工党〔2022〕61号",
        "labels": {"zh": "常州工学院加强对“一把手”和领导班子监督若干措施责任清单",
                   "en": "Responsibility List of Measures of Changzhou Institute of Technology for Strengthening "
                         "Supervision of the Number-One Leader and Leadership Teams"}}
    assert body["see_also"] == {"sparql": "/sparql", "queries": "/queries", "openapi": "/openapi.json"}


def test_the_measures(client, table):
    body = get(client, "/api/measures")
    assert body["count"] == 37
    assert [m["key"] for m in body["members"]] == [str(n) for n in range(1, 38)]
    measures = [m for c in table.categories for m in c.measures]
    for member, measure in zip(body["members"], measures):
        assert member["labels"]["zh"] == measure.title
        assert member["counts"]["items"] == len(measure.items)
    assert sum(m["counts"]["items"] for m in body["members"]) == 56
    assert body["members"][15] == {**reference("measure", "16", "完善领导班子议事规则",
                                               "Improve the leadership team's rules of procedure", "measures"),
                                   "counts": {"items": 1, "obligations": 10, "units": 2}}


def test_the_units(client, store, table):
    body = get(client, "/api/units")
    assert body["count"] == 13
    assert [(m["iri"], m["labels"]) for m in body["members"]] == [
        (row["u"].value, {"zh": row["zh"].value, "en": row["en"].value}) for row in unit_rows(store)]
    audit = next(m for m in body["members"] if m["key"] == "audit-office")
    assert audit == {**reference("unit", "audit-office", "审计处", "Audit Office", "units"),
                     "counts": {"items": 5, "measures": 5, "categories": 3}}
    printed = {name for c in table.categories for m in c.measures for i in m.items for name in i.units}
    assert {m["labels"]["zh"] for m in body["members"]} == printed


@pytest.mark.parametrize("collection, count", [("categories", 5), ("items", 56), ("actors", None), ("mechanisms", None),
                                               ("frequencies", None), ("regulations", None), ("obligations", None)])
def test_every_list_has_every_member_and_each_answers(client, store, collection, count):
    body = get(client, f"/api/{collection}")
    index = {c["name"]: c["count"] for c in get(client, "/api/")["collections"]}
    assert body["count"] == len(body["members"]) == index[collection]
    if count is not None:
        assert body["count"] == count
    for member in body["members"][:3] + body["members"][-2:]:
        one = get(client, member["api"])
        assert (one["iri"], one["key"], one["labels"]) == (member["iri"], member["key"], member["labels"])


# -- units ----------------------------------------------------------------------------------------

def test_the_audit_office(client, table):
    body = get(client, "/api/units/audit-office")
    assert [i["key"] for i in body["items"]] == AUDIT_ITEMS
    assert body["counts"] == {"items": 5, "measures": 5, "categories": 3, "obligations": body["counts"]["obligations"]}
    items = {f"{i.measure.number}-{i.number}": i for c in table.categories for m in c.measures for i in m.items}
    for entry in body["items"]:
        source = items[entry["key"]]
        assert entry["text_zh"] == source.text
        assert [u["labels"]["zh"] for u in entry["units"]] == source.units
        assert entry["measure"]["number"] == source.measure.number
        assert entry["category"]["labels"]["zh"] == source.measure.category.title
    first = body["items"][0]
    assert {k: first[k] for k in ("iri", "key", "api", "number")} == {
        "iri": f"{ID}item/9-3", "key": "9-3", "api": "/api/items/9-3", "number": 3}
    assert first["measure"] == {**reference("measure", "9", "贯彻执行民主集中制", "Implement democratic centralism", "measures"),
                                "number": 9}
    # 35-1 names eight units, the audit office among them
    shared = {s["key"]: s["items"] for s in body["shares_items_with"]}
    assert shared["organisation-department"] == ["9-3", "29-1", "30-1", "35-1"]
    assert "audit-office" not in shared


@pytest.mark.parametrize("name", ["审计处", "Audit Office", "audit office", "AUDIT-OFFICE", " 审计处 "])
def test_a_unit_by_its_name_is_the_same_resource(client, name):
    """As `dutygraph duties --unit` (duties.resolve_unit): the Chinese or English name, any case."""
    assert get(client, "/api/units/" + name) == get(client, "/api/units/audit-office")


def test_every_unit_owes_what_dutygraph_duties_says(client, store):
    """The facts of /api/units/KEY equal duties(store, unit) for every one of the 13 units."""
    for row in unit_rows(store):
        unit = row["zh"].value
        expected = duties(store, unit)
        body = get(client, "/api/units/" + row["u"].value.rsplit("/", 1)[1])
        assert [e["key"] for e in body["items"]] == [d["key"] for d in expected], unit
        for entry, duty in zip(body["items"], expected):
            assert entry["iri"] == duty["iri"]
            assert entry["measure"]["number"] == duty["measure"] and entry["number"] == duty["item"]
            assert entry["category"]["labels"] == duty["category"]
            assert entry["measure"]["labels"] == duty["measure_title"]
            assert (entry["text_zh"], entry["summary_en"]) == (duty["text_zh"], duty["summary_en"])
            # units in printed order; the linked actors, targets, frequencies, mechanisms, regulations as sets
            assert [{"iri": u["iri"], "zh": u["labels"]["zh"], "en": u["labels"]["en"]} for u in entry["units"]] == duty["units"]
            for field in LINKS:
                if field != "units":
                    assert plain_refs(entry[field]) == sorted(duty[field], key=lambda r: r["iri"]), (unit, duty["key"], field)
        # the unit-level summaries gather the same links over its items
        for field in ("actors", "frequencies", "mechanisms"):
            gathered = {r["iri"] for d in expected for r in d[field]}
            assert {r["iri"] for r in body[field]} == gathered, (unit, field)


def test_a_references_api_url_answers(client):
    body = get(client, "/api/units/audit-office")
    urls = set()

    def walk(value):
        if isinstance(value, dict):
            if "api" in value:
                urls.add(value["api"])
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
    walk(body)
    assert len(urls) > 30
    for url in sorted(urls):
        assert client.get(url).status_code == 200, url


# -- measures, items, obligations -----------------------------------------------------------------

def test_measure_16(client):
    body = get(client, "/api/measures/16")
    assert body["category"] == {**reference("category", "3", "加强同级领导班子监督",
                                            "Strengthen supervision of the leadership team at the same level", "categories"),
                                "number": 3}
    assert [i["key"] for i in body["items"]] == ["16-1"]
    assert [(u["key"], u["items"]) for u in body["units"]] == [("party-committee-office", ["16-1"]),
                                                               ("party-organisations-all-levels", ["16-1"])]
    assert body["verbatim_title_zh"] == "完善领导班子议事规则"
    assert body["counts"] == {"items": 1, "obligations": 10}


def test_item_16_1(client, store, table):
    body = get(client, "/api/items/16-1")
    source = next(m for c in table.categories for m in c.measures if m.number == 16).items[0]
    assert body["text_zh"] == source.text
    assert body["units_text_zh"] == source.units_verbatim == "党委办公室，各级党 组织"
    assert [u["labels"]["zh"] for u in body["units"]] == ["党委办公室", "各级党组织"]
    assert body["source"] == {"line": source.span.line, "start": source.span.start, "end": source.span.end}
    assert [o["key"] for o in body["obligations"]] == [f"16-1-{x}" for x in "abcdefghij"]
    c = body["obligations"][2]
    assert (c["modality"], c["modal_cue"], c["excerpt_zh"]) == (
        "Prohibition", "坚决防止", "坚决防止以专题会议代替党委常委会、二级党组织委员会议、党政联席会作出决策")
    assert [m["key"] for m in body["mechanisms"]] == ["mowei-biaotai", "sanzhong-yida"]
    expected = run_canned_query(store, "item-obligations", {"item": "16-1"})
    assert [o["key"] for o in body["obligations"]] == [row["obligation"].value for row in expected.rows]
    assert body["notes"] == []


def test_an_items_editorial_notes(client, store):
    body = get(client, "/api/items/20-1")
    expected = run_sparql(store, "SELECT ?n ?passage ?reading WHERE { ?n dg:notedOn <https://w3id.org/dutygraph/id/item/20-1> ; "
                                 "dg:verbatimPassage ?passage ; dg:editorialReading ?reading } ORDER BY ?n").rows
    assert [(n["iri"], n["verbatim_passage_zh"], n["editorial_reading_zh"]) for n in body["notes"]] == [
        (row["n"].value, row["passage"].value, row["reading"].value) for row in expected]
    assert len(body["notes"]) == 2


def test_an_obligation(client):
    body = get(client, "/api/obligations/16-1-a")
    assert body["item"] == reference("item", "16-1", "16-1 完善领导班子议事规则", "16-1 Rules of procedure for collective decisions",
                                     "items")
    assert body["measure"] == reference("measure", "16", "完善领导班子议事规则",
                                        "Improve the leadership team's rules of procedure", "measures")
    assert body["excerpt_zh"] == "精准界定“三重一大”事项范围"
    assert body["mechanisms"] == [reference("mechanism", "sanzhong-yida", "三重一大", "three majors and one large", "mechanisms")]
    assert [a["key"] for a in body["actors"]] == ["party-committee-office", "party-organisations-all-levels"]


# -- actors, mechanisms, frequencies, regulations -------------------------------------------------

def test_the_number_one_leader(client, store):
    body = get(client, "/api/actors/number-one-leader")
    assert (body["kind"], body["labels"]) == ("role", {"zh": "一把手", "en": "number-one leader"})
    direct = run_sparql(store, "SELECT ?key WHERE { ?o dg:actor <https://w3id.org/dutygraph/id/actor/number-one-leader> ; "
                               "skos:notation ?key ; dg:sourceStart ?p } ORDER BY ?p ?o").rows
    assert [o["key"] for o in body["obligations"]] == [row["key"].value for row in direct]
    for obligation in body["obligations"]:
        assert obligation["item"]["key"] == obligation["key"].rsplit("-", 1)[0]
        assert obligation["measure"]["key"] == obligation["key"].split("-")[0]
        assert "number-one-leader" in [a["key"] for a in obligation["actors"]]
    assert [a["key"] for a in body["narrower"]] == ["lower-number-one-leader", "upper-number-one-leader"]
    assert body["corresponding_unit"] is None
    assert body["counts"]["as_target"] == len(body["as_target"]) > 0


def test_an_actor_that_is_a_unit(client):
    body = get(client, "/api/actors/审计处")
    assert body["kind"] == "body"
    assert body["corresponding_unit"] == reference("unit", "audit-office", "审计处", "Audit Office", "units")


def test_sanzhong_yida(client, store):
    body = get(client, "/api/mechanisms/三重一大")
    assert body == get(client, "/api/mechanisms/sanzhong-yida")
    assert body["definition"] == {
        "en": "The rule that major decisions, important appointments and dismissals, major projects and large expenditures "
              "must be decided collectively by the leadership team.",
        "zh": "重大事项决策、重要干部任免、重大项目安排和大额度资金使用须由领导班子集体决策的制度。"}
    expected = run_canned_query(store, "mechanism-invocations", {"mechanism": "sanzhong-yida"}).rows
    assert [(o["key"], o["item"]["key"], int(o["measure"]["key"])) for o in body["obligations"]] == [
        (row["obligation"].value, row["item"].value, int(row["measure"].value)) for row in expected]


def test_a_frequency_and_a_regulation(client, store):
    body = get(client, "/api/frequencies/annual")
    assert (body["kind"], body["eu_frequency"]) == (
        "RegularFrequency", "http://publications.europa.eu/resource/authority/frequency/ANNUAL")
    expected = run_canned_query(store, "items-by-frequency", {"frequency": "annual"}).rows
    assert sorted(o["key"] for o in body["obligations"]) == sorted(row["obligation"].value for row in expected)
    body = get(client, "/api/regulations/ten-prohibitions-life-meetings")
    assert [o["item"]["key"] for o in body["obligations"]] == ["15-1"]
    assert body["note"]["en"].endswith("cited in item 15-1, issuer not named in the source.")


def test_a_category(client, table):
    body = get(client, "/api/categories/1")
    category = table.categories[0]
    assert body["labels"]["zh"] == category.title
    assert body["verbatim_title_zh"] == category.verbatim
    assert [(m["key"], m["items"]) for m in body["measures"]] == [
        (str(m.number), [f"{m.number}-{i.number}" for i in m.items]) for m in category.measures]


# -- what is not there ----------------------------------------------------------------------------

@pytest.mark.parametrize("path, message", [
    ("/api/units/nope", "no accountable unit has the key, Chinese or English name 'nope'; the units and their keys are "
                        "listed at /api/units"),
    ("/api/measures/99", "no measure has the key '99'; the measures and their keys are listed at /api/measures"),
    ("/api/measures/sixteen!", "no measure has the key 'sixteen!'; the measures and their keys are listed at /api/measures"),
    ("/api/items/16-9", "no content item has the key '16-9'; the items and their keys are listed at /api/items"),
    ("/api/actors/%20", "no actor has the key, Chinese or English name ' '; the actors and their keys are listed at /api/actors"),
])
def test_unknown_keys(client, path, message):
    collection = "/api/" + path.split("/")[2]
    assert get(client, path, 404) == {"error": message, "collection": collection}


@pytest.mark.parametrize("failure, status, message", [
    (QueryTimeout("the query did not finish within the time limit of 10 s and was stopped"), 504,
     "the query did not finish within the time limit of 10 s and was stopped"),
    (QueryFailed("the store could not be read"), 500, "the query could not be evaluated: the store could not be read"),
    (Busy(), 503, "too many queries at once (limit 4); retry in 2 s"),
])
def test_query_service_failures(client, monkeypatch, failure, status, message):
    def fail(query, *, account=None):
        raise failure

    monkeypatch.setattr(query_service, "select", fail)
    for path in ("/api/", "/api/units", "/api/units/audit-office"):
        response = client.get(path)
        assert (response.status_code, response.content_type, response.get_json()) == (status, JSON, {"error": message})
        if status == 503:
            assert response.headers["Retry-After"] == "2"


def test_a_row_limit_too_low_is_an_error_not_a_partial_answer(store_dir, backend):
    client = create_app(backend.config(store_dir, RESULT_ROW_LIMIT=20)).test_client()
    body = get(client, "/api/units/audit-office", 500)
    assert body == {"error": "the answer reached the service's row limit of 20 rows and could be incomplete; "
                             "raise RESULT_ROW_LIMIT"}
