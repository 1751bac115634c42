"""Where each resource's page is: the IRI's own path on this site, so that every IRI dereferences.

A resource ``https://w3id.org/dutygraph/id/measure/16`` is served at ``/id/measure/16`` (in
production w3id.org redirects the IRI there); a duty shape ``https://w3id.org/dutygraph/shapes/duties#X``
is the anchor ``#X`` of ``/shapes/duties``. Only the kinds of ``SEGMENTS`` have pages: kept
validation runs (``…/id/run/…``) are deliberately not among them — they are private, and served by
the run pages to those who may read them — and neither is anything else the graph does not hold.
"""

from __future__ import annotations

import re

from flask import request

from ..namespaces import BASE

SHAPES_GRAPH = "https://w3id.org/dutygraph/shapes/duties"
SHAPES_NS = SHAPES_GRAPH + "#"
SHAPES_PATH = "/shapes/duties"

# IRI segment under BASE -> the /api/ collection that holds it (None: no /api/ collection).
SEGMENTS = {
    "document": None, "organisation": None, "category": "categories", "measure": "measures", "item": "items",
    "obligation": "obligations", "unit": "units", "actor": "actors", "mechanism": "mechanisms",
    "frequency": "frequencies", "regulation": "regulations", "note": None,
}
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def iri_of(segment: str, key: str) -> str | None:
    """The IRI a page path names, or None when the path can name nothing the pages serve."""
    if segment not in SEGMENTS or not KEY.match(key):
        return None
    return f"{BASE}{segment}/{key}"


def segment_of(iri: str) -> str | None:
    """The kind of a resource by its IRI ("measure", "unit" …, "shape"), or None when it has no page."""
    if iri.startswith(SHAPES_NS):
        return "shape"
    if iri.startswith(BASE):
        segment, _, key = iri[len(BASE):].partition("/")
        if segment in SEGMENTS and KEY.match(key):
            return segment
    return None


def href(iri: str) -> str | None:
    """The path of the page of iri on this site, or None when it has none."""
    kind = segment_of(iri)
    if kind is None:
        return None
    if kind == "shape":
        return f"{request.script_root}{SHAPES_PATH}#{iri[len(SHAPES_NS):]}"
    return request.script_root + "/id/" + iri[len(BASE):]


def key_of(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
