"""Turn the parsed source and the curation tables into the instance graph.

Each resource gets a readable IRI under ``namespaces.BASE``; each text-bearing resource keeps its
verbatim Chinese text and where it stands in the source (line and code-point offsets). Inverse links
(measure → items, unit → items …) are written out so that SPARQL users need no reasoner. Output is
deterministic: no blank nodes, and Turtle written in sorted order.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SH

from . import paths
from .curation import Curation, load_curation
from .namespaces import DG, ELI, EU_FREQUENCY, ORG, PREFIXES, PROV, resource
from .source_table import Span

MODALITY_CLASS = {"obligation": DG.Duty, "prohibition": DG.Prohibition, "permission": DG.Permission}
FREQUENCY_CLASS = {"regular": DG.RegularFrequency, "continuous": DG.ContinuousFrequency, "trigger": DG.EventTrigger}
ACTOR_CLASS = {"role": DG.RoleActor, "body": DG.BodyActor}
LABEL_EXCERPT_LENGTH = 40
DUTY_SHAPES_FILE = "duties.ttl"
# What the graph says of each duty shape: its name, what it checks and how severely. The SPARQL
# constraints stay in shapes/duties.ttl, where `dutygraph validate` runs them.
DUTY_SHAPE_METADATA = (RDF.type, RDFS.label, RDFS.comment, DG.enforces, DG.enforcesObligation, SH.severity)
# The SHACL terms that metadata uses, declared so that the full graph stays in OWL 2 DL: a shape is
# an individual of the class sh:NodeShape, and its severity an annotation for SHACL engines.
SHACL_DECLARATIONS = ((SH.NodeShape, RDF.type, OWL.Class), (SH.severity, RDF.type, OWL.AnnotationProperty))


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


class _Builder:
    def __init__(self, curation: Curation):
        self.curation = curation
        self.graph = new_graph()
        self.document = URIRef(resource("document", curation.document.key))

    def add(self, subject, predicate, obj) -> None:
        self.graph.add((subject, predicate, obj))

    def labels(self, subject, label_zh: str, label_en: str) -> None:
        self.add(subject, RDFS.label, zh(label_zh))
        self.add(subject, RDFS.label, en(label_en))

    def located(self, subject, span: Span) -> None:
        self.add(subject, DG.sourceLine, Literal(span.line))
        self.add(subject, DG.sourceStart, Literal(span.start))
        self.add(subject, DG.sourceEnd, Literal(span.end))
        self.add(subject, PROV.wasDerivedFrom, self.document)

    def build(self) -> Graph:
        self.document_resource()
        units = self.units()
        actors = self.actors(units)
        frequencies = self.frequencies()
        mechanisms = self.mechanisms()
        regulations = self.regulations()
        targets = self.structure(units)
        self.obligations(actors, frequencies, mechanisms, regulations)
        self.editorial_notes(targets, units)
        self.coverage(targets)
        return self.graph

    def document_resource(self) -> None:
        meta = self.curation.document
        issuer = URIRef(resource("organisation", "czit-party-committee"))
        self.add(issuer, RDF.type, ORG.Organization)
        self.labels(issuer, meta.issuer_zh, meta.issuer_en)
        doc = self.document
        self.add(doc, RDF.type, DG.Document)
        self.labels(doc, meta.list_title_zh, meta.list_title_en)
        self.add(doc, ELI.title, zh(meta.title_zh))
        self.add(doc, ELI.title, en(meta.title_en))
        self.add(doc, ELI.id_local, zh(meta.number_zh))
        # dcterms:issued is an annotation property here: xsd:date is outside the OWL 2 datatype map,
        # so as a data property value it would break HermiT and the DL profile.
        self.add(doc, DCTERMS.issued, Literal(meta.date, datatype=XSD.date))
        self.add(doc, DG.issuedBy, issuer)
        self.add(doc, DCTERMS.source, Literal(f"data/source/{meta.file}"))
        self.add(doc, SKOS.notation, Literal(meta.number_zh))

    def structure(self, units: dict[str, URIRef]) -> dict[tuple[str, str], URIRef]:
        """Categories, measures and content items; returns them by (kind, key) for editorial notes."""
        curation, by_key = self.curation, {}
        for category in curation.table.categories:
            cat = URIRef(resource("category", category.number))
            by_key[("category", str(category.number))] = cat
            self.add(cat, RDF.type, DG.Category)
            self.add(cat, DG.number, Literal(category.number))
            self.labels(cat, category.title, curation.categories[category.number])
            self.add(cat, DG.verbatimTitle, zh(category.verbatim))
            self.add(cat, DG.inDocument, self.document)
            self.add(self.document, DG.hasCategory, cat)
            self.located(cat, category.span)
            for measure in category.measures:
                mea = URIRef(resource("measure", measure.number))
                by_key[("measure", str(measure.number))] = mea
                self.add(mea, RDF.type, DG.Measure)
                self.add(mea, DG.number, Literal(measure.number))
                self.labels(mea, measure.title, curation.measures[measure.number])
                self.add(mea, DG.verbatimTitle, zh(measure.verbatim))
                self.add(mea, DG.inCategory, cat)
                self.add(cat, DG.hasMeasure, mea)
                self.located(mea, measure.span)
                for item in measure.items:
                    it = URIRef(resource("item", item.key))
                    by_key[("item", item.key)] = it
                    curated = curation.items[item.key]
                    self.add(it, RDF.type, DG.ContentItem)
                    self.add(it, DG.number, Literal(item.number))
                    self.add(it, SKOS.notation, Literal(item.key))
                    self.labels(it, f"{item.key} {measure.title}", f"{item.key} {curated.title_en}")
                    self.add(it, DG.verbatimText, zh(item.text))
                    self.add(it, DG.summary, en(curated.summary_en))
                    self.add(it, DG.ofMeasure, mea)
                    self.add(mea, DG.hasItem, it)
                    self.add(it, DG.verbatimUnits, zh(item.units_verbatim))
                    self.add(it, DG.unitsSourceStart, Literal(item.units_span.start))
                    self.add(it, DG.unitsSourceEnd, Literal(item.units_span.end))
                    self.located(it, item.span)
                    for name in item.units:
                        self.add(it, DG.accountableUnit, units[name])
                        self.add(units[name], DG.accountableFor, it)
        return by_key

    def units(self) -> dict[str, URIRef]:
        by_name = {}
        for name, unit in self.curation.units.items():
            node = URIRef(resource("unit", unit.key))
            by_name[name] = node
            self.add(node, RDF.type, DG.AccountableUnit)
            self.labels(node, unit.label_zh, unit.label_en)
            self.add(node, SKOS.definition, en(unit.definition_en))
            self.add(node, PROV.wasDerivedFrom, self.document)
        return by_name

    def actors(self, units: dict[str, URIRef]) -> dict[str, URIRef]:
        unit_by_key = {unit.key: units[name] for name, unit in self.curation.units.items()}
        nodes = {key: URIRef(resource("actor", key)) for key in self.curation.actors}
        for key, actor in self.curation.actors.items():
            node = nodes[key]
            self.add(node, RDF.type, ACTOR_CLASS[actor.kind])
            self.add(node, RDF.type, DG.Actor)
            self.labels(node, actor.label_zh, actor.label_en)
            self.add(node, SKOS.definition, en(actor.definition_en))
            if actor.broader:
                self.add(node, DG.broaderActor, nodes[actor.broader])
            if actor.unit:
                self.add(node, DG.correspondingUnit, unit_by_key[actor.unit])
        return nodes

    def frequencies(self) -> dict[str, URIRef]:
        nodes = {}
        for key, frequency in self.curation.frequencies.items():
            node = nodes[key] = URIRef(resource("frequency", key))
            self.add(node, RDF.type, FREQUENCY_CLASS[frequency.kind])
            self.add(node, RDF.type, DG.Frequency)
            self.labels(node, frequency.label_zh, frequency.label_en)
            self.add(node, SKOS.definition, en(frequency.definition_en))
            if frequency.eu_code:
                self.add(node, DG.euFrequency, EU_FREQUENCY[frequency.eu_code])
        return nodes

    def mechanisms(self) -> dict[str, URIRef]:
        nodes = {}
        for key, mechanism in self.curation.mechanisms.items():
            node = nodes[key] = URIRef(resource("mechanism", key))
            self.add(node, RDF.type, DG.Mechanism)
            self.labels(node, mechanism.label_zh, mechanism.label_en)
            self.add(node, SKOS.definition, zh(mechanism.definition_zh))
            self.add(node, SKOS.definition, en(mechanism.definition_en))
        return nodes

    def regulations(self) -> dict[str, URIRef]:
        nodes = {}
        for key, regulation in self.curation.regulations.items():
            node = nodes[key] = URIRef(resource("regulation", key))
            self.add(node, RDF.type, DG.Regulation)
            self.labels(node, regulation.title_zh, regulation.title_en)
            self.add(node, ELI.title, zh(regulation.title_zh))
            if regulation.note_en:
                self.add(node, SKOS.editorialNote, en(regulation.note_en))
        return nodes

    def obligations(self, actors, frequencies, mechanisms, regulations) -> None:
        for obligation in self.curation.obligations:
            node = URIRef(resource("obligation", obligation.key))
            item = URIRef(resource("item", obligation.item))
            self.add(node, RDF.type, DG.Obligation)
            self.add(node, RDF.type, MODALITY_CLASS[obligation.modality])
            self.add(node, SKOS.notation, Literal(obligation.key))
            excerpt = obligation.excerpt_zh
            short = excerpt if len(excerpt) <= LABEL_EXCERPT_LENGTH else excerpt[:LABEL_EXCERPT_LENGTH] + "…"
            self.labels(node, f"{obligation.key} {short}", f"{obligation.key} {obligation.summary_en}")
            self.add(node, DG.excerpt, zh(excerpt))
            self.add(node, DG.summary, en(obligation.summary_en))
            if obligation.cue_zh:
                self.add(node, DG.modalCue, zh(obligation.cue_zh))
            self.add(node, DG.statedIn, item)
            self.add(item, DG.hasObligation, node)
            self.located(node, obligation.span)
            for key in obligation.actors:
                self.add(node, DG.actor, actors[key])
            for key in obligation.targets:
                self.add(node, DG.target, actors[key])
            for key in obligation.frequencies:
                self.add(node, DG.frequency, frequencies[key])
            for key in obligation.mechanisms:
                self.add(node, DG.invokes, mechanisms[key])
            for key in obligation.regulations:
                self.add(node, DG.citesRegulation, regulations[key])

    def editorial_notes(self, targets: dict[tuple[str, str], URIRef], units: dict[str, URIRef]) -> None:
        unit_by_key = {unit.key: units[name] for name, unit in self.curation.units.items()}
        for note in self.curation.editorial_notes:
            target = unit_by_key[note.target_key] if note.target_kind == "unit" else targets[(note.target_kind, note.target_key)]
            node = URIRef(resource("note", f"{note.target_kind}-{note.target_key}-{note.ordinal}"))
            self.add(node, RDF.type, DG.EditorialNote)
            self.labels(
                node,
                f"编者按：{note.target_kind}/{note.target_key}（{note.ordinal}）",
                f"Editorial note on {note.target_kind} {note.target_key} ({note.ordinal})",
            )
            self.add(node, DG.notedOn, target)
            self.add(target, DG.hasEditorialNote, node)
            self.add(node, DG.verbatimPassage, zh(note.verbatim))
            self.add(node, DG.editorialReading, zh(note.reading))
            self.add(node, SKOS.editorialNote, en(note.note_en))
            self.add(node, PROV.wasDerivedFrom, self.document)


    def coverage(self, targets: dict[tuple[str, str], URIRef]) -> None:
        """Why an item cannot be checked from records; the items that can are those a shape enforces."""
        for entry in self.curation.coverage.values():
            if not entry.checkable:
                item = targets[("item", entry.item)]
                self.add(item, DG.notCheckableBecause, en(entry.reason_en))
                self.add(item, DG.notCheckableBecause, zh(entry.reason_zh))


def build_data_graph(curation: Curation | None = None) -> Graph:
    """The instance graph of the document (without the ontology)."""
    if curation is None:
        curation = load_curation(paths.source_dir(), paths.curation_dir())
    return _Builder(curation).build()


def load_ontology_graph() -> Graph:
    graph = new_graph()
    for path in sorted(paths.ontology_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def load_duty_shape_metadata() -> Graph:
    """Each named sh:NodeShape of shapes/duties.ttl with only DUTY_SHAPE_METADATA, plus SHACL_DECLARATIONS."""
    shapes = Graph()
    shapes.parse(paths.shapes_dir() / DUTY_SHAPES_FILE, format="turtle")
    graph = new_graph()
    for triple in SHACL_DECLARATIONS:
        graph.add(triple)
    names = set()
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if not isinstance(shape, URIRef):
            continue  # a shape without a name cannot be listed, and the graph has no blank nodes
        names.add(str(shape))
        for predicate in DUTY_SHAPE_METADATA:
            for value in shapes.objects(shape, predicate):
                graph.add((shape, predicate, value))
    for prefix, namespace in shapes.namespaces():  # the shapes file's prefix for its shapes (dgd:)
        if prefix not in PREFIXES and any(name.startswith(str(namespace)) for name in names):
            graph.bind(prefix, namespace)
    return graph


def _merge(graph: Graph, other: Graph) -> None:
    """Add other's triples to graph, and other's prefixes that graph does not have."""
    graph += other
    bound = {prefix for prefix, _ in graph.namespaces()}
    for prefix, namespace in other.namespaces():
        if prefix not in bound:
            graph.bind(prefix, namespace)


def build_full_graph(curation: Curation | None = None) -> Graph:
    """Ontology, instance data and the duty shapes' metadata: what the checks, queries and exports work on."""
    return _full_graph(build_data_graph(curation))


def _full_graph(data: Graph) -> Graph:
    graph = load_ontology_graph()
    graph += data
    _merge(graph, load_duty_shape_metadata())
    return graph


def serialize(graph: Graph, rdf_format: str = "turtle") -> bytes:
    """Deterministic bytes for a graph: sorted Turtle, or sorted lines for N-Triples."""
    if rdf_format == "ntriples":
        lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
    return graph.serialize(format=rdf_format, encoding="utf-8")


def write_build(output_dir: Path) -> dict[str, Path]:
    """Write the instance data and the merged graph as Turtle; returns the files written."""
    curation = load_curation(paths.source_dir(), paths.curation_dir())
    output_dir.mkdir(parents=True, exist_ok=True)
    data = build_data_graph(curation)
    full = _full_graph(data)
    written = {"data": output_dir / "dutygraph-data.ttl", "full": output_dir / "dutygraph.ttl"}
    written["data"].write_bytes(serialize(data))
    written["full"].write_bytes(serialize(full))
    return written


__all__ = [
    "build_data_graph", "build_full_graph", "load_duty_shape_metadata", "load_ontology_graph", "serialize",
    "write_build",
]
