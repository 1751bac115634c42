"""/editor: a SPARQL editor (YASGUI) on this site's /sparql, with the canned questions as tabs.

The page is for people who want to write SPARQL without installing anything: one tab per canned
question of ``queries/`` (named by its title in the page's language), each ready to run — its
parameters bound, in a ``VALUES`` block, to the example its ``# param:`` header gives, or left
``UNDEF`` with a comment saying what to set — and the ``PREFIX`` lines the query uses written out,
since the endpoint predeclares them but the editor's syntax check does not know that.

Nothing leaves the site (docs/front-end.md): the editor queries only ``/sparql`` (POST), its
endpoint list holds only that, prefix autocompletion uses YASQE's bundled list plus ours (no
prefix.cc), class and property autocompletion uses the terms of our own graph (not the Linked
Open Vocabularies API YASQE asks by default), and nothing is persisted — not even in the browser's
local storage — so every visit opens with the canned tabs. A query is shared by URL: YASGUI's
share link (``/editor#query=…``) or ``/editor?query=…`` opens it in a tab of its own; whatever
endpoint or request options such a link names are replaced by ours.

Without JavaScript the page is a plain form that POSTs to /sparql (the form of the old /sparql
page, which now redirects browsers here) and the list of canned questions with links to
``/queries/NAME``. The page's scripts come only from this site; YASGUI needs no ``eval``, so the
pages' Content-Security-Policy of ``page_context`` is kept as it is.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, current_app, request

from ..namespaces import BASE, PREFIXES
from ..queries import CannedQuery, list_canned_queries
from . import i18n, query_service
from .graph_assets import vendor_url, version
from .limits import Busy
from .negotiation import GRAPH_FORMATS, RESULT_FORMATS
from .page_context import render
from .query_runner import QueryFailed, QueryTimeout
from .service_description import EXAMPLE_QUERY

bp = Blueprint("sparql_editor", __name__)

i18n.register({
    "editor.title": {"zh": "SPARQL 查询编辑器", "en": "SPARQL editor"},
    "editor.intro": {
        "zh": "在本站的 SPARQL 端点 /sparql 上编写并运行只读查询（SPARQL 1.1）。每个标签页是一个预设问题，参数已填入示例值，可直接运行（Ctrl+Enter）或修改。",
        "en": "Write and run read-only SPARQL 1.1 queries on this site's endpoint, /sparql. Each tab is a canned "
              "question with its parameters set to an example: run it as it is (Ctrl+Enter) or change it."},
    "editor.limits": {"zh": "前缀 dg:、id:、rdfs:、skos: 等已预先声明。每个查询最多运行 {time} 秒，最多返回 {rows} 行。",
                      "en": "The prefixes dg:, id:, rdfs:, skos: … are predeclared. A query may run {time} s and "
                            "returns at most {rows} rows."},
    "editor.share": {"zh": "分享查询：用编辑器的分享按钮，或打开 /editor?query=（查询文本经 URL 编码）。",
                     "en": "To share a query use the editor's share button, or open /editor?query= followed by the "
                           "URL-encoded query."},
    "editor.nothing_kept": {"zh": "本页不保存任何内容，也不向其他网站发送任何请求。",
                            "en": "This page keeps nothing and sends nothing to any other site."},
    "editor.noscript": {"zh": "本页的编辑器需要 JavaScript。没有 JavaScript 时，可在下面的表单中输入查询并提交到 /sparql。",
                        "en": "The editor needs JavaScript. Without it, type a query in the form below and send it to "
                              "/sparql."},
    "editor.query": {"zh": "查询", "en": "Query"},
    "editor.format": {"zh": "结果格式", "en": "Format"},
    "editor.run": {"zh": "运行查询", "en": "Run query"},
    "editor.questions": {"zh": "预设问题", "en": "Canned questions"},
    "editor.shared_tab": {"zh": "分享的查询", "en": "Shared query"},
    "editor.params_intro": {
        "zh": "参数在 WHERE { 之后的 VALUES 中绑定：改那里的值即可，写 UNDEF 表示不限。",
        "en": "Parameters are bound in the VALUES block after WHERE {: change a value there, or write UNDEF "
              "for any value."},
    "editor.param_bound": {"zh": "示例值", "en": "example"},
    "editor.param_unset": {"zh": "未设（UNDEF），请填入", "en": "not set (UNDEF): set it to"},
    "editor.libraries": {"zh": "编辑器：YASGUI {version}（@zazuko/yasgui）", "en": "Editor: YASGUI {version} (@zazuko/yasgui)"},
})

# The example a "# param:" description gives: "…, e.g. 组织部, Audit Office, audit-office" -> 组织部.
_EXAMPLE = re.compile(r"\be\.g\.\s*(.+)$")
_EXAMPLE_SEPARATOR = re.compile(r",\s*|\s+or\s+")


def example_value(description: str) -> str | None:
    match = _EXAMPLE.search(description)
    if not match:
        return None
    first = _EXAMPLE_SEPARATOR.split(match.group(1).strip())[0].strip().rstrip(".")
    return first or None


def _header_end(sparql: str) -> int:
    """Where the query proper starts: after the header's comment (and blank) lines."""
    offset = 0
    for line in sparql.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        offset += len(line)
    return offset


def used_prefixes(sparql: str) -> list[str]:
    """The predeclared prefixes the query uses (outside comments) and does not declare itself."""
    body = "\n".join("" if line.lstrip().startswith("#") else line for line in sparql.splitlines())
    declared = set(re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w-]*)?:", body))
    return [name for name in PREFIXES if name not in declared and re.search(rf"(?<![\w:/#-]){re.escape(name)}:", body)]


def tab_query(query: CannedQuery) -> str:
    """The canned query ready to run in the editor (see the module docstring)."""
    values = {p.name: example_value(p.description) for p in query.parameters}
    values = {name: value for name, value in values.items() if value is not None}
    # bind() insists on required values; a parameter without an example is left UNDEF here instead
    relaxed = replace(query, parameters=tuple(replace(p, required=False) for p in query.parameters))
    bound = relaxed.bind(values)
    start = _header_end(bound)
    lines = []
    if query.parameters:
        lines.append(f"# {i18n.t('editor.params_intro')}")
        for p in query.parameters:
            if p.name in values:
                lines.append(f"#   ?{p.name} = \"{values[p.name]}\" ({i18n.t('editor.param_bound')})")
            else:
                lines.append(f"#   ?{p.name}: {i18n.t('editor.param_unset')} {p.description}")
    lines += [f"PREFIX {name}: <{PREFIXES[name]}>" for name in used_prefixes(bound[start:])]
    head = bound[:start]
    if head and not head.endswith("\n"):
        head += "\n"
    return head + "".join(line + "\n" for line in lines) + bound[start:]


def tabs() -> list[dict]:
    """One tab per canned question, in the order of /queries."""
    lang = i18n.current_language()
    out = []
    for query in list_canned_queries():
        title = {"zh": query.title_zh, "en": query.title_en}
        out.append({"id": f"canned-{query.name}", "name": query.name, "title": title, "label": title[lang],
                    "query": tab_query(query), "url": f"{request.script_root}/queries/{query.name}",
                    "page": answer_page(query)})
    return out


def answer_page(query: CannedQuery) -> str:
    """Where the question's answer is for a browser: /queries/NAME with the examples as parameters, or the
    question's form in the list of /queries when a required parameter has no example."""
    examples = {p.name: example_value(p.description) for p in query.parameters}
    if any(p.required and examples[p.name] is None for p in query.parameters):
        return f"{request.script_root}/queries?format=html#{query.name}"
    given = [(name, value) for name, value in examples.items() if value is not None] + [("format", "html")]
    return f"{request.script_root}/queries/{query.name}?{urlencode(given)}"


TERMS_QUERY = """SELECT DISTINCT ?term ?kind WHERE {
  { { ?x a ?term } UNION { ?term a owl:Class } UNION { ?term a rdfs:Class } BIND("class" AS ?kind) }
  UNION
  { { ?x ?term ?y } UNION { VALUES ?type { rdf:Property owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
      ?term a ?type } BIND("property" AS ?kind) }
  FILTER(isIRI(?term))
} ORDER BY ?kind ?term"""


def vocabulary_terms() -> dict[str, list[str]]:
    """The classes and properties of the graph, for the editor's autocompletion (best effort)."""
    try:
        results = query_service.select(TERMS_QUERY)
    except (Busy, QueryTimeout, QueryFailed) as error:
        current_app.logger.warning("editor: no autocompletion terms (%s)", error)
        return {"class": [], "property": []}
    terms: dict[str, list[str]] = {"class": [], "property": []}
    for row in results["results"]["bindings"]:
        terms[row["kind"]["value"]].append(row["term"]["value"])
    return terms


def editor_config() -> dict:
    """What editor.js needs, embedded in the page as JSON (the page runs no inline script)."""
    lang = i18n.current_language()
    return {
        "endpoint": f"{request.script_root}/sparql",
        "lang": lang,
        "tabs": tabs(),
        "sharedTabName": i18n.t("editor.shared_tab"),
        "newTabName": i18n.t("editor.query"),  # a tab opened with "+"
        "newTabQuery": EXAMPLE_QUERY,
        "prefixes": PREFIXES,
        "terms": vocabulary_terms(),
        # IRIs of the graph link to their pages on this site, not to w3id.org
        "iriBase": BASE,
        "pageBase": f"{request.script_root}/id/",
    }


def format_options() -> list[dict]:
    return [{"value": fmt.names[0], "label": f"{fmt.names[0]} ({fmt.media_type})"} for fmt in RESULT_FORMATS + GRAPH_FORMATS]


@bp.get("/editor")
def editor():
    config = current_app.config
    shared = request.args.get("query", "")
    return render(
        "editor.html",
        editor_config=editor_config(),
        form_query=shared or EXAMPLE_QUERY,
        formats=format_options(),
        limits=i18n.t("editor.limits").format(time=f"{config['QUERY_TIME_LIMIT']:g}", rows=config["RESULT_ROW_LIMIT"]),
        yasgui_js=vendor_url("yasgui", "js"),
        yasgui_css=vendor_url("yasgui", "css"),
        yasgui_licence=vendor_url("yasgui", "licence"),
        yasgui_version=version("yasgui"),
    )
