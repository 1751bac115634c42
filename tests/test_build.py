"""The built graph: readable IRIs, verbatim text with positions, editorial notes, determinism."""

import hashlib
import subprocess
import sys

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from dutygraph.namespaces import DG, ID


def test_resources_have_the_documented_iris(graph):
    for iri, cls in [
        ("measure/16", DG.Measure), ("item/16-1", DG.ContentItem), ("category/1", DG.Category),
        ("unit/organisation-department", DG.AccountableUnit), ("obligation/6-1-b", DG.Obligation),
        ("document/changgongdang-2022-61", DG.Document), ("actor/number-one-leader", DG.Actor),
        ("mechanism/sanzhong-yida", DG.Mechanism), ("note/measure-17-1", DG.EditorialNote),
    ]:
        assert (ID[iri], RDF.type, cls) in graph, iri


def test_an_item_carries_its_verbatim_text_position_measure_and_units(graph, source_text):
    item = ID["item/11-1"]
    text = str(graph.value(item, DG.verbatimText))
    start, end = int(graph.value(item, DG.sourceStart)), int(graph.value(item, DG.sourceEnd))
    assert source_text[start:end] == text and text.startswith("围绕学校发展战略实施情况")
    assert int(graph.value(item, DG.sourceLine)) == 41
    assert graph.value(item, DG.ofMeasure) == ID["measure/11"]
    assert set(graph.objects(item, DG.accountableUnit)) == {ID["unit/audit-office"]}
    assert str(graph.value(item, DG.verbatimUnits)) == "审计处"


def test_every_labelled_resource_has_one_chinese_and_one_english_label(graph):
    subjects = set(graph.subjects(RDFS.label, None))
    assert len(subjects) > 300
    for subject in subjects:
        languages = sorted(label.language for label in graph.objects(subject, RDFS.label))
        assert languages == ["en", "zh"], subject


def test_the_accountable_units_and_the_actors_are_different_relations(graph):
    """Item 6-1: 责任单位 are 各级党组织，组织部、纪检监察部门, but the text says the upper 一把手 acts."""
    units = set(graph.objects(ID["item/6-1"], DG.accountableUnit))
    actors = {a for o in graph.objects(ID["item/6-1"], DG.hasObligation) for a in graph.objects(o, DG.actor)}
    assert units == {ID["unit/party-organisations-all-levels"], ID["unit/organisation-department"],
                     ID["unit/discipline-inspection-department"]}
    assert actors == {ID["actor/upper-number-one-leader"]}


def test_measure_6_item_holds_the_four_parts_of_sanfang_yitan_and_the_annual_report_duty(graph):
    obligations = sorted(str(graph.value(o, SKOS.notation)) for o in graph.objects(ID["item/6-1"], DG.hasObligation))
    assert obligations == ["6-1-a", "6-1-b", "6-1-c", "6-1-d", "6-1-e"]
    assert (ID["obligation/6-1-a"], DG.frequency, ID["frequency/annual"]) in graph
    assert "任职谈话" in str(graph.value(ID["obligation/6-1-b"], DG.excerpt))
    assert "家访" in str(graph.value(ID["obligation/6-1-e"], DG.excerpt))


def editorial_readings(graph, target):
    return {
        (str(graph.value(note, DG.verbatimPassage)), str(graph.value(note, DG.editorialReading)))
        for note in graph.objects(target, DG.hasEditorialNote)
    }


def test_mistakes_in_the_source_are_kept_verbatim_with_a_separate_editorial_reading(graph):
    category = ID["category/1"]
    assert graph.value(category, DG.verbatimTitle) == Literal("压实全面 从严治政 治责任", lang="zh")
    assert ("压实全面 从严治政 治责任", "压实全面从严治党政治责任") in editorial_readings(graph, category)
    assert ("权利运行", "权力运行") in editorial_readings(graph, ID["measure/17"])
    assert ("执纪执法权利运行", "执纪执法权力运行") in editorial_readings(graph, ID["item/36-1"])
    measure_4 = editorial_readings(graph, ID["measure/4"])
    assert ("“一把手和领导班子自觉接受监督", "“一把手”和领导班子自觉接受监督") in measure_4
    # the verbatim text is never replaced by the reading
    assert "权利运行" in str(graph.value(ID["item/36-1"], DG.verbatimText))
    assert graph.value(ID["measure/17"], DG.verbatimTitle) == Literal("健全领导班子 权利运行制约机制", lang="zh")


def test_the_document_has_its_metadata(graph):
    document = ID["document/changgongdang-2022-61"]
    assert str(graph.value(document, URIRef("http://data.europa.eu/eli/ontology#id_local"))) == "常工党〔2022〕61号"
    assert str(graph.value(document, URIRef("http://purl.org/dc/terms/issued"))) == "2022-09-26"
    issuer = graph.value(document, DG.issuedBy)
    assert Literal("中共常州工学院委员会", lang="zh") in set(graph.objects(issuer, RDFS.label))


BUILD = "from dutygraph.graph_build import write_build; import pathlib, sys; write_build(pathlib.Path(sys.argv[1]))"


def test_builds_are_byte_identical_across_processes_and_hash_seeds(tmp_path):
    digests = []
    for seed in ("1", "4242"):
        out = tmp_path / seed
        subprocess.run([sys.executable, "-c", BUILD, str(out)], check=True, env={"PYTHONHASHSEED": seed, "PATH": ""})
        digests.append({name: hashlib.sha256((out / name).read_bytes()).hexdigest()
                        for name in ("dutygraph-data.ttl", "dutygraph.ttl")})
    assert digests[0] == digests[1]
