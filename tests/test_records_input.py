"""The records input layer: an office's RDF files and CSV/XLSX templates become quads, all or nothing.

The templates and the RDF each row maps to are specified in data/templates/README.md; these tests
hold the loader to it: exact triples for sample rows, the same quads from XLSX as from CSV, and for
each kind of bad input a RecordInputError naming file, row and column, with nothing loaded.
"""

from __future__ import annotations

import csv
import io
import re
import socket
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pyoxigraph
import pytest
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat

from dutygraph.records_input import (
    TEMPLATES,
    LoadedFile,
    LoadedRecords,
    RecordInputError,
    load_records,
    template_for_file_name,
    write_blank_templates,
)
from dutygraph.records_input.templates import Node

REPO = Path(__file__).resolve().parents[1]
BASE = "https://example.org/dutygraph/records/"
PREFIXES = f"""
@prefix dg: <https://w3id.org/dutygraph/ontology#> .
@prefix id: <https://w3id.org/dutygraph/id/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix r: <{BASE}> .
"""

# One small, consistent set of records in every template: a college, its Party committee and three
# people, and a year of the records the duties ask for.
CSV_FILES = {
    "institution.csv": """id,name_zh,name_en
cit,常州工学院,Changzhou Institute of Technology
""",
    "units.csv": """id,name_zh,name_en,kind,acts_as,institution
org-dept,组织部,Organisation Department,department,organisation-department,cit
cs-college,计算机信息工程学院,School of Computer Science,college,,cit
""",
    "party_organisations.csv": """id,name_zh,name_en,level,leads_unit,superior
party-committee,中共常州工学院委员会,CIT Party Committee,institution,,
cs-party,计算机信息工程学院党委,CS Party Committee,secondary,cs-college,party-committee
""",
    "people.csv": """id,name,birth_date
p-wang,王明,1968-05-04
p-li,李华,
p-zhang,张强,1975-11-30
""",
    "posts.csv": """id,name_zh,name_en,organisation,role
cs-secretary,计算机信息工程学院党委书记,Secretary of the CS Party Committee,cs-party,number-one-leader
cit-secretary,校党委书记,,party-committee,number-one-leader
""",
    "tenures.csv": """id,person,post,start_date,end_date
t-li,p-li,cs-secretary,2023-07-01,
t-wang,p-wang,cit-secretary,2020-01-01,
""",
    "2023_talks.csv": """id,kind,date,conducted_by,talked_with
talk-1,appointment,2023-07-10,p-wang,p-li
""",
    "home_visits.csv": """id,date,conducted_by,visited
hv-1,2024-02-01,p-wang,p-li
""",
    "triggering_events.csv": """id,kind,organisation,date,description
ev-1,four-winds,cs-party,2024-03-01,用公款吃喝
""",
    "meetings.csv": """id,kind,date,held_by,attendees,sat_in_by,notice_date,special,responds_to,guided_by
m-1,standing-committee,2024-03-18,party-committee,p-wang;p-zhang,,2024-03-15,,,
m-2,democratic-life,2024-04-02,cs-party,p-li,org-dept,,是,ev-1,p-wang
""",
    "decisions.csv": """id,date,made_at,matter_category,specialised,expert_review_date,risk_assessment_date
d-1,2024-03-18,m-1,major-project,yes,2024-03-01,
""",
    "opinions.csv": """id,decision,stated_by,speaking_order,stance,recorded_in_minutes
op-1,d-1,p-zhang,1,agree,true
op-2,d-1,p-wang,2,agree,1
""",
    "inspections.csv": """id,inspected,start_date,end_date,report_date,report_sections
insp-1,cs-party,2024-04-01,2024-05-31,2024-06-15,number-one-leader
""",
    "reminder_letters.csv": """id,sent_to,date,follows_inspection
rl-1,p-li,2024-07-01,insp-1
""",
    "audits.csv": """id,auditee,date,audited_post
au-1,p-li,2024-09-01,cs-secretary
""",
    "accountability_reports.csv": """id,reported_by,year,date,heard_at,evaluation_date,covers_lower_leader_supervision
ar-1,p-li,2024,2025-01-10,m-1,2025-01-10,no
""",
    "promotions.csv": """id,candidate,to_post,date,file_review_date,personal_matters_date,discipline_opinion_date,petition_check_date,double_signature_date,signed_by
pr-1,p-li,cs-secretary,2023-06-20,2023-06-01,2023-06-02,,2023-06-05,2023-06-10,p-wang;p-zhang
""",
    "interference_incidents.csv": """id,interferer,requested_person,date,matter
ii-1,p-zhang,p-li,2024-05-01,招标
""",
    "interference_records.csv": """id,record_of,recorded_by,date,reported_to,report_date
ir-1,ii-1,p-li,2024-05-02,party-committee,2024-05-03
""",
    "part_time_posts.csv": """id,holder,organisation_name,start_date,end_date,term_count,approval_date
ptp-1,p-wang,江苏省计算机学会,2022-01-01,,2,2021-12-20
""",
    "petitions.csv": """id,concerns,date,serious,analysis_date,reported_to,report_date
pe-1,p-li,2024-08-01,否,2024-08-10,party-committee,2024-08-12
""",
    "integrity_files.csv": """id,file_of,materials,date
if-1,p-li,appointment;personnel-file,2024-01-05
""",
    "rectification_reports.csv": """id,submitted_by,date,follows_inspection
rr-1,cs-party,2024-08-30,insp-1
""",
}


def uploads(files: dict[str, str | bytes]) -> list[tuple[str, bytes]]:
    return [(name, text.encode("utf-8") if isinstance(text, str) else text) for name, text in files.items()]


def with_files(**replaced: str | bytes) -> list[tuple[str, bytes]]:
    """The sample set, with files replaced or added (a keyword's '__' stands for '.')."""
    files = dict(CSV_FILES)
    files.update({name.replace("__", "."): text for name, text in replaced.items()})
    return uploads(files)


def problems_of(files, **options) -> list:
    with pytest.raises(RecordInputError) as raised:
        load_records(files, **options)
    return raised.value.problems


def turtle(text: str) -> set[Quad]:
    return set(pyoxigraph.parse(PREFIXES + text, format=RdfFormat.TURTLE))


def about(quads, *subjects: str) -> set[Quad]:
    """Every quad whose subject is one of the given IRIs, or a part of them (IRI/…)."""
    wanted = tuple(BASE + subject for subject in subjects)
    return {quad for quad in quads if quad.subject.value in wanted
            or any(quad.subject.value.startswith(prefix + "/") for prefix in wanted)}


@pytest.fixture(scope="module")
def loaded() -> LoadedRecords:
    return load_records(uploads(CSV_FILES))


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the loader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def parser_must_not_run(monkeypatch):
    """The refusal must come from the loader's own check, before pyoxigraph sees the document."""

    def refuse(*args, **kwargs):
        raise AssertionError("pyoxigraph.parse was called on a document that must be refused first")

    monkeypatch.setattr(pyoxigraph, "parse", refuse)


# --- the templates ---------------------------------------------------------------------------------


def test_the_committed_blank_templates_are_the_ones_the_spec_writes(tmp_path):
    written = write_blank_templates(tmp_path)
    assert [path.name for path in written] == [f"{template.name}.csv" for template in TEMPLATES]
    committed = sorted(path.name for path in (REPO / "data" / "templates").glob("*.csv"))
    assert committed == sorted(path.name for path in written)
    for path in written:
        assert (REPO / "data" / "templates" / path.name).read_bytes() == path.read_bytes(), path.name


def test_every_template_of_the_readme_is_in_the_spec_and_in_the_sample():
    readme = (REPO / "data" / "templates" / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)\.csv`", readme, flags=re.MULTILINE))
    assert documented == {template.name for template in TEMPLATES}
    assert {template_for_file_name(name).name for name in CSV_FILES} == documented


def test_every_term_the_templates_write_is_declared_in_the_record_vocabulary():
    vocabulary = {quad.subject.value for quad in pyoxigraph.parse(path=str(REPO / "ontology" / "records.ttl"))}
    dg = "https://w3id.org/dutygraph/ontology#"
    used = set()
    for template in TEMPLATES:
        used.update(t.value for t in template.types)
        for column in template.columns:
            words = getattr(column.value, "words", {})
            used.update(term.value for term in words.values() if term is not None)
            rdf = column.rdf
            predicate = getattr(rdf, "predicate", None)
            used.add(predicate.value if predicate is not None else "")
            node = getattr(rdf, "node", None)
            while isinstance(node, Node):
                used.update({node.link.value, node.type.value, *(v.value for pair in node.facts for v in pair)})
                node = node.parent
    assert {term for term in used if term.startswith(dg)} - vocabulary == set()


@pytest.mark.parametrize(("name", "template"), [
    ("talks.csv", "talks"), ("2024_talks.csv", "talks"), ("2024-talks.csv", "talks"), ("Q1 Talks.CSV", "talks"),
    ("part_time_posts.csv", "part_time_posts"), ("2024_posts.csv", "posts"), ("mytalks.csv", None),
    ("talks_2024.csv", None),
])
def test_a_csv_file_follows_the_template_its_name_ends_with(name, template):
    found = template_for_file_name(name)
    assert (found.name if found else None) == template


# --- what the rows become ------------------------------------------------------------------------


def test_every_template_loads_and_each_file_is_accounted_for(loaded):
    assert [file.name for file in loaded.files] == list(CSV_FILES)
    assert all(file.format == "csv" and file.rows >= 1 and file.triples > 0 for file in loaded.files)
    assert sum(file.triples for file in loaded.files) == len(loaded.quads)
    talks = loaded.files[list(CSV_FILES).index("2023_talks.csv")]
    assert talks == LoadedFile("2023_talks.csv", talks.sha256, len(CSV_FILES["2023_talks.csv"].encode()), "csv",
                               4, 1, ("talks",))
    assert re.fullmatch(r"[0-9a-f]{64}", talks.sha256)
    assert all(quad.graph_name == DefaultGraph() for quad in loaded.quads)


def test_a_talk_row_maps_to_exactly_its_class_date_and_people(loaded):
    assert about(loaded.quads, "talks/talk-1") == turtle("""
        r:talks\\/talk-1 a dg:AppointmentTalk ; dg:date "2023-07-10"^^xsd:date ;
            dg:conductedBy r:people\\/p-wang ; dg:talkedWith r:people\\/p-li .
    """)


def test_a_decision_with_an_expert_review_and_its_stated_opinions(loaded):
    assert about(loaded.quads, "decisions/d-1") == turtle("""
        r:decisions\\/d-1 a dg:Decision ; dg:date "2024-03-18"^^xsd:date ; dg:madeAt r:meetings\\/m-1 ;
            dg:matterCategory dg:MajorProjectMatter ; dg:specialisedMatter true ;
            dg:expertReview <https://example.org/dutygraph/records/decisions/d-1/expert-review> ;
            dg:opinion r:opinions\\/op-1 , r:opinions\\/op-2 .
        <https://example.org/dutygraph/records/decisions/d-1/expert-review>
            a dg:ExpertReview ; dg:date "2024-03-01"^^xsd:date .
    """)
    assert about(loaded.quads, "opinions/op-2") == turtle("""
        r:opinions\\/op-2 a dg:StatedOpinion ; dg:statedBy r:people\\/p-wang ; dg:speakingOrder 2 ;
            dg:stance dg:Agree ; dg:recordedInMinutes true .
    """)


def test_a_promotion_with_three_checks_and_a_double_signature(loaded):
    promotion = BASE + "promotions/pr-1"
    assert about(loaded.quads, "promotions/pr-1") == turtle(f"""
        <{promotion}> a dg:Promotion ; dg:candidate r:people\\/p-li ; dg:toPost r:posts\\/cs-secretary ;
            dg:date "2023-06-20"^^xsd:date ;
            dg:check <{promotion}/check-file-review> , <{promotion}/check-personal-matters> ,
                     <{promotion}/check-petition> ;
            dg:doubleSignature <{promotion}/double-signature> .
        <{promotion}/check-file-review> a dg:PromotionCheck ; dg:checkKind dg:FileReviewCheck ;
            dg:date "2023-06-01"^^xsd:date .
        <{promotion}/check-personal-matters> a dg:PromotionCheck ; dg:checkKind dg:PersonalMattersCheck ;
            dg:date "2023-06-02"^^xsd:date .
        <{promotion}/check-petition> a dg:PromotionCheck ; dg:checkKind dg:PetitionCheck ;
            dg:date "2023-06-05"^^xsd:date .
        <{promotion}/double-signature> a dg:DoubleSignature ; dg:date "2023-06-10"^^xsd:date ;
            dg:signedBy r:people\\/p-wang , r:people\\/p-zhang .
    """)


def test_an_inspection_report_with_its_number_one_leader_section(loaded):
    inspection = BASE + "inspections/insp-1"
    assert about(loaded.quads, "inspections/insp-1") == turtle(f"""
        <{inspection}> a dg:Inspection ; dg:inspected r:party_organisations\\/cs-party ;
            dg:startDate "2024-04-01"^^xsd:date ; dg:endDate "2024-05-31"^^xsd:date ;
            dg:inspectionReport <{inspection}/report> .
        <{inspection}/report> a dg:InspectionReport ; dg:date "2024-06-15"^^xsd:date ;
            dg:hasSection <{inspection}/report/section-1> .
        <{inspection}/report/section-1> a dg:ReportSection ; dg:sectionTopic dg:NumberOneLeaderTopic .
    """)


def test_the_institution_rows_with_labels_keys_and_plain_names(loaded):
    assert about(loaded.quads, "units/org-dept", "units/cs-college", "people/p-li", "people/p-wang",
                 "posts/cs-secretary", "party_organisations/cs-party", "meetings/m-2") == turtle("""
        r:units\\/org-dept a dg:InstitutionUnit ; rdfs:label "组织部"@zh , "Organisation Department"@en ;
            dg:actsAsUnit id:unit\\/organisation-department ; org:unitOf r:institution\\/cit .
        r:units\\/cs-college a dg:InstitutionUnit , dg:SecondaryCollege ;
            rdfs:label "计算机信息工程学院"@zh , "School of Computer Science"@en ; org:unitOf r:institution\\/cit .
        r:people\\/p-li a dg:Person ; rdfs:label "李华" .
        r:people\\/p-wang a dg:Person ; rdfs:label "王明" ; dg:birthDate "1968-05-04"^^xsd:date .
        r:posts\\/cs-secretary a dg:Post ; rdfs:label "计算机信息工程学院党委书记"@zh ,
            "Secretary of the CS Party Committee"@en ;
            org:postIn r:party_organisations\\/cs-party ; org:role id:actor\\/number-one-leader .
        r:party_organisations\\/cs-party a dg:SecondaryPartyOrganisation ;
            rdfs:label "计算机信息工程学院党委"@zh , "CS Party Committee"@en ;
            dg:leadsUnit r:units\\/cs-college ; dg:superiorOrganisation r:party_organisations\\/party-committee .
        r:meetings\\/m-2 a dg:DemocraticLifeMeeting ; dg:date "2024-04-02"^^xsd:date ;
            dg:heldBy r:party_organisations\\/cs-party ; dg:attendee r:people\\/p-li ; dg:satInBy r:units\\/org-dept ;
            dg:special true ; dg:respondsTo r:triggering_events\\/ev-1 ; dg:guidedBy r:people\\/p-wang .
    """)


def test_integers_booleans_in_other_words_and_lists(loaded):
    assert about(loaded.quads, "accountability_reports/ar-1", "integrity_files/if-1", "petitions/pe-1") == turtle("""
        r:accountability_reports\\/ar-1 a dg:AccountabilityReport ; dg:reportedBy r:people\\/p-li ; dg:year 2024 ;
            dg:date "2025-01-10"^^xsd:date ; dg:heardAt r:meetings\\/m-1 ;
            dg:evaluation <https://example.org/dutygraph/records/accountability_reports/ar-1/evaluation> ;
            dg:coversLowerLeaderSupervision false .
        <https://example.org/dutygraph/records/accountability_reports/ar-1/evaluation> a dg:Evaluation ;
            dg:date "2025-01-10"^^xsd:date .
        r:integrity_files\\/if-1 a dg:IntegrityFile ; dg:fileOf r:people\\/p-li ;
            dg:material dg:AppointmentMaterial , dg:PersonnelFileMaterial ; dg:date "2024-01-05"^^xsd:date .
        r:petitions\\/pe-1 a dg:Petition ; dg:concerns r:people\\/p-li ; dg:date "2024-08-01"^^xsd:date ;
            dg:serious false ; dg:analysis <https://example.org/dutygraph/records/petitions/pe-1/analysis> ;
            dg:reportedTo r:party_organisations\\/party-committee ; dg:reportDate "2024-08-12"^^xsd:date .
        <https://example.org/dutygraph/records/petitions/pe-1/analysis> a dg:PetitionAnalysis ;
            dg:date "2024-08-10"^^xsd:date .
    """)


def test_the_same_inputs_give_the_same_quads_in_the_same_order():
    files = with_files(**{"extra__ttl": "@prefix ex: <http://example.org/> . ex:a ex:p [ ex:q 1 ] , [ ex:q 2 ] ."})
    first, second = load_records(files), load_records(files)
    assert first.quads == second.quads
    assert first.files == second.files


def test_another_base_names_every_row_under_it():
    loaded = load_records(uploads({"people.csv": CSV_FILES["people.csv"]}), base="https://records.example.edu/2024/")
    assert NamedNode("https://records.example.edu/2024/people/p-li") in {quad.subject for quad in loaded.quads}
    problem, = problems_of(uploads({"people.csv": CSV_FILES["people.csv"]}), base="not an iri")
    assert "must be an absolute http(s) IRI ending in '/'" in problem.message


# --- XLSX ----------------------------------------------------------------------------------------


def workbook_of(files: dict[str, str]) -> bytes:
    """The CSV files as sheets of one workbook, with real Excel dates, numbers and booleans where apt."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for number, (name, text) in enumerate(files.items()):
        sheet = workbook.create_sheet(template_for_file_name(name).name)
        header, *rows = list(csv.reader(io.StringIO(text)))
        sheet.append(header)
        for row in rows:
            cells = []
            for column, value in zip(header, row):
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and number % 2 == 0:
                    value = date.fromisoformat(value)  # every other sheet keeps its dates as text
                elif column in ("speaking_order", "year", "term_count"):
                    value = int(value) if value else None
                elif value == "true":
                    value = True
                cells.append(value if value != "" else None)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_loads_to_the_same_quads_as_the_same_data_in_csv(loaded):
    from_workbook = load_records([("records-2024.xlsx", workbook_of(CSV_FILES))])
    assert from_workbook.quads == loaded.quads
    book, = from_workbook.files
    assert (book.format, book.rows, book.triples) == ("xlsx", sum(f.rows for f in loaded.files), len(loaded.quads))
    assert book.templates == tuple(template_for_file_name(name).name for name in CSV_FILES)


def test_a_workbook_cell_is_located_by_sheet_row_and_column(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "people"
    sheet.append(["id", "name", "birth_date"])
    sheet.append(["p-1", "王明", datetime(1970, 1, 1)])
    sheet.append(["p-2", "李华", datetime(1970, 1, 1, 14, 30)])
    other = workbook.create_sheet("notes")
    other.append(["anything"])
    path = tmp_path / "institution.xlsx"
    workbook.save(path)
    problems = problems_of([path])
    assert [str(problem) for problem in problems] == [
        "institution.xlsx sheet notes: is not named by a template: rename the sheet to one of "
        + ", ".join(template.name for template in TEMPLATES),
        "institution.xlsx sheet people, row 3, column birth_date: '1970-01-01 14:30:00' is not a date: "
        "write YYYY-MM-DD, e.g. 2024-03-18",
    ]


def test_a_csv_file_that_is_really_a_workbook_is_named_as_such():
    problem, = problems_of([("talks.csv", workbook_of({"talks.csv": CSV_FILES["2023_talks.csv"]}))])
    assert (problem.file, problem.message) == (
        "talks.csv", "is a ZIP archive, not csv text (an XLSX workbook must be named .xlsx)")


# --- errors: each names its place, and nothing is loaded -------------------------------------------


def one_problem(files):
    problems = problems_of(files)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_a_bad_date_is_reported_by_file_row_and_column():
    problem = one_problem(with_files(**{"2023_talks.csv": "id,kind,date,conducted_by,talked_with\n"
                                        "talk-1,appointment,2023-07-10,p-wang,p-li\n"
                                        "talk-2,supervision,2023-02-30,p-wang,p-li\n"}))
    assert (problem.file, problem.row, problem.column) == ("2023_talks.csv", 3, "date")
    assert str(problem) == "2023_talks.csv row 3, column date: '2023-02-30' is not a real date"


def test_an_unknown_column_is_named():
    problem = one_problem(with_files(people__csv="id,name,birth_date,nickname\np-wang,王明,,老王\n"
                                                 "p-li,李华,,\np-zhang,张强,,\n"))
    assert (problem.file, problem.row, problem.column) == ("people.csv", 1, "nickname")
    assert problem.message.startswith("unknown column for template people (its columns: id, name, birth_date)")


def test_a_missing_required_column_is_named():
    problem = one_problem(with_files(**{"2023_talks.csv": "id,kind,date,conducted_by\n"
                                        "talk-1,appointment,2023-07-10,p-wang\n"}))
    assert str(problem) == "2023_talks.csv row 1, column talked_with: required column of template talks is missing"


def test_an_empty_required_cell_and_a_conditionally_required_one():
    problems = problems_of(with_files(party_organisations__csv=(
        "id,name_zh,name_en,level,leads_unit,superior\n"
        "party-committee,中共常州工学院委员会,,institution,,\n"
        "cs-party,,CS Party Committee,secondary,cs-college,\n")))
    assert [str(p) for p in problems] == [
        "party_organisations.csv row 3, column name_zh: is required",
        "party_organisations.csv row 3, column superior: is required when level is secondary",
    ]


def test_a_dangling_reference_names_the_kind_it_looked_in():
    problem = one_problem(with_files(audits__csv="id,auditee,date,audited_post\nau-1,p-zhao,2024-09-01,\n"))
    assert str(problem) == ("audits.csv row 2, column auditee: no people row has the id 'p-zhao' "
                            "(in any of the files given)")


def test_a_reference_to_a_row_of_the_wrong_kind_is_dangling():
    problem = one_problem(with_files(audits__csv="id,auditee,date,audited_post\nau-1,p-li,2024-09-01,p-li\n"))
    assert (problem.row, problem.column) == (2, "audited_post")
    assert "no posts row has the id 'p-li'" in problem.message


def test_a_duplicate_id_within_a_kind_is_reported_where_it_repeats_even_across_files():
    problem = one_problem(with_files(**{"2024_people.csv": "id,name\np-li,李华\n"}))
    assert str(problem) == "2024_people.csv row 2, column id: duplicate id 'p-li' of people (first at people.csv row 3)"


def test_an_id_that_is_not_a_safe_path_segment_is_refused():
    problems = problems_of(with_files(**{"2024_people.csv": "id,name\np/zhao,赵\nzhao qian,钱\n..,孙\n"}))
    assert [(p.row, p.column) for p in problems] == [(2, "id"), (3, "id"), (4, "id")]
    assert problems[0].message.startswith("'p/zhao' is not a valid id")


@pytest.mark.parametrize(("file", "text", "column", "message"), [
    ("extra_posts.csv", "id,name_zh,organisation,role\ns,书记,cs-party,audit-office\n", "role",
     "'audit-office' is not a known role key"),
    ("units.csv", "id,name_zh,kind,acts_as\norg-dept,组织部,department,human-resources\n"
                  "cs-college,计算机学院,college,\n", "acts_as", "'human-resources' is not a known unit key"),
    ("opinions.csv", "id,decision,stated_by,speaking_order,stance\nop-1,d-1,p-zhang,1,support\n", "stance",
     "'support' is not a known stance: expected one of agree, disagree, abstain"),
    ("2023_talks.csv", "id,kind,date,conducted_by,talked_with\nt,friendly,2023-07-10,p-wang,p-li\n", "kind",
     "'friendly' is not a known talk kind"),
])
def test_a_bad_key_is_refused_with_the_words_it_may_be(file, text, column, message):
    problem = one_problem(with_files(**{file: text}))
    assert (problem.file, problem.row, problem.column) == (file, 2, column)
    assert problem.message.startswith(message)


def test_a_bad_boolean_and_a_bad_integer():
    problems = problems_of(with_files(opinions__csv=(
        "id,decision,stated_by,speaking_order,stance,recorded_in_minutes\n"
        "op-1,d-1,p-zhang,1,agree,maybe\n"
        "op-2,d-1,p-wang,0,agree,\n"
        "op-3,d-1,p-li,second,agree,\n")))
    assert [str(p) for p in problems] == [
        "opinions.csv row 2, column recorded_in_minutes: 'maybe' is not a boolean: write true/false, yes/no, 是/否 or 1/0",
        "opinions.csv row 3, column speaking_order: 0 is less than 1",
        "opinions.csv row 4, column speaking_order: 'second' is not an integer: write it in digits, e.g. 2024",
    ]


def test_a_file_that_is_not_utf8_is_named():
    problem = one_problem(with_files(**{"2023_talks.csv": "id,kind,date,conducted_by,talked_with\n"
                                        "talk-1,appointment,2023-07-10,p-wang,p-li # 王\n".encode("gbk")}))
    assert (problem.file, problem.line) == ("2023_talks.csv", 2)
    assert problem.message.startswith("is not UTF-8")


def test_a_utf8_bom_and_windows_line_ends_are_accepted(loaded):
    text = "\ufeff" + CSV_FILES["people.csv"].replace("\n", "\r\n")
    with_bom = load_records(with_files(people__csv=text.encode("utf-8")))
    assert with_bom.quads == loaded.quads


def test_a_csv_file_not_named_by_a_template_is_refused():
    problem = one_problem(with_files(**{"talks_2024.csv": CSV_FILES["2023_talks.csv"]}))
    assert problem.file == "talks_2024.csv"
    assert "must be TEMPLATE.csv or end with _TEMPLATE.csv (e.g. 2024_talks.csv)" in problem.message


def test_all_problems_of_all_files_are_reported_together():
    problems = problems_of(with_files(
        audits__csv="id,auditee,date,audited_post\nau-1,p-zhao,2024-13-01,\n",
        bad__ttl="@prefix ex: <http://example.org/> .\nex:a ex:b .\n",
    ))
    assert [(p.file, p.row or p.line, p.column) for p in problems] == [
        ("bad.ttl", 2, "11"), ("audits.csv", 2, "auditee"), ("audits.csv", 2, "date")]


def test_a_flood_of_problems_is_cut_at_200_with_a_note():
    rows = "".join(f"p-{n},人{n},not-a-date\n" for n in range(300))
    with pytest.raises(RecordInputError) as raised:
        load_records([("people.csv", ("id,name,birth_date\n" + rows).encode())])
    assert len(raised.value.problems) == 200 and raised.value.total == 300
    assert str(raised.value).splitlines()[-1] == "… and 100 more problem(s) not shown"


def test_an_oversized_file_is_refused_without_being_read(tmp_path, monkeypatch):
    path = tmp_path / "people.csv"
    path.write_text(CSV_FILES["people.csv"], encoding="utf-8")

    def must_not_open(*args, **kwargs):
        raise AssertionError("the oversized file was opened")

    monkeypatch.setattr(Path, "open", must_not_open)
    problem, = problems_of([path], max_bytes=20)
    assert str(problem) == f"people.csv: is {path.stat().st_size} bytes, over the limit of 20 bytes; it was not loaded"


def test_an_oversized_upload_is_refused_and_a_small_one_is_not():
    text = CSV_FILES["people.csv"].encode()
    problem, = problems_of([("people.csv", text)], max_bytes=len(text) - 1)
    assert str(problem) == f"people.csv: is {len(text)} bytes, over the limit of {len(text) - 1} bytes; it was not loaded"
    assert load_records([("people.csv", text)], max_bytes=len(text)).files[0].size == len(text)


# --- RDF --------------------------------------------------------------------------------------------

OFFICE_TURTLE = """@prefix dg: <https://w3id.org/dutygraph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<> owl:imports <http://unreachable.invalid/ontology.ttl> .
<https://office.example.edu/people/zhao> a dg:Person ; <http://www.w3.org/2000/01/rdf-schema#label> "赵" .
<https://example.org/dutygraph/records/people/qian> a dg:Person .
<#self> a dg:Person .
"""


def test_a_csv_file_refers_to_turtle_resources_by_iri_or_by_their_record_iri(no_network):
    talks = ("id,kind,date,conducted_by,talked_with\n"
             "talk-9,supervision,2024-01-09,https://office.example.edu/people/zhao,qian\n")
    loaded = load_records(uploads({"office.ttl": OFFICE_TURTLE, "talks.csv": talks}))
    assert about(loaded.quads, "talks/talk-9") == turtle("""
        r:talks\\/talk-9 a dg:SupervisionTalk ; dg:date "2024-01-09"^^xsd:date ;
            dg:conductedBy <https://office.example.edu/people/zhao> ; dg:talkedWith r:people\\/qian .
    """)
    assert [(f.name, f.format, f.triples, f.rows) for f in loaded.files] == [
        ("office.ttl", "turtle", 5, None), ("talks.csv", "csv", 4, 1)]


def test_owl_imports_are_kept_as_data_and_relative_iris_resolve_against_base_and_file_name(no_network):
    loaded = load_records(uploads({"office records.ttl": OFFICE_TURTLE}))
    subjects = {quad.subject.value for quad in loaded.quads}
    assert BASE + "office%20records.ttl" in subjects
    assert BASE + "office%20records.ttl#self" in subjects
    assert Quad(NamedNode(BASE + "office%20records.ttl"), NamedNode("http://www.w3.org/2002/07/owl#imports"),
                NamedNode("http://unreachable.invalid/ontology.ttl")) in loaded.quads


def test_trig_and_nquads_keep_their_named_graphs_other_formats_load_into_the_default_graph():
    loaded = load_records(uploads({
        "a.trig": "<http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 . }",
        "b.nq": "<http://example.org/s> <http://example.org/p> <http://example.org/o> <http://example.org/h> .\n",
        "c.nt": "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n",
        "d.jsonld": '{"@context": {"@vocab": "http://example.org/"}, "@id": "http://example.org/s", "p": "x"}',
        "e.rdf": '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                 'xmlns:ex="http://example.org/"><rdf:Description rdf:about="s"><ex:p>y</ex:p>'
                 '</rdf:Description></rdf:RDF>',
    }))
    graphs = [quad.graph_name for quad in loaded.quads]
    assert graphs == [NamedNode("http://example.org/g"), NamedNode("http://example.org/h"),
                      DefaultGraph(), DefaultGraph(), DefaultGraph()]
    assert loaded.quads[-1].subject == NamedNode(BASE + "s")  # rdf:about="s" against {base}e.rdf
    assert [f.format for f in loaded.files] == ["trig", "n-quads", "n-triples", "json-ld", "rdf/xml"]


def test_json_ld_named_graphs_are_refused_rather_than_merged():
    problem = one_problem(uploads({"g.jsonld": '{"@id": "http://example.org/g", "@graph": '
                                               '[{"@id": "http://example.org/s", "http://example.org/p": "x"}]}'}))
    assert problem.message == "has named graphs; they are accepted only in TriG (.trig) or N-Quads (.nq) files"


def test_malformed_turtle_is_reported_with_its_line_and_column():
    problem = one_problem(with_files(bad__ttl="@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c\nex:d ex:e ex:f .\n"))
    assert (problem.file, problem.line, problem.row) == ("bad.ttl", 4, None)
    assert str(problem).startswith("bad.ttl line 4, column ")
    assert "turtle syntax error" in problem.message and "Parser error" not in problem.message


@pytest.mark.parametrize("document", [
    '{"@context": "https://schema.org/", "@id": "http://example.org/a", "name": "x"}',
    '{"@context": ["https://w3id.org/security/v2", {"name": "http://schema.org/name"}], "name": "x"}',
    '{"@context": {"knows": {"@id": "http://xmlns.com/foaf/0.1/knows", "@context": "http://evil.example/c"}}}',
    '{"@graph": [{"@context": [null, {"@vocab": "http://e/"}, "relative-context.jsonld"], "p": 1}]}',
])
def test_a_json_ld_remote_context_is_refused_by_the_loader_not_fetched(document, no_network, parser_must_not_run):
    problem = one_problem(uploads({"office.jsonld": document}))
    assert problem.file == "office.jsonld"
    assert re.fullmatch(r'remote @context ".+" refused: give the context inline \(nothing is fetched from the network\)',
                        problem.message), problem.message


def test_a_json_ld_import_is_refused(no_network, parser_must_not_run):
    problem = one_problem(uploads({"office.json": '{"@context": {"@import": "https://example.org/ctx.jsonld", '
                                                  '"@vocab": "http://example.org/"}, "p": 1}'}))
    assert problem.message == ('@import of "https://example.org/ctx.jsonld" refused: give the context inline '
                               "(nothing is fetched from the network)")


def test_pyoxigraph_itself_would_not_fetch_a_remote_context(no_network):
    """Defence in depth: even unchecked, the parser has no document loader and fails instead."""
    with pytest.raises(SyntaxError, match="LoadDocumentCallback"):
        list(pyoxigraph.parse(b'{"@context": "https://schema.org/", "name": "x"}', format=RdfFormat.JSON_LD))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/laugh"><ex:says>&lol9;</ex:says></rdf:Description>
</rdf:RDF>
"""


def test_rdf_xml_billion_laughs_is_refused_before_parsing(parser_must_not_run):
    problem = one_problem(with_files(laughs__rdf=BILLION_LAUGHS))
    assert (problem.file, problem.line) == ("laughs.rdf", 2)
    assert problem.message.startswith("DOCTYPE declarations are refused in RDF/XML")


def test_rdf_xml_external_entity_is_refused_before_parsing(parser_must_not_run, no_network):
    document = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    problem = one_problem(uploads({"office.owl": document}))
    assert (problem.file, problem.line) == ("office.owl", 2)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("records.txt", b"id,name\n", "unknown file type '.txt'"),
    ("records.ttl.gz", b"\x1f\x8b\x08\x00", "unknown file type '.gz'"),
    ("records.ttl", b"\x1f\x8b\x08\x00", "is compressed (gzip)"),
    ("people.xlsx", b"id,name\n", "is not an XLSX workbook"),
    ("office.rdf", b"@prefix ex: <http://example.org/> .", "is not XML"),
    ("people.csv", "id,name\n".encode("utf-16"), "is UTF-16 or UTF-32 encoded"),
])
def test_a_file_whose_name_or_content_rules_out_every_format(name, content, message):
    problem = one_problem([(name, content)])
    assert problem.file == name and problem.message.startswith(message), problem.message


def test_a_reference_shared_by_two_kinds_must_say_which():
    files = with_files(
        units__csv="id,name_zh,kind\ncs,计算机学院,college\norg-dept,组织部,department\ncs-college,计算机,college\n",
        party_organisations__csv=("id,name_zh,level,superior\nparty-committee,校党委,institution,\n"
                                  "cs,计算机学院党委,secondary,party-committee\n"
                                  "cs-party,计算机学院党委,secondary,party-committee\n"),
        extra_posts__csv="id,name_zh,organisation,role\np1,书记,cs,number-one-leader\np2,院长,units/cs,leadership-team-member\n",
    )
    problem = one_problem(files)
    assert str(problem) == ("extra_posts.csv row 2, column organisation: 'cs' is the id of both a "
                            "party_organisations row and a units row: write party_organisations/cs or units/cs")


def test_a_list_where_one_value_is_due_is_refused_and_an_empty_list_gives_nothing():
    problems = problems_of(with_files(home_visits__csv="id,date,conducted_by,visited\nhv-1,2024-02-01,p-wang;p-li,p-li\n"))
    assert [str(p) for p in problems] == [
        "home_visits.csv row 2, column conducted_by: 'p-wang;p-li': this column takes one people id, not a list",
    ]
    meetings = "id,kind,date,held_by,attendees\nm-1,standing-committee,2024-03-18,party-committee, ; \n"
    loaded = load_records(with_files(meetings__csv=meetings))
    assert not [q for q in about(loaded.quads, "meetings/m-1") if q.predicate.value.endswith("#attendee")]


def test_the_docstring_examples_of_the_input_layer_hold():
    import doctest

    from dutygraph.records_input import formats, rdf_files, templates

    for module in (formats, rdf_files, templates):
        outcome = doctest.testmod(module)
        assert outcome.attempted > 0 and outcome.failed == 0, module.__name__


def test_all_or_nothing_one_bad_file_among_good_ones_loads_nothing_and_leaves_nothing_behind(loaded):
    with pytest.raises(RecordInputError) as raised:
        load_records(with_files(deep__jsonld="[" * 200_000))
    assert [str(p) for p in raised.value.problems] == ["deep.jsonld: is nested too deeply to be read"]
    assert load_records(uploads(CSV_FILES)).quads == loaded.quads
