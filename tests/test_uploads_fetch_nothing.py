"""Regression: an upload that names URLs — owl:imports, a JSON-LD remote @context — makes the service
fetch nothing; the imports are kept as data, the remote context is refused, and nothing is kept."""

from __future__ import annotations

import json

import pytest

from dutygraph.web import create_app



ADMIN_TOKEN = "uploads-fetch-nothing-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def client(tmp_path_factory, backend):
    """On both backends (conftest's `backend`: the embedded store, Virtuoso)."""
    app = create_app(backend.config(tmp_path_factory.mktemp("fetch-nothing-store"), ADMIN_TOKEN=ADMIN_TOKEN))
    return app.test_client()


def _example(name: str) -> bytes:
    from dutygraph import paths

    return (paths.data_dir() / "examples" / name).read_bytes()


def test_owl_imports_in_an_upload_are_data_and_never_followed(client, listener):
    records = _example("2024-all-duties-met.ttl") + (
        f"\n<https://example.org/records/ontology> a <http://www.w3.org/2002/07/owl#Ontology> ;\n"
        f"    <http://www.w3.org/2002/07/owl#imports> <{listener.url}imported.ttl> .\n").encode()
    response = client.post("/validate", data=records, content_type="text/turtle", headers=ADMIN)
    assert response.status_code == 201
    assert response.content_type == "application/json"
    assert response.get_json()["conforms"] is True
    assert listener.connections() == 0
    run_id = response.headers["Location"].rsplit("/", 1)[1]
    ask = (f"ASK {{ GRAPH <https://w3id.org/dutygraph/id/run/{run_id}/records> "
           f"{{ ?o <http://www.w3.org/2002/07/owl#imports> <{listener.url}imported.ttl> }} }}")
    answer = client.get("/sparql", query_string={"query": ask}, headers=ADMIN)
    assert json.loads(answer.data) == {"head": {}, "boolean": True}


def test_json_ld_with_a_remote_context_is_refused_and_nothing_is_kept(client, listener):
    before = client.get("/runs", headers=ADMIN).get_json()["runs"]
    document = json.dumps({"@context": f"{listener.url}context.jsonld", "@id": "https://example.org/x", "name": "x"})
    response = client.post("/validate?name=records.jsonld", data=document, content_type="application/ld+json",
                           headers=ADMIN)
    assert response.status_code == 400
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.data.startswith(b"bad input; nothing was kept: ")
    assert b"remote" in response.data and b"@context" in response.data
    assert listener.connections() == 0
    assert client.get("/runs", headers=ADMIN).get_json()["runs"] == before
