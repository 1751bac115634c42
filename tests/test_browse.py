"""Browsing the obligation graph in a browser (dutygraph.web.browse_pages): pages, RDF, search, language.

Each case reads request -> status -> content type -> exact content. The expected values come from the
source document (the parsed table of data/source/changgongdang-2022-61.txt), the curation tables,
`dutygraph duties` (duties.duties on the in-process store) and the built graph — never from the
service under test. Pages are read with a small HTML tree builder (html.parser) and looked at by the
ids and classes the templates give them.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from markupsafe import escape
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SH

from dutygraph import paths
from dutygraph.duties import duties
from dutygraph.namespaces import BASE
from dutygraph.web import create_app

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
TURTLE = "text/turtle; charset=utf-8"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
ADMIN_TOKEN = "admin-token-for-the-browse-tests-0123456789"
NOT_FOUND_TEXT = "not found: the SPARQL endpoint is /sparql; see /openapi.json for every route\n"
SHAPES_NS = "https://w3id.org/dutygraph/shapes/duties#"
# rdflib's own JSON-LD parser still builds a ConjunctiveGraph inside
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
DG_ENFORCES = URIRef("https://w3id.org/dutygraph/ontology#enforces")


# -- a small HTML tree ----------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list["Element"]:
        return [e for e in self.iter() if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
                and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs) -> "Element":
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}> in <{self.tag} {self.attrs}>"
        return found[0]

    def by_id(self, id_: str) -> "Element":
        return self.find(id=id_)

    def links(self) -> list[tuple[str, str]]:
        """(href, text) of every <a> inside, in order."""
        return [(a.attrs.get("href"), a.text().strip()) for a in self.find_all("a")]

    def direct(self, tag: str) -> list["Element"]:
        return [c for c in self.children if isinstance(c, Element) and c.tag == tag]


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(body: str) -> Element:
    tree = Tree()
    tree.feed(body)
    tree.close()
    return tree.root


def squash(text: str) -> str:
    return " ".join(text.split())


# -- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory, backend):
    """On both backends (conftest's `backend`: the embedded store, Virtuoso): the same pages."""
    return create_app(backend.config(tmp_path_factory.mktemp("browse-store"), ADMIN_TOKEN=ADMIN_TOKEN,
                                     QUERY_TIME_LIMIT=20.0))


@pytest.fixture
def client(app):
    return app.test_client()


def page(client, path: str, status: int = 200, lang: str = "zh", **headers) -> Element:
    response = client.get(path, headers={"Accept": BROWSER, "Accept-Language": lang, **headers})
    assert response.status_code == status, (path, response.get_data(as_text=True)[:2000])
    assert response.content_type == HTML
    body = response.get_data(as_text=True)
    assert "[missing message" not in body
    return parse_html(body)


def main(doc: Element) -> Element:
    return doc.find("main")


@pytest.fixture(scope="module")
def units_by_zh(curation):
    return curation.units  # label_zh -> Unit


@pytest.fixture(scope="module")
def items_by_key(table):
    return {item.key: item for item in table.items}


# -- home -----------------------------------------------------------------------------------------

def test_home_shows_the_document(client, curation):
    meta = curation.document
    for lang in ("zh", "en"):
        doc = page(client, "/", lang=lang)
        body = main(doc)
        assert squash(body.find("h1").text()) == (meta.list_title_zh if lang == "zh" else meta.list_title_en)
        facts = body.find("dl", cls="browse-document")
        pairs = {squash(dt.text()): dd for dt, dd in zip(facts.direct("dt"), facts.direct("dd"))}
        number = "文号" if lang == "zh" else "Number"
        date = "印发日期" if lang == "zh" else "Issued"
        issuer = "发文机关" if lang == "zh" else "Issued by"
        assert squash(pairs[number].text()) == meta.number_zh == "常工党〔2022〕61号"
        assert squash(pairs[date].text()) == meta.date.isoformat() == "2022-09-26"
        assert pairs[issuer].links() == [("/id/organisation/czit-party-committee",
                                          meta.issuer_zh if lang == "zh" else meta.issuer_en)]
        assert meta.title_zh in pairs["通知标题" if lang == "zh" else "Notice"].text()


def test_home_lists_the_five_categories_and_37_measures(client, table, curation):
    body = main(page(client, "/", lang="en"))
    cards = body.find("div", cls="browse-categories").find_all("section", cls="card")
    assert len(cards) == len(table.categories) == 5
    measures_seen = []
    for card, category in zip(cards, table.categories):
        heading = card.find("h3")
        assert heading.links() == [(f"/id/category/{category.number}", curation.categories[category.number])]
        links = card.find("ol", cls="browse-measures").links()
        assert links == [(f"/id/measure/{m.number}", curation.measures[m.number]) for m in category.measures]
        measures_seen += [href for href, _ in links]
    assert measures_seen == [f"/id/measure/{n}" for n in range(1, 38)]


def test_home_lists_the_13_units_with_their_duty_counts(client, store, table, units_by_zh):
    body = main(page(client, "/", lang="zh"))
    rows = body.find("table", cls="browse-units").find("tbody").direct("tr")
    shown = {}
    for row in rows:
        name, count = row.direct("td")
        ((href, label),) = name.links()
        shown[href] = (label, int(count.text()))
    expected = {}
    for unit_zh in table.units:
        unit = units_by_zh[unit_zh]
        expected[f"/id/unit/{unit.key}"] = (unit.label_zh, len(duties(store, unit.key)))
    assert len(shown) == 13
    assert shown == expected
    assert shown["/id/unit/audit-office"] == ("审计处", 5)
    counts = [count for _, count in shown.values()]
    assert counts == sorted(counts, reverse=True)  # most duties first


def test_home_has_a_search_box_and_the_ways_on(client):
    body = main(page(client, "/", lang="en"))
    form = body.find("form", cls="browse-search")
    assert (form.attrs["action"], form.attrs["method"]) == ("/search", "get")
    assert form.find("input").attrs["name"] == "q"
    hrefs = [href for href, _ in body.find("ul", cls="browse-more").links()]
    assert hrefs == ["/graph", "/editor", "/queries", "/runs", "/shapes/duties", "/id/document/changgongdang-2022-61",
                     "/api/"]


# -- resource pages -------------------------------------------------------------------------------

def test_the_item_page_shows_the_verbatim_text_exactly(client, items_by_key, curation, units_by_zh):
    item = items_by_key["16-1"]
    for lang in ("zh", "en"):
        response = client.get("/id/item/16-1", headers={"Accept": BROWSER, "Accept-Language": lang})
        assert response.status_code == 200
        assert response.content_type == HTML
        body = response.get_data(as_text=True)
        assert f'<div class="verbatim" lang="zh-Hans">{escape(item.text)}</div>' in body
        doc = main(parse_html(body))
        (verbatim,) = [e for e in doc.find_all("div", cls="verbatim")]
        assert verbatim.text() == item.text
        assert squash(doc.find("p", cls="summary").text()).endswith(curation.items["16-1"].summary_en)
    links = dict(doc.links())
    for unit_zh in item.units:
        assert f"/id/unit/{units_by_zh[unit_zh].key}" in links
    obligations = [o for o in curation.obligations if o.item == "16-1"]
    rows = doc.find("table", cls="browse-obligations").find("tbody").direct("tr")
    assert [row.attrs["id"] for row in rows] == [o.key for o in obligations] == [f"16-1-{x}" for x in "abcdefghij"]
    for row, obligation in zip(rows, obligations):
        cells = row.direct("td")
        assert cells[0].links()[0] == (f"/id/obligation/{obligation.key}", obligation.key)
        assert obligation.summary_en in squash(cells[0].text())  # English page: the summary, and the clause
        assert obligation.excerpt_zh in cells[0].text()
        assert [href for href, _ in cells[1].links()] == sorted(f"/id/actor/{a}" for a in obligation.actors)
        assert [href for href, _ in cells[3].links()] == sorted(f"/id/frequency/{f}" for f in obligation.frequencies)
        assert [href for href, _ in cells[4].links()] == sorted(f"/id/mechanism/{m}" for m in obligation.mechanisms)
    # the duty shapes that enforce 16-1 are named, linked to their anchors on the shapes page
    shapes = Graph().parse(paths.shapes_dir() / "duties.ttl", format="turtle")
    enforcing = sorted(str(s)[len(SHAPES_NS):] for s in shapes.subjects(DG_ENFORCES, URIRef(BASE + "item/16-1")))
    assert enforcing == ["DecisionProcedureShape", "DecisionVenueShape"]
    assert sorted(h.split("#")[1] for h, _ in doc.links() if h.startswith("/shapes/duties#")) == enforcing


def test_editorial_notes_stand_beside_the_verbatim_text(client, items_by_key, curation):
    item = items_by_key["20-1"]
    notes = [n for n in curation.editorial_notes if (n.target_kind, n.target_key) == ("item", "20-1")]
    assert len(notes) == 2
    doc = main(page(client, "/id/item/20-1", lang="zh"))
    text = doc.find("div", cls="browse-text")
    assert "with-notes" in text.classes
    (verbatim,) = text.find_all("div", cls="verbatim")
    assert verbatim.text() == item.text  # the printed text, slips and all
    for note in notes:
        assert note.verbatim in verbatim.text() and note.reading not in verbatim.text()
    aside = text.find("aside", cls="browse-notes")
    shown = [[squash(dd.text()) for dd in n.find("dl").direct("dd")] for n in aside.find_all("div", cls="note")]
    assert shown == [[n.verbatim, n.reading, n.note_en] for n in notes]
    assert [href for href, _ in aside.links()] == [f"/id/note/item-20-1-{n.ordinal}" for n in notes]


def test_the_unit_page_groups_its_items_by_category_and_measure(client, table, curation, units_by_zh):
    audit = units_by_zh["审计处"]
    assert audit.key == "audit-office"
    expected_groups = []
    for category in table.categories:
        measures = []
        for measure in category.measures:
            keys = [i.key for i in measure.items if "审计处" in i.units]
            if keys:
                measures.append((f"/id/measure/{measure.number}", keys))
        if measures:
            expected_groups.append((f"/id/category/{category.number}", measures))
    assert [keys for _, ms in expected_groups for _, keys in ms] == [["9-3"], ["11-1"], ["29-1"], ["30-1"], ["35-1"]]

    doc = main(page(client, "/id/unit/audit-office", lang="zh"))
    assert squash(doc.find("h1").text()) == "审计处"
    shown = []
    for group in doc.find_all("section", cls="browse-group"):
        category = group.find("h3", cls="category").find("a").attrs["href"]
        measures = []
        for element in group.iter():
            if element.tag == "h4" and "measure" in element.classes:
                measures.append((element.find("a").attrs["href"], []))
            elif element.tag == "div" and "browse-item" in element.classes:
                measures[-1][1].append(element.find("h5").find("a").attrs["href"].removeprefix("/id/item/"))
        shown.append((category, measures))
    assert shown == expected_groups
    # with each item, its obligations, with who must act and how often
    obligations = [tr.attrs["id"] for tr in doc.find_all("tr") if tr.attrs.get("id")]
    assert obligations == [o.key for o in curation.obligations if o.item in ("9-3", "11-1", "29-1", "30-1", "35-1")]


def test_the_unit_page_names_the_units_it_shares_items_with(client, table, units_by_zh):
    shared: dict[str, list[str]] = {}
    for item in table.items:
        if "审计处" in item.units:
            for other in item.units:
                if other != "审计处":
                    shared.setdefault(units_by_zh[other].key, []).append(item.key)
    doc = main(page(client, "/id/unit/audit-office", lang="en"))
    rows = doc.find("table", cls="browse-shares").find("tbody").direct("tr")
    shown = {}
    for row in rows:
        unit_cell, items_cell = row.direct("td")
        ((href, label),) = unit_cell.links()
        unit_key = href.rsplit("/", 1)[1]
        assert label == next(u.label_en for u in units_by_zh.values() if u.key == unit_key)
        shown[unit_key] = [text for _, text in items_cell.links()]
        assert [h for h, _ in items_cell.links()] == [f"/id/item/{k}" for k in shown[unit_key]]
    assert shown == shared  # items in document order
    assert list(shown) == sorted(shared, key=lambda k: (-len(shared[k]), k))  # most shared first
    assert shown["organisation-department"] == ["9-3", "29-1", "30-1", "35-1"]  # 11-1 is the audit office's alone
    # each item also says, in place, with whom it is shared
    for item in doc.find_all("div", cls="browse-item"):
        key = item.attrs["id"].removeprefix("item-")
        others = {units_by_zh[u].key for u in next(i for i in table.items if i.key == key).units} - {"audit-office"}
        shown_others = {h.rsplit("/", 1)[1] for p in item.find_all("p", cls="small") for h, _ in p.links()}
        assert shown_others == others


def test_the_actor_page_lists_what_it_must_act_on(client, curation):
    actor = curation.actors["number-one-leader"]
    acting = [o for o in curation.obligations if "number-one-leader" in o.actors]
    concerning = [o for o in curation.obligations if "number-one-leader" in o.targets]
    doc = main(page(client, "/id/actor/number-one-leader", lang="en"))
    assert squash(doc.find("h1").text()) == actor.label_en == "number-one leader"

    def section(after_id: str, before_id: str | None) -> list[tuple[str, str, str]]:
        """(measure, item, obligation) rows between two headings."""
        rows, current = [], None
        measure = item = None
        for element in doc.iter():
            if element.attrs.get("id") == after_id:
                current = True
                continue
            if before_id and element.attrs.get("id") == before_id:
                break
            if not current:
                continue
            if element.tag == "h3" and "measure" in element.classes:
                measure = element.links()[0][0]
            elif element.tag == "h4":
                item = element.links()[0][0]
            elif element.tag == "tr" and element.attrs.get("id"):
                rows.append((measure, item, element.attrs["id"]))
        return rows

    rows = section("acts", "concerns")
    assert sorted(o for _, _, o in rows) == sorted(o.key for o in acting)
    for measure, item, obligation in rows:
        item_key = obligation.rsplit("-", 1)[0]
        assert (measure, item) == (f"/id/measure/{item_key.split('-')[0]}", f"/id/item/{item_key}")
    assert sorted(o for _, _, o in section("concerns", None)) == sorted(o.key for o in concerning)


def test_the_mechanism_page_gives_its_definition_and_where_it_is_invoked(client, curation):
    mechanism = curation.mechanisms["sanzhong-yida"]
    invoked = [o for o in curation.obligations if "sanzhong-yida" in o.mechanisms]
    for lang in ("zh", "en"):
        doc = main(page(client, "/id/mechanism/sanzhong-yida", lang=lang))
        assert squash(doc.find("h1").text()) == (mechanism.label_zh if lang == "zh" else mechanism.label_en)
        definitions = {dd.attrs["lang"]: dd.text() for dd in doc.find("dl", cls="facts").direct("dd")
                       if dd.attrs.get("lang")}
        assert definitions == {"zh-Hans": mechanism.definition_zh, "en": mechanism.definition_en}
        rows = [tr.attrs["id"] for tr in doc.find_all("tr") if tr.attrs.get("id")]
        assert sorted(rows) == sorted(o.key for o in invoked)
        items = [href for h4 in doc.find_all("h4") for href, _ in h4.links()]
        assert items == [f"/id/item/{k}" for k in dict.fromkeys(o.item for o in sorted(
            invoked, key=lambda o: tuple(int(p) for p in o.item.split("-"))))]


@pytest.mark.parametrize("path, heading_zh, heading_en", [
    ("/id/category/3", "加强同级领导班子监督", "Strengthen supervision of the leadership team at the same level"),
    ("/id/measure/16", "16. 完善领导班子议事规则", "16. Improve the leadership team's rules of procedure"),
    ("/id/obligation/16-1-c", "16-1-c 坚决防止以专题会议代替党委常委会、二级党组织委员会议、党政联席会作出决策",
     "16-1-c Special-topic meetings must never take decisions in place of the standing committee, the secondary "
     "committee meeting or the joint party-administration meeting."),
    ("/id/frequency/annual", "每年", "annually"),
    ("/id/regulation/major-matters-request-report-regulations", "中国共产党重大事项请示报告条例",
     "Regulations of the Communist Party of China on Requesting Instructions and Reporting on Major Matters"),
    ("/id/note/measure-17-1", "编者按：measure/17（1）", "Editorial note on measure 17 (1)"),
    ("/id/document/changgongdang-2022-61", "常州工学院加强对“一把手”和领导班子监督若干措施责任清单",
     "Responsibility List of Measures of Changzhou Institute of Technology for Strengthening Supervision of the "
     "Number-One Leader and Leadership Teams"),
    ("/id/organisation/czit-party-committee", "中共常州工学院委员会",
     "Changzhou Institute of Technology Committee of the Communist Party of China"),
])
def test_every_kind_has_a_page_in_both_languages(client, path, heading_zh, heading_en):
    for lang, heading in (("zh", heading_zh), ("en", heading_en)):
        doc = main(page(client, path, lang=lang))
        assert squash(doc.find("h1").text()) == heading
        other = doc.find("p", cls="other-label")
        assert squash(other.text()) == (heading_en if lang == "zh" else heading_zh).removeprefix("16. ")
        iri = BASE + path.removeprefix("/id/")
        assert doc.find("code", cls="iri").text() == iri
        formats = [href for href, _ in doc.find("dd", cls="formats").links()]
        assert formats == [f"{path}.{s}" for s in ("ttl", "jsonld", "nt", "rdf", "json")]


def test_the_obligation_and_note_pages(client, curation):
    obligation = next(o for o in curation.obligations if o.key == "16-1-c")
    doc = main(page(client, "/id/obligation/16-1-c", lang="zh"))
    assert doc.find("div", cls="verbatim").text() == obligation.excerpt_zh
    facts = doc.find("dl", cls="facts")
    pairs = {squash(dt.text()): dd for dt, dd in zip(facts.direct("dt"), facts.direct("dd"))}
    assert squash(pairs["性质"].text()) == f"禁止 {obligation.cue_zh}" == "禁止 坚决防止"
    assert pairs["主要内容"].links() == [("/id/item/16-1", "16-1 完善领导班子议事规则")]
    assert [h for h, _ in pairs["履责主体"].links()] == sorted(f"/id/actor/{a}" for a in obligation.actors)
    assert pairs["履责校验规则"].links()[0][0] == SHAPES_NS.replace("https://w3id.org/dutygraph", "") + "DecisionVenueShape"

    note = next(n for n in curation.editorial_notes if (n.target_kind, n.target_key) == ("measure", "17"))
    doc = main(page(client, "/id/note/measure-17-1", lang="en"))
    facts = doc.find("dl", cls="facts")
    on, *values = facts.direct("dd")
    assert on.links() == [("/id/measure/17", curation.measures[17])]
    assert [squash(v.text()) for v in values] == [note.verbatim, note.reading, note.note_en]


def test_a_page_path_is_the_iri_exactly(client):
    for path in ("/id/unit/审计处", "/id/unit/Audit-Office", "/id/unit/audit%20office", "/id/measure/99",
                 "/id/item/16-9", "/id/actor/nobody", "/id/ontology/Measure", "/id/measure/16.exe"):
        for accept in (BROWSER, "text/turtle", "*/*"):
            response = client.get(path, headers={"Accept": accept})
            assert response.status_code == 404, (path, accept)


# -- duty shapes ----------------------------------------------------------------------------------

def test_the_duty_shapes_page(client):
    shapes = Graph().parse(paths.shapes_dir() / "duties.ttl", format="turtle")
    names = sorted(str(s)[len(SHAPES_NS):] for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))
    assert len(names) == 18
    doc = main(page(client, "/shapes/duties", lang="en"))
    sections = doc.find_all("section", cls="browse-shape")
    assert sorted(s.attrs["id"] for s in sections) == names
    for section in sections:
        shape = URIRef(SHAPES_NS + section.attrs["id"])
        facts = section.find("dl", cls="facts")
        pairs = {squash(dt.text()): dd for dt, dd in zip(facts.direct("dt"), facts.direct("dd"))}
        label_en = next(str(v) for v in shapes.objects(shape, RDFS.label) if v.language == "en")
        assert squash(section.find("h2").text()) == label_en
        severity = str(shapes.value(shape, SH.severity)).rsplit("#", 1)[1]
        assert squash(pairs["Severity"].text()) == f"{severity.lower()} sh:{severity}"
        item = str(shapes.value(shape, URIRef("https://w3id.org/dutygraph/ontology#enforces")))
        assert [h for h, _ in pairs["Enforces the item"].links()] == ["/id/" + item[len(BASE):]]
        obligations = sorted("/id/" + str(o)[len(BASE):] for o in shapes.objects(
            shape, URIRef("https://w3id.org/dutygraph/ontology#enforcesObligation")))
        assert [h for h, _ in pairs["Checks the obligations"].links()] == obligations
        comment = str(shapes.value(shape, RDFS.comment))
        assert squash(pairs["What it checks"].text()) == squash(comment)
        messages = sorted(str(m) for c in shapes.objects(shape, SH.sparql) for m in shapes.objects(c, SH.message)
                          if m.language == "en")
        shown = sorted(p.text() for p in pairs["Message when the duty is not met"].find_all("p"))
        assert shown == messages


def test_the_duty_shapes_rdf(client):
    source = (paths.shapes_dir() / "duties.ttl").read_bytes()
    response = client.get("/shapes/duties", headers={"Accept": "text/turtle"})
    assert (response.status_code, response.content_type) == (200, TURTLE)
    assert response.data == source  # the file itself, comments and all
    assert "Accept" in response.headers["Vary"]
    expected = Graph().parse(data=source, format="turtle")
    for suffix, rdflib_format in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")):
        answer = client.get(f"/shapes/duties.{suffix}")
        assert answer.status_code == 200
        assert isomorphic(Graph().parse(data=answer.data, format=rdflib_format), expected), suffix
    assert client.get("/shapes/duties", headers={"Accept": "image/png"}).status_code == 406


# -- content negotiation --------------------------------------------------------------------------

def described(graph: Graph, iri: str) -> Graph:
    """What the RDF of iri must hold: its triples, and the labels of what they point to."""
    out = Graph()
    subject = URIRef(iri)
    for p, o in graph.predicate_objects(subject):
        out.add((subject, p, o))
        if isinstance(o, URIRef):
            for label in graph.objects(o, RDFS.label):
                out.add((o, RDFS.label, label))
    return out


@pytest.mark.parametrize("path", ["/id/measure/16", "/id/item/16-1", "/id/unit/organisation-department",
                                  "/id/actor/number-one-leader", "/id/mechanism/sanzhong-yida", "/id/note/item-20-1-2",
                                  "/id/document/changgongdang-2022-61"])
def test_turtle_for_a_client(client, graph, path):
    iri = BASE + path.removeprefix("/id/")
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.content_type == TURTLE
    assert response.headers["Vary"] == "Accept, Accept-Language, Cookie"
    answer = Graph().parse(data=response.data, format="turtle")
    assert isomorphic(answer, described(graph, iri))
    assert (URIRef(iri), RDF.type, None) in answer
    assert len(list(answer.predicate_objects(URIRef(iri)))) == len(list(graph.predicate_objects(URIRef(iri))))


@pytest.mark.parametrize("accept, content_type, rdflib_format", [
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples; charset=utf-8", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/turtle;q=0.5, application/n-triples", "application/n-triples; charset=utf-8", "nt"),
    ("*/*", TURTLE, "turtle"),
    (None, TURTLE, "turtle"),
])
def test_rdf_by_accept(client, graph, accept, content_type, rdflib_format):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/id/measure/16", headers=headers)
    assert response.status_code == 200
    assert response.content_type == content_type
    assert isomorphic(Graph().parse(data=response.data, format=rdflib_format),
                      described(graph, BASE + "measure/16"))


def test_html_for_a_browser(client):
    response = client.get("/id/measure/16", headers={"Accept": BROWSER})
    assert (response.status_code, response.content_type) == (200, HTML)
    assert response.headers["Vary"] == "Accept, Accept-Language, Cookie"
    response = client.get("/id/measure/16", headers={"Accept": "application/xhtml+xml"})
    assert (response.status_code, response.content_type) == (200, HTML)


@pytest.mark.parametrize("accept", ["application/pdf", "image/png", "text/csv", "application/sparql-results+json"])
def test_other_types_are_406(client, accept):
    response = client.get("/id/measure/16", headers={"Accept": accept})
    assert response.status_code == 406
    assert response.content_type == TEXT
    assert response.headers["Vary"] == "Accept, Accept-Language, Cookie"
    text = response.get_data(as_text=True)
    for media in ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml", "text/html"):
        assert media in text


@pytest.mark.parametrize("suffix, content_type, rdflib_format", [
    ("ttl", TURTLE, "turtle"),
    ("jsonld", "application/ld+json", "json-ld"),
    ("nt", "application/n-triples; charset=utf-8", "nt"),
    ("rdf", "application/rdf+xml", "xml"),
])
def test_suffixes_choose_the_format(client, graph, suffix, content_type, rdflib_format):
    for path in ("/id/measure/16", "/id/item/16-1", "/id/unit/audit-office"):
        response = client.get(f"{path}.{suffix}", headers={"Accept": BROWSER})  # the suffix wins over Accept
        assert response.status_code == 200
        assert response.content_type == content_type
        assert isomorphic(Graph().parse(data=response.data, format=rdflib_format),
                          described(graph, BASE + path.removeprefix("/id/")))


def test_the_json_suffix_is_the_api_resource(client, curation, graph):
    for path, api in (("/id/measure/16", "/api/measures/16"), ("/id/item/16-1", "/api/items/16-1"),
                      ("/id/unit/audit-office", "/api/units/audit-office"),
                      ("/id/actor/number-one-leader", "/api/actors/number-one-leader"),
                      ("/id/mechanism/sanzhong-yida", "/api/mechanisms/sanzhong-yida")):
        response = client.get(path + ".json")
        assert (response.status_code, response.content_type) == (200, "application/json")
        assert response.data == client.get(api).data
    note = client.get("/id/note/item-20-1-2.json")
    assert (note.status_code, note.content_type) == (200, "application/json")
    expected = next(n for n in curation.editorial_notes if (n.target_kind, n.target_key, n.ordinal) == ("item", "20-1", 2))
    item = URIRef(BASE + "item/20-1")
    item_labels = {label.language: str(label) for label in graph.objects(item, RDFS.label)}
    assert note.get_json() == {
        "iri": BASE + "note/item-20-1-2", "key": "item-20-1-2",
        "labels": {"zh": "编者按：item/20-1（2）", "en": "Editorial note on item 20-1 (2)"},
        "noted_on": {"iri": str(item), "key": "20-1", "labels": item_labels, "api": "/api/items/20-1"},
        "verbatim_passage_zh": expected.verbatim, "editorial_reading_zh": expected.reading, "note_en": expected.note_en}
    assert client.get("/id/measure/99.json").status_code == 404


def test_the_same_request_gives_the_same_bytes(client):
    first = client.get("/id/item/16-1.ttl").data
    assert client.get("/id/item/16-1", headers={"Accept": "text/turtle"}).data == first
    assert client.get("/id/item/16-1.ttl").data == first


# -- language -------------------------------------------------------------------------------------

def test_accept_language_chooses_the_language(client):
    english = main(page(client, "/id/measure/16", lang="en"))
    assert squash(english.find("h1").text()) == "16. Improve the leadership team's rules of procedure"
    assert squash(english.find("h2").text()) == "Content items"
    chinese = main(page(client, "/id/measure/16", lang="zh-CN,zh;q=0.9,en;q=0.5"))
    assert squash(chinese.find("h1").text()) == "16. 完善领导班子议事规则"
    assert squash(chinese.find("h2").text()) == "主要内容"
    html = page(client, "/id/measure/16", lang="en-GB,en;q=0.8").find("html")
    assert html.attrs["lang"] == "en"


def test_the_language_switch_sticks(app):
    client = app.test_client()
    response = client.get("/id/unit/audit-office?lang=en", headers={"Accept": BROWSER, "Accept-Language": "zh"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/id/unit/audit-office"
    assert "lang=en" in response.headers["Set-Cookie"]
    for path, heading in (("/id/unit/audit-office", "Audit Office"), ("/", None), ("/search?q=审计", "Search")):
        doc = page(client, path, lang="zh")
        assert doc.find("html").attrs["lang"] == "en"
        if heading:
            assert squash(main(doc).find("h1").text()) == heading
    back = client.get("/?lang=zh", headers={"Accept": BROWSER})
    assert (back.status_code, back.headers["Location"]) == (303, "/")
    assert page(client, "/", lang="en").find("html").attrs["lang"] == "zh-Hans"
    switch = page(client, "/id/measure/16", lang="en").find("a", cls="lang-switch")
    assert switch.attrs["href"] == "/id/measure/16?lang=en"


# -- search ---------------------------------------------------------------------------------------

def search(client, q: str, status: int = 200, lang: str = "en") -> Element:
    response = client.get("/search", query_string={"q": q}, headers={"Accept": BROWSER, "Accept-Language": lang})
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.content_type == HTML
    return main(parse_html(response.get_data(as_text=True)))


def results(doc: Element) -> dict[str, list[tuple[str, str]]]:
    """kind -> [(href, label)] of the results."""
    out = {}
    for section in doc.find_all("section", cls="browse-results"):
        out[section.attrs["id"].removeprefix("kind-")] = [li.find("a").attrs["href"] and (li.find("a").attrs["href"],
                                                          squash(li.find("a").text())) for li in section.find("ol").direct("li")]
    return out


def test_search_finds_the_audit_office_in_chinese_and_english(client):
    for q in ("审计", "audit", "AUDIT", "Audit Office", "审计处"):
        found = results(search(client, q))
        assert ("/id/unit/audit-office", "Audit Office") in found["unit"], q
    zh = results(search(client, "审计", lang="zh"))
    assert ("/id/unit/audit-office", "审计处") in zh["unit"]
    assert ("/id/actor/audit-office", "审计处") in zh["actor"]
    assert list(zh) == [k for k in ("category", "measure", "item", "obligation", "unit", "actor", "mechanism",
                                    "frequency", "regulation", "note", "shape") if k in zh]  # grouped by kind, in order


def test_search_shows_the_matched_text(client):
    doc = search(client, "audit office", lang="en")
    unit = next(li for li in doc.by_id("kind-unit").find("ol").direct("li")
                if li.find("a").attrs["href"] == "/id/unit/audit-office")
    marks = [m.text() for m in unit.find_all("mark")]
    assert marks and all(m.lower() == "audit office" for m in marks)


def test_search_finds_an_item_by_a_phrase_of_its_verbatim_text(client, items_by_key):
    phrase = "实行重要事项审议领导班子成员逐位表态"
    assert phrase in items_by_key["16-1"].text
    doc = search(client, phrase, lang="zh")
    found = results(doc)
    assert found["item"] == [("/id/item/16-1", "16-1 完善领导班子议事规则")]
    item = doc.by_id("kind-item").find("ol").direct("li")[0]
    verbatim = next(li for li in item.find("ul", cls="matches").direct("li") if "原文" in li.text())
    assert verbatim.find("mark").text() == phrase
    shown = verbatim.find_all("span")[-1].text().strip("…")
    assert shown in items_by_key["16-1"].text


def test_an_empty_query_is_answered_with_a_message(client):
    for q in ("", "   "):
        doc = search(client, q, lang="en")
        assert squash(doc.find("p", cls="message").text()) == (
            "Type what to look for: a unit, a role, a mechanism, or a phrase of the text.")
        assert doc.find_all("section", cls="browse-results") == []
    assert squash(search(client, "", lang="zh").find("p", cls="message").text()) == (
        "请输入要查找的词：单位、角色、机制名称，或原文中的一句话。")
    response = client.get("/search", headers={"Accept": BROWSER})
    assert (response.status_code, response.content_type) == (200, HTML)


def test_a_too_long_query_is_answered_with_a_message(client):
    doc = search(client, "审" * 201, status=400, lang="en")
    assert squash(doc.find("p", cls="message").text()) == "The query is too long: at most 200 characters, this one has 201."
    assert search(client, "审计" * 100, lang="en").find("p", cls="message")  # 200 is fine


def test_nothing_found_says_so(client):
    doc = search(client, "no such words anywhere", lang="en")
    assert squash(doc.find("p", cls="message").text()) == (
        "Nothing matches “no such words anywhere”. Try a shorter word, or the other language.")


@pytest.mark.parametrize("q", ['"', "'", "\\", '\\"', "{", "}", '" } UNION { ?s ?p ?o } #', "\\u0022 } DELETE",
                               "'''", '"""', "?r", "<https://w3id.org/dutygraph/id/run/x>", "SERVICE <http://x/>",
                               ") ) FILTER(true", "\u0000", "line\nbreak", "%00", "\\\\u005C"])
def test_quotes_braces_and_backslashes_are_just_characters(client, q):
    doc = search(client, q, lang="en")
    message = squash(doc.find("p", cls="message").text())
    assert message.startswith("Nothing matches") or message.startswith("Type what") or "results for" in message
    assert "could not" not in message


def test_search_matches_curly_quotes_as_in_the_text(client, items_by_key):
    expected = [key for key, item in items_by_key.items() if "“三重一大”" in item.text]
    found = results(search(client, "“三重一大”", lang="zh"))
    assert [href for href, _ in found["item"]] == [f"/id/item/{k}" for k in expected]


# -- kept runs are never pages --------------------------------------------------------------------

def test_run_iris_are_404_even_when_the_run_exists(app, client):
    data = (paths.data_dir() / "examples" / "2024-breaks-sit-in.ttl").read_bytes()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    upload = client.post("/validate", query_string={"name": "2024-breaks-sit-in.ttl", "label": "browse-canary-run"},
                         data=data, content_type="text/turtle", headers={**admin, "Accept": "application/json"})
    assert upload.status_code == 201, upload.get_data(as_text=True)
    run_id = upload.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/runs/{run_id}", headers={**admin, "Accept": "application/json"}).status_code == 200
    for suffix in ("", ".ttl", ".json", ".jsonld", ".html", "/records", "/report"):
        for headers in ({"Accept": BROWSER}, {"Accept": "text/turtle"}, {}, {**admin, "Accept": BROWSER},
                        {**admin, "Accept": "text/turtle"}):
            response = client.get(f"/id/run/{run_id}{suffix}", headers=headers)
            assert response.status_code == 404, (suffix, headers)
            if "html" in headers.get("Accept", ""):
                assert response.content_type == HTML
            else:
                assert (response.content_type, response.data) == (TEXT, NOT_FOUND_TEXT.encode())
    assert results(search(client, "browse-canary-run")) == {}  # the search reads the document graph only
    assert results(search(client, run_id)) == {}


# -- the pages load nothing from elsewhere, and every link leads somewhere --------------------------

def off_site(doc: Element) -> list[str]:
    bad = []
    for element in doc.iter():
        for attr in ("src", "href", "action"):
            value = element.attrs.get(attr)
            if value is None:
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or value.startswith("//"):
                if element.tag in ("script", "link", "img", "iframe", "form") or attr == "src":
                    bad.append(f"<{element.tag} {attr}={value}>")
    return bad


def test_every_page_loads_only_from_this_site_and_every_link_leads_to_a_page(client):
    """Crawl from the home page: every /id/ page and the shapes page, in Chinese; each loads nothing from
    another site, and every link to this site answers (an anchor of the shapes page exists)."""
    seen, queue = set(), ["/", "/shapes/duties", "/search?q=审计", "/search?q=", "/nothing-here"]
    anchors_wanted, shape_ids = set(), set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        status = 404 if path == "/nothing-here" else 200
        doc = page(client, path, status=status, lang="zh")
        assert off_site(doc) == [], path
        assert "/static/dutygraph.css" in [e.attrs["href"] for e in doc.find("head").find_all("link", rel="stylesheet")]
        assert all(e.attrs["src"].startswith("/static/") for e in doc.find_all("script") if e.attrs.get("src"))
        if path == "/shapes/duties":
            shape_ids = {s.attrs["id"] for s in doc.find_all("section", cls="browse-shape")}
        for href, _ in doc.links():
            if href.startswith("/id/") and "." not in href.rsplit("/", 1)[1] and "?" not in href:
                queue.append(href.split("#")[0])
            elif href.startswith("/shapes/duties#"):
                anchors_wanted.add(href.split("#")[1])
    pages = {p for p in seen if p.startswith("/id/")}
    assert {p.split("/")[2] for p in pages} == {"document", "organisation", "category", "measure", "item", "obligation",
                                                "unit", "actor", "mechanism", "frequency", "regulation", "note"}
    assert len([p for p in pages if p.startswith("/id/item/")]) == 56
    assert len([p for p in pages if p.startswith("/id/measure/")]) == 37
    assert len([p for p in pages if p.startswith("/id/unit/")]) == 13
    assert anchors_wanted and anchors_wanted <= shape_ids


def test_error_pages_for_browsers_and_plain_text_for_the_rest(client):
    response = client.get("/no/such/page", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert (response.status_code, response.content_type) == (404, HTML)
    doc = main(parse_html(response.get_data(as_text=True)))
    assert squash(doc.find("h1").text()) == "Page not found"
    assert ("/", "Back to the home page") in doc.links()
    zh = client.get("/no/such/page", headers={"Accept": BROWSER, "Accept-Language": "zh"})
    assert squash(main(parse_html(zh.get_data(as_text=True))).find("h1").text()) == "找不到该页面"
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}, {"Accept": "text/turtle"},
                    {"Accept": "text/plain, text/html;q=0.5"}):
        response = client.get("/no/such/page", headers=headers)
        assert (response.status_code, response.content_type, response.data) == (404, TEXT, NOT_FOUND_TEXT.encode())


# -- a phone, and speed ---------------------------------------------------------------------------

def test_pages_are_made_for_a_phone_too(client):
    doc = page(client, "/id/item/16-1")
    assert doc.find("meta", name="viewport").attrs["content"] == "width=device-width, initial-scale=1"
    css = client.get("/static/dutygraph.css").get_data(as_text=True)
    browse = css[css.index("/* -- browsing pages"):]
    assert "@media (max-width: 40rem)" in browse
    assert ".browse .browse-obligations td[data-label]::before" in browse  # tables become cards
    table = main(doc).find("table", cls="browse-obligations")
    for row in table.find("tbody").direct("tr"):
        assert [td.attrs.get("data-label") for td in row.direct("td")[1:]] == ["履责主体", "对象", "频次或触发条件", "制度机制"]


# How long these pages take to render is a benchmark's: bench/bench_pages.py (target: under 100 ms).


def test_the_json_shapes_and_document(client):
    shapes = client.get("/shapes/duties.json")
    assert (shapes.status_code, shapes.content_type) == (200, "application/json")
    body = shapes.get_json()
    assert body["iri"] == "https://w3id.org/dutygraph/shapes/duties"
    assert len(body["shapes"]) == 18
    document = client.get("/id/document/changgongdang-2022-61.json").get_json()
    assert (document["notation"], document["issued"], document["title"]["zh"]) == (
        "常工党〔2022〕61号", "2022-09-26", "关于印发《常州工学院加强对“一把手” 和领导班子监督若干措施责任清单》的通知")
    assert [c["number"] for c in document["categories"]] == [1, 2, 3, 4, 5]
    assert sum(len(c["measures"]) for c in document["categories"]) == 37
    assert sum(m["items"] for c in document["categories"] for m in c["measures"]) == 56
    assert json.loads(client.get("/id/organisation/czit-party-committee.json").data)["issued_documents"][0]["iri"] == (
        BASE + "document/changgongdang-2022-61")
