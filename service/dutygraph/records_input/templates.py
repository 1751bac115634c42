"""The record templates: one declarative spec per kind, the single source of the parser and the blanks.

Each template lists its columns in the order of the blank CSV file, each column with its kind of
value (values.py), whether it is required, and the RDF it maps to, exactly as
``data/templates/README.md`` documents. A row becomes ``{base}{kind}/{id}``; its fixed classes come
first, then one or more triples per non-empty cell, in column order. Dated parts of a record (an
expert review, a promotion check …) are resources of their own under the row's IRI, made only when
one of their cells is filled.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path, PurePath

from pyoxigraph import NamedNode

from ..namespaces import BASE as ID_BASE
from ..namespaces import ONTOLOGY_IRI
from .values import Boolean, Choice, CurationKey, Date, Integer, Reference, Text

_DG = ONTOLOGY_IRI + "#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
ORG_UNIT_OF = NamedNode("http://www.w3.org/ns/org#unitOf")
ORG_POST_IN = NamedNode("http://www.w3.org/ns/org#postIn")
ORG_ROLE = NamedNode("http://www.w3.org/ns/org#role")
ACTOR_NAMESPACE = ID_BASE + "actor/"
UNIT_NAMESPACE = ID_BASE + "unit/"


def dg(name: str) -> NamedNode:
    return NamedNode(_DG + name)


# --- how a value becomes triples --------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A part of a record with an IRI of its own: ``PARENT/path``, linked from PARENT by ``link``."""

    path: str
    link: NamedNode
    type: NamedNode
    parent: Node | None = None
    # Further fixed statements about the node, such as which of the four checks it is.
    facts: tuple[tuple[NamedNode, NamedNode], ...] = ()


@dataclass(frozen=True)
class Property:
    """SUBJECT predicate VALUE, where SUBJECT is the row, or its ``node`` when one is given."""

    predicate: NamedNode
    node: Node | None = None


@dataclass(frozen=True)
class Inverse:
    """VALUE predicate ROW: the row is the object (an opinion is stated ``dg:opinion`` of a decision)."""

    predicate: NamedNode


@dataclass(frozen=True)
class NodePerItem:
    """For the n-th item of a list, a node (its path holds ``{n}``) with ``predicate`` the item."""

    node: Node
    predicate: NamedNode


@dataclass(frozen=True)
class Column:
    name: str
    value: object  # one of the kinds of values.py, or None for the id column
    rdf: Property | Inverse | NodePerItem | None = None
    required: bool = False
    many: bool = False  # a list separated by ';'
    required_when: tuple[str, str] | None = None  # (column, word): required when that column says word


@dataclass(frozen=True)
class Template:
    name: str
    types: tuple[NamedNode, ...]  # the classes of every row (others may come from a key column)
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)


def required(name, value, rdf=None, *, many=False) -> Column:
    return Column(name, value, rdf, required=True, many=many)


def optional(name, value, rdf=None, *, many=False, required_when=None) -> Column:
    return Column(name, value, rdf, many=many, required_when=required_when)


def ref(*kinds: str) -> Reference:
    return Reference(kinds)


def dated(node: Node) -> Property:
    return Property(dg("date"), node)


ID = required("id", None)
NAME_ZH = required("name_zh", Text("zh"), Property(RDFS_LABEL))
NAME_EN = optional("name_en", Text("en"), Property(RDFS_LABEL))
DATE = required("date", Date(), Property(dg("date")))
TYPE = Property(RDF_TYPE)

TALK_KINDS = Choice({
    "appointment": dg("AppointmentTalk"), "supervision": dg("SupervisionTalk"), "special": dg("SpecialTalk"),
    "admonition": dg("AdmonitionTalk"), "heart-to-heart": dg("HeartToHeartTalk"), "reminder": dg("ReminderTalk"),
}, "talk kind")
MEETING_KINDS = Choice({
    "democratic-life": dg("DemocraticLifeMeeting"), "organisational-life": dg("OrganisationalLifeMeeting"),
    "standing-committee": dg("StandingCommitteeMeeting"),
    "secondary-party-organisation": dg("SecondaryPartyOrganisationMeeting"),
    "joint-party-administration": dg("JointPartyAdministrationMeeting"), "special": dg("SpecialMeeting"),
    "warning-education": dg("WarningEducationConference"),
}, "meeting kind")
MATTER_CATEGORIES = Choice({
    "major-decision": dg("MajorDecisionMatter"), "important-appointment": dg("ImportantAppointmentMatter"),
    "major-project": dg("MajorProjectMatter"), "large-fund": dg("LargeFundMatter"),
}, "matter category")
STANCES = Choice({"agree": dg("Agree"), "disagree": dg("Disagree"), "abstain": dg("Abstain")}, "stance")
REPORT_TOPICS = Choice({"number-one-leader": dg("NumberOneLeaderTopic")}, "report section")
MATERIALS = Choice({
    "appointment": dg("AppointmentMaterial"), "personnel-file": dg("PersonnelFileMaterial"),
    "false-reporting": dg("FalseReportingMaterial"), "problem-clues": dg("ProblemCluesMaterial"),
    "integrity-opinion": dg("IntegrityOpinionMaterial"),
}, "integrity file material")
EVENT_KINDS = Choice({
    "important-issue": dg("ImportantIssueEvent"), "decision-error": dg("DecisionErrorEvent"),
    "emergency-mishandled": dg("EmergencyMishandledEvent"), "supervision-finding": dg("SupervisionFindingEvent"),
    "major-case": dg("MajorCaseEvent"), "four-winds": dg("FourWindsEvent"),
}, "event kind")
UNIT_KINDS = Choice({"department": None, "college": dg("SecondaryCollege")}, "unit kind")
PARTY_LEVELS = Choice({
    "institution": dg("InstitutionPartyCommittee"), "secondary": dg("SecondaryPartyOrganisation"),
}, "Party organisation level")

EXPERT_REVIEW = Node("expert-review", dg("expertReview"), dg("ExpertReview"))
RISK_ASSESSMENT = Node("risk-assessment", dg("riskAssessment"), dg("RiskAssessment"))
INSPECTION_REPORT = Node("report", dg("inspectionReport"), dg("InspectionReport"))
REPORT_SECTION = Node("section-{n}", dg("hasSection"), dg("ReportSection"), parent=INSPECTION_REPORT)
EVALUATION = Node("evaluation", dg("evaluation"), dg("Evaluation"))
DOUBLE_SIGNATURE = Node("double-signature", dg("doubleSignature"), dg("DoubleSignature"))
APPROVAL = Node("approval", dg("approval"), dg("Approval"))
PETITION_ANALYSIS = Node("analysis", dg("analysis"), dg("PetitionAnalysis"))


def promotion_check(path: str, kind: str) -> Node:
    return Node(path, dg("check"), dg("PromotionCheck"), facts=((dg("checkKind"), dg(kind)),))


TEMPLATES: tuple[Template, ...] = (
    # --- the institution
    Template("institution", (dg("Institution"),), (ID, NAME_ZH, NAME_EN)),
    Template("units", (dg("InstitutionUnit"),), (
        ID, NAME_ZH, NAME_EN,
        required("kind", UNIT_KINDS, TYPE),
        optional("acts_as", CurationKey("unit"), Property(dg("actsAsUnit"))),
        optional("institution", ref("institution"), Property(ORG_UNIT_OF)),
    )),
    Template("party_organisations", (), (
        ID, NAME_ZH, NAME_EN,
        required("level", PARTY_LEVELS, TYPE),
        optional("leads_unit", ref("units"), Property(dg("leadsUnit"))),
        optional("superior", ref("party_organisations"), Property(dg("superiorOrganisation")),
                 required_when=("level", "secondary")),
    )),
    Template("people", (dg("Person"),), (
        ID,
        required("name", Text(), Property(RDFS_LABEL)),
        optional("birth_date", Date(), Property(dg("birthDate"))),
    )),
    Template("posts", (dg("Post"),), (
        ID, NAME_ZH, NAME_EN,
        required("organisation", ref("party_organisations", "units"), Property(ORG_POST_IN)),
        required("role", CurationKey("role"), Property(ORG_ROLE)),
    )),
    Template("tenures", (dg("Tenure"),), (
        ID,
        required("person", ref("people"), Property(dg("holder"))),
        required("post", ref("posts"), Property(dg("post"))),
        required("start_date", Date(), Property(dg("startDate"))),
        optional("end_date", Date(), Property(dg("endDate"))),
    )),
    # --- records
    Template("talks", (), (
        ID,
        required("kind", TALK_KINDS, TYPE),
        DATE,
        required("conducted_by", ref("people"), Property(dg("conductedBy"))),
        required("talked_with", ref("people"), Property(dg("talkedWith"))),
    )),
    Template("home_visits", (dg("HomeVisit"),), (
        ID, DATE,
        required("conducted_by", ref("people"), Property(dg("conductedBy"))),
        required("visited", ref("people"), Property(dg("visited"))),
    )),
    Template("meetings", (), (
        ID,
        required("kind", MEETING_KINDS, TYPE),
        DATE,
        required("held_by", ref("party_organisations", "units", "institution"), Property(dg("heldBy"))),
        optional("attendees", ref("people"), Property(dg("attendee")), many=True),
        optional("sat_in_by", ref("units"), Property(dg("satInBy")), many=True),
        optional("notice_date", Date(), Property(dg("noticeDate"))),
        optional("special", Boolean(), Property(dg("special"))),
        optional("responds_to", ref("triggering_events"), Property(dg("respondsTo"))),
        optional("guided_by", ref("people"), Property(dg("guidedBy")), many=True),
    )),
    Template("decisions", (dg("Decision"),), (
        ID, DATE,
        required("made_at", ref("meetings"), Property(dg("madeAt"))),
        required("matter_category", MATTER_CATEGORIES, Property(dg("matterCategory"))),
        optional("specialised", Boolean(), Property(dg("specialisedMatter"))),
        optional("expert_review_date", Date(), dated(EXPERT_REVIEW)),
        optional("risk_assessment_date", Date(), dated(RISK_ASSESSMENT)),
    )),
    Template("opinions", (dg("StatedOpinion"),), (
        ID,
        required("decision", ref("decisions"), Inverse(dg("opinion"))),
        required("stated_by", ref("people"), Property(dg("statedBy"))),
        required("speaking_order", Integer(minimum=1), Property(dg("speakingOrder"))),
        required("stance", STANCES, Property(dg("stance"))),
        optional("recorded_in_minutes", Boolean(), Property(dg("recordedInMinutes"))),
    )),
    Template("inspections", (dg("Inspection"),), (
        ID,
        required("inspected", ref("party_organisations"), Property(dg("inspected"))),
        required("start_date", Date(), Property(dg("startDate"))),
        required("end_date", Date(), Property(dg("endDate"))),
        optional("report_date", Date(), dated(INSPECTION_REPORT)),
        optional("report_sections", REPORT_TOPICS, NodePerItem(REPORT_SECTION, dg("sectionTopic")), many=True),
    )),
    Template("reminder_letters", (dg("ReminderLetter"),), (
        ID,
        required("sent_to", ref("people"), Property(dg("sentTo"))),
        DATE,
        optional("follows_inspection", ref("inspections"), Property(dg("followsInspection"))),
    )),
    Template("audits", (dg("Audit"),), (
        ID,
        required("auditee", ref("people"), Property(dg("auditee"))),
        DATE,
        optional("audited_post", ref("posts"), Property(dg("auditedPost"))),
    )),
    Template("accountability_reports", (dg("AccountabilityReport"),), (
        ID,
        required("reported_by", ref("people"), Property(dg("reportedBy"))),
        required("year", Integer(), Property(dg("year"))),
        optional("date", Date(), Property(dg("date"))),
        optional("heard_at", ref("meetings"), Property(dg("heardAt"))),
        optional("evaluation_date", Date(), dated(EVALUATION)),
        optional("covers_lower_leader_supervision", Boolean(), Property(dg("coversLowerLeaderSupervision"))),
    )),
    Template("promotions", (dg("Promotion"),), (
        ID,
        required("candidate", ref("people"), Property(dg("candidate"))),
        required("to_post", ref("posts"), Property(dg("toPost"))),
        DATE,
        optional("file_review_date", Date(), dated(promotion_check("check-file-review", "FileReviewCheck"))),
        optional("personal_matters_date", Date(),
                 dated(promotion_check("check-personal-matters", "PersonalMattersCheck"))),
        optional("discipline_opinion_date", Date(),
                 dated(promotion_check("check-discipline-opinion", "DisciplineOpinionCheck"))),
        optional("petition_check_date", Date(), dated(promotion_check("check-petition", "PetitionCheck"))),
        optional("double_signature_date", Date(), dated(DOUBLE_SIGNATURE)),
        optional("signed_by", ref("people"), Property(dg("signedBy"), DOUBLE_SIGNATURE), many=True),
    )),
    Template("interference_incidents", (dg("InterferenceIncident"),), (
        ID,
        required("interferer", ref("people"), Property(dg("interferer"))),
        required("requested_person", ref("people"), Property(dg("requestedPerson"))),
        DATE,
        optional("matter", Text(), Property(RDFS_COMMENT)),
    )),
    Template("interference_records", (dg("InterferenceRecord"),), (
        ID,
        required("record_of", ref("interference_incidents"), Property(dg("recordOf"))),
        required("recorded_by", ref("people"), Property(dg("signedBy"))),
        DATE,
        optional("reported_to", ref("party_organisations"), Property(dg("reportedTo"))),
        optional("report_date", Date(), Property(dg("reportDate"))),
    )),
    Template("part_time_posts", (dg("PartTimePost"),), (
        ID,
        required("holder", ref("people"), Property(dg("holder"))),
        required("organisation_name", Text(), Property(dg("organisationName"))),
        required("start_date", Date(), Property(dg("startDate"))),
        optional("end_date", Date(), Property(dg("endDate"))),
        optional("term_count", Integer(), Property(dg("termCount"))),
        optional("approval_date", Date(), dated(APPROVAL)),
    )),
    Template("petitions", (dg("Petition"),), (
        ID,
        required("concerns", ref("people"), Property(dg("concerns"))),
        DATE,
        optional("serious", Boolean(), Property(dg("serious"))),
        optional("analysis_date", Date(), dated(PETITION_ANALYSIS)),
        optional("reported_to", ref("party_organisations"), Property(dg("reportedTo"))),
        optional("report_date", Date(), Property(dg("reportDate"))),
    )),
    Template("integrity_files", (dg("IntegrityFile"),), (
        ID,
        required("file_of", ref("people"), Property(dg("fileOf"))),
        optional("materials", MATERIALS, Property(dg("material")), many=True),
        optional("date", Date(), Property(dg("date"))),
    )),
    Template("triggering_events", (dg("TriggeringEvent"),), (
        ID,
        required("kind", EVENT_KINDS, Property(dg("eventKind"))),
        required("organisation", ref("party_organisations"), Property(dg("concernsOrganisation"))),
        DATE,
        optional("description", Text(), Property(RDFS_COMMENT)),
    )),
    Template("rectification_reports", (dg("RectificationReport"),), (
        ID,
        required("submitted_by", ref("party_organisations"), Property(dg("submittedBy"))),
        DATE,
        optional("follows_inspection", ref("inspections"), Property(dg("followsInspection"))),
    )),
)

TEMPLATES_BY_NAME: dict[str, Template] = {template.name: template for template in TEMPLATES}
_NAME_SEPARATORS = ("_", "-", ".", " ")


def template_for_file_name(name: str) -> Template | None:
    """The template a CSV file follows: its stem is the template name or ends with one after a separator.

    ``talks.csv``, ``2024_talks.csv``, ``2024-talks.csv`` follow ``talks``; the longest name wins, so
    ``part_time_posts.csv`` follows ``part_time_posts``, not ``posts``. Case is ignored.

    >>> template_for_file_name("2024_part_time_posts.csv").name
    'part_time_posts'
    >>> template_for_file_name("mytalks.csv") is None
    True
    """
    stem = PurePath(name).stem.lower()
    for template in sorted(TEMPLATES, key=lambda template: -len(template.name)):
        if stem == template.name or any(stem.endswith(separator + template.name) for separator in _NAME_SEPARATORS):
            return template
    return None


def write_blank_templates(directory: Path) -> list[Path]:
    """Write one header-only CSV file per template into ``directory``; the files written, in order."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for template in TEMPLATES:
        path = directory / f"{template.name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerow(column.name for column in template.columns)
        written.append(path)
    return written
