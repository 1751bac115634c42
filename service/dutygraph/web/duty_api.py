"""/api/: the document graph as plain JSON resources, for clients that do not speak SPARQL.

``GET /api/`` lists the collections; ``GET /api/COLLECTION`` lists its members with counts;
``GET /api/COLLECTION/KEY`` is one resource with what it owes or holds. A key is the last path
segment of the resource's IRI (``unit/organisation-department`` → ``organisation-department``, see
the README's "IRIs"); named resources (units, actors, mechanisms, frequencies, regulations) may also
be asked for by their Chinese or English label, as ``dutygraph duties --unit`` accepts, and the
answer is the same resource. Every link to another resource is a *reference*,
``{"iri", "key", "labels": {"zh", "en"}, "api"}``, so a client can follow it.

Each request is answered by one SPARQL query through ``query_service.select`` (so the service's
limits apply): the parts a resource needs (its own literals, its items, their obligations and the
actors, frequencies, mechanisms … of those) are sub-SELECTs joined by UNION, each row tagged with
its part, and assembled here. The facts are those of ``duties.duties`` (a test holds them equal).
A key never reaches the query as text: it is written as an escaped RDF term, or checked against
the key syntax before it becomes an IRI.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from ..namespaces import BASE, PREFIXES
from . import query_service
from .limits import Busy
from .query_runner import QueryFailed, QuerySyntaxError, QueryTimeout

bp = Blueprint("duty_api", __name__)

DG = PREFIXES["dg"]
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


@dataclass(frozen=True)
class Collection:
    name: str  # the URL segment under /api/
    segment: str  # the IRI segment under the id base
    cls: str  # the class of its members
    labels: dict
    by_label: bool  # whether a member may be asked for by its label


COLLECTIONS = {c.name: c for c in (
    Collection("categories", "category", "dg:Category", {"zh": "类别", "en": "categories"}, False),
    Collection("measures", "measure", "dg:Measure", {"zh": "工作措施", "en": "work measures"}, False),
    Collection("items", "item", "dg:ContentItem", {"zh": "主要内容", "en": "content items"}, False),
    Collection("obligations", "obligation", "dg:Obligation", {"zh": "义务", "en": "obligations"}, False),
    Collection("units", "unit", "dg:AccountableUnit", {"zh": "责任单位", "en": "accountable units"}, True),
    Collection("actors", "actor", "dg:Actor", {"zh": "履责主体", "en": "actors"}, True),
    Collection("mechanisms", "mechanism", "dg:Mechanism", {"zh": "制度机制", "en": "mechanisms"}, True),
    Collection("frequencies", "frequency", "dg:Frequency", {"zh": "频次或触发条件", "en": "frequencies and triggers"}, True),
    Collection("regulations", "regulation", "dg:Regulation", {"zh": "援引规定", "en": "regulations cited"}, True),
)}
BY_SEGMENT = {c.segment: c for c in COLLECTIONS.values()}
SINGULAR = {"categories": "category", "measures": "measure", "items": "content item", "obligations": "obligation",
            "units": "accountable unit", "actors": "actor", "mechanisms": "mechanism",
            "frequencies": "frequency or trigger", "regulations": "regulation"}

# The links of an obligation, by the field they fill.
LINK_FIELDS = {"actor": "actors", "target": "targets", "frequency": "frequencies", "invokes": "mechanisms",
               "citesRegulation": "regulations"}
MODALITIES = "(dg:Duty, dg:Prohibition, dg:Permission)"


class NotFound(Exception):
    """No resource answers the key (404)."""


class RowLimitReached(Exception):
    """The answer reached RESULT_ROW_LIMIT rows, so it may be incomplete (500: a limit set too low)."""


# -- SPARQL ---------------------------------------------------------------------------------------

def labelled(var: str) -> str:
    """The pattern giving ?var its Chinese and English labels as ?var_zh and ?var_en."""
    return (f'{var} rdfs:label {var}_zh , {var}_en . '
            f'FILTER(lang({var}_zh) = "zh" && lang({var}_en) = "en")')


def resolve(collection: Collection, wanted: str) -> str:
    """A group binding ?r to the member of collection that wanted names (none when none does)."""
    if collection.by_label:
        literal = str(ox.Literal(wanted))
        return (f'{{ SELECT DISTINCT ?r WHERE {{ ?r a {collection.cls} . '
                f'FILTER(LCASE(STRAFTER(STR(?r), "/{collection.segment}/")) = LCASE({literal}) || STR(?r) = {literal} '
                f'|| EXISTS {{ ?r rdfs:label ?name . FILTER(LCASE(STR(?name)) = LCASE({literal})) }}) }} }}')
    if not _KEY.match(wanted):
        raise NotFound()
    return f'VALUES ?r {{ {ox.NamedNode(BASE + collection.segment + "/" + wanted)} }} ?r a {collection.cls} .'


def self_part(focus: str) -> str:
    """The resource's own literals and types (labels, definitions, text, numbers …)."""
    return f"SELECT ?r ?p ?v WHERE {{ {focus} ?r ?p ?v . FILTER(isLiteral(?v) || ?p IN (rdf:type, dg:euFrequency)) }}"


def items_part(focus_i: str) -> str:
    """Content items with their measure and category."""
    return f"""SELECT ?i ?i_zh ?i_en ?i_n ?summary ?text ?units_text ?m ?m_zh ?m_en ?m_n ?c ?c_zh ?c_en ?c_n WHERE {{
  {focus_i}
  ?i dg:number ?i_n ; dg:summary ?summary ; dg:verbatimText ?text ; dg:verbatimUnits ?units_text ; dg:ofMeasure ?m .
  {labelled("?i")}
  ?m dg:number ?m_n ; dg:inCategory ?c . {labelled("?m")}
  ?c dg:number ?c_n . {labelled("?c")}
}}"""


def item_units_part(focus_i: str) -> str:
    return f"SELECT ?i ?u ?u_zh ?u_en WHERE {{ {focus_i} ?i dg:accountableUnit ?u . {labelled('?u')} }}"


def obligations_part(focus_o: str) -> str:
    """Obligations with their force, text, position, content item and measure."""
    return f"""SELECT ?o ?o_zh ?o_en ?role ?class ?cue ?excerpt ?o_summary ?position ?i ?i_zh ?i_en ?i_n ?m ?m_zh ?m_en ?m_n WHERE {{
  {focus_o}
  ?o a ?class ; dg:excerpt ?excerpt ; dg:summary ?o_summary ; dg:sourceStart ?position ; dg:statedIn ?i .
  FILTER(?class IN {MODALITIES})
  {labelled("?o")}
  OPTIONAL {{ ?o dg:modalCue ?cue }}
  ?i dg:number ?i_n ; dg:ofMeasure ?m . {labelled("?i")}
  ?m dg:number ?m_n . {labelled("?m")}
}}"""


def links_part(focus_o: str) -> str:
    """What each obligation links to: actors, targets, frequencies, mechanisms, regulations."""
    return f"""SELECT ?o ?link ?x ?x_zh ?x_en WHERE {{
  {focus_o}
  VALUES ?link {{ dg:actor dg:target dg:frequency dg:invokes dg:citesRegulation }}
  ?o ?link ?x . {labelled("?x")}
}}"""


def notes_part(focus: str) -> str:
    return f"""SELECT ?n ?n_zh ?n_en ?passage ?reading ?note WHERE {{
  {focus} ?n dg:notedOn ?r ; dg:verbatimPassage ?passage ; dg:editorialReading ?reading ; skos:editorialNote ?note .
  {labelled("?n")}
}}"""


def related_part(focus: str) -> str:
    """An actor's broader and narrower actors and the unit that is the same body."""
    return f"""SELECT ?rel ?x ?x_zh ?x_en WHERE {{
  {focus}
  {{ ?r dg:broaderActor ?x . BIND("broader" AS ?rel) }}
  UNION {{ ?x dg:broaderActor ?r . BIND("narrower" AS ?rel) }}
  UNION {{ ?r dg:correspondingUnit ?x . BIND("corresponding_unit" AS ?rel) }}
  {labelled("?x")}
}}"""


# How each kind of resource finds its content items (?i) and obligations (?o) from ?r.
ITEMS_OF = {
    "categories": "?r dg:hasMeasure/dg:hasItem ?i .",
    "measures": "?r dg:hasItem ?i .",
    "items": "BIND(?r AS ?i)",
    "units": "?r dg:accountableFor ?i .",
}
OBLIGATIONS_OF = {
    "obligations": "BIND(?r AS ?o)",
    "actors": '{ ?o dg:actor ?r . BIND("actor" AS ?role) } UNION { ?o dg:target ?r . BIND("target" AS ?role) }',
    "mechanisms": "?o dg:invokes ?r .",
    "frequencies": "?o dg:frequency ?r .",
    "regulations": "?o dg:citesRegulation ?r .",
}


def detail_query(collection: Collection, wanted: str) -> str:
    focus = resolve(collection, wanted)
    parts = {"self": self_part(focus)}
    if collection.name in ITEMS_OF:
        focus_i = f"{focus} {ITEMS_OF[collection.name]}"
        focus_o = f"{focus_i} ?i dg:hasObligation ?o ."
        parts.update(items=items_part(focus_i), item_units=item_units_part(focus_i),
                     obligations=obligations_part(focus_o), links=links_part(focus_o))
    else:
        focus_o = f"{focus} {OBLIGATIONS_OF[collection.name]}"
        parts.update(obligations=obligations_part(focus_o), links=links_part(focus_o))
    if collection.name in ("categories", "measures", "items", "units"):
        parts["notes"] = notes_part(focus)
    if collection.name == "actors":
        parts["related"] = related_part(focus)
    return union_query(parts)


def union_query(parts: dict[str, str]) -> str:
    """One query answering every part: the sub-SELECTs side by side, each row tagged with ?part."""
    branches = [f'{{ BIND("{name}" AS ?part) {{ {body} }} }}' for name, body in parts.items()]
    return "SELECT * WHERE {\n" + "\nUNION\n".join(branches) + "\n}"


LIST_COUNTS = {
    # collection: (extra variables and patterns, the counts they give)
    "categories": ("OPTIONAL { ?r dg:hasMeasure ?m . ?m dg:hasItem ?i }", {"measures": "?m", "items": "?i"}),
    "measures": ("OPTIONAL { ?r dg:hasItem ?i . OPTIONAL { ?i dg:accountableUnit ?u } OPTIONAL { ?i dg:hasObligation ?o } }",
                 {"items": "?i", "obligations": "?o", "units": "?u"}),
    "items": ("OPTIONAL { ?r dg:accountableUnit ?u } OPTIONAL { ?r dg:hasObligation ?o }", {"obligations": "?o", "units": "?u"}),
    "obligations": ("OPTIONAL { ?r dg:actor ?a } OPTIONAL { ?r dg:target ?t }", {"actors": "?a", "targets": "?t"}),
    "units": ("OPTIONAL { ?r dg:accountableFor ?i . ?i dg:ofMeasure ?m . ?m dg:inCategory ?c }",
              {"items": "?i", "measures": "?m", "categories": "?c"}),
    "actors": ("OPTIONAL { ?o dg:actor ?r ; dg:statedIn ?i } OPTIONAL { ?t dg:target ?r }",
               {"obligations": "?o", "items": "?i", "as_target": "?t"}),
    "mechanisms": ("OPTIONAL { ?o dg:invokes ?r ; dg:statedIn ?i }", {"obligations": "?o", "items": "?i"}),
    "frequencies": ("OPTIONAL { ?o dg:frequency ?r ; dg:statedIn ?i }", {"obligations": "?o", "items": "?i"}),
    "regulations": ("OPTIONAL { ?o dg:citesRegulation ?r ; dg:statedIn ?i }", {"obligations": "?o", "items": "?i"}),
}
# The order members are listed in: document order for what the document numbers, else by key.
LIST_ORDER = {
    "categories": ("?r dg:number ?order .", "?order"),
    "measures": ("?r dg:number ?order .", "?order"),
    "items": ("?r dg:sourceStart ?order .", "?order"),
    "obligations": ("?r dg:sourceStart ?order .", "?order"),
}


def list_query(collection: Collection) -> str:
    pattern, counts = LIST_COUNTS[collection.name]
    order_pattern, order = LIST_ORDER.get(collection.name, ("", "?r"))
    aggregates = " ".join(f"(COUNT(DISTINCT {var}) AS ?{name})" for name, var in counts.items())
    group = "?r ?r_zh ?r_en" + (" ?order" if order == "?order" else "")
    return (f"SELECT ?r ?r_zh ?r_en {aggregates} WHERE {{ ?r a {collection.cls} . {labelled('?r')} {order_pattern} "
            f"{pattern} }} GROUP BY {group} ORDER BY {order}")


INDEX_QUERY = ("SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { VALUES ?class { "
               + " ".join(c.cls for c in COLLECTIONS.values()) + " } ?x a ?class } GROUP BY ?class")
DOCUMENT_QUERY = f"SELECT ?d ?d_zh ?d_en ?notation WHERE {{ ?d a dg:Document ; skos:notation ?notation . {labelled('?d')} }}"


# -- running and reading --------------------------------------------------------------------------

def _value(term: dict | None):
    if term is None:
        return None
    if term.get("datatype") == XSD_INTEGER:
        return int(term["value"])
    return term["value"]


def run(query: str) -> list[dict]:
    """The rows of query as {variable: str, int or None}, plus "lang": the language of ?v when it has one.

    RowLimitReached when the rows reached RESULT_ROW_LIMIT, so that a resource is never answered
    with part of its facts silently missing."""
    results = query_service.select(query)
    bindings = results["results"]["bindings"]
    limit = current_app.config["RESULT_ROW_LIMIT"]
    if len(bindings) >= limit:
        raise RowLimitReached(f"the answer reached the service's row limit of {limit} rows and could be incomplete; "
                              f"raise RESULT_ROW_LIMIT")
    rows = []
    for binding in bindings:
        row = {var: _value(binding.get(var)) for var in results["head"]["vars"]}
        row["lang"] = binding.get("v", {}).get("xml:lang")
        rows.append(row)
    return rows


def by_part(rows: list[dict]) -> dict[str, list[dict]]:
    parts: dict[str, list[dict]] = {}
    for row in rows:
        parts.setdefault(row["part"], []).append(row)
    return parts


def key_of(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def api_path(collection: str, key: str) -> str:
    return f"{request.script_root}/api/{collection}/{quote(key, safe='')}"


def ref(iri: str, zh: str, en: str) -> dict:
    """The reference to a resource: its IRI, key, labels and, when it has one, its /api/ URL."""
    segment = iri[len(BASE):].split("/", 1)[0] if iri.startswith(BASE) else ""
    out = {"iri": iri, "key": key_of(iri), "labels": {"zh": zh, "en": en}}
    if segment in BY_SEGMENT:
        out["api"] = api_path(BY_SEGMENT[segment].name, key_of(iri))
    return out


def ref_of(row: dict, var: str) -> dict:
    return ref(row[var], row[f"{var}_zh"], row[f"{var}_en"])


def unique(refs):
    """References without repeats, in first-seen order."""
    seen, out = set(), []
    for item in refs:
        if item["iri"] not in seen:
            seen.add(item["iri"])
            out.append(item)
    return out


# -- assembling resources -------------------------------------------------------------------------

def obligation_entry(row: dict, links: dict[str, dict[str, list]], *, context: bool) -> dict:
    entry = ref_of(row, "o")
    entry.update({
        "modality": row["class"].rsplit("#", 1)[-1],
        "modal_cue": row["cue"],
        "excerpt_zh": row["excerpt"],
        "summary_en": row["o_summary"],
        **{field: links.get(row["o"], {}).get(field, []) for field in LINK_FIELDS.values()},
    })
    if context:
        entry["item"] = ref_of(row, "i")
        entry["measure"] = ref_of(row, "m")
    if row["role"]:
        entry["role"] = row["role"]
    return entry


def link_table(rows: list[dict]) -> dict[str, dict[str, list]]:
    """obligation IRI → field → references, in IRI order."""
    table: dict[str, dict[str, list]] = {}
    for row in sorted(rows, key=lambda r: (r["o"], r["link"], r["x"])):
        field = LINK_FIELDS[row["link"].rsplit("#", 1)[-1]]
        table.setdefault(row["o"], {}).setdefault(field, []).append(ref_of(row, "x"))
    return table


def obligations(parts: dict, *, context: bool) -> list[tuple[str, dict]]:
    """(content item IRI, obligation) pairs in text order; an actor's obligation once per role."""
    links = link_table(parts.get("links", []))
    seen, out = set(), []
    for row in sorted(parts.get("obligations", []), key=lambda r: (r["position"], r["o"], r["role"] or "")):
        if (row["o"], row["role"]) not in seen:
            seen.add((row["o"], row["role"]))
            out.append((row["i"], obligation_entry(row, links, context=context)))
    return out


def items(parts: dict) -> list[dict]:
    """Content items in document order, each with its units, obligations and what those link to."""
    units: dict[str, list] = {}
    for row in parts.get("item_units", []):
        units.setdefault(row["i"], []).append(row)
    per_item: dict[str, list] = {}
    for item_iri, entry in obligations(parts, context=False):
        per_item.setdefault(item_iri, []).append(entry)
    out = []
    for row in sorted(parts.get("items", []), key=lambda r: (r["m_n"], r["i_n"])):
        # units in the order the 责任单位 cell prints them, as `dutygraph duties` gives them
        printed = "".join(row["units_text"].split())
        item_units = sorted(units.get(row["i"], []), key=lambda u: (printed.find(u["u_zh"]), u["u"]))
        item_obligations = per_item.get(row["i"], [])
        entry = ref_of(row, "i")
        entry.update({
            "number": row["i_n"],
            "measure": {**ref_of(row, "m"), "number": row["m_n"]},
            "category": {**ref_of(row, "c"), "number": row["c_n"]},
            "text_zh": row["text"],
            "summary_en": row["summary"],
            "units": [ref_of(u, "u") for u in item_units],
        })
        for field in LINK_FIELDS.values():  # the item's actors, frequencies … over all its obligations
            entry[field] = sorted(unique(r for o in item_obligations for r in o[field]), key=lambda r: r["iri"])
        entry["obligations"] = item_obligations
        out.append(entry)
    return out


def notes(parts: dict) -> list[dict]:
    out = []
    for row in sorted(parts.get("notes", []), key=lambda r: r["n"]):
        entry = ref_of(row, "n")
        entry.update({"verbatim_passage_zh": row["passage"], "editorial_reading_zh": row["reading"], "note_en": row["note"]})
        out.append(entry)
    return out


def counted(refs_with_items: dict[str, tuple[dict, list[str]]]) -> list[dict]:
    """References with the keys of the items they come with, most items first."""
    out = [{**r, "items": keys} for r, keys in refs_with_items.values()]
    return sorted(out, key=lambda r: (-len(r["items"]), r["key"]))


def gather(entries: list[dict], field: str, exclude: str | None = None) -> list[dict]:
    found: dict[str, tuple[dict, list[str]]] = {}
    for entry in entries:
        for r in entry[field]:
            if r["iri"] == exclude:
                continue
            found.setdefault(r["iri"], (r, []))[1].append(entry["key"])
    return counted(found)


def base_resource(collection: Collection, self_rows: list[dict]) -> dict:
    if not self_rows:
        raise NotFound()
    iris = sorted({row["r"] for row in self_rows})
    if len(iris) > 1:
        raise NotFound(f"ambiguous: {', '.join(key_of(i) for i in iris)} all answer to that name; ask by key")
    own: dict[str, dict[str, str]] = {}
    types = []
    for row in self_rows:
        name = row["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name == "type":
            types.append(row["v"].rsplit("#", 1)[-1])
        else:
            own.setdefault(name, {})[row["lang"] or ""] = row["v"]
    label = own.get("label", {})
    resource = ref(iris[0], label.get("zh"), label.get("en"))
    resource["collection"] = collection.name
    for name, field in (("definition", "definition"), ("editorialNote", "note")):
        if name in own:
            resource[field] = {lang: text for lang, text in sorted(own[name].items())}
    for name, field in (("number", "number"), ("notation", "notation")):
        if name in own:
            resource[field] = own[name][""]
    if "verbatimTitle" in own:
        resource["verbatim_title_zh"] = own["verbatimTitle"]["zh"]
    if "sourceLine" in own:
        resource["source"] = {"line": own["sourceLine"][""], "start": own["sourceStart"][""], "end": own["sourceEnd"][""]}
    if collection.name == "actors":
        resource["kind"] = "role" if "RoleActor" in types else "body"
    if collection.name == "frequencies":
        resource["kind"] = next((t for t in types if t != "Frequency"), "Frequency")
        if "euFrequency" in own:
            resource["eu_frequency"] = own["euFrequency"][""]
    return resource


def unit_resource(resource: dict, parts: dict) -> dict:
    entries = items(parts)
    resource["counts"] = {
        "items": len(entries),
        "measures": len({e["measure"]["iri"] for e in entries}),
        "categories": len({e["category"]["iri"] for e in entries}),
        "obligations": sum(len(e["obligations"]) for e in entries),
    }
    resource["items"] = entries
    for field in ("actors", "frequencies", "mechanisms", "regulations"):
        resource[field] = gather(entries, field)
    resource["shares_items_with"] = gather(entries, "units", exclude=resource["iri"])
    resource["notes"] = notes(parts)
    return resource


def measure_resource(resource: dict, parts: dict) -> dict:
    entries = items(parts)
    if entries:
        resource["category"] = entries[0]["category"]
    resource["counts"] = {"items": len(entries), "obligations": sum(len(e["obligations"]) for e in entries)}
    resource["units"] = gather(entries, "units")
    resource["items"] = entries
    resource["notes"] = notes(parts)
    return resource


def category_resource(resource: dict, parts: dict) -> dict:
    entries = items(parts)
    measures: dict[str, tuple[dict, list[str]]] = {}
    for entry in entries:
        measures.setdefault(entry["measure"]["iri"], (entry["measure"], []))[1].append(entry["key"])
    resource["counts"] = {"measures": len(measures), "items": len(entries)}
    resource["measures"] = [{**m, "items": keys} for m, keys in measures.values()]
    resource["units"] = gather(entries, "units")
    resource["items"] = entries
    resource["notes"] = notes(parts)
    return resource


def item_resource(resource: dict, parts: dict) -> dict:
    entries = items(parts)
    entry = entries[0]
    resource.update({k: v for k, v in entry.items() if k not in resource})
    resource["units_text_zh"] = parts["items"][0]["units_text"]
    resource["notes"] = notes(parts)
    return resource


def obligation_resource(resource: dict, parts: dict) -> dict:
    _, entry = obligations(parts, context=True)[0]
    resource.update({k: v for k, v in entry.items() if k not in resource})
    return resource


def obligations_resource(resource: dict, parts: dict) -> dict:
    """An actor, mechanism, frequency or regulation: the obligations it appears in, with their item and measure."""
    entries = [entry for _, entry in obligations(parts, context=True)]
    if resource["collection"] == "actors":
        acting = [e for e in entries if e.pop("role") == "actor"]
        targeted = [e for e in entries if e not in acting]
        resource["counts"] = {"obligations": len(acting), "items": len({e["item"]["iri"] for e in acting}),
                              "as_target": len(targeted)}
        resource["obligations"] = acting
        resource["as_target"] = targeted
        related: dict[str, list] = {"broader": [], "narrower": [], "corresponding_unit": []}
        for row in sorted(parts.get("related", []), key=lambda r: r["x"]):
            related[row["rel"]].append(ref_of(row, "x"))
        resource["broader"] = related["broader"]
        resource["narrower"] = related["narrower"]
        resource["corresponding_unit"] = related["corresponding_unit"][0] if related["corresponding_unit"] else None
    else:
        resource["counts"] = {"obligations": len(entries), "items": len({e["item"]["iri"] for e in entries})}
        resource["obligations"] = entries
    return resource


ASSEMBLE = {
    "categories": category_resource, "measures": measure_resource, "items": item_resource,
    "units": unit_resource, "obligations": obligation_resource, "actors": obligations_resource,
    "mechanisms": obligations_resource, "frequencies": obligations_resource, "regulations": obligations_resource,
}


def run_detail(collection: Collection, wanted: str) -> dict:
    parts = by_part(run(detail_query(collection, wanted)))
    resource = base_resource(collection, parts.get("self", []))
    return ASSEMBLE[collection.name](resource, parts)


# -- routes ---------------------------------------------------------------------------------------

def as_json(data, status: int = 200) -> Response:
    """JSON with Chinese as itself (not \\u escapes) and keys in the order built."""
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


def error(status: int, message: str, **extra) -> Response:
    return as_json({"error": message, **extra}, status)


def answer(build, not_found=None):
    """Run build() and map the failures to statuses with a JSON message.

    not_found() gives the 404 answer when build raises NotFound."""
    try:
        return as_json(build())
    except NotFound as missing:
        return not_found(str(missing))
    except RowLimitReached as failure:
        return error(500, str(failure))
    except QuerySyntaxError as failure:  # the API's own queries: a bug, not the client's fault
        current_app.logger.error("an /api/ query does not parse: %s", failure)
        return error(500, f"internal error: an API query does not parse: {failure}")
    except QueryTimeout as failure:
        return error(504, str(failure))
    except QueryFailed as failure:
        current_app.logger.error("an /api/ query failed: %s", failure)
        return error(500, f"the query could not be evaluated: {failure}")
    except Busy:
        retry = str(current_app.config["RETRY_AFTER_SECONDS"])
        response = error(503, f"too many queries at once (limit {current_app.config['MAX_CONCURRENT_QUERIES']}); "
                              f"retry in {retry} s")
        response.headers["Retry-After"] = retry
        return response


@bp.get("/api/")
def index():
    def build():
        counts = {row["class"]: row["n"] for row in run(INDEX_QUERY)}
        document = run(DOCUMENT_QUERY)
        root = request.script_root
        return {
            "labels": {"zh": "常工党〔2022〕61号职责清单 JSON 接口", "en": "Duties of 常工党〔2022〕61号: JSON API"},
            "document": ({"iri": document[0]["d"], "notation": document[0]["notation"],
                          "labels": {"zh": document[0]["d_zh"], "en": document[0]["d_en"]}} if document else None),
            "collections": [
                {"name": c.name, "labels": c.labels, "count": counts.get(DG + c.cls.removeprefix("dg:"), 0),
                 "api": f"{root}/api/{c.name}", "member": f"{root}/api/{c.name}/{{key}}", "by_label": c.by_label}
                for c in COLLECTIONS.values()
            ],
            "see_also": {"sparql": f"{root}/sparql", "queries": f"{root}/queries", "openapi": f"{root}/openapi.json"},
        }
    return answer(build)


def list_view(name: str):
    collection = COLLECTIONS[name]

    def build():
        counts = list(LIST_COUNTS[name][1])
        members = [{**ref_of(row, "r"), "counts": {c: row[c] for c in counts}} for row in run(list_query(collection))]
        return {"collection": name, "labels": collection.labels, "count": len(members), "members": members}
    return answer(build)


def detail_view(name: str, key: str):
    collection = COLLECTIONS[name]
    listing = f"{request.script_root}/api/{name}"

    def build():
        if not key.strip():
            raise NotFound()
        return run_detail(collection, key.strip())

    def not_found(reason: str):
        how = "key, Chinese or English name" if collection.by_label else "key"
        message = reason or f"no {SINGULAR[name]} has the {how} {key!r}; the {name} and their keys are listed at {listing}"
        return error(404, message, collection=listing)
    return answer(build, not_found)


for _name in COLLECTIONS:
    bp.add_url_rule(f"/api/{_name}", f"list_{_name}", lambda _name=_name: list_view(_name), methods=["GET"])
    bp.add_url_rule(f"/api/{_name}/<key>", f"get_{_name}", lambda key, _name=_name: detail_view(_name, key), methods=["GET"])
