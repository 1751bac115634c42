"""inclusive_comparisons: ``A <= B`` sent to an engine as ``((A) < (B) || (A) = (B))``.

Virtuoso 7.2 answered an inclusive bound with no other side wrongly (a tenure's start 2021-11-28
not found by ``FILTER(?start <= "2024-12-31"^^xsd:date)``: the holders of the leadership posts, and
so LiaisonShape's warnings, were lost). The rewrite finds each comparison's operands as SPARQL's
grammar bounds them (brackets, the arguments of a call, ``&&``/``||``, ``AS``); on Oxigraph it gives
the original's value for every pair of a matrix of terms but NaN against NaN; every query sent to an
engine (remote_store.engine_query_text) has it, and every compiled query keeps its rows
(test_engine_validation's test of the rewritten queries runs them all). No engine needed; the
engine's side is test_engine_validation's (three sets validated at once, twice) and test_service_faults'.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from dutygraph.inclusive_comparisons import ComparisonRewriteError, rewrite_inclusive_comparisons
from dutygraph.remote_store import engine_query_text

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("before, after", [
    ("FILTER(?a <= ?b)", "FILTER(((?a) < (?b) || (?a) = (?b)))"),
    ("FILTER(?a >= ?b)", "FILTER(((?a) > (?b) || (?a) = (?b)))"),
    ("FILTER(?ps <= ?date && ?date <= ?pe)",
     "FILTER(((?ps) < (?date) || (?ps) = (?date)) && ((?date) < (?pe) || (?date) = (?pe)))"),
    ("FILTER(?meetingDay >= ?day && ?meetingDay - ?day <= ?days)",
     "FILTER(((?meetingDay) > (?day) || (?meetingDay) = (?day)) && ((?meetingDay - ?day) < (?days) || (?meetingDay - ?day) = (?days)))"),
    ("FILTER(!BOUND(?end) || ?end >= ?pe)", "FILTER(!BOUND(?end) || ((?end) > (?pe) || (?end) = (?pe)))"),
    ('BIND(IF(?x <= 3, "low", "high") AS ?y)', 'BIND(IF(((?x) < (3) || (?x) = (3)), "low", "high") AS ?y)'),
    ("BIND(?x + 1 >= xsd:integer(?y) * 2 AS ?big)",
     "BIND(((?x + 1) > (xsd:integer(?y) * 2) || (?x + 1) = (xsd:integer(?y) * 2)) AS ?big)"),
    ("HAVING (COUNT(DISTINCT ?m) <= ?max)", "HAVING (((COUNT(DISTINCT ?m)) < (?max) || (COUNT(DISTINCT ?m)) = (?max)))"),
    ('COALESCE(5 <= ?v && !STRSTARTS(STR(DATATYPE(?v)), "x"), false)',
     'COALESCE(((5) < (?v) || (5) = (?v)) && !STRSTARTS(STR(DATATYPE(?v)), "x"), false)'),
    ('FILTER(?a < ?b || ?a = ?b || ?s = "<=" || ?i = <urn:x:a>)',
     'FILTER(?a < ?b || ?a = ?b || ?s = "<=" || ?i = <urn:x:a>)'),  # nothing inclusive: unchanged
])
def test_each_inclusive_comparison_becomes_strict_or_equal_with_its_operands(before, after):
    assert rewrite_inclusive_comparisons(before) == after


def test_a_comparison_without_an_operand_or_past_the_limit_is_an_error(monkeypatch):
    from dutygraph import inclusive_comparisons

    with pytest.raises(ComparisonRewriteError, match="no operand"):
        rewrite_inclusive_comparisons("FILTER(<= ?b)")
    monkeypatch.setattr(inclusive_comparisons, "MAX_COMPARISONS", 3)
    three = "SELECT * WHERE { FILTER(" + " && ".join(["?a <= 1"] * 3) + ") }"
    assert "<=" not in rewrite_inclusive_comparisons(three)
    with pytest.raises(ComparisonRewriteError, match="more than 3"):
        rewrite_inclusive_comparisons(three.replace("?a <= 1", "?a <= 1 && ?b >= 2", 1))


TERMS = ["1", "2", "1.0", f'"1"^^<{XSD}double>', f'"NaN"^^<{XSD}double>', f'"INF"^^<{XSD}double>',
         f'"2024-01-01"^^<{XSD}date>', f'"2024-01-02"^^<{XSD}date>', f'"2024-01-01Z"^^<{XSD}date>',
         f'"2024-01-01T00:00:00"^^<{XSD}dateTime>', '"a"', '"b"', '"a"@en', "true", "false",
         f'"x5"^^<{XSD}integer>', "<urn:x:a>", "<urn:x:b>"]


def test_on_oxigraph_the_rewritten_comparison_has_the_original_value_but_for_nan_against_nan():
    store = ox.Store()
    differ = []
    for a in TERMS:
        for b in TERMS:
            for operator in ("<=", ">="):
                query = f"SELECT ?r WHERE {{ BIND(({a} {operator} {b}) AS ?r) }}"
                original = [str(row["r"]) for row in store.query(query)]
                rewritten = [str(row["r"]) for row in store.query(rewrite_inclusive_comparisons(query))]
                if original != rewritten:
                    differ.append((a, operator, b))
    nan = f'"NaN"^^<{XSD}double>'
    assert differ == [(nan, "<=", nan), (nan, ">=", nan)]


def test_every_query_to_an_engine_gets_no_inclusive_comparison_and_the_same_rows():
    query = ("PREFIX dg: <https://w3id.org/dutygraph/ontology#>\n"
             "SELECT ?t WHERE { ?t dg:startDate ?start . OPTIONAL { ?t dg:endDate ?end } "
             'FILTER(?start <= "2024-12-31"^^<http://www.w3.org/2001/XMLSchema#date> && (!BOUND(?end) || ?end >= ?start)) }')
    sent = engine_query_text(query)
    assert "<=" not in sent and ">=" not in sent
    store = ox.Store()
    dg = "https://w3id.org/dutygraph/ontology#"
    for number, (start, end) in enumerate([("2021-11-28", None), ("2024-12-31", "2024-12-31"), ("2025-01-01", None),
                                           ("2020-01-01", "2019-12-31")]):
        tenure = ox.NamedNode(f"urn:x:tenure{number}")
        store.add(ox.Quad(tenure, ox.NamedNode(dg + "startDate"), ox.Literal(start, datatype=ox.NamedNode(XSD + "date"))))
        if end:
            store.add(ox.Quad(tenure, ox.NamedNode(dg + "endDate"), ox.Literal(end, datatype=ox.NamedNode(XSD + "date"))))
    rows = sorted(row["t"].value for row in store.query(query))
    assert rows == ["urn:x:tenure0", "urn:x:tenure1"]
    assert sorted(row["t"].value for row in store.query(sent)) == rows
