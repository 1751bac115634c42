"""The facts a resource page shows, gathered in one or two queries.

The nine kinds that ``/api/`` serves (categories, measures, items, obligations, units, actors,
mechanisms, frequencies, regulations) are read with ``duty_api.run_detail``, so a page shows exactly
the facts of ``/api/`` and of ``dutygraph duties``; a second small query adds what only a page shows
(the duty shapes that check an item or obligation, why an item cannot be checked, the actor that is
the same body as a unit). The document, its issuing body and the editorial notes, which ``/api/``
does not serve, have their own query here. Every query goes through ``query_service.select``
anonymously, so a page sees the document graph and nothing of any kept run.

A page path is matched against the resource's IRI exactly: ``/id/unit/审计处`` or
``/id/unit/Audit-Office`` is not a page (``/api/units/审计处`` is how to ask by name).
"""

from __future__ import annotations

import pyoxigraph as ox

from . import duty_api
from .duty_api import COLLECTIONS, NotFound, by_part, labelled, ref_of, run, self_part, union_query
from .resource_links import SEGMENTS, iri_of, key_of

__all__ = ["NotFound", "facts", "api_json", "document_parts", "read_document", "grouped"]


def _focus(iri: str) -> str:
    return f"VALUES ?r {{ {ox.NamedNode(iri)} }}"


def own_values(self_rows: list[dict]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """A resource's literals as {local name: {language or "": value}}, and its types' local names."""
    own: dict[str, dict[str, str]] = {}
    types = []
    for row in self_rows:
        name = row["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name == "type":
            types.append(row["v"].rsplit("#", 1)[-1].rsplit("/", 1)[-1])
        else:
            own.setdefault(name, {})[row["lang"] or ""] = row["v"]
    return own, types


# -- the nine kinds of /api/ ----------------------------------------------------------------------

def shapes_part(iri: str, how: str) -> str:
    """The duty shapes that point at iri by how (dg:enforces, dg:enforcesObligation), with what else they check."""
    node = ox.NamedNode(iri)
    return f"""SELECT ?s ?s_zh ?s_en ?severity ?o ?o_zh ?o_en WHERE {{
  ?s {how} {node} ; sh:severity ?severity . {labelled("?s")}
  OPTIONAL {{ ?s dg:enforcesObligation ?o . {labelled("?o")} }}
}}"""


def extras_query(segment: str, iri: str) -> str | None:
    node = ox.NamedNode(iri)
    parts = {}
    if segment == "item":
        parts["shapes"] = shapes_part(iri, "dg:enforces")
        parts["why"] = f"SELECT ?v WHERE {{ {node} dg:notCheckableBecause ?v }}"
    elif segment == "obligation":
        parts["shapes"] = shapes_part(iri, "dg:enforcesObligation")
    elif segment == "unit":
        parts["same"] = f"SELECT ?x ?x_zh ?x_en WHERE {{ ?x dg:correspondingUnit {node} . {labelled('?x')} }}"
    return union_query(parts) if parts else None


def shapes_of(rows: list[dict]) -> list[dict]:
    """Duty shapes, each once, with the severity's local name and the obligations it checks."""
    shapes: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: (r["s"], r["o"] or "")):
        shape = shapes.setdefault(row["s"], {**ref_of(row, "s"), "severity": row["severity"].rsplit("#", 1)[-1],
                                             "obligations": []})
        shape.pop("api", None)
        if row["o"]:
            shape["obligations"].append(ref_of(row, "o"))
    return list(shapes.values())


def api_resource(segment: str, key: str, iri: str) -> dict:
    """The /api/ resource of iri (exactly that IRI: not a resource that merely has key as its name)."""
    resource = duty_api.run_detail(COLLECTIONS[SEGMENTS[segment]], key)
    if resource["iri"] != iri:
        raise NotFound()
    return resource


def api_json(segment: str, key: str) -> dict:
    """What /api/COLLECTION/KEY answers for the page path /id/SEGMENT/KEY (NotFound when nothing)."""
    iri = iri_of(segment, key)
    if iri is None:
        raise NotFound()
    if SEGMENTS[segment]:
        return api_resource(segment, key, iri)
    return PAGE_ONLY[segment](iri)


def with_extras(segment: str, iri: str, resource: dict) -> dict:
    query = extras_query(segment, iri)
    parts = by_part(run(query)) if query else {}
    if segment in ("item", "obligation"):
        resource["shapes"] = shapes_of(parts.get("shapes", []))
    if segment == "item":
        resource["not_checkable"] = {row["lang"] or "": row["v"] for row in parts.get("why", [])}
    if segment == "unit":
        resource["same_actor"] = next((ref_of(row, "x") for row in parts.get("same", [])), None)
    return resource


# -- the document, its issuer and the editorial notes ---------------------------------------------

def document_parts(focus: str) -> dict[str, str]:
    """The document of focus (binding ?r): its literals, issuer, and its categories with their measures."""
    return {
        "self": self_part(f"{focus} ?r a dg:Document ."),
        "issuer": f"SELECT ?x ?x_zh ?x_en WHERE {{ {focus} ?r a dg:Document ; dg:issuedBy ?x . {labelled('?x')} }}",
        "measures": f"""SELECT ?c ?c_zh ?c_en ?c_n ?m ?m_zh ?m_en ?m_n (COUNT(DISTINCT ?i) AS ?m_items) WHERE {{
  {focus} ?r a dg:Document ; dg:hasCategory ?c . ?c dg:number ?c_n ; dg:hasMeasure ?m . {labelled("?c")}
  ?m dg:number ?m_n . {labelled("?m")} OPTIONAL {{ ?m dg:hasItem ?i }}
}} GROUP BY ?c ?c_zh ?c_en ?c_n ?m ?m_zh ?m_en ?m_n""",
    }


def read_document(parts: dict) -> dict:
    """The document from the rows of document_parts: labels, titles, number, date, issuer, categories."""
    rows = parts.get("self", [])
    if not rows:
        raise NotFound()
    own, _ = own_values(rows)
    iri = rows[0]["r"]
    categories: dict[str, dict] = {}
    for row in sorted(parts.get("measures", []), key=lambda r: (r["c_n"], r["m_n"])):
        category = categories.setdefault(row["c"], {**ref_of(row, "c"), "number": row["c_n"], "measures": []})
        category["measures"].append({**ref_of(row, "m"), "number": row["m_n"], "items": row["m_items"]})
    issuer = parts.get("issuer", [])
    return {
        "iri": iri, "key": key_of(iri), "labels": own.get("label", {}),
        "title": own.get("title", {}), "notation": own.get("notation", {}).get(""),
        "issued": own.get("issued", {}).get(""), "source_file": own.get("source", {}).get(""),
        "issuer": ref_of(issuer[0], "x") if issuer else None,
        "categories": list(categories.values()),
    }


def document_facts(iri: str) -> dict:
    return read_document(by_part(run(union_query(document_parts(_focus(iri))))))


def organisation_facts(iri: str) -> dict:
    focus = _focus(iri)
    parts = by_part(run(union_query({
        "self": self_part(f"{focus} ?r a org:Organization ."),
        "issued": f"SELECT ?x ?x_zh ?x_en WHERE {{ {focus} ?x dg:issuedBy ?r . {labelled('?x')} }}",
    })))
    if not parts.get("self"):
        raise NotFound()
    own, _ = own_values(parts["self"])
    return {"iri": iri, "key": key_of(iri), "labels": own.get("label", {}),
            "issued_documents": [ref_of(row, "x") for row in sorted(parts.get("issued", []), key=lambda r: r["x"])]}


def note_facts(iri: str) -> dict:
    focus = _focus(iri)
    parts = by_part(run(union_query({
        "self": self_part(f"{focus} ?r a dg:EditorialNote ."),
        "on": f"SELECT ?x ?x_zh ?x_en WHERE {{ {focus} ?r dg:notedOn ?x . {labelled('?x')} }}",
    })))
    if not parts.get("self"):
        raise NotFound()
    own, _ = own_values(parts["self"])
    on = parts.get("on", [])
    return {"iri": iri, "key": key_of(iri), "labels": own.get("label", {}),
            "noted_on": ref_of(on[0], "x") if on else None,
            "verbatim_passage_zh": own.get("verbatimPassage", {}).get("zh"),
            "editorial_reading_zh": own.get("editorialReading", {}).get("zh"),
            "note_en": own.get("editorialNote", {}).get("en")}


PAGE_ONLY = {"document": document_facts, "organisation": organisation_facts, "note": note_facts}


def facts(segment: str, key: str) -> dict:
    """Everything the page of /id/SEGMENT/KEY shows; NotFound when the graph has no such resource."""
    iri = iri_of(segment, key)
    if iri is None:
        raise NotFound()
    if SEGMENTS[segment]:
        return with_extras(segment, iri, api_resource(segment, key, iri))
    return PAGE_ONLY[segment](iri)


# -- arranging for the page -----------------------------------------------------------------------

def grouped(entries: list[dict], measure_of=lambda e: e["measure"], category_of=None) -> list[dict]:
    """Entries (items, or obligations with their item) in document order grouped by category and measure:
    [{category, measures: [{measure, entries}]}] (category None when category_of is None)."""
    groups: list[dict] = []
    for entry in entries:
        category = category_of(entry) if category_of else None
        if not groups or (category and groups[-1]["category"]["iri"] != category["iri"]):
            groups.append({"category": category, "measures": []})
        measures = groups[-1]["measures"]
        measure = measure_of(entry)
        if not measures or measures[-1]["measure"]["iri"] != measure["iri"]:
            measures.append({"measure": measure, "entries": []})
        measures[-1]["entries"].append(entry)
    return groups


def by_item(obligations: list[dict]) -> list[dict]:
    """Obligations with their item and measure (actor, mechanism … pages) grouped by measure, then item,
    in the order of the text: [{measure, items: [{item, obligations}]}]."""
    def number(ref: dict) -> tuple[int, ...]:
        return tuple(int(part) for part in ref["key"].split("-") if part.isdigit())

    ordered = sorted(obligations, key=lambda o: (number(o["measure"]), number(o["item"])))  # stable: text order within
    out: list[dict] = []
    for obligation in ordered:
        if not out or out[-1]["measure"]["iri"] != obligation["measure"]["iri"]:
            out.append({"measure": obligation["measure"], "items": []})
        items = out[-1]["items"]
        if not items or items[-1]["item"]["iri"] != obligation["item"]["iri"]:
            items.append({"item": obligation["item"], "obligations": []})
        items[-1]["obligations"].append(obligation)
    return out
