"""The SPARQL-compiled SHACL engine (dutygraph.shacl_engine): same results as pySHACL, one query per
constraint, and a refusal (UnsupportedShapeError) for every feature it does not compile.

Each equivalence scenario validates a small crafted graph with both engines: pySHACL on the rdflib
graph (inference none, advanced on, as dutygraph's checks call it) and the engine on a pyoxigraph
Store holding the same triples (blank node ids kept). The data write literals in canonical form:
a Store rewrites "01"^^xsd:integer as "1" (see test_store_holds_canonical_literals).
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from dutygraph.shacl_engine import UnsupportedShapeError, ValidationOutcome, validate
from dutygraph.shacl_engine.terms import from_rdflib

SH = Namespace("http://www.w3.org/ns/shacl#")
EX = Namespace("http://example.org/")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix ex: <http://example.org/> .
"""


def store_of(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph)
    return store


def parse(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def pyshacl_results(data: Graph, shapes: Graph) -> list[tuple]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        results.append(
            tuple(report.value(result, predicate) for predicate in (
                SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraintComponent,
                SH.resultSeverity))
            + (tuple(sorted(report.objects(result, SH.resultMessage), key=lambda m: (m.language or "", str(m)))),)
        )
    assert conforms == (not results)
    return results


def key(result: tuple) -> tuple:
    # RDF 1.1 has one term for "a" and "a"^^xsd:string; rdflib (and so pySHACL) keeps two.
    return tuple(
        Literal(str(part)) if isinstance(part, Literal) and part.datatype == XSD_STRING else part
        for part in result[:6]
    )


def declared_messages(result: tuple, shapes: Graph):
    """The result's messages where the shapes declare sh:message (pySHACL writes messages of its own
    where they do not): exact literals for core constraints; lexical forms for SPARQL constraints,
    whose substituted messages lose their language tag in pySHACL (the engine keeps it)."""
    shape_node, component = result[3], result[4]
    declared = set(shapes.objects(shape_node, SH.message))
    if component == SH.SPARQLConstraintComponent:
        declared |= {m for c in shapes.objects(shape_node, SH.sparql) for m in shapes.objects(c, SH.message)}
        return tuple(sorted(map(str, result[6]))) if declared else None
    return result[6] if declared else None


def assert_same_as_pyshacl(data_turtle: str, shapes_turtle: str) -> ValidationOutcome:
    """The engine's results equal pySHACL's, with multiplicity and with the messages the shapes
    declare; where they declare none, the engine writes none."""
    data, shapes = parse(data_turtle), parse(shapes_turtle)
    outcome = validate(store_of(data), shapes)
    expected = pyshacl_results(data, shapes)
    assert Counter(key(r) for r in outcome.results) == Counter(key(r) for r in expected)
    assert outcome.conforms == (not expected)
    assert Counter((key(r), declared_messages(r, shapes)) for r in outcome.results) == Counter(
        (key(r), declared_messages(r, shapes)) for r in expected
    )
    assert all(r[6] == () for r in outcome.results if declared_messages(r, shapes) is None)
    return outcome


# -- equivalence with pySHACL ----------------------------------------------------------------------

VALUE_TYPE_DATA = """
ex:Person rdfs:subClassOf ex:Agent .
ex:alice a ex:Person ; ex:name "Alice" ; ex:age 30 ; ex:knows ex:bob ; ex:homepage <http://alice.example/> .
ex:bob a ex:Agent ; ex:name "Bob", "Robert" ; ex:age "thirty"^^xsd:integer ; ex:knows ex:carol, "Carol" ;
    ex:homepage "bob.example" .
ex:carol a ex:Person ; ex:age 41.5 ; ex:knows [ a ex:Person ] ; ex:homepage _:carolsPage .
ex:dave a ex:Robot ; ex:name "Dave"@en .
"""
VALUE_TYPE_SHAPES = """
ex:AgentShape a sh:NodeShape ; sh:targetClass ex:Agent ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ] ;
    sh:property [ sh:path ex:age ; sh:datatype xsd:integer ; sh:message "age: an integer"@en, "年龄：整数"@zh ] ;
    sh:property [ sh:path ex:knows ; sh:class ex:Agent ; sh:nodeKind sh:BlankNodeOrIRI ] ;
    sh:property [ sh:path ex:homepage ; sh:nodeKind sh:IRI ; sh:severity sh:Warning ] .
ex:Robot a rdfs:Class, sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:datatype xsd:string ; sh:minCount 2 ] .
"""


def test_value_type_and_cardinality_components_match_pyshacl():
    """sh:class (subclasses, literals, blank nodes), sh:datatype (ill-formed literal, language-tagged
    string), sh:nodeKind, sh:minCount, sh:maxCount; sh:targetClass through rdfs:subClassOf and an
    implicit class target."""
    outcome = assert_same_as_pyshacl(VALUE_TYPE_DATA, VALUE_TYPE_SHAPES)
    components = {result[4] for result in outcome.results}
    assert components == {
        SH.MaxCountConstraintComponent, SH.MinCountConstraintComponent, SH.DatatypeConstraintComponent,
        SH.ClassConstraintComponent, SH.NodeKindConstraintComponent,
    }
    assert (EX.bob, EX.age, Literal("thirty", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))) in {
        result[:3] for result in outcome.results
    }


STRING_AND_RANGE_DATA = """
ex:a ex:size 5 ; ex:code "AB-12" ; ex:label "hello"@en, "hallo"@de, "salut"@fr ; ex:title "Tiny", "Huge title here" .
ex:b ex:size 10 ; ex:code ex:AB-12 ; ex:label "hi"@en, "hey"@en-GB, "yo"@EN ; ex:title _:t .
ex:c ex:size "ten" ; ex:code "ab-1" ; ex:label "plain" ; ex:title 7 .
ex:d ex:size 2.5 ; ex:code _:code .
"""
STRING_AND_RANGE_SHAPES = """
ex:RangeShape a sh:NodeShape ; sh:targetNode ex:a, ex:b, ex:c, ex:d, "literal focus" ;
    sh:property [ sh:path ex:size ; sh:minExclusive 2.5 ; sh:maxInclusive 9 ] ;
    sh:property [ sh:path ex:size ; sh:minInclusive 3 ; sh:maxExclusive 10 ] ;
    sh:property [ sh:path ex:code ; sh:pattern "^ab-[0-9]+$" ; sh:flags "i" ; sh:maxLength 5 ] ;
    sh:property [ sh:path ex:label ; sh:languageIn ( "en" "de" ) ; sh:uniqueLang true ] ;
    sh:property [ sh:path ex:title ; sh:minLength 3 ; sh:maxLength 10 ] .
ex:LiteralShape a sh:NodeShape ; sh:targetNode "literal focus", "x" ; sh:minLength 2 ; sh:datatype xsd:string ;
    sh:pattern "^l" .
"""


def test_range_and_string_components_match_pyshacl():
    """sh:min/maxExclusive, sh:min/maxInclusive (incomparable values fail), sh:minLength/maxLength
    (blank nodes fail), sh:pattern with sh:flags (on an IRI it matches the IRI's string),
    sh:languageIn, sh:uniqueLang (tags compared without case); sh:targetNode with a literal."""
    outcome = assert_same_as_pyshacl(STRING_AND_RANGE_DATA, STRING_AND_RANGE_SHAPES)
    unique_lang = [result for result in outcome.results if result[4] == SH.UniqueLangConstraintComponent]
    assert [(result[0], result[2]) for result in unique_lang] == [(EX.b, None)]


PROPERTY_PAIR_DATA = """
ex:x ex:first 1 ; ex:second 1 ; ex:start 1 ; ex:end 2 ; ex:low 3 ; ex:high 3 ; ex:self ex:x .
ex:y ex:first 1, 2 ; ex:second 2, 3 ; ex:start 5 ; ex:end 4, 6 ; ex:low "a" ; ex:high 3 ; ex:other ex:y .
ex:z ex:first ex:y ; ex:start "2020-01-01"^^xsd:date ; ex:end "2020-01-02"^^xsd:date ; ex:low 4 ; ex:high 3 .
"""
PROPERTY_PAIR_SHAPES = """
ex:PairShape a sh:NodeShape ; sh:targetSubjectsOf ex:first ;
    sh:property [ sh:path ex:first ; sh:equals ex:second ; sh:disjoint ex:start ] ;
    sh:property [ sh:path ex:start ; sh:lessThan ex:end ] ;
    sh:property [ sh:path ex:low ; sh:lessThanOrEquals ex:high ] .
ex:SelfShape a sh:NodeShape ; sh:targetSubjectsOf ex:first ; sh:equals ex:self ; sh:disjoint ex:other .
"""


def test_property_pair_components_match_pyshacl():
    """sh:equals and sh:disjoint on property and node shapes, sh:lessThan and sh:lessThanOrEquals
    (one result per offending pair, incomparable pairs fail); sh:targetSubjectsOf."""
    assert_same_as_pyshacl(PROPERTY_PAIR_DATA, PROPERTY_PAIR_SHAPES)


OTHER_DATA = """
ex:order1 ex:status ex:Open ; ex:channel "web" ; ex:owner ex:ann .
ex:order2 ex:status ex:Lost ; ex:channel "fax" ; ex:owner ex:bo .
ex:order3 ex:status ex:Closed, ex:Open ; ex:owner ex:ann .
ex:ann ex:role ex:Clerk .
ex:bo ex:role ex:Manager .
"""
OTHER_SHAPES = """
ex:OrderShape a sh:NodeShape ; sh:targetSubjectsOf ex:status ;
    sh:property [ sh:path ex:status ; sh:in ( ex:Open ex:Closed ) ] ;
    sh:property [ sh:path ex:channel ; sh:in ( "web" "phone" ) ; sh:hasValue "web" ] .
ex:OwnerShape a sh:NodeShape ; sh:targetObjectsOf ex:owner ;
    sh:property [ sh:path ex:role ; sh:hasValue ex:Clerk ] ;
    sh:in ( ex:ann ex:cy ) ; sh:hasValue ex:ann .
"""


def test_in_and_has_value_match_pyshacl():
    """sh:in and sh:hasValue on property and node shapes; sh:targetObjectsOf."""
    assert_same_as_pyshacl(OTHER_DATA, OTHER_SHAPES)


PATH_DATA = """
ex:root ex:child ex:c1, ex:c2 ; ex:alias "r" .
ex:c1 ex:child ex:g1 ; ex:name "c1" .
ex:c2 ex:child ex:g2 ; ex:nick "c2" .
ex:g1 ex:name "g1" .
ex:g2 ex:child _:g3 .
_:g3 ex:name "g3" .
ex:p1 ex:parentOf ex:root .
"""
PATH_SHAPES = """
ex:PathShape a sh:NodeShape ; sh:targetNode ex:root, ex:c1, ex:unknown, "lit" ;
    sh:property [ sh:path ( ex:child ex:name ) ; sh:maxCount 1 ; sh:pattern "^c" ] ;
    sh:property [ sh:path [ sh:alternativePath ( ex:name ex:nick ex:alias ) ] ; sh:minCount 1 ; sh:maxLength 1 ] ;
    sh:property [ sh:path [ sh:inversePath ex:parentOf ] ; sh:minCount 1 ] ;
    sh:property [ sh:path [ sh:zeroOrMorePath ex:child ] ; sh:nodeKind sh:IRI ; sh:minCount 2 ] ;
    sh:property [ sh:path [ sh:oneOrMorePath ex:child ] ; sh:maxCount 3 ; sh:hasValue ex:g1 ] ;
    sh:property [ sh:path [ sh:zeroOrOnePath ex:child ] ; sh:in ( ex:root ex:c1 ex:c2 ) ; sh:hasValue ex:c1 ] ;
    sh:property [ sh:path ( [ sh:zeroOrMorePath ex:child ] [ sh:inversePath ex:child ] ) ; sh:maxCount 2 ] .
"""


def test_every_path_form_matches_pyshacl():
    """Predicate, sequence, alternative, inverse, zero-or-more, one-or-more, zero-or-one paths and a
    nesting of them, from focus nodes in the data, absent from it (ex:unknown), and literal; values
    reached through several routes count once."""
    outcome = assert_same_as_pyshacl(PATH_DATA, PATH_SHAPES)
    assert any(result[0] == Literal("lit") for result in outcome.results)


SPARQL_DATA = """
ex:budget1 ex:owner ex:unitA ; ex:amount 120 ; ex:limit 100 ; ex:note "ok" .
ex:budget2 ex:owner ex:unitB ; ex:amount 80 ; ex:limit 100 .
ex:budget3 ex:amount 300 ; ex:limit 100 ; ex:note "over", "way over" .
"""
SPARQL_SHAPES = """
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:BudgetShape a sh:NodeShape ; sh:targetSubjectsOf ex:amount ;
    sh:sparql [
        sh:prefixes ex: ;
        sh:message "{$this}: amount {?value} exceeds the limit {?limit}"@en, "{$this}：金额 {?value} 超过上限 {?limit}"@zh ;
        sh:select \"\"\"SELECT $this ?value ?limit WHERE {
            $this ex:amount ?value ; ex:limit ?limit . FILTER (?value > ?limit) }\"\"\" ] ;
    sh:sparql [
        sh:prefixes ex: ;
        sh:message "no owner for {?value} ({$this})" ;
        sh:select \"\"\"SELECT ?value WHERE { FILTER NOT EXISTS { $this ex:owner ?o } BIND ($this AS ?value) }\"\"\" ] ;
    sh:sparql [ sh:deactivated true ; sh:select "SELECT $this WHERE { $this ?p ?o }" ] ;
    sh:property ex:NoteShape .
ex:NoteShape sh:path ex:note ; sh:severity sh:Info ;
    sh:sparql [
        sh:prefixes ex: ;
        sh:message "note {?value} on {$this} ({?path})" ;
        sh:select \"\"\"SELECT $this ?value ?path WHERE {
            $this $PATH ?value . BIND (ex:note AS ?path) FILTER (STRLEN(?value) > 3) }\"\"\" ] .
ex:OffShape a sh:NodeShape ; sh:deactivated true ; sh:targetSubjectsOf ex:amount ; sh:minCount 5 .
"""


def test_sparql_constraints_and_message_templates_match_pyshacl():
    """SELECT-based constraints: sh:prefixes/sh:declare, $this, ?value, ?path, $PATH in a property
    shape, extra variables in message templates ({$this}, {?limit}), a query that does not project
    $this (so {$this} is not substituted, as pySHACL does), sh:deactivated on a constraint and on a
    shape, sh:severity."""
    outcome = assert_same_as_pyshacl(SPARQL_DATA, SPARQL_SHAPES)
    messages = {message for result in outcome.results for message in result[6]}
    assert Literal("http://example.org/budget1: amount 120 exceeds the limit 100", lang="en") in messages
    assert Literal("http://example.org/budget1：金额 120 超过上限 100", lang="zh") in messages
    assert Literal("no owner for http://example.org/budget3 ({$this})") in messages
    assert {result[5] for result in outcome.results} == {SH.Violation, SH.Info}


PREBINDING_DATA = """
ex:o1 a ex:Order ; ex:item ex:i1, ex:i2, ex:i3 ; ex:ref ex:o2 ; ex:a ex:i1 .
ex:o2 a ex:Order ; ex:item ex:i1 ; ex:owner ex:ann ; ex:ref ex:o2 ; ex:b ex:i4 .
ex:o3 a ex:Order ; ex:owner ex:bo ; ex:a ex:i2 ; ex:b ex:i2 .
ex:i1 a ex:Ok .
ex:o4 ex:ref ex:o1 .
"""
PREBINDING_SHAPES = """
ex:OrderShape a sh:NodeShape ; sh:targetClass ex:Order ;
    sh:sparql [ sh:message "no owner" ;
        sh:select "SELECT $this WHERE { OPTIONAL { $this <http://example.org/owner> ?o } FILTER (!bound(?o)) }" ] ;
    sh:sparql [ sh:message "{?value} is not ok" ;
        sh:select \"\"\"SELECT $this ?value WHERE {
            { $this <http://example.org/a> ?value } UNION { $this <http://example.org/b> ?value }
            FILTER NOT EXISTS { ?value a <http://example.org/Ok> } }\"\"\" ] ;
    sh:sparql [ sh:message "{?count} items" ;
        sh:select \"\"\"SELECT $this ?count WHERE {
            { SELECT $this (COUNT(?item) AS ?count) WHERE { $this <http://example.org/item> ?item } GROUP BY $this }
            FILTER (?count > 2) }\"\"\" ] ;
    sh:sparql [ sh:message "referred to by {?other}" ;
        sh:select \"\"\"SELECT $this ?other WHERE {
            { ?other <http://example.org/ref> ?x . FILTER (?x = $this && ?other != $this) } }\"\"\" ] .
"""


def test_pre_binding_of_this_in_nested_patterns_matches_pyshacl():
    """$this in OPTIONAL, UNION, FILTER NOT EXISTS, a grouped subquery and a filter in a nested group
    that does not bind it: the rewrite joins the focus nodes where pre-binding (SHACL Appendix A)
    would put them."""
    outcome = assert_same_as_pyshacl(PREBINDING_DATA, PREBINDING_SHAPES)
    assert len(outcome.results) == 6


DATATYPE_DATA = """
ex:a ex:text "plain", "tagged"@en, "typed"^^xsd:string, 5, ex:iri ; ex:when "2020-01-01"^^xsd:date, "2020-02-30"^^xsd:date .
"""
DATATYPE_SHAPES = """
ex:TextShape a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:text ; sh:datatype xsd:string .
ex:LangShape a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:text ; sh:datatype rdf:langString ;
    sh:message "a language-tagged string"@en .
ex:LiteralShape a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:text ; sh:datatype rdfs:Literal .
ex:DateShape a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:when ; sh:datatype xsd:date .
"""


def test_datatypes_match_pyshacl():
    """xsd:string (plain and typed strings), rdf:langString, rdfs:Literal (every literal, as pySHACL
    has it), an ill-formed xsd:date; property shapes with their own targets."""
    assert_same_as_pyshacl(DATATYPE_DATA, DATATYPE_SHAPES)


NESTED_DATA = """
ex:p1 a ex:Person ; ex:address ex:home, _:work .
ex:p2 a ex:Person ; ex:address ex:home .
ex:home ex:city ex:Paris ; ex:zip 75001 .
_:work ex:city "Lyon" ; ex:zip "69001" .
ex:Paris a ex:City .
"""
NESTED_SHAPES = """
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:address ; sh:nodeKind sh:IRI ;
        sh:property [ sh:path ex:city ; sh:class ex:City ] ;
        sh:property ex:ZipShape ] .
ex:ZipShape sh:path ex:zip ; sh:datatype xsd:string ; sh:message "zip: a string" .
"""


def test_nested_property_shapes_and_blank_node_focus_nodes_match_pyshacl():
    """sh:property inside a property shape: the value nodes become focus nodes (a blank node among
    them), and a focus node reached from two parents is validated, and reported, twice."""
    outcome = assert_same_as_pyshacl(NESTED_DATA, NESTED_SHAPES)
    city_results = [result for result in outcome.results if result[4] == SH.ClassConstraintComponent]
    assert len(city_results) == 1 and isinstance(city_results[0][0], BNode)
    zip_results = [result for result in outcome.results if result[3] == EX.ZipShape]
    assert [result[0] for result in zip_results] == [EX.home, EX.home]


# -- the report ------------------------------------------------------------------------------------

def test_the_package_docstring_example_runs():
    import doctest

    import dutygraph.shacl_engine

    failures, attempted = doctest.testmod(dutygraph.shacl_engine)
    assert attempted > 0 and failures == 0


def test_report_is_a_standard_validation_report():
    data, shapes = parse(VALUE_TYPE_DATA), parse(VALUE_TYPE_SHAPES)
    outcome = validate(store_of(data), shapes)
    report = outcome.report
    (report_node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(report_node, SH.conforms) == Literal(False)
    results = list(report.objects(report_node, SH.result))
    assert len(results) == len(outcome.results) and all(isinstance(node, BNode) for node in results)
    for node in results:
        assert (node, RDF.type, SH.ValidationResult) in report
        for predicate in (SH.focusNode, SH.resultSeverity, SH.sourceShape, SH.sourceConstraintComponent):
            assert len(list(report.objects(node, predicate))) == 1
    read_back = sorted(
        (report.value(node, SH.focusNode), report.value(node, SH.resultPath), report.value(node, SH.value),
         report.value(node, SH.sourceShape), report.value(node, SH.sourceConstraintComponent),
         report.value(node, SH.resultSeverity),
         tuple(sorted(report.objects(node, SH.resultMessage), key=lambda m: (m.language or "", str(m)))))
        for node in results
    )
    assert sorted(outcome.results) == read_back


def test_complex_result_paths_carry_their_structure():
    data, shapes = parse(PATH_DATA), parse(PATH_SHAPES)
    report = validate(store_of(data), shapes).report
    inverse = [path for path in report.objects(None, SH.resultPath) if (path, SH.inversePath, EX.parentOf) in report]
    assert inverse, "the report states the inverse path [ sh:inversePath ex:parentOf ]"
    sequences = [path for path in report.objects(None, SH.resultPath) if list(report.items(path)) == [EX.child, EX.name]]
    assert sequences, "the report states the sequence path ( ex:child ex:name )"


def test_conforming_data_gives_an_empty_conforming_report():
    data = parse("ex:a a ex:Agent ; ex:name \"A\" .")
    outcome = validate(store_of(data), parse(VALUE_TYPE_SHAPES))
    assert outcome.conforms and outcome.results == []
    assert (None, SH.conforms, Literal(True)) in outcome.report


def test_projected_message_variable_replaces_the_constraint_messages():
    """SHACL §5.3.2: a bound ?message is the result message (pySHACL ignores it)."""
    shapes = parse("""
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:sparql [ sh:message "unused" ; sh:select "SELECT $this ?message WHERE { BIND (\\"from the query\\"@en AS ?message) }" ] .""")
    outcome = validate(store_of(parse("ex:a ex:p 1 .")), shapes)
    assert [result[6] for result in outcome.results] == [(Literal("from the query", lang="en"),)]


def test_union_default_graph_validates_the_named_graphs():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(str(EX.a)), ox.NamedNode(str(RDF.type)), ox.NamedNode(str(EX.Agent)),
                      ox.NamedNode(str(EX.graph1))))
    shapes = parse(VALUE_TYPE_SHAPES)
    assert validate(store, shapes).conforms
    outcome = validate(store, shapes, union_default_graph=True)
    assert [(result[0], result[4]) for result in outcome.results] == [(EX.a, SH.MinCountConstraintComponent)]


def test_store_holds_canonical_literals():
    """The Store rewrites well-formed literals in canonical form when it loads them, so the report
    names the value as the Store holds it (pySHACL, on the rdflib graph, keeps "05")."""
    store = ox.Store()
    store.load(PREFIXES.encode() + b'ex:a ex:size "05"^^xsd:integer .', format=ox.RdfFormat.TURTLE)
    outcome = validate(store, parse("ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:size ; sh:maxInclusive 4 ] ."))
    assert [str(result[2]) for result in outcome.results] == ["5"]


# -- set-based evaluation --------------------------------------------------------------------------

class CountingStore:
    """A Store that counts the queries run on it."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.queries = 0

    def query(self, *args, **kwargs):
        self.queries += 1
        return self.store.query(*args, **kwargs)


@pytest.mark.parametrize("people", [1, 200])
def test_each_constraint_runs_one_query_whatever_the_number_of_focus_nodes(people):
    data = parse("".join(f'ex:p{i} a ex:Person ; ex:name "P{i}" ; ex:age {i} .\n' for i in range(people)))
    store = CountingStore(store_of(data))
    outcome = validate(store, parse(VALUE_TYPE_SHAPES))
    assert outcome.conforms
    # 9 constraints: name minCount, maxCount, datatype; age datatype; knows class, nodeKind;
    # homepage nodeKind; Robot name datatype, minCount.
    assert store.queries == 9


# -- refusals --------------------------------------------------------------------------------------

UNSUPPORTED = {
    "sh:node": "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:T . ex:T a sh:NodeShape ; sh:minLength 1 .",
    "sh:or": "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:or ( [ sh:datatype xsd:string ] [ sh:nodeKind sh:IRI ] ) .",
    "sh:not": "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:not [ sh:nodeKind sh:IRI ] .",
    "sh:closed": "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:closed true .",
    "sh:qualifiedValueShape": (
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; "
        "sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 1 ] ."
    ),
    "sh:target": "ex:S a sh:NodeShape ; sh:target [ sh:select \"SELECT ?this WHERE { ?this ?p ?o }\" ] ; sh:minLength 1 .",
    "SPARQL-based constraint component": """
        ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:lang ] ;
            sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK { FILTER (lang($value) = $lang) }" ] .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ; ex:lang "en" .""",
    "$shapesGraph": "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select \"SELECT $this WHERE { GRAPH $shapesGraph { ?s ?p ?o } }\" ] .",
    "LIMIT": "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select \"SELECT $this WHERE { $this ?p ?o } LIMIT 1\" ] .",
    "aggregation that is not grouped by $this": (
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select \"SELECT (COUNT(*) AS ?n) WHERE { $this ?p ?o }\" ] ."
    ),
    "MINUS": "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select \"SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }\" ] .",
    "sh:datatype xsd:int": "ex:S a sh:NodeShape ; sh:targetNode 1 ; sh:datatype xsd:int .",
    "sh:pattern": "ex:S a sh:NodeShape ; sh:targetNode \"a\" ; sh:pattern \"(?=a)\" .",
    "recursive shapes": "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property ex:P . ex:P sh:path ex:p ; sh:property ex:P .",
}


@pytest.mark.parametrize("feature", sorted(UNSUPPORTED))
def test_unsupported_feature_raises_naming_feature_and_shape(feature):
    with pytest.raises(UnsupportedShapeError) as raised:
        validate(ox.Store(), parse(UNSUPPORTED[feature]))
    assert feature in str(raised.value)
    assert raised.value.shape is not None


def test_grouped_aggregation_by_this_is_supported():
    shapes = parse("""
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
            sh:sparql [ sh:select "SELECT $this (COUNT(?o) AS ?n) WHERE { $this <http://example.org/p> ?o } GROUP BY $this HAVING (COUNT(?o) > 1)" ] .""")
    outcome = validate(store_of(parse("ex:a ex:p 1, 2 . ex:b ex:p 1 .")), shapes)
    assert [result[0] for result in outcome.results] == [EX.a]


# -- the forms asked of an external engine ----------------------------------------------------------

class EngineLikeStore:
    """An Oxigraph store that says it is an external engine's dataset (``remote``): the checks then
    ask their ``engine_query`` where they have one, as on Virtuoso (validation.engine_dataset)."""

    remote = True

    def __init__(self, store: ox.Store):
        self.store = store
        self.asked: list[str] = []

    def query(self, sparql: str, **options):
        self.asked.append(sparql)
        return self.store.query(sparql, **options)

    def __getattr__(self, name):
        return getattr(self.store, name)


MAX_COUNT_DATA = """
ex:a a ex:T ; ex:p ex:x ; ex:q [ ex:r ex:y ] , [ ex:r ex:y ] .
ex:b a ex:T ; ex:p ex:x , ex:y ; ex:q [ ex:r ex:y ] , [ ex:r ex:z ] ; ex:s ex:x .
ex:c a ex:T ; ex:s ex:y , ex:z .
ex:x ex:inv ex:a . ex:y ex:inv ex:a , ex:c .
ex:d a ex:T .
"""
MAX_COUNT_SHAPES = """
ex:S a sh:NodeShape ; sh:targetClass ex:T ;
    sh:property [ sh:path ex:p ; sh:maxCount 1 ] ;
    sh:property [ sh:path ( ex:q ex:r ) ; sh:maxCount 1 ] ;
    sh:property [ sh:path [ sh:alternativePath ( ex:p ex:s ) ] ; sh:maxCount 1 ] ;
    sh:property [ sh:path [ sh:inversePath ex:inv ] ; sh:maxCount 1 ] ;
    sh:property [ sh:path ex:s ; sh:maxCount 2 ] .
"""


def test_the_engine_form_of_max_count_gives_the_same_results():
    """sh:maxCount 1 is asked of an engine as a grouped count (compile_core._max_count_grouped):
    the same results as the self-join on every path form, a value reached twice counted once."""
    data, shapes = parse(MAX_COUNT_DATA), parse(MAX_COUNT_SHAPES)
    here = validate(store_of(data), shapes)
    engine = EngineLikeStore(store_of(data))
    there = validate(engine, shapes)
    assert sum("?valueCount" in query for query in engine.asked) == 4  # the four sh:maxCount 1, grouped
    assert Counter(key(r) for r in there.results) == Counter(key(r) for r in here.results)
    # a: two by the inverse path (q/r reaches ex:y twice: one value); b: p, q/r, p|s; c: p|s
    assert Counter(str(r[0]) for r in here.results) == Counter({str(EX.a): 1, str(EX.b): 3, str(EX.c): 1})
    assert_same_as_pyshacl(MAX_COUNT_DATA, MAX_COUNT_SHAPES)
