"""Inclusive comparisons written so that Virtuoso 7.2 evaluates them right.

Virtuoso 7.2 answers an inclusive bound that has no other side wrongly in some layouts of its
indexes: ``<tenure> dg:startDate ?start FILTER(?start <= "2024-12-31"^^xsd:date)`` found no row
where the start was 2021-11-28, and its SQL ``O <= date`` with S and P given counted 0 of the 18
copies of that triple, while ``<``, ``>``, ``>=`` (as the lower bound), ``=`` and a range with both
sides found them all. A fresh Virtuoso got there after one round of three validations at once
(``tests/test_engine_validation.py``); from then on the holders of the leadership posts, and so
LiaisonShape's warnings, went missing with no error (the 584 warnings of one run at 10^7, the 11 for
12 of one test run).

``rewrite_inclusive_comparisons`` sends ``A <= B`` as ``((A) < (B) || (A) = (B))`` and ``A >= B`` as
``((A) > (B) || (A) = (B))``. ``remote_store.engine_query_text`` applies it to every query sent to an
external engine: the validation's and the users'. On Oxigraph the rewritten form has the value of
the original for every pair of numbers, dates, date-times, strings, language strings, booleans,
IRIs and ill-formed literals but one: NaN against NaN (Oxigraph's ``<=`` holds there, ``<`` and
``=`` do not).
"""

from __future__ import annotations

from .shacl_engine.sparql_syntax import Token, tokenize

INCLUSIVE = ("<=", ">=")
MAX_COMPARISONS = 500  # per query; past it the query is refused rather than sent half rewritten

# Where an operand of a relational expression ends (SPARQL 1.1 grammar, RelationalExpression): the
# bracket that encloses it, a comma between the arguments of a call, the logical operators (which
# bind looser), or the AS of a projection or BIND.
_OPERAND_ENDS = {"&&", "||", ","}


class ComparisonRewriteError(ValueError):
    """A query whose comparisons could not be rewritten (it is not sent)."""


def _operand_end(tokens: list[Token], operator: int, step: int) -> int:
    """The index of the token beyond the operand of the relational operator at ``operator``, going
    left (step -1) or right (step 1): where the expression's brackets close or a looser operator is."""
    opening, closing = ("(", "["), (")", "]")
    if step < 0:
        opening, closing = closing, opening
    depth, index = 0, operator + step
    while 0 <= index < len(tokens):
        token = tokens[index]
        if token.kind == "punct" and token.text in opening:
            depth += 1
        elif token.kind == "punct" and token.text in closing:
            if depth == 0:
                return index
            depth -= 1
        elif depth == 0 and ((token.kind == "punct" and token.text in _OPERAND_ENDS) or token.keyword == "AS"):
            return index
        index += step
    return index


def rewrite_inclusive_comparisons(sparql: str) -> str:
    """The query with each ``A <= B`` as ``((A) < (B) || (A) = (B))`` and each ``A >= B`` as
    ``((A) > (B) || (A) = (B))`` (see the module docstring); a query with neither is returned as it is."""
    if "<=" not in sparql and ">=" not in sparql:
        return sparql
    for _ in range(MAX_COMPARISONS + 1):
        tokens = tokenize(sparql)
        operator = next((index for index, token in enumerate(tokens)
                         if token.kind == "punct" and token.text in INCLUSIVE), None)
        if operator is None:
            return sparql
        left = _operand_end(tokens, operator, -1) + 1
        right = _operand_end(tokens, operator, 1)
        if left == operator or right == operator + 1:
            raise ComparisonRewriteError(
                f"the comparison {tokens[operator].text!r} at offset {tokens[operator].start} has no operand on one side")
        a = sparql[tokens[left].start:tokens[operator - 1].end]
        b = sparql[tokens[operator + 1].start:tokens[right - 1].end]
        strict = tokens[operator].text[0]
        sparql = (sparql[:tokens[left].start] + f"(({a}) {strict} ({b}) || ({a}) = ({b}))"
                  + sparql[tokens[right - 1].end:])
    raise ComparisonRewriteError(f"the query has more than {MAX_COMPARISONS} inclusive comparisons")
