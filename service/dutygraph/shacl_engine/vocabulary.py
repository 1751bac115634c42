"""SHACL terms the engine reads and writes, and the parameters it knows.

SHACL 1.0 (https://www.w3.org/TR/shacl/) §4 lists the core constraint components, §5 SHACL-SPARQL.
"""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, XSD, Namespace, URIRef

SH = Namespace("http://www.w3.org/ns/shacl#")

# Parameter -> constraint component, for the single-parameter core components the engine compiles.
COMPONENT_OF_PARAMETER: dict[URIRef, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
}

# Shape properties that declare no constraint of their own (or are read with another parameter).
NON_CONSTRAINT_PROPERTIES = frozenset(
    {
        SH.path, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
        SH.severity, SH.message, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
        SH.defaultValue, SH.flags, SH.property, SH.sparql, SH.closed, SH.ignoredProperties,
    }
)

# Components whose parameters are only meaningful on property shapes (SHACL §4.2, §4.5).
PROPERTY_ONLY_PARAMETERS = frozenset({SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan, SH.lessThanOrEquals})

NODE_KINDS = frozenset(
    {SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}
)

# Oxigraph stores these derived datatypes as their base type (xsd:int -> xsd:integer, ...), so a
# store cannot tell whether a value had them: sh:datatype with one of them cannot be checked.
COLLAPSED_DATATYPES = frozenset(
    XSD[name]
    for name in (
        "byte", "short", "int", "long", "unsignedByte", "unsignedShort", "unsignedInt", "unsignedLong",
        "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger", "dateTimeStamp",
    )
)

# Datatypes whose lexical space Oxigraph checks when it loads a literal: an ill-formed literal keeps
# its lexical form and no comparison operator accepts it, which is how the engine detects it.
CHECKED_DATATYPES = frozenset(
    XSD[name]
    for name in (
        "boolean", "integer", "decimal", "float", "double", "date", "time", "dateTime", "duration",
        "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay",
    )
)

__all__ = [
    "CHECKED_DATATYPES", "COLLAPSED_DATATYPES", "COMPONENT_OF_PARAMETER", "NODE_KINDS",
    "NON_CONSTRAINT_PROPERTIES", "OWL", "PROPERTY_ONLY_PARAMETERS", "RDF", "RDFS", "SH", "XSD",
]
