"""/graph: the obligation graph around a unit, measure, item, category, actor or mechanism, to explore.

- ``GET /graph.json?focus=…&depth=1|2&kinds=…``: the neighbourhood as JSON — ``nodes`` (``id`` = the
  IRI, ``kind``, ``key``, ``labels`` zh/en, ``url`` = its page /id/KIND/KEY, ``number`` for measures and
  categories, ``focus``), ``edges`` (``source``, ``target``, ``kind``, ``labels``), the ``counts`` by
  kind, and ``truncated`` (with a ``note``) when the node cap cut it. Built by
  ``graph_neighbourhood``; what depth 1 and 2 mean is said there. An unknown focus is 404, a bad
  depth or kind 400, both as ``{"error": …}``.
- ``GET /graph?focus=…``: the page. With JavaScript, cytoscape draws the JSON in ``#graph`` (colours
  by kind, with a legend; a click on a node opens its page); the kind checkboxes and the depth
  reload the view (so its URL is always shareable). Without JavaScript the same neighbourhood is
  there as nested lists of links (category → measure → item, each item with its units, actors
  and mechanisms). Without a focus the page shows the document's skeleton and a chooser of every
  unit, measure, actor, mechanism and category.

The page loads only this site's scripts (``static/vendor/cytoscape-*.min.js``, ``graph-view.js``);
cytoscape needs no ``eval``, so the pages' Content-Security-Policy is kept as it is.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from . import i18n
from .graph_assets import vendor_url, version
from .graph_neighbourhood import (ATTACHED, EDGE_KINDS, KINDS, STRUCTURE, BadRequest, FocusNotFound, Neighbourhood,
                                  chooser, neighbourhood, parse_depth, parse_kinds, resolve_focus)
from .limits import Busy
from .page_context import render
from .query_runner import QueryFailed, QuerySyntaxError, QueryTimeout

bp = Blueprint("graph_view", __name__)

i18n.register({
    "graph.title": {"zh": "职责关系图", "en": "Obligation graph"},
    "graph.title_focus": {"zh": "关系图：{label}", "en": "Graph around {label}"},
    "graph.intro": {
        "zh": "责任单位、主要内容、工作措施、类别、履责主体与制度机制之间的关系。点击节点打开其页面。",
        "en": "How accountable units, content items, work measures, categories, actors and mechanisms are linked. "
              "Click a node to open its page."},
    "graph.skeleton": {"zh": "未选定中心时显示整份文件的骨架：类别、措施及其责任单位。勾选更多类型可看全部内容。",
                       "en": "Without a focus the view is the whole document's skeleton: categories, measures and their "
                             "accountable units. Tick more kinds to see everything."},
    "graph.depth_help": {"zh": "深度 1：中心的主要内容及与之相连的一切；深度 2：再加上这些单位、主体、机制的其他主要内容。",
                         "en": "Depth 1: the focus's content items and everything attached to them; depth 2: also the "
                               "other items of the units, actors and mechanisms found."},
    "graph.focus": {"zh": "中心", "en": "Focus"},
    "graph.focus_placeholder": {"zh": "如 unit/audit-office、measure/16、审计处", "en": "e.g. unit/audit-office, measure/16, Audit Office"},
    "graph.depth": {"zh": "深度", "en": "Depth"},
    "graph.kinds": {"zh": "显示类型", "en": "Show"},
    "graph.show": {"zh": "显示", "en": "Show"},
    "graph.whole": {"zh": "整份文件", "en": "Whole document"},
    "graph.legend": {"zh": "图例", "en": "Legend"},
    "graph.edges": {"zh": "连线", "en": "Edges"},
    "graph.as_list": {"zh": "以列表查看", "en": "As a list"},
    "graph.json": {"zh": "JSON 数据", "en": "as JSON"},
    "graph.loading": {"zh": "正在绘制关系图……", "en": "Drawing the graph…"},
    "graph.noscript": {"zh": "关系图需要 JavaScript；下面的列表显示同样的内容。",
                       "en": "The drawing needs JavaScript; the list below shows the same neighbourhood."},
    "graph.empty": {"zh": "此视图中没有可显示的节点。", "en": "Nothing to show in this view."},
    "graph.choose": {"zh": "选择中心", "en": "Choose a focus"},
    "graph.not_found": {"zh": "找不到这个中心", "en": "No such focus"},
    "graph.bad_request": {"zh": "请求有误", "en": "Bad request"},
    "graph.unavailable": {"zh": "暂时无法生成关系图", "en": "The graph cannot be drawn just now"},
    "graph.other_nodes": {"zh": "其他节点", "en": "Other nodes"},
    "graph.open_page": {"zh": "页面", "en": "page"},
    "graph.centre_here": {"zh": "以此为中心", "en": "centre here"},
    "graph.library": {"zh": "绘图：cytoscape {version}", "en": "Drawing: cytoscape {version}"},
    "graph.short.category": {"zh": "类别", "en": "Category"},
    "graph.short.measure": {"zh": "措施", "en": "Measure"},
    **{f"graph.kind.{name}": kind.labels for name, kind in KINDS.items()},
    **{f"graph.kinds.{name}": kind.plural for name, kind in KINDS.items()},
    **{f"graph.edge.{name}": labels for name, labels in EDGE_KINDS.items()},
})


class Refusal(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.headers = status, headers or {}


def _kinds_arg() -> list[str] | None:
    return request.args.getlist("kinds") if "kinds" in request.args else None


def _build() -> Neighbourhood:
    """The neighbourhood the request asks for, or a Refusal saying why not."""
    config = current_app.config
    try:
        depth = parse_depth(request.args.get("depth"))
        wanted = request.args.get("focus", "").strip()
        kinds = parse_kinds(_kinds_arg(), focused=bool(wanted))
        focus = resolve_focus(wanted) if wanted else None
        return neighbourhood(focus, depth, kinds)
    except BadRequest as error:
        raise Refusal(400, str(error)) from None
    except FocusNotFound as error:
        raise Refusal(404, str(error)) from None
    except QuerySyntaxError as error:  # a bug here, never the caller's
        current_app.logger.error("graph view query: %s", error)
        raise Refusal(500, f"the graph query could not be evaluated: {error}") from None
    except QueryTimeout as error:
        raise Refusal(504, str(error)) from None
    except QueryFailed as error:
        current_app.logger.error("graph view query failed: %s", error)
        raise Refusal(500, f"the graph query could not be evaluated: {error}") from None
    except Busy:
        retry = str(config["RETRY_AFTER_SECONDS"])
        raise Refusal(503, f"too many queries at once (limit {config['MAX_CONCURRENT_QUERIES']}); retry in {retry} s",
                      {"Retry-After": retry}) from None


def _json(data, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")
    response.headers.update(headers or {})
    return response


@bp.get("/graph.json")
def graph_json():
    try:
        view = _build()
    except Refusal as refusal:
        return _json({"error": str(refusal)}, refusal.status, refusal.headers)
    return _json(view.as_json())


# -- the page -------------------------------------------------------------------------------------

def outline(view: Neighbourhood) -> dict:
    """The neighbourhood as nested lists: the structure (category → measure → item) as a tree, each
    node with what is attached to it by kind, and the nodes attached to nothing shown on their own."""
    by_id = {n["id"]: n for n in view.nodes}
    children: dict[str, list[str]] = {}
    attached: dict[str, dict[str, list[str]]] = {}
    has_parent, placed = set(), set()
    for edge in view.edges:
        source, target = by_id[edge["source"]], by_id[edge["target"]]
        if edge["kind"] == "part_of":
            children.setdefault(target["id"], []).append(source["id"])
            has_parent.add(source["id"])
        else:
            structure, other = (target, source) if target["kind"] in STRUCTURE else (source, target)
            attached.setdefault(structure["id"], {}).setdefault(other["kind"], []).append(other["id"])
            placed.add(other["id"])
    order = {n["id"]: i for i, n in enumerate(view.nodes)}

    def entry(node_id: str) -> dict:
        node = by_id[node_id]
        return {
            "node": node,
            "attached": [{"kind": kind, "nodes": [by_id[i] for i in sorted(set(ids), key=order.get)]}
                         for kind, ids in sorted(attached.get(node_id, {}).items(), key=lambda kv: ATTACHED.index(kv[0]))],
            "children": [entry(c) for c in sorted(set(children.get(node_id, [])), key=order.get)],
        }

    structure_kinds = ("category", "measure", "item")
    roots = sorted((n["id"] for n in view.nodes if n["kind"] in structure_kinds and n["id"] not in has_parent),
                   key=lambda i: (structure_kinds.index(by_id[i]["kind"]), order[i]))
    others = [n for n in view.nodes if n["kind"] not in STRUCTURE and n["id"] not in placed]
    return {"roots": [entry(r) for r in roots], "others": others}


def _query_string() -> str:
    """This view's parameters, for its /graph.json (the kinds given joined by commas; kinds= kept when empty)."""
    args = [(name, request.args.get(name, "").strip()) for name in ("focus", "depth") if request.args.get(name, "").strip()]
    if "kinds" in request.args:
        args.append(("kinds", ",".join(k for k in request.args.getlist("kinds") if k)))
    return urlencode(args)


@bp.get("/graph")
def graph_page():
    status, error, view = 200, None, None
    try:
        view = _build()
    except Refusal as refusal:
        status, error = refusal.status, refusal
    wanted = request.args.get("focus", "").strip()
    try:
        choices = chooser()  # the focus field's suggestions; listed in full without a focus
    except (Busy, QueryTimeout, QueryFailed):
        choices = None
    query = _query_string()
    data = view.as_json() if view is not None else None
    words = {"kinds": {name: i18n.t(f"graph.kind.{name}") for name in KINDS},
             "edges": {name: i18n.t(f"graph.edge.{name}") for name in EDGE_KINDS},
             "short": {name: i18n.t(f"graph.short.{name}") for name in ("category", "measure")}}
    page = render(
        "graph.html", status=status, view=data, outline=outline(view) if view is not None else None,
        error=error, error_title=i18n.t({400: "graph.bad_request", 404: "graph.not_found"}.get(status, "graph.unavailable")),
        wanted=wanted, depth=view.depth if view else 1, shown=set(view.kinds) if view else set(),
        kinds=KINDS, edge_kinds=EDGE_KINDS, choices=choices, words=words, focused=bool(view and view.focus),
        json_url=f"{request.script_root}/graph.json" + (f"?{query}" if query else ""),
        cytoscape_js=vendor_url("cytoscape", "js"), cytoscape_licence=vendor_url("cytoscape", "licence"),
        cytoscape_version=version("cytoscape"),
    )
    if error is not None:
        page.headers.update(error.headers)
    return page
