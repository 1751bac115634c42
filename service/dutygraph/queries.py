"""Canned SPARQL questions (queries/*.rq) and running SPARQL on the store.

A canned question is a ``.rq`` file that opens with a header of ``#`` comment lines::

    # title@en: Everything a unit owes
    # title@zh: 某单位的全部职责
    # description: Every content item the unit is accountable for, ...
    # param: unit | string | required | the unit's Chinese or English name, e.g. 组织部

A parameter ``name`` is the query variable ``?name``. Values are bound by a ``VALUES`` block put
at the start of the query's outermost ``WHERE`` group, each value written as an escaped RDF term
(N-Triples syntax), so a value can never change the shape of the query. An optional parameter that
is not given is ``UNDEF``: its variable stays unbound and ``FILTER(!BOUND(?name) || …)`` lets all
rows through. (pyoxigraph's own ``substitutions`` are not used: with them ``BOUND(?name)`` is true
even for rows the value should have excluded, and the variable must be projected.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import paths
from .namespaces import PREFIXES

PARAM_TYPES = ("string", "integer", "iri")
_HEADER = re.compile(r"^#\s*([a-z@]+)\s*:\s*(.*)$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class QueryError(ValueError):
    """A query that cannot run as asked: unknown name, bad parameter, or a SPARQL error."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title_en: str
    title_zh: str
    description: str
    parameters: tuple[Parameter, ...]
    sparql: str
    path: Path = field(compare=False)

    def bind(self, values: dict[str, str]) -> str:
        """The query text with the parameter values bound (see the module docstring)."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(f"query {self.name!r} has no parameter {', '.join(unknown)}; it takes: {', '.join(known) or 'none'}")
        if not self.parameters:
            return self.sparql
        terms = []
        for parameter in self.parameters:
            if parameter.name not in values or values[parameter.name] == "":
                if parameter.required:
                    raise QueryError(f"query {self.name!r} needs the parameter {parameter.name!r}: {parameter.description}")
                terms.append("UNDEF")
            else:
                terms.append(str(_term(parameter, values[parameter.name])))
        variables = " ".join(f"?{p.name}" for p in self.parameters)
        block = f" VALUES ({variables}) {{ ({' '.join(terms)}) }} "
        match = _WHERE.search(self.sparql, _body_offset(self.sparql))
        return self.sparql[: match.end()] + block + self.sparql[match.end():]


def _body_offset(sparql: str) -> int:
    """Where the query proper starts, after the header's comment lines."""
    offset = 0
    for line in sparql.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        offset += len(line)
    return offset


def _term(parameter: Parameter, value: str) -> ox.Literal | ox.NamedNode:
    if parameter.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise QueryError(f"parameter {parameter.name!r} must be a whole number, not {value!r}")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if parameter.type == "iri":
        try:
            return ox.NamedNode(value.strip())
        except ValueError as error:
            raise QueryError(f"parameter {parameter.name!r} must be an absolute IRI: {error}") from None
    return ox.Literal(value.strip())


def parse_canned_query(path: Path) -> CannedQuery:
    header: dict[str, str] = {}
    parameters = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "param":
            parts = [part.strip() for part in value.split("|")]
            if len(parts) != 4 or parts[1] not in PARAM_TYPES or parts[2] not in ("required", "optional"):
                raise QueryError(f"{path.name}: bad param line {line!r} (want: name | {'/'.join(PARAM_TYPES)} | required/optional | description)")
            parameters.append(Parameter(parts[0], parts[1], parts[2] == "required", parts[3]))
        else:
            header[key] = value.strip()
    missing = [key for key in ("title@en", "title@zh", "description") if not header.get(key)]
    if missing:
        raise QueryError(f"{path.name}: header lacks {', '.join(missing)}")
    text = path.read_text(encoding="utf-8")
    if parameters and not _WHERE.search(text, _body_offset(text)):
        raise QueryError(f"{path.name}: a query with parameters needs a 'WHERE {{' group to bind them in")
    return CannedQuery(
        name=path.stem, title_en=header["title@en"], title_zh=header["title@zh"],
        description=header["description"], parameters=tuple(parameters),
        sparql=path.read_text(encoding="utf-8"), path=path,
    )


def list_canned_queries(directory: Path | None = None) -> list[CannedQuery]:
    directory = directory or paths.queries_dir()
    return [parse_canned_query(path) for path in sorted(directory.glob("*.rq"))]


def get_canned_query(name: str, directory: Path | None = None) -> CannedQuery:
    if not _NAME.match(name):
        raise QueryError(f"{name!r} is not a query name")
    path = (directory or paths.queries_dir()) / f"{name}.rq"
    if not path.is_file():
        names = ", ".join(q.name for q in list_canned_queries(directory))
        raise QueryError(f"no canned query {name!r}; there are: {names}")
    return parse_canned_query(path)


@dataclass
class SelectResult:
    variables: list[str]
    rows: list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode | None]]


def run_sparql(store: ox.Store, sparql: str):
    """Run any query: a SelectResult for SELECT, a bool for ASK, a list of triples otherwise."""
    try:
        result = store.query(sparql, prefixes=PREFIXES)
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from None
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = [{name: solution[name] for name in variables} for solution in result]
        return SelectResult(variables, rows)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return list(result)


def run_canned_query(store: ox.Store, name: str, values: dict[str, str] | None = None):
    query = get_canned_query(name)
    return run_sparql(store, query.bind(values or {}))
