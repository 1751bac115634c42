"""/openapi.json: the OpenAPI 3.1 description of the service (dutygraph.web.openapi).

The document must be valid OpenAPI 3.1 (openapi-spec-validator), describe every route of the app
and describe no route that does not exist (but for those being built), and its schemas must
accept the service's real answers.
"""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from dutygraph.queries import list_canned_queries
from dutygraph.web import create_app
from dutygraph.web.duty_api import COLLECTIONS

JSON = "application/json"
METHODS = {"get", "post", "put", "delete", "patch"}
# Described before they exist: the validation-run routes and the sign-in pages being built.
BEING_BUILT = {"/validate", "/runs", "/runs/{id}", "/runs/{id}/delete", "/runs/{id}/records", "/runs/{id}/report",
               "/login", "/logout"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app({"STORE_DIR": str(tmp_path_factory.mktemp("store"))})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def document(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.content_type == JSON
    return response.get_json()


def test_it_is_valid_openapi_3_1(document):
    validate(document)  # raises with the first problem
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "dutygraph"


def test_security_schemes(document):
    assert document["components"]["securitySchemes"] == {
        "bearer": {"type": "http", "scheme": "bearer", "description": "an account's API token (or the configured ADMIN_TOKEN)"},
        "cookie": {"type": "apiKey", "in": "cookie", "name": "session", "description": "the browser session set by POST /login"},
    }
    for path in ("/validate", "/runs", "/runs/{id}"):
        for operation in (op for method, op in document["paths"][path].items() if method in METHODS):
            assert operation["security"] == [{"bearer": []}, {"cookie": []}]


# -- routes of the app <-> paths of the document ----------------------------------------------------

def template(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /queries/<name>.json -> /queries/{name}.json."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def segments_match(a: str, b: str) -> bool:
    """Whether two path segments can name the same URL segment ({x} matches anything)."""
    def pattern(segment: str) -> str:
        return "^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(segment)) + "$"
    plain_a, plain_b = re.sub(r"\{[a-z_]+\}", "X", a), re.sub(r"\{[a-z_]+\}", "X", b)
    return bool(re.match(pattern(a), plain_b) or re.match(pattern(b), plain_a) or plain_a == plain_b)


def paths_match(a: str, b: str) -> bool:
    left, right = a.split("/"), b.split("/")
    return len(left) == len(right) and all(segments_match(x, y) for x, y in zip(left, right))


def app_routes(app) -> list[tuple[str, set[str]]]:
    return [(template(rule.rule), {m.lower() for m in rule.methods} - {"head", "options"})
            for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_of_the_app_is_described(app, document):
    missing = []
    for path, methods in app_routes(app):
        described = set()
        for documented, operations in document["paths"].items():
            if paths_match(path, documented):
                described |= set(operations) & METHODS
        if not methods <= described:
            missing.append(f"{sorted(methods - described)} {path}")
    assert missing == []


def test_every_described_route_exists(app, document):
    routes = app_routes(app)
    missing = []
    for documented, operations in document["paths"].items():
        for method in set(operations) & METHODS:
            if not any(paths_match(path, documented) and method in methods for path, methods in routes):
                missing.append(f"{method} {documented}")
    assert [m for m in missing if m.split(" ", 1)[1] not in BEING_BUILT] == []


def test_the_paths_it_must_describe(document):
    paths = document["paths"]
    assert set(paths["/sparql"]) >= {"get", "post"}
    for path in ("/queries", "/queries.json", "/queries/{name}", "/queries/{name}.json", "/queries/{name}.csv", "/api/",
                 "/openapi.json", "/validate", "/runs", "/runs/{id}", "/runs/{id}/records", "/runs/{id}/report",
                 "/login", "/logout"):
        assert path in paths
    assert set(paths["/runs/{id}"]) == {"get", "delete"}
    for name in COLLECTIONS:
        assert f"/api/{name}" in paths and f"/api/{name}/{{key}}" in paths
    name = next(p for p in paths["/queries/{name}"]["get"]["parameters"] if p["name"] == "name")
    assert name["schema"]["enum"] == [q.name for q in list_canned_queries()]
    validate_op = paths["/validate"]["post"]
    assert set(validate_op["requestBody"]["content"]) >= {"multipart/form-data", "text/turtle", "text/csv"}
    assert set(validate_op["responses"]) >= {"400", "401", "413", "503"}
    sparql_formats = set(paths["/sparql"]["get"]["responses"]["200"]["content"])
    assert {"application/sparql-results+json", "text/csv; charset=utf-8", "text/turtle; charset=utf-8"} <= sparql_formats


# -- the schemas accept the real answers ----------------------------------------------------------

@pytest.mark.parametrize("path, schema", [
    ("/api/", "ApiIndex"),
    ("/api/units", "CollectionList"),
    ("/api/obligations", "CollectionList"),
    ("/api/categories/2", "Category"),
    ("/api/measures/16", "Measure"),
    ("/api/items/20-1", "Item"),
    ("/api/obligations/16-1-c", "Obligation"),
    ("/api/units/organisation-department", "Unit"),
    ("/api/actors/number-one-leader", "Actor"),
    ("/api/actors/audit-office", "Actor"),
    ("/api/mechanisms/sanzhong-yida", "Mechanism"),
    ("/api/frequencies/annual", "Frequency"),
    ("/api/regulations/ten-prohibitions-life-meetings", "Regulation"),
    ("/api/units/nope", "Error"),
    ("/queries.json", "CannedQueryList"),
    ("/queries/unit-duties.json?unit=组织部", "CannedQueryAnswer"),
    ("/queries/measures-by-category.json", "CannedQueryAnswer"),
])
def test_the_schemas_accept_the_answers(client, document, path, schema):
    response = client.get(path)
    assert response.content_type == JSON
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{schema}", "components": document["components"]})
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(response.get_json())]
    assert errors == []


def test_the_schemas_are_strict(client, document):
    """A field the document does not describe is an error, so the description cannot fall behind."""
    body = client.get("/api/measures/16").get_json()
    body["undocumented"] = 1
    validator = Draft202012Validator({"$ref": "#/components/schemas/Measure", "components": document["components"]})
    assert [e.message for e in validator.iter_errors(body)] == [
        "Additional properties are not allowed ('undocumented' was unexpected)"]
