"""Quality control: each check passes on the shipped graph and fails, readably, when it should."""

from rdflib import OWL, Literal
from rdflib.namespace import RDF

from dutygraph.checks import check_consistency, check_dl_profile, check_integrity
from dutygraph.namespaces import DG, ID


def copy_of(graph):
    duplicate = type(graph)()
    for triple in graph:
        duplicate.add(triple)
    return duplicate


def test_the_graph_conforms_to_its_integrity_shapes(graph):
    outcome = check_integrity(graph)
    assert outcome.passed, outcome.report()


def test_a_missing_summary_and_a_measure_without_items_fail_the_integrity_check(graph):
    broken = copy_of(graph)
    broken.remove((ID["item/11-1"], DG.summary, None))
    broken.remove((ID["measure/11"], DG.hasItem, None))
    outcome = check_integrity(broken)
    assert not outcome.passed
    assert any(d.startswith(str(ID["item/11-1"])) and "needs exactly one English summary" in d for d in outcome.details)
    assert any(d.startswith(str(ID["measure/11"])) for d in outcome.details)


def test_an_excerpt_moved_away_from_its_offsets_fails_the_integrity_check(graph):
    broken = copy_of(graph)
    obligation = ID["obligation/6-1-b"]
    start = int(broken.value(obligation, DG.sourceStart))
    broken.set((obligation, DG.sourceStart, Literal(start + 1)))
    broken.set((obligation, DG.sourceEnd, Literal(int(broken.value(obligation, DG.sourceEnd)) + 1)))
    outcome = check_integrity(broken)
    assert not outcome.passed
    assert any(f"obligation {obligation}: its excerpt does not stand" in d for d in outcome.details)


def test_hermit_finds_the_ontology_plus_data_consistent(graph):
    outcome = check_consistency(graph)
    assert outcome.passed, outcome.report()


def test_hermit_finds_an_item_that_is_also_a_measure_inconsistent(graph):
    broken = copy_of(graph)
    broken.add((ID["item/1-1"], RDF.type, DG.Measure))  # Measure and ContentItem are disjoint
    outcome = check_consistency(broken)
    assert not outcome.passed and "inconsistent" in outcome.summary


def test_the_ontology_plus_data_is_in_the_owl2_dl_profile(graph):
    outcome = check_dl_profile(graph)
    assert outcome.passed, outcome.report()


def test_a_property_that_is_both_object_and_data_property_is_outside_owl2_dl(graph):
    broken = copy_of(graph)
    broken.add((DG.inCategory, RDF.type, OWL.DatatypeProperty))
    outcome = check_dl_profile(broken)
    assert not outcome.passed
    assert outcome.details, "the profile checker names the violations"


def test_dutygraph_check_passes_on_the_shipped_tree(run_cli):
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("[ok]") == 5


def test_dutygraph_check_exits_1_naming_what_is_wrong(run_cli, resource_copy):
    ontology = resource_copy / "ontology" / "dutygraph.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + "\ndg:inCategory a owl:DatatypeProperty .\n", encoding="utf-8")
    result = run_cli("check", env={"DUTYGRAPH_ROOT": str(resource_copy)})
    assert result.returncode == 1
    assert "[FAILED] OWL 2 DL profile" in result.stdout
    assert "check failed: " in result.stderr


def test_dutygraph_check_reports_curation_problems_with_exit_1(run_cli, resource_copy):
    items = resource_copy / "data" / "curation" / "items.csv"
    lines = items.read_text(encoding="utf-8").splitlines()
    items.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # drop item 37-1
    result = run_cli("check", "--skip-owl", env={"DUTYGRAPH_ROOT": str(resource_copy)})
    assert result.returncode == 1
    assert "items.csv, column item: '37-1' from the source has no row" in result.stderr
