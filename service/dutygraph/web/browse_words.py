"""The interface words of the browsing pages (home, resource pages, shapes, search, errors), in zh and en.

Registered with ``i18n`` when the module is imported, as ``browse.KEY`` so that they never collide
with another feature's words; templates ask for them by KEY with ``bt`` (``browse_words.t``) and
``tf`` (with placeholders filled in), and every KEY exists in both languages; the names of the kinds of resource come from here too (``KIND_WORDS``),
so that a page, the search results and the home page call a measure the same thing.
"""

from __future__ import annotations

from . import i18n

# The kinds of resource a page can be about, by the IRI segment under the id base (and "shape").
KIND_WORDS = {
    "document": ({"zh": "文件", "en": "document"}, {"zh": "文件", "en": "Documents"}),
    "organisation": ({"zh": "发文机关", "en": "issuing body"}, {"zh": "发文机关", "en": "Issuing bodies"}),
    "category": ({"zh": "类别", "en": "category"}, {"zh": "类别", "en": "Categories"}),
    "measure": ({"zh": "工作措施", "en": "work measure"}, {"zh": "工作措施", "en": "Work measures"}),
    "item": ({"zh": "主要内容", "en": "content item"}, {"zh": "主要内容", "en": "Content items"}),
    "obligation": ({"zh": "义务", "en": "obligation"}, {"zh": "义务", "en": "Obligations"}),
    "unit": ({"zh": "责任单位", "en": "accountable unit"}, {"zh": "责任单位", "en": "Accountable units"}),
    "actor": ({"zh": "履责主体", "en": "actor"}, {"zh": "履责主体", "en": "Actors and roles"}),
    "mechanism": ({"zh": "制度机制", "en": "mechanism"}, {"zh": "制度机制", "en": "Mechanisms"}),
    "frequency": ({"zh": "频次或触发条件", "en": "frequency or trigger"}, {"zh": "频次或触发条件", "en": "Frequencies and triggers"}),
    "regulation": ({"zh": "援引规定", "en": "regulation cited"}, {"zh": "援引规定", "en": "Regulations cited"}),
    "note": ({"zh": "编者按", "en": "editorial note"}, {"zh": "编者按", "en": "Editorial notes"}),
    "shape": ({"zh": "履责校验规则", "en": "duty shape"}, {"zh": "履责校验规则", "en": "Duty shapes"}),
}

MESSAGES = {
    # home
    "home.intro": {"zh": "这份责任清单写明谁负有什么责任：5个类别、37项工作措施、56条主要内容，每条都有责任单位。点击任一单位、角色、措施或条目，查看其全部责任。",
                   "en": "This responsibility list says who owes what: 5 categories, 37 work measures, 56 content items, each "
                         "with its accountable units. Follow any unit, role, measure or item to see everything it owes."},
    "home.number": {"zh": "文号", "en": "Number"},
    "home.date": {"zh": "印发日期", "en": "Issued"},
    "home.issuer": {"zh": "发文机关", "en": "Issued by"},
    "home.notice": {"zh": "通知标题", "en": "Notice"},
    "home.categories": {"zh": "类别与工作措施", "en": "Categories and their work measures"},
    "home.units": {"zh": "责任单位", "en": "Accountable units"},
    "home.items_count": {"zh": "负责的主要内容（条）", "en": "Content items it answers for"},
    "home.search": {"zh": "查找单位、角色、机制或原文", "en": "Find a unit, role, mechanism or a phrase of the text"},
    "home.explore": {"zh": "更多", "en": "More"},
    "home.graph": {"zh": "关系图：单位、措施与角色之间的联系", "en": "Graph view: how units, measures and roles connect"},
    "home.editor": {"zh": "SPARQL 查询编辑器", "en": "SPARQL editor"},
    "home.queries": {"zh": "常用问题（预置查询）", "en": "Canned questions"},
    "home.runs": {"zh": "履责校验：上传记录，检查谁履行了责任", "en": "Validation: upload records and see who met which duty"},
    "home.shapes": {"zh": "履责校验规则：各规则检查什么", "en": "Duty shapes: what each check looks for"},
    "home.document_page": {"zh": "文件本身", "en": "The document itself"},
    "home.api": {"zh": "JSON 接口", "en": "JSON API"},
    # resource pages
    "res.iri": {"zh": "IRI", "en": "IRI"},
    "res.formats": {"zh": "其他格式", "en": "Other formats"},
    "res.source": {"zh": "原文位置", "en": "Place in the source"},
    "res.source_line": {"zh": "第 {line} 行，字符 {start}–{end}", "en": "line {line}, characters {start}–{end}"},
    "res.verbatim": {"zh": "原文", "en": "Text (verbatim, Chinese)"},
    "res.verbatim_title": {"zh": "原文标题", "en": "Title as printed"},
    "res.summary": {"zh": "英文摘要", "en": "Summary"},
    "res.definition": {"zh": "释义", "en": "Definition"},
    "res.category": {"zh": "类别", "en": "Category"},
    "res.measure": {"zh": "工作措施", "en": "Work measure"},
    "res.measures": {"zh": "工作措施", "en": "Work measures"},
    "res.item": {"zh": "主要内容", "en": "Content item"},
    "res.items": {"zh": "主要内容", "en": "Content items"},
    "res.obligations": {"zh": "义务", "en": "Obligations"},
    "res.obligation": {"zh": "义务", "en": "Obligation"},
    "res.units": {"zh": "责任单位", "en": "Accountable units"},
    "res.units_text": {"zh": "责任单位（原文）", "en": "Accountable units as printed"},
    "res.actors": {"zh": "履责主体", "en": "Who must act"},
    "res.targets": {"zh": "对象", "en": "Concerns"},
    "res.frequencies": {"zh": "频次或触发条件", "en": "How often"},
    "res.mechanisms": {"zh": "制度机制", "en": "Mechanisms"},
    "res.regulations": {"zh": "援引规定", "en": "Regulations cited"},
    "res.modality": {"zh": "性质", "en": "Force"},
    "res.cue": {"zh": "情态词", "en": "Modal word"},
    "res.excerpt": {"zh": "原文摘句", "en": "Clause (verbatim)"},
    "res.category_n": {"zh": "类别{n}", "en": "Category {n}"},
    "res.category_counts": {"zh": "{measures} 项工作措施，{items} 条主要内容", "en": "{measures} work measures, {items} content items"},
    "res.counts": {"zh": "{items} 条主要内容，{obligations} 项义务", "en": "{items} content items, {obligations} obligations"},
    "res.notes": {"zh": "编者按", "en": "Editorial notes"},
    "res.notes_intro": {"zh": "以下为编者对原文中疑似笔误之处的解读，原文照录不改。",
                        "en": "Where the printed text looks mistaken, the editors' reading — beside the verbatim text, never in its place."},
    "res.note_passage": {"zh": "原文作", "en": "Printed"},
    "res.note_reading": {"zh": "编者读作", "en": "Read as"},
    "res.note_note": {"zh": "说明（英文）", "en": "Note"},
    "res.note_on": {"zh": "所涉", "en": "On"},
    "res.shares": {"zh": "与之共同负责的单位", "en": "Units it shares duties with"},
    "res.shared_items": {"zh": "共同负责的主要内容", "en": "Shared content items"},
    "res.owes": {"zh": "负责的全部内容（按类别、措施、条目）", "en": "Everything it answers for (by category, measure and item)"},
    "res.unit_counts": {"zh": "{categories} 个类别，{measures} 项措施，{items} 条主要内容，{obligations} 项义务",
                        "en": "{categories} categories, {measures} measures, {items} content items, {obligations} obligations"},
    "res.acts_on": {"zh": "须履行的义务", "en": "Obligations it must act on"},
    "res.as_target": {"zh": "涉及它的义务", "en": "Obligations that concern it"},
    "res.invoked": {"zh": "在何处援用", "en": "Where it is invoked"},
    "res.falls_due": {"zh": "按此频次的义务", "en": "Obligations that fall due by it"},
    "res.cited": {"zh": "援引它的义务", "en": "Obligations that cite it"},
    "res.broader": {"zh": "上位角色", "en": "Broader"},
    "res.narrower": {"zh": "下位角色", "en": "Narrower"},
    "res.corresponding_unit": {"zh": "对应的责任单位", "en": "The same body as accountable unit"},
    "res.corresponding_actor": {"zh": "对应的履责主体", "en": "The same body as actor"},
    "res.kind": {"zh": "类型", "en": "Kind"},
    "res.kind_role": {"zh": "角色", "en": "role"},
    "res.kind_body": {"zh": "机构", "en": "body"},
    "res.eu_frequency": {"zh": "欧盟频次代码", "en": "EU frequency code"},
    "res.none": {"zh": "无", "en": "none"},
    "res.checked_by": {"zh": "履责校验规则", "en": "Checked by duty shapes"},
    "res.not_checkable": {"zh": "不能由记录检查的原因", "en": "Why records cannot show it"},
    "res.issued": {"zh": "印发日期", "en": "Issued"},
    "res.issued_by": {"zh": "发文机关", "en": "Issued by"},
    "res.issued_documents": {"zh": "印发的文件", "en": "Documents it issued"},
    "res.notation": {"zh": "编号", "en": "Number"},
    "res.title": {"zh": "标题", "en": "Title"},
    "res.properties": {"zh": "属性", "en": "Properties"},
    "res.regulation_title": {"zh": "规定名称（原文）", "en": "Title as cited"},
    "res.regulation_note": {"zh": "说明（英文）", "en": "Note"},
    "modality.Duty": {"zh": "义务", "en": "duty"},
    "modality.Prohibition": {"zh": "禁止", "en": "prohibition"},
    "modality.Permission": {"zh": "许可", "en": "permission"},
    "freq.RegularFrequency": {"zh": "定期", "en": "regular"},
    "freq.ContinuousFrequency": {"zh": "持续", "en": "continuous"},
    "freq.EventTrigger": {"zh": "事件触发", "en": "on an event"},
    "freq.Frequency": {"zh": "频次", "en": "frequency"},
    # shapes
    "shapes.title": {"zh": "履责校验规则", "en": "Duty shapes"},
    "shapes.intro": {"zh": "每条规则（SHACL 形状）检查一项可由记录显示的责任：所依据的主要内容与义务、严重程度，以及未履行时的提示。其余条目为何不能由记录检查，见各条目页面。",
                     "en": "Each duty shape (a SHACL shape) checks one duty that records can show: the content item and obligations it "
                           "enforces, its severity, and the message given when the duty is not met. Why the other items cannot be "
                           "checked from records is said on each item's page."},
    "shapes.count": {"zh": "共 {n} 条规则，涉及 {items} 条主要内容", "en": "{n} shapes enforcing {items} content items"},
    "shapes.severity": {"zh": "严重程度", "en": "Severity"},
    "shapes.enforces": {"zh": "依据的主要内容", "en": "Enforces the item"},
    "shapes.enforces_obligations": {"zh": "检查的义务", "en": "Checks the obligations"},
    "shapes.description": {"zh": "检查什么（英文）", "en": "What it checks"},
    "shapes.messages": {"zh": "未履行时的提示", "en": "Message when the duty is not met"},
    "shapes.target": {"zh": "检查对象（记录类）", "en": "Checks records of the class"},
    "severity.Violation": {"zh": "违规", "en": "violation"},
    "severity.Warning": {"zh": "警告", "en": "warning"},
    "severity.Info": {"zh": "提示", "en": "info"},
    # search
    "search.title": {"zh": "搜索", "en": "Search"},
    "search.intro": {"zh": "在中英文名称、条目原文与英文摘要中查找（英文不区分大小写，中文按所输入的字查找）。",
                     "en": "Searches the Chinese and English labels, the items' verbatim text and their English summaries "
                           "(English in any case; Chinese as typed)."},
    "search.results": {"zh": "“{q}”的结果：{n} 项", "en": "{n} results for “{q}”"},
    "search.none": {"zh": "没有找到“{q}”。试试更短的词，或换用中文/英文。",
                    "en": "Nothing matches “{q}”. Try a shorter word, or the other language."},
    "search.empty": {"zh": "请输入要查找的词：单位、角色、机制名称，或原文中的一句话。",
                     "en": "Type what to look for: a unit, a role, a mechanism, or a phrase of the text."},
    "search.too_long": {"zh": "查询太长：最多 {max} 个字符，这次是 {n} 个。", "en": "The query is too long: at most {max} characters, this one has {n}."},
    "search.matched": {"zh": "匹配文字", "en": "Matched text"},
    "search.field.label": {"zh": "名称", "en": "Label"},
    "search.examples": {"zh": "例如：", "en": "For example:"},
    # errors
    "error.404.title": {"zh": "找不到该页面", "en": "Page not found"},
    "error.404.body": {"zh": "这个地址没有对应的页面或资源。", "en": "Nothing is to be found at this address."},
    "error.busy.title": {"zh": "服务繁忙", "en": "The service is busy"},
    "error.busy.body": {"zh": "同时进行的查询太多，请稍后再试。", "en": "Too many queries are running at once; try again in a moment."},
    "error.timeout.title": {"zh": "查询超时", "en": "The query took too long"},
    "error.failed.title": {"zh": "页面无法生成", "en": "The page could not be made"},
    "error.back": {"zh": "返回首页", "en": "Back to the home page"},
}
for _kind, (_one, _many) in KIND_WORDS.items():
    MESSAGES[f"kind.{_kind}"] = _one
    MESSAGES[f"kinds.{_kind}"] = _many

PREFIX = "browse."  # every word of these pages is registered as browse.KEY, apart from other features' words
i18n.register({PREFIX + key: words for key, words in MESSAGES.items()})


def t(key: str) -> str:
    """The interface word browse.KEY in the page's language."""
    return i18n.t(PREFIX + key)


def tf(key: str, **values) -> str:
    """The interface word key with {placeholders} filled in (values are inserted as given; templates escape)."""
    return t(key).format(**values)
