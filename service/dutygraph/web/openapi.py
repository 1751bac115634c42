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
                           "or for a browser (text/html preferred) a 303 to the SPARQL editor /editor. " + limits,
            "security": security,
            "parameters": [parameter("query", "query", "the SPARQL query (prefixes dg:, id:, rdfs:, skos: … "
                                     "are predeclared)"), *graphs, format_parameter(names)],
            "responses": {"200": response("the answer or the service description",
                                          {**answer_formats, **media(f for f in DESCRIPTION_FORMATS if f is not HTML)}),
                          "303": response("a browser asking for no query: see /editor"), **errors},
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

    page = {HTML.content_type: {"schema": {"type": "string"}}}
    csv_report = {CSV: {"schema": {"type": "string", "description": "one row per result: measure, item, duty, severity, "
                                                                    "period, focus, value, units, message_zh, message_en"}}}
    job = object_schema("An asynchronous upload's state.", {
        "id": {"type": "string"}, "url": {"type": "string", "description": "/jobs/{id}"},
        "state": {"type": "string", "enum": ["queued", "uploading", "validating", "storing", "done", "failed"]},
        "run": nullable({"type": "string", "description": "the kept run's URL, /runs/{id}, once done"}),
        "error": nullable({"type": "string", "description": "why it failed (the synchronous call's message)"}),
        "status": nullable({"type": "integer", "description": "what the synchronous call would have answered"})})
    return {
        "/validate": {"get": {
            "tags": ["Validation runs"], "operationId": "uploadForm", "summary": "The upload form (a page for a browser)",
            "security": auth,
            "responses": {"200": response("the page", page), **common(401)},
        }, "post": {
            "tags": ["Validation runs"], "operationId": "validate", "summary": "Validate records and keep the run",
            "description": "Records as multipart/form-data (any number of files in `files`, the institution optionally "
                           "in `institution`) or as a raw body with its Content-Type (`name=FILE` names it; a CSV body "
                           "must be named after its template). Every input format of `dutygraph validate`. Bad records "
                           "are 400 with the loader's message and nothing is kept. The report comes as JSON, Turtle, "
                           "JSON-LD or HTML by format or Accept; the run is kept at Location. With `Prefer: "
                           "respond-async` or `async=1` the answer is 202 at once, with the job at Location "
                           "(`GET /jobs/{id}`); a browser's form post (multipart, signed in by the session, Accept "
                           "preferring HTML) is answered 303 to the run page. A request signed in by the session "
                           "carries the page's form token (`csrf` field or `X-CSRF-Token`).",
            "security": auth,
            "parameters": [parameter("label", "query", "a label for the run"),
                           parameter("async", "query", "1: answer 202 at once and validate in the background",
                                     {"type": "string", "enum": ["1", "true", "yes"]}),
                           parameter("Prefer", "header", "respond-async: as async=1"),
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
                "202": response("accepted (asynchronous): the validation goes on; follow Location", {JSON: {"schema": job}},
                                {"Location": {"description": "the job's URL, /jobs/{id}", "schema": {"type": "string"}}}),
                "303": response("a browser's form post: the run was kept; see its page",
                                headers={"Location": {"description": "/runs/{id}", "schema": {"type": "string"}}}),
                **common(400, 401, 406, 413, 415, 500, 503, 504),
                "403": response("signed in by the session without the page's form token", {TEXT: {"schema": {"type": "string"}}}),
            },
        }},
        "/jobs/{id}": {"get": {
            "tags": ["Validation runs"], "operationId": "getJob", "summary": "An asynchronous upload's state (its uploader only)",
            "description": "Jobs are kept in the service's memory: a restart forgets them, and the runs they had not "
                           "stored yet are not kept.",
            "security": auth, "parameters": [parameter("id", "path", "the job's id (as in its URL)")],
            "responses": {"200": json_body("the job", job), **common(401, 404)},
        }},
        "/runs/overview": {"get": {
            "tags": ["Validation runs"], "operationId": "complianceOverview",
            "summary": "Compliance across the runs you may read: units × measures and over the years (a page)",
            "security": auth,
            "parameters": [parameter("unit", "query", "list the results of this unit (its key, as in /id/unit/KEY)"),
                           parameter("measure", "query", "list the results under this measure", {"type": "integer"}),
                           parameter("year", "query", "list the results of this year", {"type": "integer"}),
                           parameter("severity", "query", "list the results of this severity",
                                     {"type": "string", "enum": ["Violation", "Warning", "Info"]}),
                           parameter("run", "query", "only these runs (repeatable)", {"type": "array", "items": {"type": "string"}},
                                     style="form", explode=True)],
            "responses": {"200": response("the page", page), **common(400, 401)},
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
                    "security": auth, "parameters": [run_id, format_parameter(["json", "turtle", "jsonld", "html", "csv"])],
                    "responses": {"200": response("the run and its report", {**report_formats, **csv_report}),
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
        "/runs/{id}/report.csv": {"get": {
            "tags": ["Validation runs"], "operationId": "runReportCsv", "summary": "A run's results as CSV",
            "security": auth, "parameters": [run_id],
            "responses": {"200": response("one row per result", csv_report), **common(401, 404)},
        }},
        "/runs/{id}/records/resource": {"get": {
            "tags": ["Validation runs"], "operationId": "runRecord", "summary": "One record of a run (a page)",
            "description": "What the run's records state about the IRI, which records refer to it, and (when the run "
                           "was checked against the example institution) what that states.",
            "security": auth,
            "parameters": [run_id, parameter("iri", "query", "the record's IRI (a result's focus)", required=True)],
            "responses": {"200": response("the page", page), **common(400, 401, 404)},
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


def browse_paths() -> dict:
    """The browsing pages (browse_pages): home, resource pages that answer RDF too, duty shapes, search."""
    from .resource_links import SEGMENTS
    from .resource_rdf import RDF_FORMATS

    page = {HTML.content_type: {"schema": {"type": "string", "description": "a page in the language of ?lang=, the "
                                                                            "lang cookie or Accept-Language"}}}
    rdf = media(RDF_FORMATS)
    html_or_text = {**page, TEXT: {"schema": {"type": "string"}}}
    not_found = response("no such resource (and always for …/id/run/…): a page for a browser, plain text otherwise",
                         html_or_text)
    failures = {str(status): response(message, html_or_text) for status, message in (
        (500, "a query of the page failed"), (503, "too many queries at once; retry after Retry-After seconds"),
        (504, "a query of the page did not finish within the time limit"))}
    kind = parameter("kind", "path", "the IRI segment under https://w3id.org/dutygraph/id/ (kept runs, run/…, are "
                     "never served here)", {"type": "string", "enum": sorted(SEGMENTS), "examples": ["measure"]})
    key = parameter("key", "path", "the last segment of the IRI, e.g. 16, 16-1, organisation-department",
                    {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9-]*$", "examples": ["16-1"]})
    vary = {"Vary": {"description": "Accept, Accept-Language, Cookie", "schema": {"type": "string"}}}
    described = ("its concise bounded description in the document graph (every triple with it as subject) plus the "
                 "rdfs:label of every resource it points to")
    paths: dict = {
        "/": {"get": {"tags": ["Browsing"], "operationId": "home", "summary": "Home page",
                      "description": "The document (title, number, date, issuer), its categories and measures, the "
                                     "accountable units with how many content items each answers for, a search box.",
                      "parameters": [parameter("lang", "query", "zh or en: sets the lang cookie and redirects (303) "
                                               "to the page without it", {"type": "string", "enum": ["zh", "en"]})],
                      "responses": {"200": response("the page", page), "303": response("?lang= was set; see Location"),
                                    **failures}}},
        "/search": {"get": {"tags": ["Browsing"], "operationId": "search", "summary": "Search labels and texts",
                            "description": "Substring search over the Chinese and English labels, the items' verbatim "
                                           "text and summaries, obligations' clauses and definitions (English in any "
                                           "case, Chinese as typed); results grouped by kind, each linking to its page.",
                            "parameters": [parameter("q", "query", "what to look for (at most 200 characters)",
                                                     {"type": "string", "maxLength": 200})],
                            "responses": {"200": response("the results, or a message when q is empty", page),
                                          "400": response("q is longer than 200 characters", page), **failures}}},
        "/id/{kind}/{key}": {"get": {
            "tags": ["Browsing"], "operationId": "resource", "summary": "A resource of the graph: page or RDF",
            "description": "The IRI https://w3id.org/dutygraph/id/{kind}/{key} dereferences here. HTML when Accept ranks "
                           "text/html highest (a browser); otherwise Turtle, JSON-LD, N-Triples or RDF/XML by Accept "
                           f"(*/* or no Accept: Turtle): {described}. Other media types are 406.",
            "parameters": [kind, key],
            "responses": {"200": response("the page or the RDF", {**page, **rdf}, vary), "404": not_found,
                          "406": response("no format of those accepted; the message lists them", {TEXT: {"schema": {"type": "string"}}}),
                          **failures}}},
    }
    suffixes = (("ttl", "Turtle", media(f for f in RDF_FORMATS if f.oxigraph == "TURTLE")),
                ("jsonld", "JSON-LD", media(f for f in RDF_FORMATS if f.oxigraph == "JSON_LD")),
                ("nt", "N-Triples", media(f for f in RDF_FORMATS if f.oxigraph == "N_TRIPLES")),
                ("rdf", "RDF/XML", media(f for f in RDF_FORMATS if f.oxigraph == "RDF_XML")),
                ("json", "JSON", {JSON: {"schema": {"type": "object", "description": "the body of /api/{collection}/{key} "
                                                    "for the nine /api/ kinds (schemas Category … Regulation); the "
                                                    "page's facts for the document, its issuer and editorial notes"}}}),
                ("html", "the page", page))
    for suffix, name, content in suffixes:
        paths[f"/id/{{kind}}/{{key}}.{suffix}"] = {"get": {
            "tags": ["Browsing"], "operationId": f"resource_{suffix}", "summary": f"A resource of the graph as {name}",
            "parameters": [kind, key],
            "responses": {"200": response(f"the resource as {name}, without negotiation", content), "404": not_found,
                          **failures}}}
    paths["/shapes/duties"] = {"get": {
        "tags": ["Browsing"], "operationId": "dutyShapes", "summary": "The duty shapes: page or the shapes graph",
        "description": "Every duty shape of shapes/duties.ttl (IRIs https://w3id.org/dutygraph/shapes/duties#NAME, each "
                       "the anchor #NAME of the page): what it checks, severity, the item and obligations it enforces, "
                       "its messages. By Accept as for /id/…: the RDF is the shapes graph itself (Turtle: the file).",
        "responses": {"200": response("the page or the shapes graph", {**page, **rdf}, vary),
                      "406": response("no format of those accepted", {TEXT: {"schema": {"type": "string"}}}), **failures}}}
    for suffix, name, content in suffixes:
        if suffix == "json":
            content = {JSON: {"schema": {"type": "object", "description": "{iri, shapes: [{iri, key, labels, severity, "
                                                                        "description, items, obligations, messages, targets}]}"}}}
        paths[f"/shapes/duties.{suffix}"] = {"get": {
            "tags": ["Browsing"], "operationId": f"dutyShapes_{suffix}", "summary": f"The duty shapes as {name}",
            "responses": {"200": response(f"the duty shapes as {name}", content), "404": not_found, **failures}}}
    return paths



def explore_paths() -> dict:
    """The SPARQL editor (sparql_editor) and the graph view (graph_view, graph_neighbourhood)."""
    from .graph_neighbourhood import DEFAULT_NODE_LIMIT, EDGE_KINDS, KINDS

    page = {HTML.content_type: {"schema": {"type": "string", "description": "a page in the language of ?lang=, the "
                                                                            "lang cookie or Accept-Language"}}}
    labels = ref("Labels")
    node = object_schema("A node: a resource of the graph.", {
        "id": {"type": "string", "format": "iri", "description": "the resource's IRI"},
        "kind": {"type": "string", "enum": list(KINDS)},
        "key": {"type": "string", "description": "the last path segment of the IRI"},
        "labels": labels,
        "url": {"type": "string", "description": "its page on this site, /id/{kind}/{key}"},
        "number": {"type": "integer", "description": "a measure's or category's number in the document"},
        "focus": {"const": True, "description": "on the focus only"},
    }, ["id", "kind", "key", "labels", "url"])
    edge = object_schema("An edge between two nodes of the answer.", {
        "id": {"type": "string"}, "source": {"type": "string", "format": "iri"},
        "target": {"type": "string", "format": "iri"}, "kind": {"type": "string", "enum": list(EDGE_KINDS)},
        "labels": labels})
    view = object_schema("The neighbourhood of the focus (or, without one, of the whole document).", {
        "focus": nullable(node), "depth": {"type": "integer", "enum": [1, 2]},
        "kinds": array({"type": "string", "enum": list(KINDS)}, "the kinds shown"),
        "nodes": array(node), "edges": array(edge),
        "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}, "description": "nodes by kind"},
        "node_limit": {"type": "integer", "description": "the cap on nodes (GRAPH_NODE_LIMIT)"},
        "truncated": {"type": "boolean", "description": "true when the cap cut the view"},
        "note": labels,
    }, ["focus", "depth", "kinds", "nodes", "edges", "counts", "node_limit", "truncated"])
    params = [
        parameter("focus", "query", "the resource at the centre: its IRI, /id/{kind}/{key}, {kind}/{key} (e.g. "
                  "unit/audit-office, measure/16), a bare key (a unit before an actor, a measure before a category) or a "
                  "unit's, actor's or mechanism's label; absent: the whole document",
                  {"type": "string", "examples": ["unit/audit-office"]}),
        parameter("depth", "query", "1: the focus's content items with their measure, category, units, actors and "
                  "mechanisms; 2: also the other items of those units, actors and mechanisms",
                  {"type": "integer", "enum": [1, 2], "default": 1}),
        parameter("kinds", "query", "the kinds to show, comma-separated or repeated (absent: all with a focus; "
                  "category, measure, unit without; empty: the focus only); hidden items and measures are contracted "
                  "(a unit's edge goes to the measure)", {"type": "array", "items": {"type": "string", "enum": list(KINDS)}},
                  style="form", explode=False),
    ]
    errors = {"400": json_body("a depth or kind that does not exist", ref("Error")),
              "404": json_body("the focus names no unit, measure, item, category, actor or mechanism", ref("Error")),
              **common(500, 503, 504, kind="Json")}
    page_errors = {str(status): response(message, page) for status, message in (
        (400, "a bad depth or kind: the page says which"), (404, "no such focus: the page lists every possible one"),
        (500, "a query of the page failed"), (503, "too many queries at once"), (504, "the query took too long"))}
    return {
        "/editor": {"get": {
            "tags": ["Browsing"], "operationId": "sparqlEditor", "summary": "SPARQL editor (YASGUI) on /sparql",
            "description": "A SPARQL editor on this site's /sparql with one tab per canned question (parameters bound "
                           "to their examples). ?query= opens a shared query in a tab of its own and runs it (so does "
                           "YASGUI's share link, #query=…). Nothing is fetched from other sites and nothing is kept. "
                           "Without JavaScript: a form that POSTs to /sparql and the list of canned questions.",
            "parameters": [parameter("query", "query", "a SPARQL query to open (and run) in a tab")],
            "responses": {"200": response("the page", page)}}},
        "/graph": {"get": {
            "tags": ["Browsing"], "operationId": "graphView", "summary": "The obligation graph around a resource",
            "description": "cytoscape draws /graph.json with the same parameters; a click on a node opens its page "
                           "/id/{kind}/{key}. Without JavaScript the neighbourhood is nested lists of links; without a "
                           "focus, the document's skeleton and a chooser of every unit, measure, actor, mechanism and "
                           "category.",
            "parameters": params, "responses": {"200": response("the page", page), **page_errors}}},
        "/graph.json": {"get": {
            "tags": ["Browsing"], "operationId": "graphJson", "summary": "The obligation graph around a resource, as JSON",
            "description": "Nodes (units, content items, measures, categories, actors, mechanisms) and edges "
                           f"(accountable_for, part_of, acts_on, invokes); at most GRAPH_NODE_LIMIT ({DEFAULT_NODE_LIMIT} "
                           "unless configured) nodes, with truncated and a note when the cap cut the view.",
            "parameters": params, "responses": {"200": json_body("the neighbourhood", view), **errors}}},
    }


def document() -> dict:
    config = current_app.config
    paths = {**sparql_paths(config), **queries_paths(config), **api_paths(), **runs_paths(), **browse_paths(), **explore_paths(),
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
        "tags": [{"name": name} for name in ("SPARQL", "Canned questions", "JSON API", "Validation runs", "Accounts", "Browsing", "Service")],
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
