"""Compiled shape queries rewritten into forms that an external engine evaluates as Oxigraph does.

Every rewrite gives a query with the same solutions under the SPARQL 1.1 semantics (the tests run
each rewritten query on Oxigraph beside the original, and on Virtuoso), so it is applied on every
external engine; the embedded path runs the queries as compiled. Found on Virtuoso 7.2:

1. **A FILTER (or BIND) inside OPTIONAL that reads variables bound outside it** sees them unbound
   (SPARQL: the filter of a LeftJoin sees both sides), so the OPTIONAL never matches. The duty
   shapes write "no such record" that way (``OPTIONAL { … FILTER(?day - ?startDay <= ?days) BIND(true
   AS ?absent1) } FILTER(!BOUND(?absent1))``, which Oxigraph runs far faster than NOT EXISTS), and
   SitInShape/LiaisonShape count the meetings of a period so. Rewritten:

   - ``OPTIONAL { P BIND(true AS ?m) } … FILTER(!BOUND(?m))`` (?m used nowhere else) becomes
     ``FILTER NOT EXISTS { P BIND(true AS ?m) }`` — every such one, also those that read no outer
     variable: Virtuoso runs NOT EXISTS many times faster than this form — whose pattern Virtuoso evaluates with the outer solution's
     bindings, as the standard says; when P shares a variable with what the group binds after the
     OPTIONAL (NOT EXISTS would see those, the LeftJoin does not), the general form below is used;
   - any other such OPTIONAL (SitInShape, LiaisonShape count a period's meetings so) gets the
     blocks of triples before it that bind what its filters read repeated inside it: ``?value a
     dg:ReportingPeriod ; dg:periodStart ?ps … OPTIONAL { ?value … ?ps … ?meeting … FILTER(?ps <=
     ?date) }`` — the variables are shared, so the LeftJoin keeps the same rows; when such a
     variable is bound otherwise, ``{ A OPTIONAL { P } B }`` becomes ``{ { A P } UNION { A FILTER
     NOT EXISTS { P } } B }`` — LeftJoin(A, P) spelled out — with A's FILTERs left at the group's
     level (where they apply to the whole group anyway).
2. **sameTerm(x, <IRI>) inside a larger expression** (``!(sameTerm(?value, <a>) || sameTerm(?value,
   <b>))``, the compiled sh:in) is never true; as the only condition of a FILTER it is. Rewritten to
   ``(isIRI(x) && x = <IRI>)``, which is sameTerm for an IRI constant.
3. **``$this`` and ``?this``** are one variable in SPARQL, two in Virtuoso (a ``$`` variable is a
   parameter there): the pre-bound focus subquery projects ``?this`` and the SHACL-SPARQL text says
   ``$this``, so the join would be a cross product. Every ``$name`` is written ``?name``.
4. **A cast that fails** (``xsd:integer("x5")``) fails the whole query on Virtuoso, even where
   ``&&`` has already been decided: the compiled sh:datatype test casts to check well-formedness,
   which on an engine the datatype already says (see ``drop_well_formedness_casts``).
5. **Comparing with an invalid literal** is an error in SPARQL; Virtuoso compares the ILL_FORMED
   literal as text (``0 <= "x5"`` held): see ``guard_comparisons``.
6. **Skolem IRIs** stand for the run's blank nodes (engine_dataset), so ``isBlank(?v)`` is also true
   of them and ``isIRI(?v)``/``isURI(?v)`` false (done in ``TermMapping.rewrite_query``).
7. **The run's own classes** — its reporting periods (``?period a dg:ReportingPeriod ;
   dg:periodStart ?ps ; dg:periodEnd ?pe``) and its policy, a few instances each — are estimated by
   Virtuoso 7.2 at almost no rows; its plan starts there and then scans what it likes (every
   rdfs:label once per decision and period), so that DecisionProcedureShape over 10^6 record triples
   took from 10 s to over 10 min from run to run. Such a block, in a group joined with the WHERE
   group, is given as ``VALUES`` of its solutions, asked of the engine first when there are at most
   ``engine_dataset.SMALL_CLASS_LIMIT`` (``rewrite_small_classes``); the query then took 1.6 s.

``A <= B`` and ``A >= B``, which Virtuoso 7.2 answers wrongly in some layouts of its indexes, are
rewritten for every query sent to an engine, the users' too (``dutygraph.inclusive_comparisons``,
applied by ``remote_store.engine_query_text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..remote_store import ILL_FORMED
from ..shacl_engine.sparql_syntax import Token, tokenize

_ELEMENT_KEYWORDS = {"OPTIONAL", "FILTER", "BIND", "MINUS", "VALUES", "GRAPH", "SERVICE"}
MAX_REWRITES = 200


@dataclass
class Element:
    """One element of a group graph pattern: tokens[start:end] of the query."""

    kind: str  # triples, optional, union, group, subselect, filter, bind, values, minus, graph, service
    start: int
    end: int
    groups: list["Group"] = field(default_factory=list)  # the groups inside (for union: its branches)
    bound: set[str] = field(default_factory=set)  # variables the element binds (triples, bind, values, subselect)
    used: set[str] = field(default_factory=set)  # variables its expressions read (filter, bind)


@dataclass
class Group:
    open: int  # index of "{"
    close: int  # index of the matching "}"
    elements: list[Element] = field(default_factory=list)
    select: bool = False  # { SELECT … }: a subquery, not a group of elements


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens

    def text(self, index: int) -> str:
        return self.tokens[index].text if index < len(self.tokens) else ""

    def keyword(self, index: int) -> str:
        return self.tokens[index].keyword if index < len(self.tokens) else ""

    def closing(self, index: int, opening: str, closing: str) -> int:
        """The index of the token that closes the bracket at ``index``."""
        depth = 0
        for position in range(index, len(self.tokens)):
            text = self.tokens[position].text
            if self.tokens[position].kind == "punct":
                if text == opening:
                    depth += 1
                elif text == closing:
                    depth -= 1
                    if depth == 0:
                        return position
        raise ValueError("unbalanced brackets in a query")

    def variables(self, start: int, end: int) -> set[str]:
        return {token.variable for token in self.tokens[start:end] if token.kind == "var"}

    def group(self, index: int) -> Group:
        close = self.closing(index, "{", "}")
        group = Group(index, close)
        if self.keyword(index + 1) == "SELECT":
            group.select = True
            return group
        position = index + 1
        while position < close:
            element = self.element(position, close)
            if element is None:
                position += 1  # a "." between elements
                continue
            group.elements.append(element)
            position = element.end
        return group

    def element(self, position: int, close: int) -> Element | None:
        token = self.tokens[position]
        keyword = token.keyword
        if token.kind == "punct" and token.text == ".":
            return None
        if token.kind == "punct" and token.text == "{":
            if self.keyword(position + 1) == "SELECT":
                end = self.closing(position, "{", "}") + 1
                element = Element("subselect", position, end, [self.group(position)])
                element.bound = self._projection(position + 1, end)
                return element
            groups = [self.group(position)]
            end = groups[0].close + 1
            while self.keyword(end) == "UNION":
                groups.append(self.group(end + 1))
                end = groups[-1].close + 1
            element = Element("union" if len(groups) > 1 else "group", position, end, groups)
            return element
        if keyword in ("OPTIONAL", "MINUS"):
            inner = self.group(position + 1)
            return Element(keyword.lower(), position, inner.close + 1, [inner])
        if keyword == "GRAPH":
            inner = self.group(position + 2)
            element = Element("graph", position, inner.close + 1, [inner])
            element.bound = self.variables(position + 1, position + 2)
            return element
        if keyword == "SERVICE":
            start = position + (2 if self.keyword(position + 1) == "SILENT" else 1)
            inner = self.group(start + 1)
            return Element("service", position, inner.close + 1, [inner])
        if keyword == "FILTER":
            following = position + 1
            if self.keyword(following) == "NOT":
                following += 1
            if self.keyword(following) == "EXISTS":
                inner = self.group(following + 1)
                return Element("filter", position, inner.close + 1, [inner])
            if self.text(following) != "(":
                following += 1  # a function name
            end = self.closing(following, "(", ")") + 1
            element = Element("filter", position, end)
            element.used = self._expression_variables(following, end)
            return element
        if keyword == "BIND":
            end = self.closing(position + 1, "(", ")") + 1
            element = Element("bind", position, end)
            as_index = max(i for i in range(position, end) if self.tokens[i].keyword == "AS")
            element.bound = self.variables(as_index, end)
            element.used = self._expression_variables(position + 1, as_index)
            return element
        if keyword == "VALUES":
            brace = next(i for i in range(position, close) if self.tokens[i].text == "{")
            end = self.closing(brace, "{", "}") + 1
            element = Element("values", position, end)
            element.bound = self.variables(position + 1, brace)
            return element
        # a block of triple patterns, up to a "." or the next element at bracket depth 0
        depth, end = 0, position
        while end < close:
            current = self.tokens[end]
            if current.kind == "punct" and current.text in "([":
                depth += 1
            elif current.kind == "punct" and current.text in ")]":
                depth -= 1
            elif depth == 0 and ((current.kind == "punct" and current.text in ".{}")
                                 or current.keyword in _ELEMENT_KEYWORDS):
                break
            end += 1
        if end < close and self.text(end) == "." and depth == 0:
            end += 1
        end = max(end, position + 1)
        element = Element("triples", position, end)
        element.bound = self.variables(position, end)
        return element

    def _expression_variables(self, start: int, end: int) -> set[str]:
        """The variables an expression reads (EXISTS patterns inside it left out)."""
        names, position = set(), start
        while position < end:
            token = self.tokens[position]
            if token.keyword == "EXISTS" and self.text(position + 1) == "{":
                position = self.closing(position + 1, "{", "}") + 1
                continue
            if token.kind == "var":
                names.add(token.variable)
            position += 1
        return names

    def _projection(self, start: int, end: int) -> set[str]:
        names, position = set(), start + 1  # after SELECT
        while position < end and self.keyword(position) not in ("WHERE",) and self.text(position) != "{":
            token = self.tokens[position]
            if token.text == "*":
                return self.variables(start, end)
            if token.kind == "punct" and token.text == "(":
                closing = self.closing(position, "(", ")")
                as_index = max((i for i in range(position, closing) if self.tokens[i].keyword == "AS"), default=None)
                if as_index is not None:
                    names |= self.variables(as_index, closing)
                position = closing + 1
                continue
            if token.kind == "var":
                names.add(token.variable)
            position += 1
        return names


def _bound(group: Group) -> set[str]:
    """Every variable some element of the group (at any depth) binds."""
    names = set()
    for element in group.elements:
        names |= element.bound
        if element.kind not in ("filter", "minus"):
            for inner in element.groups:
                names |= _bound(inner)
    return names


def _used(group: Group) -> set[str]:
    """Every variable the filters and binds of the group (at any depth, EXISTS left out) read."""
    names = set()
    for element in group.elements:
        names |= element.used
        if element.kind != "filter":
            for inner in element.groups:
                names |= _used(inner)
    return names


def _all_groups(group: Group):
    yield group
    for element in group.elements:
        for inner in element.groups:
            yield from _all_groups(inner)


def _top_groups(tokens: list[Token], parser: _Parser) -> list[Group]:
    """The WHERE groups of the query and of its subqueries (outermost first)."""
    groups, position = [], 0
    while position < len(tokens):
        if tokens[position].kind == "punct" and tokens[position].text == "{":
            groups.append(parser.group(position))
            position = groups[-1].close + 1
        else:
            position += 1
    found = []
    for group in groups:
        for each in _all_groups(group):
            if each.select:
                select_where = next(i for i in range(each.open + 1, each.close) if tokens[i].text == "{")
                found.extend(_top_groups_from(parser, select_where))
            else:
                found.append(each)
    return found


def _top_groups_from(parser: _Parser, index: int) -> list[Group]:
    found = []
    for each in _all_groups(parser.group(index)):
        if each.select:
            select_where = next(i for i in range(each.open + 1, each.close) if parser.tokens[i].text == "{")
            found.extend(_top_groups_from(parser, select_where))
        else:
            found.append(each)
    return found


def _span(sparql: str, tokens: list[Token], start: int, end: int) -> str:
    """The query text of tokens[start:end]."""
    if start >= end:
        return ""
    return sparql[tokens[start].start:tokens[end - 1].end]


def _joined(sparql: str, tokens: list[Token], elements: list[Element]) -> str:
    """The elements' text, each block of triples closed with "." (so that what follows can join)."""
    parts = []
    for element in elements:
        text = _span(sparql, tokens, element.start, element.end)
        if element.kind == "triples" and tokens[element.end - 1].text != ".":
            text += " ."
        parts.append(text)
    return " ".join(parts)


def _rewrite_one_optional(sparql: str) -> str | None:
    """The query with the first OPTIONAL whose filters read outer variables rewritten; None if none."""
    tokens = tokenize(sparql)
    parser = _Parser(tokens)
    counts: dict[str, int] = {}
    for token in tokens:
        if token.kind == "var":
            counts[token.variable] = counts.get(token.variable, 0) + 1
    for parent in _top_groups(tokens, parser):
        for number, element in enumerate(parent.elements):
            if element.kind != "optional":
                continue
            inner = element.groups[0]
            if _used(inner) - _bound(inner):
                return _rewrite(sparql, tokens, parent, number, counts)
            rewritten = _rewrite(sparql, tokens, parent, number, counts, absent_only=True)
            if rewritten is not None:
                return rewritten
    return None


def _rewrite(sparql: str, tokens: list[Token], parent: Group, number: int, counts: dict[str, int], *,
             absent_only: bool = False) -> str | None:
    """The query with the OPTIONAL parent.elements[number] rewritten; with ``absent_only``, only
    when it is a "no such record" that becomes NOT EXISTS (None otherwise: Virtuoso evaluates those
    faster so, 8 s against 0.9 s for DecisionProcedureShape on 4.7 x 10^5 triples)."""
    element = parent.elements[number]
    inner = element.groups[0]
    before, after = parent.elements[:number], parent.elements[number + 1:]
    # "No such record": OPTIONAL { P BIND(true AS ?m) } … FILTER(!BOUND(?m)), ?m nowhere else.
    marker = inner.elements[-1] if inner.elements else None
    absent_filter = None
    if marker is not None and marker.kind == "bind" and len(marker.bound) == 1:
        name = next(iter(marker.bound))
        expression = [t.text.upper() for t in tokens[marker.start + 1:marker.end]]
        if expression == ["(", "TRUE", "AS", tokens[marker.end - 2].text.upper(), ")"] and counts.get(name) == 2:
            for candidate in after:
                shape = [t.text.upper() for t in tokens[candidate.start:candidate.end]]
                if candidate.kind == "filter" and shape[-5:] == ["BOUND", "(", tokens[marker.end - 2].text.upper(), ")", ")"] \
                        and shape[:3] == ["FILTER", "(", "!"] and len(shape) == 8:
                    absent_filter = candidate
    # The focus subquery that pre-binding put into the OPTIONAL too is already joined before it:
    # inside NOT EXISTS it is left out (Virtuoso does not correlate a subquery in NOT EXISTS).
    # The NOT EXISTS pattern ends with a BIND (the marker's, or one of a variable of its own):
    # without one, Virtuoso 7.2 fails to compile a NOT EXISTS that has an OPTIONAL inside
    # ("sparp_find_origin_of_external_var(): bad e_external_src_idx") when the dataset is one graph.
    outer_subqueries = {_span(sparql, tokens, e.start, e.end) for e in before if e.kind == "subselect"}
    inside = list(inner.elements)
    correlated = [e for e in inside if not (e.kind == "subselect" and _span(sparql, tokens, e.start, e.end) in outer_subqueries)]
    pattern = _joined(sparql, tokens, correlated)
    if absent_filter is None:
        closing = 1
        while f"dg_found{closing}" in counts:
            closing += 1
        pattern += f" BIND(true AS ?dg_found{closing})"
    later = set()
    for candidate in after:
        later |= candidate.bound
        for group in candidate.groups:
            if candidate.kind not in ("filter", "minus"):
                later |= _bound(group)
    earlier = set()
    for candidate in before:
        earlier |= candidate.bound
        for group in candidate.groups:
            if candidate.kind not in ("filter", "minus"):
                earlier |= _bound(group)
    inner_variables = {t.variable for t in tokens[inner.open:inner.close] if t.kind == "var"}
    if absent_filter is not None and not (inner_variables & (later - earlier)):
        replacement = f"FILTER NOT EXISTS {{ {pattern} }}"
        # FILTER(true) where the marker's filter was: valid wherever a FILTER is (between triples too)
        edits = [(element.start, element.end, replacement), (absent_filter.start, absent_filter.end, "FILTER(true)")]
    elif absent_only:
        return None
    elif (copies := _binders(before, _used(inner) - _bound(inner))) is not None:
        # The blocks of triples before the OPTIONAL that bind what its filters read, repeated inside
        # it: those variables are shared, so the LeftJoin keeps the same rows, and the filters read
        # only variables of their own group. (The UNION form below lost groups when grouped on
        # Virtuoso, in plans it chose for some data layouts: LiaisonShape, three uploads at once.)
        inside_text = _joined(sparql, tokens, copies + inside)
        edits = [(element.start, element.end, f"OPTIONAL {{ {inside_text} }}")]
    else:
        kept = _joined(sparql, tokens, [e for e in before if e.kind != "filter"])
        filters = " ".join(_span(sparql, tokens, e.start, e.end) for e in before if e.kind == "filter")
        whole = _joined(sparql, tokens, inside)
        union = f"{{ {kept} {whole} }} UNION {{ {kept} FILTER NOT EXISTS {{ {pattern} }} }} {filters}"
        start = before[0].start if before else element.start
        edits = [(start, element.end, union)]
    text = sparql
    for start, end, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
        text = text[:tokens[start].start] + replacement + text[tokens[end - 1].end:]
    return text


def _binders(before: list[Element], names: set[str]) -> list[Element] | None:
    """The blocks of triples among ``before`` that bind each of ``names`` (None when one is bound
    otherwise: by a subquery, BIND, VALUES, OPTIONAL or UNION)."""
    chosen: list[Element] = []
    for name in sorted(names):
        binding = [e for e in before if e.kind == "triples" and name in e.bound]
        if not binding:
            return None
        chosen.extend(e for e in binding if e not in chosen)
    return sorted(chosen, key=lambda e: e.start)


def rewrite_optionals(sparql: str) -> str:
    for _ in range(MAX_REWRITES):
        rewritten = _rewrite_one_optional(sparql)
        if rewritten is None:
            return sparql
        sparql = rewritten
    raise ValueError("too many OPTIONAL rewrites for one query")


def _calls(tokens: list[Token], keyword: str):
    """(index of the keyword, index of its closing parenthesis) of every call ``KEYWORD( … )``."""
    parser = _Parser(tokens)
    for index, token in enumerate(tokens):
        if token.keyword == keyword and index + 1 < len(tokens) and tokens[index + 1].text == "(":
            yield index, parser.closing(index + 1, "(", ")")


def rewrite_same_term(sparql: str) -> str:
    """``sameTerm(x, <IRI>)`` (either order) as ``(isIRI(x) && x = <IRI>)``."""
    tokens = tokenize(sparql)
    edits = []
    for index, close in _calls(tokens, "SAMETERM"):
        token = tokens[index]
        depth, comma = 0, None
        for position in range(index + 2, close):
            text = tokens[position].text
            if tokens[position].kind == "punct" and text in "([":
                depth += 1
            elif tokens[position].kind == "punct" and text in ")]":
                depth -= 1
            elif depth == 0 and text == ",":
                comma = position
        if comma is None:
            continue
        first = _span(sparql, tokens, index + 2, comma)
        second = _span(sparql, tokens, comma + 1, close)
        if comma + 2 == close and tokens[comma + 1].kind == "iri":
            other, iri = first, second
        elif comma == index + 3 and tokens[index + 2].kind == "iri":
            other, iri = second, first
        else:
            continue
        edits.append((token.start, tokens[close].end, f"(isIRI({other}) && {other} = {iri})"))
    for start, end, replacement in reversed(edits):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql


_STEP_KINDS = ("iri", "pname")


def _step(tokens: list[Token], start: int, end: int) -> str | None:
    """The text of a one-predicate path step tokens[start:end] (``<p>``, ``pre:p``, ``a``, ``(<p>)``)."""
    if end - start == 1 and (tokens[start].kind in _STEP_KINDS or tokens[start].text == "a"):
        return tokens[start].text
    if end - start == 3 and tokens[start].text == "(" and tokens[end - 1].text == ")":
        return _step(tokens, start + 1, end - 1)
    return None


def _star_pair(tokens: list[Token], subject: str, start: int, end: int, fresh: str, closure) -> str | None:
    """One predicate-object pair tokens[start:end] of ``subject`` whose path is ``p*`` or ``q/p*``
    and whose object is a constant, without the path operator; None when it is not of that form."""
    if end - start < 3 or tokens[end - 2].text != "*":
        return None
    obj = tokens[end - 1]
    if obj.kind not in ("iri", "pname"):
        return None
    star = end - 2
    if tokens[star - 1].text == ")":
        depth, opening = 0, None
        for position in range(star - 1, start - 1, -1):
            depth += {")": 1, "(": -1}.get(tokens[position].text, 0)
            if depth == 0:
                opening = position
                break
        if opening is None:
            return None
        last = (opening, star)
    else:
        last = (star - 1, star)
    repeated = _step(tokens, *last)
    if repeated is None:
        return None
    head = last[0]
    if head == start:  # S p* O
        start_node, prefix = subject, ""
    elif tokens[head - 1].text == "/" and _step(tokens, start, head - 1) is not None:  # S q/p* O
        start_node = fresh
        prefix = f"{subject} {_step(tokens, start, head - 1)} {fresh} . "
    else:
        return None
    members = closure(repeated, obj.text) if closure is not None else None
    if members is not None:
        return f"{prefix}VALUES {start_node} {{ {' '.join(members)} }} "
    return f"{prefix}{{ SELECT DISTINCT {start_node} WHERE {{ {start_node} {repeated}* {obj.text} }} }} "


def _zero_or_more(sparql: str, tokens: list[Token], element: Element, fresh, closure) -> str | None:
    """A block of triples ``S p1 o1 ; p2 o2 …`` with each pair whose path is ``p*`` or ``q/p*`` (to a
    constant; S a variable) rewritten (``_star_pair``), or None when none is."""
    end = element.end - (1 if tokens[element.end - 1].text == "." else 0)
    subject = tokens[element.start]
    if subject.kind != "var":
        return None
    pairs, depth, begin = [], 0, element.start + 1
    for position in range(element.start + 1, end):
        text = tokens[position].text
        if tokens[position].kind == "punct" and text in "([":
            depth += 1
        elif tokens[position].kind == "punct" and text in ")]":
            depth -= 1
        elif depth == 0 and text == ";":
            pairs.append((begin, position))
            begin = position + 1
    pairs.append((begin, end))
    parts, changed = [], False
    for start, stop in pairs:
        if start >= stop:
            continue
        replacement = _star_pair(tokens, subject.text, start, stop, fresh(), closure)
        if replacement is None:
            parts.append(f"{subject.text} {_span(sparql, tokens, start, stop)} . ")
        else:
            parts.append(replacement)
            changed = True
    return "".join(parts) if changed else None


def _declarations(tokens: list[Token]):
    """(keyword, prefix token or None, IRI token) of the PREFIX and BASE declarations opening a query."""
    position = 0
    while position < len(tokens) and tokens[position].keyword in ("PREFIX", "BASE"):
        if tokens[position].keyword == "PREFIX" and position + 2 < len(tokens):
            yield "PREFIX", tokens[position + 1], tokens[position + 2]
            position += 3
        elif tokens[position].keyword == "BASE" and position + 1 < len(tokens):
            yield "BASE", None, tokens[position + 1]
            position += 2
        else:
            return


def prologue(sparql: str) -> str:
    """The PREFIX and BASE declarations of a query."""
    parts = [f"{keyword} {name.text} {iri.text}" if name else f"{keyword} {iri.text}"
             for keyword, name, iri in _declarations(tokenize(sparql))]
    return "\n".join(parts) + ("\n" if parts else "")


def rewrite_zero_or_more_paths(sparql: str, closure=None) -> str:
    """``?s a/rdfs:subClassOf* <C>`` as ``?s a ?step . VALUES ?step { … }``, the nodes that reach
    <C> through ``rdfs:subClassOf*`` (``closure(step, object)``, asked of the engine alone), and
    ``?s p* <C>`` alike; without ``closure`` (or when it gives None), the path alone in a DISTINCT
    subquery. The same solutions: a zero-or-more path gives each node once. Virtuoso joins a
    transitive path with the rest of a query wrongly: it keeps one row per distinct end (31 people
    joined with their 25 tenures gave 1 row; 57 opinions, 56 of them "not by a dg:Person" inside an
    OPTIONAL); asked alone, or as a DISTINCT subquery outside OPTIONAL/NOT EXISTS, it is right."""
    tokens = tokenize(sparql)
    parser = _Parser(tokens)
    names = {token.variable for token in tokens if token.kind == "var"}
    edits, number = [], [0]

    def fresh() -> str:
        number[0] += 1
        while f"dg_step{number[0]}" in names:
            number[0] += 1
        return f"?dg_step{number[0]}"

    for group in _top_groups(tokens, parser):
        for element in group.elements:
            if element.kind != "triples":
                continue
            replacement = _zero_or_more(sparql, tokens, element, fresh, closure)
            if replacement is not None:
                edits.append((tokens[element.start].start, tokens[element.end - 1].end, replacement))
    for start, end, replacement in sorted(set(edits), reverse=True):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql


def question_mark_variables(sparql: str) -> str:
    """``$name`` written ``?name`` (the same variable in SPARQL)."""
    tokens = [token for token in tokenize(sparql) if token.kind == "var" and token.text.startswith("$")]
    for token in reversed(tokens):
        sparql = sparql[:token.start] + "?" + sparql[token.start + 1:]
    return sparql


def drop_well_formedness_casts(sparql: str) -> str:
    """``isLiteral(<dt>(STR(?v)))`` — the compiled sh:datatype test that a literal is a valid value
    of its datatype — as ``true``: on an engine, every literal of such a datatype was written valid
    (engine_dataset gives an invalid one the ILL_FORMED datatype), and Virtuoso fails the whole
    query when a cast fails (``"x5"`` to xsd:integer: error SR341) instead of giving an error value,
    and evaluates the cast even when the ``&&`` before it is false."""
    from ..shacl_engine.vocabulary import CHECKED_DATATYPES

    checked = {f"<{datatype}>" for datatype in CHECKED_DATATYPES}
    tokens = tokenize(sparql)
    shape = ["ISLITERAL", "(", None, "(", "STR", "(", "var", ")", ")", ")"]
    edits = []
    for index in range(len(tokens) - len(shape) + 1):
        window = tokens[index:index + len(shape)]
        if window[0].keyword != "ISLITERAL" or window[2].text not in checked or window[6].kind != "var":
            continue
        if all(expected is None or expected == "var" or (token.keyword or token.text) == expected
               for token, expected in zip(window, shape)):
            edits.append((window[0].start, window[-1].end))
    for start, end in reversed(edits):
        sparql = sparql[:start] + "true" + sparql[end:]
    return sparql




def guard_comparisons(sparql: str) -> str:
    """``COALESCE(a < ?v, false)`` (the compiled range and property-pair tests: "does not return
    true" is a violation) with ``&& !STRSTARTS(STR(DATATYPE(?v)), ILL_FORMED)`` for each variable:
    comparing a value with an invalid literal is an error in SPARQL (Oxigraph), but Virtuoso
    compares the ILL_FORMED literal (as text), so that ``0 <= "x5"`` held."""
    tokens = tokenize(sparql)
    edits = []
    for index, close in _calls(tokens, "COALESCE"):
        if not (tokens[close - 1].keyword == "FALSE" and tokens[close - 2].text == ","):
            continue
        first = range(index + 2, close - 2)
        words = [tokens[i] for i in first]
        if any(t.kind == "punct" and t.text in ("(", ")", "&&", "||", "!", ",") for t in words):
            continue
        if sum(1 for t in words if t.kind == "punct" and t.text in ("<", "<=", ">", ">=")) != 1:
            continue
        names = list(dict.fromkeys(t.text for t in words if t.kind == "var"))
        if not names:
            continue
        guards = " ".join(f'&& !STRSTARTS(STR(DATATYPE({name})), "{ILL_FORMED}")' for name in names)
        edits.append((tokens[close - 3].end, f" {guards}"))
    for offset, text in reversed(edits):
        sparql = sparql[:offset] + text + sparql[offset:]
    return sparql


_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
# The classes whose instances a run writes itself (validation.periods, validation.policy): a few, and
# the ones Virtuoso mis-plans. Not every small class: with the records' own (dg:IntegrityFile as
# VALUES (?file ?this) beside a NOT EXISTS on ?this) Virtuoso 7.2 lost a result.
RUN_CLASSES = frozenset({"https://w3id.org/dutygraph/ontology#ReportingPeriod",
                         "https://w3id.org/dutygraph/ontology#ValidationPolicy"})
_CONSTANT_KINDS = ("iri", "pname")


def _class_block(tokens: list[Token], element: Element, classes: set[str],
                 namespaces: dict[str, str]) -> tuple[str, list[str]] | None:
    """(the block's own text, its variables) of a block of triples ``?v a <C> ; <p> ?x ; <q> ?y``:
    a variable subject, a class of ``classes`` (full IRIs; ``namespaces`` expands a prefixed name),
    constant predicates, distinct variables as objects; else None."""
    end = element.end - (1 if tokens[element.end - 1].text == "." else 0)
    block = tokens[element.start:end]
    if len(block) < 3 or block[0].kind != "var" or block[2].kind not in _CONSTANT_KINDS:
        return None
    if block[1].text not in ("a", _RDF_TYPE) or _iri(block[2], namespaces) not in classes:
        return None
    variables = [block[0].text]
    position = 3
    while position < len(block):
        if position + 3 > len(block) or block[position].text != ";":
            return None
        predicate, obj = block[position + 1], block[position + 2]
        if not (predicate.kind in _CONSTANT_KINDS or predicate.text == "a") or obj.kind != "var":
            return None
        variables.append(obj.text)
        position += 3
    if len({name.lstrip("?$") for name in variables}) != len(variables):
        return None
    return " ".join(token.text for token in block), variables


def _iri(token: Token, namespaces: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    prefix, _, local = token.text.partition(":")
    return namespaces[prefix] + local if token.kind == "pname" and prefix in namespaces and "\\" not in local else None


def _namespaces(tokens: list[Token]) -> dict[str, str]:
    return {name.text.rstrip(":"): iri.text[1:-1] for keyword, name, iri in _declarations(tokens)
            if keyword == "PREFIX" and iri.kind == "iri"}


def _joined_groups(tokens: list[Token], parser: _Parser):
    """The groups whose solutions join the query's (or a subquery's) WHERE group: that group, the
    groups and UNION branches inside it, and those of subqueries; not OPTIONAL, MINUS, GRAPH, SERVICE
    or (NOT) EXISTS groups (VALUES there that binds an outer variable fails Virtuoso's compiler:
    "sparp_find_qmv_of_var_or_retval(): side effect var passed")."""
    start = next((i for i, token in enumerate(tokens) if token.kind == "punct" and token.text == "{"), None)
    if start is None:
        return
    pending = [parser.group(start)]
    while pending:
        group = pending.pop()
        if group.select:
            pending.append(parser.group(next(i for i in range(group.open + 1, group.close) if tokens[i].text == "{")))
            continue
        yield group
        for element in group.elements:
            if element.kind in ("group", "union", "subselect"):
                pending.extend(element.groups)


def rewrite_small_classes(sparql: str, instances=None, classes: frozenset[str] = RUN_CLASSES) -> str:
    """A block of triples ``?v a <C> ; <p> ?x …`` with C one of ``classes`` (``_class_block``) as
    ``VALUES (?v ?x …) { … }``, its solutions asked of the engine alone (``instances(pattern,
    variables)``: the rows as SPARQL texts, or None when there are too many, and the block stays).
    The same solutions: the rows are the block's solutions, in the block's place in its group.
    Virtuoso 7.2 estimates a class that the run itself wrote a few instances of (the 19
    dg:ReportingPeriod of a run) at almost no rows, starts its plan there and then scans whatever it
    likes: DecisionProcedureShape over 10^6 record triples took from 10 s to over 10 min, run to
    run, and 1.6 s with the periods given as VALUES."""
    if instances is None:
        return sparql
    tokens = tokenize(sparql)
    parser = _Parser(tokens)
    namespaces = _namespaces(tokens)
    edits = []
    for group in _joined_groups(tokens, parser):
        for element in group.elements:
            if element.kind != "triples":
                continue
            found = _class_block(tokens, element, classes, namespaces)
            if found is None:
                continue
            pattern, variables = found
            rows = instances(pattern, variables)
            if rows is None:
                continue
            values = " ".join(f"({' '.join(row)})" for row in rows)
            edits.append((tokens[element.start].start, tokens[element.end - 1].end,
                          f"VALUES ({' '.join(variables)}) {{ {values} }} "))
    for start, end, replacement in sorted(set(edits), reverse=True):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql


def engine_query(sparql: str, closure=None, instances=None) -> str:
    """A compiled query in the forms every engine evaluates alike (the module docstring);
    ``closure(step, object)``: the nodes that reach ``object`` by ``step*`` (SPARQL texts), or None;
    ``instances(pattern, variables)``: the solutions of a small class's block (``rewrite_small_classes``)."""
    sparql = guard_comparisons(drop_well_formedness_casts(rewrite_same_term(question_mark_variables(sparql))))
    return rewrite_small_classes(rewrite_optionals(rewrite_zero_or_more_paths(sparql, closure)), instances)
