"""The obligation graph around one resource, as nodes and edges for the graph view (``graph_view``).

The document's structure runs category — measure — content item, and everything that owes or is
used hangs on a content item: the accountable units (责任单位), the actors its obligations name, the
mechanisms they invoke. So a neighbourhood is built from the *content items of the focus* — those a
unit answers for, a measure or category holds, an actor acts in, a mechanism is invoked by, or the
item itself — and

- ``depth=1`` is those items with their measure and category and every unit, actor and mechanism
  attached to them (for unit 审计处: its five items, their measures and categories, the units that
  share them, the actors and mechanisms of their obligations);
- ``depth=2`` adds the items of the units, actors and mechanisms found at depth 1 (of the kinds
  shown), with the same context;
- without a focus, the view is the whole document (by default its skeleton: categories, measures,
  units).

The edges are ``accountable_for`` (unit → item), ``part_of`` (item → measure → category), ``acts_on``
(actor → item: an obligation stated in the item names the actor) and ``invokes`` (item →
mechanism). Kinds left out are *contracted*, not just dropped: with items hidden a unit's edge goes
to the item's measure (or category), so the skeleton still says who answers for which measure.

It takes one SPARQL query (sub-SELECTs joined by UNION, each row tagged with its part) through
``query_service.select``, so the service's time and row limits apply; the answer is capped at
``GRAPH_NODE_LIMIT`` nodes (400 unless configured; none of this document's views comes near it),
and says so when the cap cut it. A focus never reaches the query as text: it is parsed into a kind
and a key checked against the key syntax, or written as an escaped RDF literal to match labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import current_app, request

from ..namespaces import BASE
from . import query_service

DEFAULT_NODE_LIMIT = 400
DEPTHS = (1, 2)
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


@dataclass(frozen=True)
class Kind:
    name: str  # also the IRI segment under the id base
    cls: str
    labels: dict
    plural: dict


KINDS = {k.name: k for k in (
    Kind("category", "dg:Category", {"zh": "类别", "en": "category"}, {"zh": "类别", "en": "Categories"}),
    Kind("measure", "dg:Measure", {"zh": "工作措施", "en": "work measure"}, {"zh": "工作措施", "en": "Work measures"}),
    Kind("item", "dg:ContentItem", {"zh": "主要内容", "en": "content item"}, {"zh": "主要内容", "en": "Content items"}),
    Kind("unit", "dg:AccountableUnit", {"zh": "责任单位", "en": "accountable unit"}, {"zh": "责任单位", "en": "Accountable units"}),
    Kind("actor", "dg:Actor", {"zh": "履责主体", "en": "actor"}, {"zh": "履责主体", "en": "Actors and roles"}),
    Kind("mechanism", "dg:Mechanism", {"zh": "制度机制", "en": "mechanism"}, {"zh": "制度机制", "en": "Mechanisms"}),
)}
STRUCTURE = ("item", "measure", "category")  # what part_of chains, innermost first
ATTACHED = ("unit", "actor", "mechanism")  # what hangs on items
# A bare key is looked for in this order: "audit-office" is the unit before the actor, "1" the measure.
KEY_PRECEDENCE = ("unit", "measure", "actor", "mechanism", "item", "category")
DEFAULT_KINDS = tuple(KINDS)
SKELETON_KINDS = ("category", "measure", "unit")
# The order nodes are kept in when the cap cuts: the focus first, then the document's structure.
NODE_ORDER = ("item", "measure", "category", "unit", "actor", "mechanism")

EDGE_KINDS = {
    "accountable_for": {"zh": "负责", "en": "accountable for"},
    "part_of": {"zh": "属于", "en": "part of"},
    "acts_on": {"zh": "履行", "en": "acts on"},
    "invokes": {"zh": "运用", "en": "invokes"},
}

# How each kind reaches its content items: a pattern from {f} (the resource) to {i} (an item).
ITEMS_OF = {
    "unit": "{f} dg:accountableFor {i} .",
    "measure": "{f} dg:hasItem {i} .",
    "category": "{f} dg:hasMeasure/dg:hasItem {i} .",
    "item": "VALUES {i} {{ {f} }} {i} a dg:ContentItem .",
    "actor": "[] dg:actor {f} ; dg:statedIn {i} .",
    "mechanism": "[] dg:invokes {f} ; dg:statedIn {i} .",
}
# How an item reaches what hangs on it: a pattern from {i} to {x}.
ATTACHED_TO = {
    "unit": "{x} dg:accountableFor {i} .",
    "actor": "[] dg:statedIn {i} ; dg:actor {x} .",
    "mechanism": "[] dg:statedIn {i} ; dg:invokes {x} .",
}


class FocusNotFound(Exception):
    """The focus names nothing the graph view shows (404)."""


class BadRequest(ValueError):
    """A depth or kind that does not exist (400)."""


@dataclass(frozen=True)
class Focus:
    iri: str
    kind: str

    @property
    def key(self) -> str:
        return self.iri.rsplit("/", 1)[1]


@dataclass
class Neighbourhood:
    focus: dict | None
    depth: int
    kinds: tuple[str, ...]
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    node_limit: int = DEFAULT_NODE_LIMIT
    truncated: bool = False
    total_nodes: int = 0

    def as_json(self) -> dict:
        counts = {kind: sum(1 for n in self.nodes if n["kind"] == kind) for kind in KINDS}
        out = {"focus": self.focus, "depth": self.depth, "kinds": list(self.kinds), "nodes": self.nodes,
               "edges": self.edges, "counts": counts, "node_limit": self.node_limit, "truncated": self.truncated}
        if self.truncated:
            out["note"] = {
                "zh": f"此视图有 {self.total_nodes} 个节点，超过上限 {self.node_limit}，只显示前 {self.node_limit} 个；请减小深度或隐藏一些类型。",
                "en": f"This view has {self.total_nodes} nodes, more than the limit of {self.node_limit}: only the first "
                      f"{self.node_limit} are shown. Lower the depth or hide some kinds.",
            }
        return out


# -- parameters -----------------------------------------------------------------------------------

def parse_depth(value: str | None) -> int:
    if value in (None, ""):
        return 1
    if value.strip() not in ("1", "2"):
        raise BadRequest(f"depth must be 1 or 2, not {value!r}")
    return int(value)


def parse_kinds(values: list[str] | None, *, focused: bool) -> tuple[str, ...]:
    """The kinds to show: ``kinds=unit,item`` or ``kinds=unit&kinds=item``; absent: all (the skeleton without
    a focus); present but empty: none but the focus."""
    if values is None:
        return DEFAULT_KINDS if focused else SKELETON_KINDS
    asked = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = sorted(set(asked) - set(KINDS))
    if unknown:
        raise BadRequest(f"unknown kind {', '.join(unknown)}; the kinds are: {', '.join(KINDS)}")
    return tuple(kind for kind in KINDS if kind in asked)


def local_url(iri: str) -> str:
    """The resource's page on this site: the IRI's path (/id/KIND/KEY)."""
    return f"{request.script_root}/id/{iri[len(BASE):]}"


# -- the focus ------------------------------------------------------------------------------------

def resolve_focus(wanted: str) -> Focus:
    """The resource a focus names: its IRI, /id/KIND/KEY, KIND/KEY, a bare key, or a unit's, actor's or
    mechanism's Chinese or English label (any case)."""
    text = wanted.strip()
    if text.startswith(BASE):
        path = text[len(BASE):]
    elif text.startswith("/id/"):
        path = text[len("/id/"):]
    elif "/" in text:
        path = text
    else:
        path = None
    if path is not None:
        segment, _, key = path.partition("/")
        if segment not in KINDS or not _KEY.match(key):
            raise FocusNotFound(_not_found(wanted))
        candidates = [(segment, f"{BASE}{segment}/{key}")]
        label = None
    else:
        candidates = [(kind, f"{BASE}{kind}/{text}") for kind in KEY_PRECEDENCE] if _KEY.match(text) else []
        label = text
    branches = [f"{{ VALUES ?r {{ {ox.NamedNode(iri)} }} ?r a {KINDS[kind].cls} . BIND(\"{kind}\" AS ?kind) }}"
                for kind, iri in candidates]
    if label:
        literal = str(ox.Literal(label.lower()))
        for kind in ATTACHED:
            branches.append(f'{{ ?r a {KINDS[kind].cls} ; rdfs:label ?name . FILTER(LCASE(STR(?name)) = {literal}) '
                            f'FILTER(STRSTARTS(STR(?r), "{BASE}{kind}/")) BIND("{kind}" AS ?kind) }}')
    if not branches:
        raise FocusNotFound(_not_found(wanted))
    rows = query_service.select("SELECT DISTINCT ?r ?kind WHERE {\n" + "\nUNION\n".join(branches) + "\n}")
    found = {(row["kind"]["value"], row["r"]["value"]) for row in rows["results"]["bindings"]}
    for kind in KEY_PRECEDENCE:
        matches = sorted(iri for k, iri in found if k == kind)
        if matches:
            return Focus(matches[0], kind)
    raise FocusNotFound(_not_found(wanted))


def _not_found(wanted: str) -> str:
    return (f"no unit, measure, item, category, actor or mechanism is {wanted!r}; give an IRI, /id/KIND/KEY, "
            f"KIND/KEY (e.g. unit/audit-office, measure/16), a key or a label")


# -- the query ------------------------------------------------------------------------------------

def labelled(var: str) -> str:
    return f'{var} rdfs:label {var}_zh , {var}_en . FILTER(lang({var}_zh) = "zh" && lang({var}_en) = "en")'


def item_set(focus: Focus | None, depth: int, kinds: tuple[str, ...]) -> str:
    """A sub-SELECT binding ?i to every content item of the view."""
    if focus is None:
        return "{ SELECT DISTINCT ?i WHERE { ?i a dg:ContentItem } }"
    f = str(ox.NamedNode(focus.iri))
    direct = ITEMS_OF[focus.kind].format(f=f, i="?i")
    if depth == 1:
        return f"{{ SELECT DISTINCT ?i WHERE {{ {direct} }} }}"
    first = ITEMS_OF[focus.kind].format(f=f, i="?i0")
    hops = [ATTACHED_TO[kind].format(i="?i0", x="?x0") + " " + ATTACHED_TO[kind].format(i="?i", x="?x0")
            for kind in ATTACHED if kind in kinds]
    if not hops:
        return f"{{ SELECT DISTINCT ?i WHERE {{ {direct} }} }}"
    wider = " UNION ".join(f"{{ {first} {hop} }}" for hop in hops)
    return f"{{ SELECT DISTINCT ?i WHERE {{ {{ {direct} }} UNION {wider} }} }}"


def neighbourhood_query(focus: Focus | None, depth: int, kinds: tuple[str, ...]) -> str:
    items = item_set(focus, depth, kinds)
    parts = {
        "items": f"""SELECT ?i ?i_zh ?i_en ?i_pos ?m ?m_zh ?m_en ?m_n ?c ?c_zh ?c_en ?c_n WHERE {{
      {items}
      ?i dg:sourceStart ?i_pos ; dg:ofMeasure ?m . {labelled("?i")}
      ?m dg:number ?m_n ; dg:inCategory ?c . {labelled("?m")}
      ?c dg:number ?c_n . {labelled("?c")} }}""",
    }
    for kind in ATTACHED:
        parts[kind] = (f"SELECT DISTINCT ?i ?x ?x_zh ?x_en WHERE {{ {items} {ATTACHED_TO[kind].format(i='?i', x='?x')} "
                       f"{labelled('?x')} }}")
    if focus is not None:
        parts["focus"] = (f"SELECT ?x ?x_zh ?x_en ?x_n WHERE {{ VALUES ?x {{ {ox.NamedNode(focus.iri)} }} {labelled('?x')} "
                          f"OPTIONAL {{ ?x dg:number ?x_n }} }}")
    branches = [f'{{ BIND("{name}" AS ?part) {{ {body} }} }}' for name, body in parts.items()]
    return "SELECT * WHERE {\n" + "\nUNION\n".join(branches) + "\n}"


# -- assembling -----------------------------------------------------------------------------------

def _text(binding: dict, var: str):
    term = binding.get(var)
    if term is None:
        return None
    if term.get("datatype") == "http://www.w3.org/2001/XMLSchema#integer":
        return int(term["value"])
    return term["value"]


def _node(iri: str, kind: str, zh: str, en: str, number: int | None = None) -> dict:
    node = {"id": iri, "kind": kind, "key": iri.rsplit("/", 1)[1], "labels": {"zh": zh, "en": en}, "url": local_url(iri)}
    if number is not None:
        node["number"] = number
    return node


def _sort_key(node: dict, positions: dict[str, int]):
    kind = node["kind"]
    if kind == "item":
        return (positions.get(node["id"], 0), node["id"])
    if kind in ("measure", "category"):
        return (node.get("number", 0), node["id"])
    return (node["labels"]["zh"], node["id"])


def neighbourhood(focus: Focus | None, depth: int, kinds: tuple[str, ...]) -> Neighbourhood:
    """The view's nodes and edges (see the module docstring)."""
    results = query_service.select(neighbourhood_query(focus, depth, kinds))
    nodes: dict[str, dict] = {}
    parent: dict[str, str] = {}  # item -> measure -> category
    positions: dict[str, int] = {}
    raw_edges: list[tuple[str, str, str]] = []
    for binding in results["results"]["bindings"]:
        row = {var: _text(binding, var) for var in binding}
        part = row["part"]
        if part == "items":
            nodes.setdefault(row["i"], _node(row["i"], "item", row["i_zh"], row["i_en"]))
            nodes.setdefault(row["m"], _node(row["m"], "measure", row["m_zh"], row["m_en"], row["m_n"]))
            nodes.setdefault(row["c"], _node(row["c"], "category", row["c_zh"], row["c_en"], row["c_n"]))
            positions[row["i"]] = row["i_pos"]
            parent[row["i"]], parent[row["m"]] = row["m"], row["c"]
        elif part in ATTACHED:
            nodes.setdefault(row["x"], _node(row["x"], part, row["x_zh"], row["x_en"]))
            raw_edges.append((row["i"], row["x"], "invokes") if part == "mechanism"
                             else (row["x"], row["i"], "accountable_for" if part == "unit" else "acts_on"))
        elif part == "focus":
            nodes.setdefault(row["x"], _node(row["x"], focus.kind, row["x_zh"], row["x_en"], row.get("x_n")))
    for child, up in parent.items():
        raw_edges.append((child, up, "part_of"))
    focus_node = None
    if focus is not None:
        if focus.iri not in nodes:  # labelled in one language only, or not at all: still the focus
            nodes[focus.iri] = _node(focus.iri, focus.kind, focus.key, focus.key)
        focus_node = nodes[focus.iri]
        focus_node["focus"] = True

    visible = {iri for iri, node in nodes.items() if node["kind"] in kinds or node.get("focus")}

    def anchor(iri: str) -> str | None:
        """The node itself when shown, else (for the structure) its nearest shown ancestor."""
        while iri not in visible:
            if nodes[iri]["kind"] not in STRUCTURE or iri not in parent:
                return None
            iri = parent[iri]
        return iri

    edges: dict[tuple[str, str, str], dict] = {}
    for source, target, kind in raw_edges:
        source, target = anchor(source), anchor(target)
        if source and target and source != target:
            edges.setdefault((source, target, kind), {
                "id": f"{kind}:{source}->{target}", "source": source, "target": target, "kind": kind,
                "labels": EDGE_KINDS[kind]})

    ordered = sorted((nodes[iri] for iri in visible),
                     key=lambda n: (not n.get("focus"), NODE_ORDER.index(n["kind"]), _sort_key(n, positions)))
    limit = int(current_app.config.get("GRAPH_NODE_LIMIT", DEFAULT_NODE_LIMIT))
    kept = ordered[:limit]
    kept_ids = {n["id"] for n in kept}
    kept_edges = [e for e in sorted(edges.values(), key=lambda e: e["id"])
                  if e["source"] in kept_ids and e["target"] in kept_ids]
    return Neighbourhood(focus=focus_node, depth=depth, kinds=kinds, nodes=kept,
                         edges=kept_edges, node_limit=limit, truncated=len(ordered) > limit, total_nodes=len(ordered))


# -- the chooser ----------------------------------------------------------------------------------

CHOOSER_KINDS = ("unit", "measure", "actor", "mechanism", "category")


def chooser() -> dict[str, list[dict]]:
    """Every unit, measure, actor, mechanism and category, by kind, to pick a focus from."""
    branches = [f'{{ ?x a {KINDS[kind].cls} . FILTER(STRSTARTS(STR(?x), "{BASE}{kind}/")) BIND("{kind}" AS ?kind) '
                f'{labelled("?x")} OPTIONAL {{ ?x dg:number ?x_n }} }}' for kind in CHOOSER_KINDS]
    results = query_service.select("SELECT ?kind ?x ?x_zh ?x_en ?x_n WHERE {\n" + "\nUNION\n".join(branches) + "\n}")
    out: dict[str, list[dict]] = {kind: [] for kind in CHOOSER_KINDS}
    seen = set()
    for binding in results["results"]["bindings"]:
        row = {var: _text(binding, var) for var in binding}
        if (row["kind"], row["x"]) in seen:
            continue
        seen.add((row["kind"], row["x"]))
        out[row["kind"]].append(_node(row["x"], row["kind"], row["x_zh"], row["x_en"], row.get("x_n")))
    for kind, members in out.items():
        members.sort(key=lambda n: _sort_key(n, {}))
    return out
