"""Just enough of the SPARQL grammar to pre-bind ``$this`` to a set of focus nodes at once.

SHACL defines pre-binding (SHACL Appendix A) as joining every basic graph pattern of the query with
the focus node. The engine evaluates a constraint once for all focus nodes: it joins the focus
subquery into the WHERE group of the query and of each subquery, and into every nested group whose
filters, binds or optionals refer to ``$this`` (where the binding must already be in scope); EXISTS
patterns see the binding of the enclosing solution. ``scan_select`` finds those places and refuses
what pre-binding forbids (MINUS, VALUES, SERVICE, ``AS $this``, subqueries that hide ``$this``) and
what a set-at-once evaluation cannot reproduce (LIMIT/OFFSET, aggregates not grouped by ``$this``,
``$this`` in expressions under GRAPH).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import UnsupportedShapeError

_NAME = r"A-Za-z0-9_\u00B7\u00C0-\uFFFF"
_TOKEN = re.compile(
    rf"""(?P<ws>\s+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<var>[?$][{_NAME}]+)
    |(?P<pname>(?:[A-Za-z_\u00C0-\uFFFF](?:[{_NAME}.\-]*[{_NAME}\-])?)?:(?:[{_NAME}\-:%]|\\.|\.(?=[{_NAME}\-:%]))*)
    |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<punct>\^\^|&&|\|\||!=|<=|>=|.)""",
    re.VERBOSE | re.DOTALL,
)
AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
_PREBOUND = {"this", "shapesGraph", "currentShape"}  # ?value is pre-bound only in ASK validators


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    @property
    def variable(self) -> str | None:
        return self.text[1:] if self.kind == "var" else None


def tokenize(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), match.start(), match.end()))
    return tokens


@dataclass
class SelectLayout:
    """Where the focus subquery goes (``focus_inserts``: offsets just after a ``{``), where ``?this``
    joins the projection (``projection_insert``, None when the query projects it: ``projects_this``)."""

    focus_inserts: list[int] = field(default_factory=list)
    projection_insert: int | None = None
    projects_this: bool = False


def scan_select(text: str, shape: object = None) -> SelectLayout:
    return _Scanner(tokenize(text), shape).query()


class _Scanner:
    def __init__(self, tokens: list[Token], shape: object) -> None:
        self.tokens = tokens
        self.position = 0
        self.shape = shape
        self.layout = SelectLayout()
        self.aggregated = False

    # -- helpers -------------------------------------------------------------------------------
    def refuse(self, feature: str) -> UnsupportedShapeError:
        return UnsupportedShapeError(f"SHACL-SPARQL query: {feature}", self.shape)

    def peek(self, offset: int = 0) -> Token | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.refuse("unexpected end of query")
        self.position += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.next()
        if token.text.upper() != text:
            raise self.refuse(f"expected {text!r} at {token.text!r}")
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token is not None and (token.keyword in texts or (token.kind == "punct" and token.text in texts))

    # -- query ---------------------------------------------------------------------------------
    def query(self) -> SelectLayout:
        while self.at("PREFIX", "BASE"):
            self.next()
            if self.peek() and self.peek().kind == "pname":
                self.next()
            self.next()
        if not self.at("SELECT"):
            raise self.refuse("only SELECT queries are supported")
        _, insert_at, projects_this, aggregated = self.select_clause(outer=True)
        self.layout.projects_this = projects_this
        self.layout.projection_insert = None if projects_this else insert_at
        if self.at("FROM"):
            raise self.refuse("FROM clauses")
        if self.at("WHERE"):
            self.next()
        self.group(inject=True)
        self.modifiers(aggregated)
        if self.peek() is not None:
            raise self.refuse(f"unexpected {self.peek().text!r} after the query")
        return self.layout

    def select_clause(self, outer: bool) -> tuple[list[str] | None, int, bool, bool]:
        """Reads ``SELECT [DISTINCT|REDUCED] projection``; returns the projected variables (None for
        ``*``), the offset after the modifiers, whether ``$this`` is projected and whether the
        projection aggregates."""
        insert_at = self.next().end
        if self.at("DISTINCT", "REDUCED"):
            insert_at = self.next().end
        projected: list[str] | None = []
        self.aggregated = False
        while not self.at("WHERE", "{", "FROM"):
            token = self.next()
            if token.text == "*":
                projected = None
            elif token.kind == "var" and projected is not None:
                projected.append(token.variable)
            elif token.text == "(":
                alias, _ = self.expression()
                if projected is not None and alias:
                    projected.append(alias)
            else:
                raise self.refuse(f"unexpected {token.text!r} in the SELECT clause")
        projects_this = projected is None or "this" in projected
        if not outer and (projected is None or "this" not in projected):
            raise self.refuse("a subquery must project $this (SHACL Appendix A)")
        return projected, insert_at, projects_this, self.aggregated

    def modifiers(self, aggregated: bool) -> None:
        grouped_by_this = None
        if self.at("GROUP"):
            self.next()
            self.expect("BY")
            grouped_by_this = False
            while not self.at("HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES", "}") and self.peek() is not None:
                token = self.next()
                if token.variable == "this":
                    grouped_by_this = True
                elif token.text == "(":
                    self.expression()
        self.aggregated = False
        if self.at("HAVING"):
            self.next()
            while self.at("("):
                self.next()
                self.expression()
            aggregated = True
        if self.at("ORDER"):
            self.next()
            self.expect("BY")
            while not self.at("LIMIT", "OFFSET", "VALUES", "}") and self.peek() is not None:
                token = self.next()
                if token.keyword in AGGREGATES:
                    aggregated = True
                if token.text == "(":
                    self.expression()
        if (aggregated or self.aggregated or grouped_by_this is not None) and not grouped_by_this:
            # Grouped by $this, each focus node has its own groups, as when it is pre-bound.
            raise self.refuse("aggregation that is not grouped by $this")
        if self.at("LIMIT", "OFFSET"):
            raise self.refuse("LIMIT/OFFSET (they would apply to all focus nodes together)")
        if self.at("VALUES"):
            raise self.refuse("VALUES (SHACL Appendix A)")

    # -- group graph patterns ------------------------------------------------------------------
    def group(self, inject: bool = False, in_exists: bool = False, in_graph: bool = False) -> bool:
        """Reads ``{ … }``; returns whether the group mentions ``$this``. Records the groups that
        need the focus subquery joined in."""
        opening = self.expect("{")
        if self.at("SELECT"):
            if in_exists or in_graph:
                raise self.refuse("a subquery inside EXISTS or GRAPH")
            aggregated = self.select_clause(outer=False)[3]
            if self.at("WHERE"):
                self.next()
            self.group(inject=True, in_exists=in_exists, in_graph=in_graph)
            self.modifiers(aggregated)
            self.expect("}")
            return True
        mentions = needs_binding = False
        while not self.at("}"):
            token = self.peek()
            if token is None:
                raise self.refuse("unbalanced braces")
            keyword = token.keyword
            if token.text == "{":
                nested = self.group(in_exists=in_exists, in_graph=in_graph)
                mentions |= nested
                needs_binding |= nested
            elif keyword == "OPTIONAL":
                self.next()
                nested = self.group(in_exists=in_exists, in_graph=in_graph)
                mentions |= nested
                needs_binding |= nested
            elif keyword == "GRAPH":
                self.next()
                self.next()
                mentions |= self.group(in_exists=in_exists, in_graph=True)
            elif keyword in ("FILTER", "BIND"):
                self.next()
                mentioned = self.constraint(in_exists, in_graph) if keyword == "FILTER" else self.parenthesised(in_exists, in_graph)
                mentions |= mentioned
                needs_binding |= mentioned
            elif keyword in ("MINUS", "SERVICE", "VALUES"):
                raise self.refuse(f"{keyword} (SHACL Appendix A)")
            else:
                self.next()
                if token.variable == "this":
                    mentions = True
        self.expect("}")
        if in_graph and needs_binding:
            raise self.refuse("$this in a filter, bind or nested group under GRAPH")
        if inject or (needs_binding and not in_exists and not in_graph):
            self.layout.focus_inserts.append(opening.end)
        return mentions

    def constraint(self, in_exists: bool, in_graph: bool) -> bool:
        """Reads the constraint of a FILTER; returns whether it refers to ``$this``."""
        if self.at("NOT"):
            self.next()
        if self.at("EXISTS"):
            self.next()
            return self.group(in_exists=True, in_graph=in_graph)
        if not self.at("("):
            self.next()  # a function name: a keyword, a prefixed name or an IRI
        return self.parenthesised(in_exists, in_graph)

    def parenthesised(self, in_exists: bool, in_graph: bool) -> bool:
        self.expect("(")
        return self.expression(in_graph=in_graph)[1]

    def expression(self, in_graph: bool = False) -> tuple[str | None, bool]:
        """Reads up to the ``)`` that closes an opened ``(``; returns the alias of ``(… AS ?alias)``
        and whether the expression refers to ``$this``."""
        depth, alias, mentioned = 1, None, False
        while depth:
            token = self.next()
            if token.text == "(":
                depth += 1
            elif token.text == ")":
                depth -= 1
            elif token.keyword == "EXISTS":
                mentioned |= self.group(in_exists=True, in_graph=in_graph)
            elif token.text in ("{", "}"):
                raise self.refuse("unexpected braces in an expression")
            elif token.keyword in AGGREGATES and self.at("("):
                self.aggregated = True
            elif token.keyword == "AS":
                target = self.next()
                if target.variable in _PREBOUND:
                    raise self.refuse(f"AS ?{target.variable} (SHACL Appendix A)")
                alias = target.variable
            elif token.variable == "this":
                mentioned = True
        return alias, mentioned
