"""Chinese and English for the browser pages: which language a page is in, and its words.

The language of a page is, in this order: ``?lang=zh|en`` in the URL (which also sets the ``lang``
cookie, so the switch sticks, and redirects to the same URL without it), the ``lang`` cookie, the
browser's ``Accept-Language`` (best match of zh and en), and Chinese — the document's own language —
when none says. Every page template gets ``lang``, ``t`` (a word of the interface in that language),
``label`` (the right one of a resource's zh/en labels, the other as a fallback) and ``switch_url``
(this page in the other language).

Interface words live in ``MESSAGES``; a feature module adds its own with ``register({...})``. A key
with no entry is a bug, and ``t`` says so loudly in the page rather than showing nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import g, redirect, request

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

MESSAGES: dict[str, dict[str, str]] = {
    "site.name": {"zh": "dutygraph 一把手监督责任清单", "en": "dutygraph — supervision duties"},
    "nav.home": {"zh": "首页", "en": "Home"},
    "nav.search": {"zh": "搜索", "en": "Search"},
    "nav.graph": {"zh": "关系图", "en": "Graph"},
    "nav.editor": {"zh": "SPARQL 查询", "en": "SPARQL editor"},
    "nav.queries": {"zh": "常用问题", "en": "Questions"},
    "nav.validation": {"zh": "履责校验", "en": "Validation"},
    "nav.sign_in": {"zh": "登录", "en": "Sign in"},
    "nav.sign_out": {"zh": "退出", "en": "Sign out"},
    "nav.switch": {"zh": "English", "en": "中文"},
    "search.placeholder": {"zh": "单位、角色、机制、条目原文……", "en": "unit, role, text…"},
    "search.button": {"zh": "搜索", "en": "Search"},
    "footer.source": {"zh": "来源：常工党〔2022〕61号（原文照录）", "en": "Source: 常工党〔2022〕61号 (kept verbatim)"},
}


def register(messages: dict[str, dict[str, str]]) -> None:
    for key, words in messages.items():
        if set(words) != set(LANGUAGES):
            raise ValueError(f"message {key!r} must have exactly zh and en, not {sorted(words)}")
        MESSAGES[key] = words


def current_language() -> str:
    if "lang" not in g:
        asked = request.args.get("lang")
        if asked in LANGUAGES:
            g.lang = asked
        elif request.cookies.get(COOKIE) in LANGUAGES:
            g.lang = request.cookies[COOKIE]
        else:
            g.lang = request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    return g.lang


def t(key: str) -> str:
    words = MESSAGES.get(key)
    if words is None:
        return f"[missing message {key}]"
    return words[current_language()]


def label(labels, fallback: str = "") -> str:
    """The label in the page's language from {"zh": …, "en": …} (the other when it has none)."""
    if not labels:
        return fallback
    lang = current_language()
    return labels.get(lang) or next((v for v in labels.values() if v), fallback)


def label_language(labels) -> str:
    """The language ``label(labels)`` shows (the page's, or the other when the text has only that),
    for a ``lang`` attribute: a fallback in the other language is marked as such."""
    lang = current_language()
    if labels and not labels.get(lang):
        return next((code for code, value in labels.items() if value), lang)
    return lang


def _url_without_lang(**extra) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + list(extra.items())
    return request.path + (("?" + urlencode(args)) if args else "")


def switch_url() -> str:
    other = "en" if current_language() == "zh" else "zh"
    return _url_without_lang(lang=other)


def _remember_switch():
    """``?lang=`` on a GET: set the cookie and go to the page without it (one URL per page)."""
    asked = request.args.get("lang")
    if request.method == "GET" and asked in LANGUAGES and _wants_page():
        response = redirect(_url_without_lang(), code=303)
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
        return response
    return None


def _wants_page() -> bool:
    return not request.path.startswith(("/api/", "/sparql", "/static/", "/openapi.json"))


def init_app(app) -> None:
    app.before_request(_remember_switch)

    @app.context_processor
    def _words():
        lang = current_language()
        return {"lang": lang, "t": t, "label": label, "label_language": label_language, "switch_url": switch_url,
                "other_lang": "en" if lang == "zh" else "zh"}
