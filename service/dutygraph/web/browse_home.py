"""The home page's facts: the document, its categories and measures, and the units with their duties.

One query: the document's parts (``resource_facts.document_parts``, as the document's own page has
them) and ``/api/units``' list query side by side. A unit's count is the number of content items it
is accountable for (``dg:accountableFor``), the number of rows ``dutygraph duties --unit`` prints.
"""

from __future__ import annotations

from .duty_api import COLLECTIONS, by_part, list_query, ref_of, run, union_query
from .resource_facts import document_parts, read_document


def home_facts() -> dict:
    parts = document_parts("")
    parts["units"] = list_query(COLLECTIONS["units"])
    rows = by_part(run(union_query(parts)))
    document = read_document(rows)
    units = [{**ref_of(row, "r"), "items": row["items"], "measures": row["measures"], "categories": row["categories"]}
             for row in rows.get("units", [])]
    units.sort(key=lambda u: (-u["items"], u["key"]))
    return {"document": document, "units": units,
            "counts": {"categories": len(document["categories"]),
                       "measures": sum(len(c["measures"]) for c in document["categories"]),
                       "items": sum(m["items"] for c in document["categories"] for m in c["measures"]),
                       "units": len(units)}}
