"""The IRIs dutygraph mints and the vocabularies it aligns with.

Every resource of the graph has a stable, readable IRI under one base, documented in the README:
``https://w3id.org/dutygraph/id/measure/16``, ``…/item/16-1``, ``…/obligation/16-1-a``,
``…/unit/organisation-department`` and so on. Terms of the ontology live under ``DG``.
"""

from rdflib import Namespace

ONTOLOGY_IRI = "https://w3id.org/dutygraph/ontology"
DG = Namespace(ONTOLOGY_IRI + "#")
BASE = "https://w3id.org/dutygraph/id/"
ID = Namespace(BASE)

ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")

PREFIXES = {
    "dg": str(DG),
    "id": BASE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": str(ORG),
    "eli": str(ELI),
    "prov": str(PROV),
    "odrl": str(ODRL),
    "sh": "http://www.w3.org/ns/shacl#",
    "euf": str(EU_FREQUENCY),
}


def resource(kind: str, key: str | int) -> str:
    """The IRI of a resource of the graph, e.g. resource("measure", 16)."""
    return f"{BASE}{kind}/{key}"
