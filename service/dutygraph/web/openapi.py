"""/openapi.json: an OpenAPI 3.1 description of the whole service, for people and client generators.

The document is built from the code where the code holds the facts — the media types of
``negotiation``, the canned questions of ``queries/``, the collections of ``duty_api``, the limits
of the app config — so that it cannot drift from them; the rest is written here. A test checks it
with openapi-spec-validator, checks that every route of the app is described and every described
route exists, and validates real answers against its schemas.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request

from .. import __version__
from ..queries import list_canned_queries
from .duty_api import COLLECTIONS, SINGULAR
from .negotiation import DESCRIPTION_FORMATS, GRAPH_FORMATS, HTML, RESULT_FORMATS

bp = Blueprint("openapi", __name__)

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
CSV = "text/csv; charset=utf-8"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def response(description: str, content: dict | None = None, headers: dict | None = None) -> dict:
    out: dict = {"description": description}
    if content:
        out["content"] = content
    if headers:
        out["headers"] = headers
    return out


def text(description: str) -> dict:
    return response(description, {TEXT: {"schema": {"type": "string"}}})


def json_body(description: str, schema: dict, headers: dict | None = None) -> dict:
    return response(description, {JSON: {"schema": schema}}, headers)


def media(formats, schema: dict | None = None) -> dict:
    return {fmt.content_type: {"schema": schema or {"type": "string"}} for fmt in formats}


def common(*statuses: int, kind: str = "Text") -> dict:
    """The shared error answers, by status: ``{"400": {"$ref": …}}``; kind is Text or Json."""
    return {str(status): {"$ref": f"#/components/responses/{kind}{status}"} for status in statuses}


def parameter(name: str, where: str, description: str, schema: dict | None = None, required: bool = False, **more) -> dict:
    return {"name": name, "in": where, "description": description, "required": required or where == "path",
            "schema": schema or {"type": "string"}, **more}


def format_parameter(names: list[str], description: str = "the answer's format; overrides Accept") -> dict:
    return parameter("format", "query", description, {"type": "string", "enum": names})


# -- schemas --------------------------------------------------------------------------------------

def labels_schema() -> dict:
    return {"type": "object", "description": "The resource's label in Chinese and in English.",
            "required": ["zh", "en"], "additionalProperties": False,
            "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}


def object_schema(description: str, properties: dict, required: list[str] | None = None, *, closed: bool = True,
                  optional: tuple[str, ...] = ()) -> dict:
    """An object schema; every property is required unless required names them or optional leaves them out."""
    if required is None:
        required = [name for name in properties if name not in optional]
    out = {"type": "object", "description": description, "properties": properties, "required": required}
    if closed:
        out["additionalProperties"] = False
    return out


def reference_properties() -> dict:
    return {
        "iri": {"type": "string", "format": "iri", "description": "the resource's IRI"},
        "key": {"type": "string", "description": "the last path segment of the IRI"},
        "labels": ref("Labels"),
        "api": {"type": "string", "description": "the resource under /api/"},
    }


def reference_with(description: str, **extra) -> dict:
    return object_schema(description, {**reference_properties(), **extra})


def array(items: dict, description: str | None = None) -> dict:
    out = {"type": "array", "items": items}
    if description:
        out["description"] = description
    return out


def nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


# What a resource has only when the graph says it (a definition, an editorial note, an EU code).
OPTIONAL = ("definition", "note", "eu_frequency")
LANGUAGE_MAP = {"type": "object", "description": "Text by language tag (zh, en) where the graph has it.",
                "additionalProperties": {"type": "string"}}
COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
SOURCE = object_schema("Where the text stands in the source (line; code-point offsets, end exclusive).",
                       {"line": {"type": "integer"}, "start": {"type": "integer"}, "end": {"type": "integer"}})


def link_fields() -> dict:
    return {field: array(ref("Reference"), f"the {field} of the obligation(s)")
            for field in ("actors", "targets", "frequencies", "mechanisms", "regulations")}


def obligation_entry_properties() -> dict:
    return {
        **reference_properties(),
        "modality": {"type": "string", "enum": ["Duty", "Prohibition", "Permission"]},
        "modal_cue": nullable({"type": "string", "description": "the word giving the force, e.g. 必须, 不得"}),
        "excerpt_zh": {"type": "string", "description": "the clause of the item that states it, verbatim"},
        "summary_en": {"type": "string"},
        **link_fields(),
    }


def resource_base(collection: str, **extra) -> dict:
    """The properties every resource of /api/COLLECTION/KEY has, plus extra."""
    return {**reference_properties(), "collection": {"const": collection}, **extra}


def schemas() -> dict:
    counted = object_schema("A reference with the keys of the content items it comes with.",
                            {**reference_properties(), "items": array({"type": "string"})})
    numbered = object_schema("A reference with the number the document gives it.",
                             {**reference_properties(), "number": {"type": "integer"}})
    item_entry = object_schema("A content item with its measure, category, units and obligations.", {
        **reference_properties(),
        "number": {"type": "integer", "description": "the item's number within its measure"},
        "measure": ref("NumberedReference"), "category": ref("NumberedReference"),
        "text_zh": {"type": "string", "description": "the item's text, verbatim"},
        "summary_en": {"type": "string"},
        "units": array(ref("Reference"), "the accountable units (责任单位), in the order the cell prints them"),
        **{field: array(ref("Reference"), f"the {field} over all the item's obligations")
           for field in ("actors", "targets", "frequencies", "mechanisms", "regulations")},
        "obligations": array(ref("ObligationEntry")),
    })
    obligation_in_context = object_schema("An obligation with the content item and measure that state it.", {
        **obligation_entry_properties(), "item": ref("Reference"), "measure": ref("Reference"),
    })
    note = object_schema("An editorial note: a passage that looks mistaken and the editors' reading of it "
                         "(notes have no /api/ URL of their own).", {
        **reference_properties(), "verbatim_passage_zh": {"type": "string"}, "editorial_reading_zh": {"type": "string"},
        "note_en": {"type": "string"},
    }, optional=("api",))
    definition = {"definition": LANGUAGE_MAP}
    numbered_literals = {"number": {"type": "integer"}, "verbatim_title_zh": {"type": "string"}, "source": SOURCE}
    obligations_holder = {
        "counts": COUNTS, "obligations": array(ref("ObligationInContext")),
    }
    out = {
        "Labels": labels_schema(),
        "Reference": object_schema("A link to another resource of the graph.", reference_properties()),
        "NumberedReference": numbered,
        "CountedReference": counted,
        "Error": object_schema("What was wrong.", {"error": {"type": "string"}}, ["error"], closed=False),
        "ObligationEntry": object_schema("An obligation a content item states.", obligation_entry_properties()),
        "ObligationInContext": obligation_in_context,
        "ItemEntry": item_entry,
        "Note": note,
        "ApiIndex": object_schema("The collections of /api/.", {
            "labels": ref("Labels"),
            "document": nullable(object_schema("The source document.", {
                "iri": {"type": "string"}, "notation": {"type": "string"}, "labels": ref("Labels")})),
            "collections": array(object_schema("A collection.", {
                "name": {"type": "string"}, "labels": ref("Labels"), "count": {"type": "integer"},
                "api": {"type": "string"}, "member": {"type": "string", "description": "URL template of a member"},
                "by_label": {"type": "boolean", "description": "whether members may be asked for by label"}})),
            "see_also": {"type": "object", "additionalProperties": {"type": "string"}},
        }),
        "CollectionList": object_schema("The members of a collection, with counts.", {
            "collection": {"type": "string"}, "labels": ref("Labels"), "count": {"type": "integer"},
            "members": array(object_schema("A member.", {**reference_properties(), "counts": COUNTS})),
        }),
        "Category": object_schema("A category (类别) and its measures and items.", resource_base(
            "categories", **numbered_literals, counts=COUNTS, measures=array(
                object_schema("A measure of the category.", {**reference_properties(), "number": {"type": "integer"},
                                                             "items": array({"type": "string"})})),
            units=array(ref("CountedReference")), items=array(ref("ItemEntry")), notes=array(ref("Note")))),
        "Measure": object_schema("A work measure (工作措施): its category, items and units.", resource_base(
            "measures", **numbered_literals, category=ref("NumberedReference"), counts=COUNTS,
            units=array(ref("CountedReference")), items=array(ref("ItemEntry")), notes=array(ref("Note")))),
        "Item": object_schema("A content item (主要内容): verbatim text, summary, units, obligations, notes.", {
            **item_entry["properties"], "collection": {"const": "items"}, "notation": {"type": "string"},
            "source": SOURCE, "units_text_zh": {"type": "string", "description": "the 责任单位 cell, verbatim"},
            "notes": array(ref("Note"))}),
        "Obligation": object_schema("An obligation: its force, text, links, item and measure.", {
            **obligation_in_context["properties"], "collection": {"const": "obligations"},
            "notation": {"type": "string"}, "source": SOURCE}),
        "Unit": object_schema("An accountable unit (责任单位) and everything it answers for.", resource_base(
            "units", **definition, counts=COUNTS, items=array(ref("ItemEntry")),
            actors=array(ref("CountedReference"), "who must act on the unit's items"),
            frequencies=array(ref("CountedReference")), mechanisms=array(ref("CountedReference")),
            regulations=array(ref("CountedReference")),
            shares_items_with=array(ref("CountedReference"), "the other units named on the same items"),
            notes=array(ref("Note"))), optional=OPTIONAL),
        "Actor": object_schema("An actor (履责主体): what it must do and what concerns it.", resource_base(
            "actors", **definition, kind={"enum": ["role", "body"]}, **obligations_holder,
            as_target=array(ref("ObligationInContext"), "obligations that concern this actor"),
            broader=array(ref("Reference")), narrower=array(ref("Reference")),
            corresponding_unit=nullable(ref("Reference"))), optional=OPTIONAL),
        "Mechanism": object_schema("A named mechanism (制度机制) and where it is invoked.", resource_base(
            "mechanisms", **definition, **obligations_holder), optional=OPTIONAL),
        "Frequency": object_schema("A frequency or trigger and the obligations that fall due by it.", resource_base(
            "frequencies", **definition, **obligations_holder,
            kind={"enum": ["RegularFrequency", "ContinuousFrequency", "EventTrigger", "Frequency"]},
            eu_frequency={"type": "string", "description": "the EU frequency authority concept"}), optional=OPTIONAL),
        "Regulation": object_schema("A regulation the list cites and the obligations that cite it.", resource_base(
            "regulations", **definition, note=LANGUAGE_MAP, **obligations_holder), optional=OPTIONAL),
        "CannedQuery": object_schema("A canned question.", {
            "name": {"type": "string"}, "title": ref("Labels"), "description": {"type": "string"},
            "parameters": array(object_schema("A parameter.", {
                "name": {"type": "string"}, "type": {"enum": ["string", "integer", "iri"]},
                "required": {"type": "boolean"}, "description": {"type": "string"}})),
            "url": {"type": "string"},
            "formats": object_schema("The question's answer in each format.", {
                "json": {"type": "string"}, "csv": {"type": "string"}, "html": {"type": "string"}}),
        }),
        "CannedQueryList": object_schema("The canned questions.", {
            "count": {"type": "integer"}, "queries": array(ref("CannedQuery"))}),
        "CannedQueryAnswer": object_schema("The answer of a canned question.", {
            "query": {"type": "string"},
            "parameters": {"type": "object", "description": "each parameter of the question: the value used, or null",
                           "additionalProperties": {"type": ["string", "null"]}},
            "variables": array({"type": "string"}),
            "rows": array({"type": "object", "description": "variable → its value (text, or a number for "
                                                            "xsd:integer), null when unbound",
                           "additionalProperties": {"type": ["string", "integer", "null"]}}),
            "bindings": array({"type": "object"}, "the SPARQL 1.1 JSON results bindings, with term types"),
            "boolean": {"type": "boolean", "description": "for an ASK question"},
        }, ["query", "parameters", "variables", "rows", "bindings"]),
        "Run": {"type": "object", "description": "A validation run's provenance: id, owner, label, times, engine, "
                                                 "verdict, years, counts, files (name, sha256, size, format, triples), url.",
                "properties": {"id": {"type": "string"}, "url": {"type": "string"}}},
        "RunList": object_schema("The runs the caller may read.", {"runs": array(ref("Run"))}, closed=False),
        "ValidationReport": {"type": "object", "description": "A run and its results: conforms, years, counts and "
                                                              "results (measure, item, shape, severity, focus, units, "
                                                              "message {zh, en}, period …) as `dutygraph validate "
                                                              "--format json` gives them.",
                             "properties": {"run": ref("Run"), "conforms": {"type": "boolean"},
                                            "results": array({"type": "object"})}},
    }
    return out


# -- responses shared by many operations ----------------------------------------------------------

def shared_responses(config) -> dict:
    retry = {"Retry-After": {"description": "seconds to wait before trying again",
                             "schema": {"type": "integer", "example": config["RETRY_AFTER_SECONDS"]}}}
    messages = {
        400: "bad request: the message says what was wrong",
        401: "no account: sign in (/login) or send Authorization: Bearer TOKEN",
        403: "refused (e.g. a SPARQL Update without an admin token, or SERVICE)",
        404: "not found; the message says what exists",
        406: "the format asked for cannot carry this answer; the message lists those that can",
        413: "the request body is larger than the limit",
        415: "the body's Content-Type is not one this route reads",
        500: "the query could not be evaluated",
        503: f"too many at once (at most {config['MAX_CONCURRENT_QUERIES']} queries); retry after Retry-After seconds",
        504: f"the query did not finish within the time limit of {config['QUERY_TIME_LIMIT']:g} s and was stopped",
    }
    out = {}
    for status, message in messages.items():
        headers = retry if status == 503 else None
        out[f"Text{status}"] = response(message, {TEXT: {"schema": {"type": "string"}}}, headers)
        out[f"Json{status}"] = response(message, {JSON: {"schema": ref("Error")}}, headers)
    return out


# -- paths ----------------------------------------------------------------------------------------

def sparql_paths(config) -> dict:
    answer_formats = {**media(RESULT_FORMATS), **media(GRAPH_FORMATS)}
    names = sorted({fmt.names[0] for fmt in RESULT_FORMATS + GRAPH_FORMATS + (HTML,)})
    graphs = [
        parameter("default-graph-uri", "query", "a graph of the store to use as the default graph (repeatable); "
                  "nothing is ever fetched", {"type": "array", "items": {"type": "string"}}, style="form", explode=True),
        parameter("named-graph-uri", "query", "a graph of the store to use as a named graph (repeatable)",
                  {"type": "array", "items": {"type": "string"}}, style="form", explode=True),
    ]
    errors = common(400, 403, 406, 413, 415, 500, 503, 504)
    limits = (f"A query may run {config['QUERY_TIME_LIMIT']:g} s and returns at most {config['RESULT_ROW_LIMIT']} "
              "rows or triples (more are cut, with the header Result-Truncated: true).")
    ok = response(f"the answer, in the format chosen by format or Accept. {limits}", answer_formats, {
        "Result-Row-Limit": {"description": "the row limit", "schema": {"type": "integer"}},
        "Result-Truncated": {"description": "true when the answer was cut at the limit", "schema": {"type": "string"}},
    })
    security = [{}, {"bearer": []}, {"cookie": []}]
    return {"/sparql": {
        "get": {
            "tags": ["SPARQL"], "operationId": "sparqlGet", "summary": "SPARQL 1.1 query (GET)",
            "description": "The SPARQL 1.1 Protocol query operation over the document graph; an account may also "
                           "query the graphs of runs it may read. Without a query: the service description (RDF), "
                           "or an HTML query form for a browser. " + limits,
            "security": security,
            "parameters": [parameter("query", "query", "the SPARQL query (prefixes dg:, id:, rdfs:, skos: … "
                                     "are predeclared)"), *graphs, format_parameter(names)],
            "responses": {"200": response("the answer, the service description or the query form",
                                          {**answer_formats, **media(DESCRIPTION_FORMATS)}), **errors},
        },
        "post": {
            "tags": ["SPARQL"], "operationId": "sparqlPost", "summary": "SPARQL 1.1 query or (admins only) update (POST)",
            "description": "A query as a form (query=…) or as application/sparql-query; an update as a form "
                           "(update=…) or application/sparql-update runs only with an admin token (else 403). "
                           + limits,
            "security": security,
            "parameters": [*graphs, format_parameter(names)],
            "requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": object_schema("A query or an update.", {
                    "query": {"type": "string"}, "update": {"type": "string"},
                    "default-graph-uri": array({"type": "string"}), "named-graph-uri": array({"type": "string"}),
                    "format": {"type": "string"}}, [])},
                "application/sparql-query": {"schema": {"type": "string"}},
                "application/sparql-update": {"schema": {"type": "string"}},
            }},
            "responses": {"200": ok, "204": response("the update was applied"), **errors},
        },
    }}


def queries_paths(config) -> dict:
    queries = list_canned_queries()
    names = [q.name for q in queries]
    table = "\n".join(
        f"- `{q.name}` — {q.title_en} ({q.title_zh})"
        + (": " + "; ".join(f"`{p.name}` ({p.type}, {'required' if p.required else 'optional'}): {p.description}"
                            for p in q.parameters) if q.parameters else ": no parameters")
        for q in queries)
    name = parameter("name", "path", "the canned question", {"type": "string", "enum": names})
    values = parameter("parameters", "query", "the question's parameters as name=value (see the list); "
                       "each once; an unknown one is 400",
                       {"type": "object", "additionalProperties": {"type": "string"}}, style="form", explode=True)
    answer_content = {
        JSON: {"schema": ref("CannedQueryAnswer")},
        CSV: {"schema": {"type": "string", "description": "a header row of the variables, "
                                                                                 "then one row per answer (UTF-8)"}},
        HTML.content_type: {"schema": {"type": "string", "description": "a table with a form for the parameters"}},
    }
    headers = {
        "Result-Row-Limit": {"description": "the row limit", "schema": {"type": "integer"}},
        "Result-Truncated": {"description": "true when the rows reached the limit and may have been cut",
                             "schema": {"type": "string"}},
    }
    errors = {"400": response("a bad, missing or unknown parameter (the message says which), or an unknown format",
                              {JSON: {"schema": ref("Error")}, TEXT: {"schema": {"type": "string"}},
                               HTML.content_type: {"schema": {"type": "string"}}}),
              "404": response("no such question; the JSON form lists them in `queries`",
                              {JSON: {"schema": {**ref("Error")}}, TEXT: {"schema": {"type": "string"}},
                               HTML.content_type: {"schema": {"type": "string"}}}),
              **common(406, 500, 503, 504)}

    def run(operation: str, summary: str, content: dict, formats: list[str] | None) -> dict:
        params = [name, values] + ([format_parameter(formats)] if formats else [])
        return {"get": {
            "tags": ["Canned questions"], "operationId": operation, "summary": summary,
            "description": "Runs a canned question with the parameters of the URL (bound as RDF terms, never pasted "
                           f"into the query). The questions:\n\n{table}",
            "parameters": params,
            "responses": {"200": response("the answer", content, headers), **errors},
        }}

    listing = {JSON: {"schema": ref("CannedQueryList")},
               HTML.content_type: {"schema": {"type": "string", "description": "a plain page with a form per question"}}}
    return {
        "/queries": {"get": {
            "tags": ["Canned questions"], "operationId": "listQueries", "summary": "The canned questions",
            "description": "HTML for a browser; JSON for Accept: application/json, format=json or any other client.",
            "parameters": [format_parameter(["json", "html"])],
            "responses": {"200": response("the questions", listing), **common(400, 406)},
        }},
        "/queries.json": {"get": {
            "tags": ["Canned questions"], "operationId": "listQueriesJson", "summary": "The canned questions as JSON",
            "responses": {"200": response("the questions", {JSON: listing[JSON]}), **common(400, 406)},
        }},
        "/queries/{name}": run("runQuery", "Run a canned question (JSON, CSV or HTML)", answer_content,
                               ["json", "csv", "html"]),
        "/queries/{name}.json": run("runQueryJson", "Run a canned question: JSON", {JSON: answer_content[JSON]}, None),
        "/queries/{name}.csv": run("runQueryCsv", "Run a canned question: CSV",
                                   {CSV: answer_content[CSV]}, None),
    }


DETAIL_SCHEMAS = {"categories": "Category", "measures": "Measure", "items": "Item", "obligations": "Obligation",
                  "units": "Unit", "actors": "Actor", "mechanisms": "Mechanism", "frequencies": "Frequency",
                  "regulations": "Regulation"}
KEY_EXAMPLES = {"categories": "1", "measures": "16", "items": "16-1", "obligations": "6-1-b",
                "units": "organisation-department", "actors": "number-one-leader", "mechanisms": "sanzhong-yida",
                "frequencies": "annual", "regulations": "major-matters-request-report-regulations"}


def api_paths() -> dict:
    errors = common(500, 503, 504, kind="Json")
    paths = {"/api/": {"get": {
        "tags": ["JSON API"], "operationId": "apiIndex", "summary": "The collections of the JSON API",
        "responses": {"200": json_body("the collections with their counts and URLs", ref("ApiIndex")), **errors},
    }}}
    for name, collection in COLLECTIONS.items():
        title = collection.labels["en"]
        how = ("its key (the last segment of its IRI), or its Chinese or English label (any case)"
               if collection.by_label else "its key (the last segment of its IRI)")
        paths[f"/api/{name}"] = {"get": {
            "tags": ["JSON API"], "operationId": f"list_{name}", "summary": f"All {title} ({collection.labels['zh']})",
            "responses": {"200": json_body(f"the {title} with counts", ref("CollectionList")), **errors},
        }}
        paths[f"/api/{name}/{{key}}"] = {"get": {
            "tags": ["JSON API"], "operationId": f"get_{name}", "summary": f"One {SINGULAR[name]}",
            "parameters": [parameter("key", "path", f"the {SINGULAR[name]}: {how}",
                                     {"type": "string", "examples": [KEY_EXAMPLES[name]]})],
            "responses": {"200": json_body(f"the {SINGULAR[name]}", ref(DETAIL_SCHEMAS[name])),
                          "404": json_body(f"no {SINGULAR[name]} has that key", ref("Error")), **errors},
        }}
    return paths


def runs_paths() -> dict:
    auth = [{"bearer": []}, {"cookie": []}]
    run_id = parameter("id", "path", "the run's id (as in its URL)")
    report_formats = {JSON: {"schema": ref("ValidationReport")}, "text/turtle; charset=utf-8": {"schema": {"type": "string"}},
                      "application/ld+json": {"schema": {"type": "string"}},
                      HTML.content_type: {"schema": {"type": "string"}}}
    rdf = media(f for f in GRAPH_FORMATS if f.oxigraph in ("TURTLE", "N_TRIPLES", "JSON_LD", "RDF_XML"))
    upload_fields = {
        "label": {"type": "string", "description": "a label for the run (at most 500 characters)"},
        "year": array({"type": "integer", "minimum": 1900, "maximum": 2999}, "the years to judge (default: every year dated)"),
        "format": {"type": "string", "enum": ["json", "turtle", "jsonld", "html"]},
    }
    raw_types = ["text/turtle", "application/trig", "application/n-triples", "application/n-quads", "application/ld+json",
                 "application/rdf+xml", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    graph = {"get": {"tags": ["Validation runs"], "security": auth, "parameters": [run_id, format_parameter(
        ["turtle", "ntriples", "jsonld", "rdfxml"])], "responses": {}}}

    def graph_path(part: str, what: str) -> dict:
        operation = {**graph["get"], "operationId": f"runs_{part}", "summary": f"A run's {what} (RDF)",
                     "responses": {"200": response(f"the {what} graph", rdf), **common(400, 401, 404, 406)}}
        return {"get": operation}

    return {
        "/validate": {"post": {
            "tags": ["Validation runs"], "operationId": "validate", "summary": "Validate records and keep the run",
            "description": "Records as multipart/form-data (any number of files in `files`, the institution optionally "
                           "in `institution`) or as a raw body with its Content-Type (`name=FILE` names it; a CSV body "
                           "must be named after its template). Every input format of `dutygraph validate`. Bad records "
                           "are 400 with the loader's message and nothing is kept. The report comes as JSON, Turtle, "
                           "JSON-LD or HTML by format or Accept; the run is kept at Location.",
            "security": auth,
            "parameters": [parameter("label", "query", "a label for the run"),
                           parameter("year", "query", "a year to judge (repeatable)",
                                     {"type": "array", "items": {"type": "integer"}}, style="form", explode=True),
                           parameter("name", "query", "the file name of a raw body, e.g. 2024_talks.csv"),
                           format_parameter(["json", "turtle", "jsonld", "html"])],
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": object_schema("The upload.", {
                    "files": array({"type": "string", "contentMediaType": "application/octet-stream"}, "record files"),
                    "institution": array({"type": "string", "contentMediaType": "application/octet-stream"},
                                         "the institution's units, posts and people"),
                    **upload_fields}, ["files"])},
                **{media_type: {"schema": {"type": "string"}} for media_type in raw_types},
            }},
            "responses": {
                "201": response("the run was kept; the report", report_formats,
                                {"Location": {"description": "the run's URL, /runs/{id}", "schema": {"type": "string"}}}),
                **common(400, 401, 406, 413, 415, 500, 503, 504),
            },
        }},
        "/runs": {"get": {
            "tags": ["Validation runs"], "operationId": "listRuns", "summary": "The runs you may read",
            "security": auth, "parameters": [format_parameter(["json", "html"])],
            "responses": {"200": response("the runs", {JSON: {"schema": ref("RunList")},
                                                       HTML.content_type: {"schema": {"type": "string"}}}),
                          **common(401, 406)},
        }},
        "/runs/{id}": {
            "get": {"tags": ["Validation runs"], "operationId": "getRun", "summary": "One run: provenance and report",
                    "security": auth, "parameters": [run_id, format_parameter(["json", "turtle", "jsonld", "html"])],
                    "responses": {"200": response("the run and its report", report_formats),
                                  **common(400, 401, 404, 406)}},
            "delete": {"tags": ["Validation runs"], "operationId": "deleteRun", "summary": "Delete a run (owner or admin)",
                       "security": auth, "parameters": [run_id],
                       "responses": {"204": response("deleted"), **common(401, 404)}},
        },
        "/runs/{id}/delete": {"post": {
            "tags": ["Validation runs"], "operationId": "deleteRunForm", "summary": "Delete a run from an HTML form",
            "security": auth, "parameters": [run_id],
            "responses": {"303": response("deleted; see /runs"), **common(401, 404)},
        }},
        "/runs/{id}/records": graph_path("records", "records"),
        "/runs/{id}/report": graph_path("report", "validation report (sh:ValidationReport)"),
        "/login": {
            "get": {"tags": ["Accounts"], "operationId": "loginForm", "summary": "The sign-in page",
                    "parameters": [parameter("next", "query", "the path to go to after signing in")],
                    "responses": {"200": response("the page", {HTML.content_type: {"schema": {"type": "string"}}})}},
            "post": {"tags": ["Accounts"], "operationId": "login", "summary": "Sign in (sets the session cookie)",
                     "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                         "schema": object_schema("The sign-in form.", {
                             "name": {"type": "string"}, "password": {"type": "string", "format": "password"},
                             "csrf": {"type": "string", "description": "the form's token"},
                             "next": {"type": "string"}}, ["name", "password", "csrf"])}}},
                     "responses": {"303": response("signed in; on to next", headers={
                         "Set-Cookie": {"description": "the session cookie", "schema": {"type": "string"}}}),
                         "400": response("the form had expired", {HTML.content_type: {"schema": {"type": "string"}}}),
                         "401": response("wrong name or password", {HTML.content_type: {"schema": {"type": "string"}}}),
                         "403": response("a cross-site sign-in", {HTML.content_type: {"schema": {"type": "string"}}})}},
        },
        "/logout": {
            "get": {"tags": ["Accounts"], "operationId": "logoutForm", "summary": "The sign-out page",
                    "responses": {"200": response("the page", {HTML.content_type: {"schema": {"type": "string"}}})}},
            "post": {"tags": ["Accounts"], "operationId": "logout", "summary": "Sign out (ends the session)",
                     "responses": {"303": response("signed out")}},
        },
    }


def document() -> dict:
    config = current_app.config
    paths = {**sparql_paths(config), **queries_paths(config), **api_paths(), **runs_paths(),
             "/openapi.json": {"get": {"tags": ["Service"], "operationId": "openapi", "summary": "This document",
                                       "responses": {"200": json_body("the OpenAPI 3.1 document", {"type": "object"})}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "dutygraph",
            "version": __version__,
            "summary": "The duties of 常工党〔2022〕61号 as a knowledge graph: SPARQL, canned questions, JSON, validation.",
            "description": "常州工学院加强对“一把手”和领导班子监督若干措施责任清单 (5 categories, 37 measures, 56 content "
                           "items) as an OWL knowledge graph. /sparql is a SPARQL 1.1 endpoint; /queries the canned "
                           "questions; /api/ the same facts as plain JSON; /validate checks an institution's records "
                           "against the duties and keeps the run. Every resource is labelled in Chinese and English. "
                           f"Limits: a query may run {config['QUERY_TIME_LIMIT']:g} s, returns at most "
                           f"{config['RESULT_ROW_LIMIT']} rows, at most {config['MAX_CONCURRENT_QUERIES']} run at once "
                           f"(503 with Retry-After beyond); request bodies up to {config['MAX_CONTENT_LENGTH']} bytes.",
            "license": {"name": "MIT (code); CC BY 4.0 (ontology, curation tables)", "identifier": "MIT"},
        },
        "servers": [{"url": request.script_root or "/"}],
        "tags": [{"name": name} for name in ("SPARQL", "Canned questions", "JSON API", "Validation runs", "Accounts", "Service")],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "responses": shared_responses(config),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "an account's API token (or the configured ADMIN_TOKEN)"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": config.get("SESSION_COOKIE_NAME", "session"),
                           "description": "the browser session set by POST /login"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return Response(json.dumps(document(), ensure_ascii=False, indent=1), content_type="application/json")
