"""A SHACL validator that compiles shapes to SPARQL and runs each query once over all focus nodes.

pySHACL validates focus node by focus node in Python; on a pyoxigraph Store the same constraints,
written as set-based SPARQL, run about a hundred times faster. This engine covers the SHACL Core
value, cardinality, range, string, property-pair and other components, every SHACL path form, and
SELECT-based SHACL-SPARQL constraints; anything else raises ``UnsupportedShapeError`` so that the
caller can fall back to pySHACL. It passes the W3C SHACL test suite for the features it supports
(tests/test_shacl_conformance.py) and agrees with pySHACL (tests/test_shacl_engine.py).

Where it differs from pySHACL, on purpose or because the data is in a Store:

- the Store keeps literals in canonical form ("01"^^xsd:integer as "1") and derived integer types as
  xsd:integer, so values are reported as stored, and sh:datatype with xsd:int & co. is refused;
- a literal is ill-formed when Oxigraph could not parse it (pySHACL asks rdflib, which accepts " 5"
  as an xsd:integer);
- messages keep their language tags after {?var} substitution, and a projected ?message is the
  result message (SHACL §5.3.2); where the shapes declare no sh:message the engine writes none;
- the rdflib report graph is built on first access to ``outcome.report``.

    >>> import pyoxigraph, rdflib
    >>> store = pyoxigraph.Store()
    >>> store.load(b'<http://example.org/a> a <http://example.org/C> .', format=pyoxigraph.RdfFormat.TURTLE)
    >>> shapes = rdflib.Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <http://example.org/S> a sh:NodeShape ; sh:targetClass <http://example.org/C> ;
    ...         sh:property [ sh:path <http://example.org/name> ; sh:minCount 1 ] .''')
    >>> outcome = validate(store, shapes)
    >>> outcome.conforms, len(outcome.results), str(outcome.results[0][0])
    (False, 1, 'http://example.org/a')
"""

from .engine import validate
from .errors import UnsupportedShapeError
from .report import ValidationOutcome

__all__ = ["UnsupportedShapeError", "ValidationOutcome", "validate"]
