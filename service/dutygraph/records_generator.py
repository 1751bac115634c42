"""Synthetic institutions and records of any size, for demos, examples and benchmarks.

`generate(colleges, years, seed, violation_rate)` writes an example institution (units named by the
document, colleges with their Party organisations, posts, people, tenures) and, for every year,
the records its duties call for. Each duty instance is broken with probability `violation_rate`
(or on request, for the example files); what was broken is returned as `expected`: pairs of
(duty shape name, focus node IRI) that validation must find, no more and no fewer.

Everything is synthetic and marked so: names are drawn from common Chinese surnames and given
names, and no record describes a real person or event.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .namespaces import BASE, DG

EXAMPLE_BASE = "https://example.org/dutygraph/example/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
GIVEN = ("建国 伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 平 刚 桂英 文 辉 鑫 宇 婷 浩 宁 "
         "志强 海燕 红 建华 晓东 立新 国庆 雪梅 春生 建平 玉兰 德明 振华 丹 琳 斌 健 凯 波 亮").split()
COLLEGES = [
    ("机械工程学院", "School of Mechanical Engineering"),
    ("电气信息工程学院", "School of Electrical and Information Engineering"),
    ("计算机信息工程学院", "School of Computer and Information Engineering"),
    ("经济与管理学院", "School of Economics and Management"),
    ("外国语学院", "School of Foreign Languages"),
    ("土木建筑工程学院", "School of Civil Engineering and Architecture"),
    ("化工与材料工程学院", "School of Chemical and Materials Engineering"),
    ("艺术与设计学院", "School of Art and Design"),
    ("数理学院", "School of Mathematics and Physics"),
    ("光电工程学院", "School of Optoelectronic Engineering"),
    ("汽车工程学院", "School of Automotive Engineering"),
    ("航空与机械工程学院", "School of Aeronautical and Mechanical Engineering"),
    ("人文社会科学学院", "School of Humanities and Social Sciences"),
    ("马克思主义学院", "School of Marxism"),
    ("体育教学部", "Department of Physical Education"),
]
# The institution units that act as accountable units of the document (key, zh, en).
DEPARTMENTS = [
    ("organisation-department", "组织部", "Organisation Department"),
    ("discipline-inspection-department", "纪检监察部门", "Discipline Inspection and Supervision Office"),
    ("party-committee-office", "党委办公室", "Party Committee Office"),
    ("inspection-office", "党委巡察工作办公室", "Party Committee Inspection Office"),
    ("audit-office", "审计处", "Audit Office"),
    ("discipline-committee-office", "纪委办公室", "Discipline Committee Office"),
    ("publicity-department", "宣传部", "Publicity Department"),
    ("finance-department", "计划财务处", "Planning and Finance Office"),
    ("trade-union", "工会", "Trade Union"),
]
# Duty shape names, as in shapes/duties.ttl, for the `expected` list and `breaks`.
DUTIES = (
    "AppointmentTalkShape", "UpperLeaderReportShape", "AnnualAccountabilityReportShape", "SitInShape",
    "ExpertReviewShape", "InspectionReportSectionShape", "ReminderLetterShape", "AuditPriorityShape",
    "DecisionProcedureShape", "DecisionVenueShape", "InterferenceRecordShape",
    "SpecialDemocraticLifeMeetingShape", "LiaisonShape", "PromotionChecksShape", "PartTimePostShape",
    "WarningConferenceShape", "PetitionHandlingShape", "IntegrityFileShape",
)


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


@dataclass
class _Tenure:
    iri: str
    person: str
    post: str
    start: date
    end: date | None = None

    def holds_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass
class Generated:
    """N-Triples lines of the institution and of the records, and the duties deliberately broken."""

    institution: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)
    expected: set[tuple[str, str]] = field(default_factory=set)
    details: dict[tuple[str, str], str] = field(default_factory=dict)  # how an instance was broken
    years: list[int] = field(default_factory=list)

    def _lines(self, part: str) -> list[list[str]]:
        return {"institution": [self.institution], "records": [self.records]}.get(part, [self.institution, self.records])

    def ntriples(self, part: str = "all") -> str:
        return "\n".join(itertools.chain.from_iterable(self._lines(part))) + "\n"

    def write_ntriples(self, stream, part: str = "all", chunk: int = 100_000) -> None:
        """The same text as ``ntriples(part)``, UTF-8 encoded into a binary stream a chunk of lines
        at a time: the lines are held once, not again as one text and its bytes (at 10^7 triples
        those are 1.5 GB each)."""
        for lines in self._lines(part):
            for start in range(0, len(lines), chunk):
                stream.write(("\n".join(lines[start:start + chunk]) + "\n").encode("utf-8"))


class _Writer:
    def __init__(self, out: list[str]):
        self.out = out

    def iri(self, s: str, p: str, o: str) -> None:
        self.out.append(f"<{s}> <{p}> <{o}> .")

    def text(self, s: str, p: str, value: str, lang: str | None = None) -> None:
        self.out.append(f"<{s}> <{p}> {_literal(value)}{'@' + lang if lang else ''} .")

    def typed(self, s: str, p: str, value, datatype: str) -> None:
        self.out.append(f'<{s}> <{p}> "{value}"^^<{XSD}{datatype}> .')

    def day(self, s: str, p: str, value: date) -> None:
        self.typed(s, p, value.isoformat(), "date")

    def flag(self, s: str, p: str, value: bool) -> None:
        self.typed(s, p, "true" if value else "false", "boolean")

    def integer(self, s: str, p: str, value: int) -> None:
        self.typed(s, p, value, "integer")

    def a(self, s: str, cls: str) -> None:
        self.iri(s, RDF_TYPE, cls)


def dg(term: str) -> str:
    return str(DG[term])


def actor(key: str) -> str:
    return f"{BASE}actor/{key}"


class _Generator:
    def __init__(self, colleges: int, years: int, seed: int, rate: float, start_year: int, breaks: set[str]):
        if colleges < 1 or years < 1:
            raise ValueError("colleges and years must be at least 1")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("violation rate must be between 0 and 1")
        unknown = set(breaks) - set(DUTIES)
        if unknown:
            raise ValueError(f"unknown duties to break: {', '.join(sorted(unknown))}; known: {', '.join(DUTIES)}")
        # Three random streams, so that breaking one duty changes nothing else: the institution and
        # its turnover; each college-year's records (reseeded per college and year); break draws.
        self.seed = seed
        self.random = random.Random(seed)
        self.structure_random = self.random
        self.break_random = random.Random(f"{seed}/breaks")
        self.colleges, self.years, self.rate, self.start_year = colleges, years, rate, start_year
        self.breaks = set(breaks)
        self.result = Generated(years=list(range(start_year, start_year + years)))
        self.inst = _Writer(self.result.institution)
        self.rec = _Writer(self.result.records)
        self.counters: dict[str, int] = {}
        self.scope = "institution"
        self.tenures: list[_Tenure] = []
        self.tenures_of_post: dict[str, list[_Tenure]] = {}  # the same tenures by post, in the same order
        self.people: dict[str, date] = {}

    # -- helpers -------------------------------------------------------------------------------
    def mint(self, kind: str) -> str:
        """A new IRI, numbered within the current scope (the institution, or one college-year)."""
        key = f"{self.scope}/{kind}"
        self.counters[key] = self.counters.get(key, 0) + 1
        number = self.counters[key]
        if self.scope == "institution":
            return f"{EXAMPLE_BASE}{kind}/{number:06d}"
        return f"{EXAMPLE_BASE}{kind}/{self.scope}-{number:03d}"

    def broken(self, duty: str, focus: str) -> bool:
        """Whether to break this duty instance; records it in `expected` when so."""
        if duty in self.breaks:
            self.breaks.discard(duty)  # an explicit break breaks the first instance only
            hit = True
        else:
            hit = self.rate > 0 and self.break_random.random() < self.rate
        if hit:
            self.result.expected.add((duty, focus))
        return hit

    def day_in(self, year: int, first: int = 1, last: int = 365) -> date:
        return date(year, 1, 1) + timedelta(days=self.random.randint(first - 1, min(last, 365) - 1))

    def person(self, writer: "_Writer | None" = None) -> str:
        """A new person, described in the institution (or, for a promotion candidate, the records)."""
        writer = writer or self.inst
        iri = self.mint("person")
        name = self.random.choice(SURNAMES) + self.random.choice(GIVEN)
        born = date(self.random.randint(1963, 1985), self.random.randint(1, 12), self.random.randint(1, 28))
        writer.a(iri, dg("Person"))
        writer.text(iri, RDFS_LABEL, name)
        writer.day(iri, dg("birthDate"), born)
        self.people[iri] = born
        return iri

    def post(self, organisation: str, key: str, zh: str, en: str, roles: list[str]) -> str:
        iri = f"{EXAMPLE_BASE}post/{key}"
        self.inst.a(iri, dg("Post"))
        self.inst.text(iri, RDFS_LABEL, zh, "zh")
        self.inst.text(iri, RDFS_LABEL, en, "en")
        self.inst.iri(iri, ORG + "postIn", organisation)
        for role in roles:
            self.inst.iri(iri, ORG + "role", actor(role))
        return iri

    def tenure(self, person: str, post: str, start: date) -> _Tenure:
        tenure = _Tenure(self.mint("tenure"), person, post, start)
        self.tenures.append(tenure)
        self.tenures_of_post.setdefault(post, []).append(tenure)
        return tenure

    def holder(self, post: str, day: date) -> _Tenure:
        # By post: a scan of every tenure made generating 3,000 colleges take over 40 minutes
        return next(t for t in self.tenures_of_post.get(post, ()) if t.holds_on(day))

    def write_tenures(self) -> None:
        for tenure in self.tenures:
            self.inst.a(tenure.iri, dg("Tenure"))
            self.inst.iri(tenure.iri, dg("holder"), tenure.person)
            self.inst.iri(tenure.iri, dg("post"), tenure.post)
            self.inst.day(tenure.iri, dg("startDate"), tenure.start)
            if tenure.end:
                self.inst.day(tenure.iri, dg("endDate"), tenure.end)

    # -- the institution -----------------------------------------------------------------------
    def institution(self) -> None:
        w = self.inst
        self.institution_iri = f"{EXAMPLE_BASE}institution"
        w.a(self.institution_iri, dg("Institution"))
        w.text(self.institution_iri, RDFS_LABEL, "示例工学院（合成数据）", "zh")
        w.text(self.institution_iri, RDFS_LABEL, "Example Institute of Technology (synthetic data)", "en")
        w.text(self.institution_iri, RDFS_COMMENT, "Synthetic example data made by dutygraph generate-records: no real person, unit or event.", "en")
        self.units = {}
        for key, zh, en in DEPARTMENTS:
            iri = self.units[key] = f"{EXAMPLE_BASE}unit/{key}"
            w.a(iri, dg("InstitutionUnit"))
            w.text(iri, RDFS_LABEL, zh, "zh")
            w.text(iri, RDFS_LABEL, en, "en")
            w.iri(iri, dg("actsAsUnit"), f"{BASE}unit/{key}")
            w.iri(iri, ORG + "unitOf", self.institution_iri)
        self.committee = f"{EXAMPLE_BASE}org/party-committee"
        w.a(self.committee, dg("InstitutionPartyCommittee"))
        w.text(self.committee, RDFS_LABEL, "示例工学院党委", "zh")
        w.text(self.committee, RDFS_LABEL, "Party Committee of the Example Institute of Technology", "en")
        before = date(self.start_year - 1, 1, 1)
        self.secretary_post = self.post(self.committee, "party-secretary", "校党委书记", "Party Secretary", ["number-one-leader"])
        self.tenure(self.person(), self.secretary_post, before - timedelta(days=self.random.randint(300, 2000)))
        self.team_posts = [self.secretary_post]
        extra = [("president", "校长", "President", ["standing-committee-member"]),
                 ("discipline-secretary", "校纪委书记", "Discipline Committee Secretary", ["discipline-secretary", "standing-committee-member"])]
        members = max(4, (self.colleges + 1) // 2)
        extra += [(f"vice-president-{n}", f"副校长（{n}）", f"Vice-President {n}", ["standing-committee-member"])
                  for n in range(1, members - len(extra))]
        for key, zh, en, roles in extra:
            post = self.post(self.committee, key, zh, en, roles)
            self.team_posts.append(post)
            self.tenure(self.person(), post, before - timedelta(days=self.random.randint(100, 1500)))
        self.colleges_data = []
        for n in range(self.colleges):
            zh, en = COLLEGES[n % len(COLLEGES)]
            if n >= len(COLLEGES):
                zh, en = f"{zh}（{n // len(COLLEGES) + 1}）", f"{en} ({n // len(COLLEGES) + 1})"
            unit = f"{EXAMPLE_BASE}unit/college-{n + 1:03d}"
            w.a(unit, dg("InstitutionUnit"))
            w.a(unit, dg("SecondaryCollege"))
            w.text(unit, RDFS_LABEL, zh, "zh")
            w.text(unit, RDFS_LABEL, en, "en")
            w.iri(unit, ORG + "unitOf", self.institution_iri)
            org = f"{EXAMPLE_BASE}org/college-{n + 1:03d}"
            w.a(org, dg("SecondaryPartyOrganisation"))
            w.text(org, RDFS_LABEL, f"{zh}党委", "zh")
            w.text(org, RDFS_LABEL, f"Party Committee of the {en}", "en")
            w.iri(org, dg("leadsUnit"), unit)
            w.iri(org, dg("superiorOrganisation"), self.committee)
            prefix = f"college-{n + 1:03d}"
            posts = {
                "secretary": self.post(org, f"{prefix}-secretary", f"{zh}党委书记", f"Party Secretary, {en}", ["number-one-leader"]),
                "dean": self.post(org, f"{prefix}-dean", f"{zh}院长", f"Dean, {en}", ["leadership-team-member"]),
                "deputy": self.post(org, f"{prefix}-deputy-secretary", f"{zh}党委副书记", f"Deputy Party Secretary, {en}", ["leadership-team-member"]),
                "discipline": self.post(org, f"{prefix}-discipline-member", f"{zh}纪检委员", f"Discipline Inspection Member, {en}", ["discipline-committee-member"]),
            }
            for role, post in posts.items():
                # some secretaries have long tenures, so that the audit duty applies
                days_before = self.random.randint(200, 2600 if role == "secretary" else 1500)
                self.tenure(self.person(), post, before - timedelta(days=days_before))
            self.colleges_data.append({"org": org, "zh": zh, "posts": posts, "audited": set()})

    # -- one year of records ----------------------------------------------------------------------
    def year(self, year: int) -> None:
        start, end = date(year, 1, 1), date(year, 12, 31)
        self.turnover(year)
        guides = self.assign_guides(date(year, 12, 31))
        self.scope, self.random = f"{year}-institution", random.Random(f"{self.seed}/{year}/institution")
        hearing = self.meeting("special", self.committee, date(year, 12, 20), [])
        for n, college in enumerate(self.colleges_data):
            self.scope, self.random = f"{year}-c{n + 1:03d}", random.Random(f"{self.seed}/{year}/{n}")
            self.college_year(year, college, hearing, guides[n])
        self.scope, self.random = f"{year}-institution", random.Random(f"{self.seed}/{year}/institution-end")
        self.institution_year(year, start, end)
        self.scope, self.random = "institution", self.structure_random

    def assign_guides(self, year_end: date) -> list[list[str]]:
        """Who guides each college's democratic life meeting: every upper team member 1-2 meetings."""
        members = [self.holder(post, year_end).person for post in self.team_posts]
        self.structure_random.shuffle(members)
        guides: list[list[str]] = [[] for _ in self.colleges_data]
        count = len(self.colleges_data)
        for n, member in enumerate(members):
            if self.broken("LiaisonShape", member):
                continue  # guides no meeting this year
            if count >= len(members):
                for college in range(n, count, len(members)):
                    guides[college].append(member)
            else:
                guides[n % count].append(member)
        return guides

    def turnover(self, year: int) -> None:
        for college in self.colleges_data:
            if self.random.random() < 0.25:
                post = college["posts"]["secretary"]
                day = self.day_in(year, 32, 330)
                old = self.holder(post, day)
                old.end = day - timedelta(days=1)
                new = self.tenure(self.person(), post, day)
                college["new_secretary"] = new
            else:
                college.pop("new_secretary", None)

    def meeting(self, kind: str, held_by: str, day: date, attendees: list[str]) -> str:
        classes = {"special": "SpecialMeeting", "secondary": "SecondaryPartyOrganisationMeeting",
                   "democratic": "DemocraticLifeMeeting", "warning": "WarningEducationConference",
                   "standing": "StandingCommitteeMeeting"}
        iri = self.mint("meeting")
        self.rec.a(iri, dg(classes[kind]))
        self.rec.day(iri, dg("date"), day)
        self.rec.iri(iri, dg("heldBy"), held_by)
        for person in attendees:
            self.rec.iri(iri, dg("attendee"), person)
        return iri

    def team_on(self, posts: list[str], day: date) -> list[str]:
        return [self.holder(post, day).person for post in posts]

    def college_year(self, year: int, college: dict, hearing: str, guides: list[str]) -> None:
        w, org, posts = self.rec, college["org"], college["posts"]
        team_posts = [posts["dean"], posts["deputy"], posts["secretary"]]
        year_end = date(year, 12, 31)
        # meetings of the secondary Party organisation, with sit-ins (measure 9)
        meetings = []
        for _ in range(self.random.randint(3, 6)):
            day = self.day_in(year, 10, 350)
            meetings.append((self.meeting("secondary", org, day, self.team_on(team_posts, day)), day))
        for unit_key in ("discipline-inspection-department", "organisation-department"):
            if not self.broken("SitInShape", org):
                w.iri(self.random.choice(meetings)[0], dg("satInBy"), self.units[unit_key])
        # decisions on major matters (measures 9 and 16)
        for meeting, day in meetings[: self.random.randint(1, len(meetings))]:
            self.decision(meeting, day, org, team_posts)
        # the annual democratic life meeting, guided by an upper leadership-team member (measure 27)
        dlm_day = self.day_in(year, 300, 355)
        dlm = self.meeting("democratic", org, dlm_day, self.team_on(team_posts, dlm_day))
        for guide in guides:
            w.iri(dlm, dg("guidedBy"), guide)
        # the number-one leader's annual report (measure 7)
        secretary = self.holder(posts["secretary"], year_end)
        if not self.broken("AnnualAccountabilityReportShape", secretary.person):
            report = self.mint("report")
            w.a(report, dg("AccountabilityReport"))
            w.iri(report, dg("reportedBy"), secretary.person)
            w.integer(report, dg("year"), year)
            w.iri(report, dg("heardAt"), hearing)
            evaluation = report + "/evaluation"
            w.a(evaluation, dg("Evaluation"))
            w.day(evaluation, dg("date"), date(year, 12, 22))
            w.iri(report, dg("evaluation"), evaluation)
        # audit priority (measure 11)
        tenure_days = (year_end - secretary.start).days
        if tenure_days > 365.25 * 3 and secretary.iri not in college["audited"]:
            if not self.broken("AuditPriorityShape", secretary.person):
                audit = self.mint("audit")
                w.a(audit, dg("Audit"))
                w.iri(audit, dg("auditee"), secretary.person)
                w.iri(audit, dg("auditedPost"), posts["secretary"])
                w.day(audit, dg("date"), self.day_in(year, 60, 330))
                college["audited"].add(secretary.iri)
        # a new number-one leader: appointment talk (measure 6)
        new = college.get("new_secretary")
        if new is not None and not self.broken("AppointmentTalkShape", new.iri):
            talk = self.mint("talk")
            w.a(talk, dg("AppointmentTalk"))
            w.day(talk, dg("date"), new.start + timedelta(days=self.random.randint(0, 20)))
            w.iri(talk, dg("conductedBy"), self.holder(self.secretary_post, new.start).person)
            w.iri(talk, dg("talkedWith"), new.person)
        # supervision talks and home visits: recorded, not checked by a shape (定期 has no number)
        day = self.day_in(year, 20, 340)
        talk = self.mint("talk")
        w.a(talk, dg("SupervisionTalk"))
        w.day(talk, dg("date"), day)
        w.iri(talk, dg("conductedBy"), self.holder(self.secretary_post, day).person)
        w.iri(talk, dg("talkedWith"), self.holder(posts["secretary"], day).person)
        # an inspection of about a third of the colleges, and the reminder letter owed to a number-one
        # leader who takes office after an inspection began and within 180 days of its end (measure 10)
        if self.random.random() < 0.34:
            self.inspection(year, college)
        if new is not None:
            self.reminder_letter(college, new)
        # petitions about the number-one leader (measure 31)
        for _ in range(self.random.choice((0, 0, 1, 2))):
            self.petition(year, college)
        # a triggering event and its special democratic life meeting (measure 15)
        if self.random.random() < 0.2:
            self.triggering_event(year, org, team_posts)
        # interference in a major matter (measure 19)
        if self.random.random() < 0.15:
            self.interference(year, org, posts)
        # promotions with their checks (measure 28)
        for _ in range(self.random.randint(0, 2)):
            self.promotion(year, posts)
        # a part-time post (measure 26)
        if self.random.random() < 0.3:
            self.part_time_post(year, posts["dean"])

    def decision(self, meeting: str, day: date, org: str, team_posts: list[str]) -> None:
        w = self.rec
        decision = self.mint("decision")
        w.a(decision, dg("Decision"))
        w.day(decision, dg("date"), day)
        category = self.random.choice(("MajorDecisionMatter", "ImportantAppointmentMatter", "MajorProjectMatter", "LargeFundMatter"))
        w.iri(decision, dg("matterCategory"), dg(category))
        if not self.broken("DecisionProcedureShape", decision):
            notice = day - timedelta(days=self.random.randint(1, 5))
            speakers = self.team_on(team_posts, day)  # the number-one leader is last in team_posts
        else:
            fault = self.random.choice(("silent", "not-last", "notice"))
            self.result.details[("DecisionProcedureShape", decision)] = {
                "silent": "a leadership-team member who attended states no opinion",
                "not-last": "the number-one leader states an opinion first, not last (末位表态)",
                "notice": "the members are notified on the day of the meeting, not in advance",
            }[fault]
            notice = day if fault == "notice" else day - timedelta(days=2)
            speakers = self.team_on(team_posts, day)
            if fault == "silent":
                speakers = speakers[1:]
            elif fault == "not-last":
                speakers = [speakers[-1]] + speakers[:-1]
        if not self.broken("DecisionVenueShape", decision):
            w.iri(decision, dg("madeAt"), meeting)
        else:
            # decided at a special meeting in place of the organisation's committee meeting
            meeting = self.meeting("special", org, day, self.team_on(team_posts, day))
            w.iri(decision, dg("madeAt"), meeting)
        w.day(meeting, dg("noticeDate"), notice)
        for order, person in enumerate(speakers, start=1):
            opinion = f"{decision}/opinion-{order}"
            w.a(opinion, dg("StatedOpinion"))
            w.iri(decision, dg("opinion"), opinion)
            w.iri(opinion, dg("statedBy"), person)
            w.integer(opinion, dg("speakingOrder"), order)
            stance = "Disagree" if self.random.random() < 0.1 else "Agree"
            w.iri(opinion, dg("stance"), dg(stance))
            w.flag(opinion, dg("recordedInMinutes"), True)
        if self.random.random() < 0.3:
            w.flag(decision, dg("specialisedMatter"), True)
            if not self.broken("ExpertReviewShape", decision):
                review = decision + "/expert-review"
                w.a(review, dg("ExpertReview"))
                w.day(review, dg("date"), day - timedelta(days=self.random.randint(3, 30)))
                w.iri(decision, dg("expertReview"), review)

    def inspection(self, year: int, college: dict) -> None:
        w, org = self.rec, college["org"]
        inspection = self.mint("inspection")
        begin = self.day_in(year, 15, 150)
        finish = begin + timedelta(days=self.random.randint(30, 60))
        w.a(inspection, dg("Inspection"))
        w.iri(inspection, dg("inspected"), org)
        w.day(inspection, dg("startDate"), begin)
        w.day(inspection, dg("endDate"), finish)
        report = inspection + "/report"
        w.a(report, dg("InspectionReport"))
        w.day(report, dg("date"), finish)
        w.iri(inspection, dg("inspectionReport"), report)
        if not self.broken("InspectionReportSectionShape", inspection):
            section = report + "/section-1"
            w.a(section, dg("ReportSection"))
            w.iri(section, dg("sectionTopic"), dg("NumberOneLeaderTopic"))
            w.iri(report, dg("hasSection"), section)
        college.setdefault("inspections", []).append((inspection, begin, finish))

    def reminder_letter(self, college: dict, new: _Tenure) -> None:
        owed = [i for i, begin, finish in college.get("inspections", []) if begin <= new.start and (new.start - finish).days <= 180]
        if owed and not self.broken("ReminderLetterShape", new.iri):
            letter = self.mint("letter")
            self.rec.a(letter, dg("ReminderLetter"))
            self.rec.iri(letter, dg("sentTo"), new.person)
            self.rec.day(letter, dg("date"), new.start + timedelta(days=self.random.randint(1, 25)))
            self.rec.iri(letter, dg("followsInspection"), owed[0])

    def petition(self, year: int, college: dict) -> None:
        w = self.rec
        day = self.day_in(year, 5, 330)
        person = self.holder(college["posts"]["secretary"], day).person
        petition = self.mint("petition")
        w.a(petition, dg("Petition"))
        w.iri(petition, dg("concerns"), person)
        w.day(petition, dg("date"), day)
        self.petitioned.add(person)
        serious = self.random.random() < 0.3
        w.flag(petition, dg("serious"), serious)
        if not self.broken("PetitionHandlingShape", petition):
            analysis = petition + "/analysis"
            w.a(analysis, dg("PetitionAnalysis"))
            w.day(analysis, dg("date"), day + timedelta(days=self.random.randint(1, 20)))
            w.iri(petition, dg("analysis"), analysis)
            if serious:
                w.iri(petition, dg("reportedTo"), self.committee)
                w.day(petition, dg("reportDate"), day + timedelta(days=self.random.randint(1, 25)))

    def triggering_event(self, year: int, org: str, team_posts: list[str]) -> None:
        w = self.rec
        event = self.mint("event")
        day = self.day_in(year, 5, 250)
        kind = self.random.choice(("ImportantIssueEvent", "DecisionErrorEvent", "EmergencyMishandledEvent",
                                   "SupervisionFindingEvent", "MajorCaseEvent", "FourWindsEvent"))
        w.a(event, dg("TriggeringEvent"))
        w.iri(event, dg("eventKind"), dg(kind))
        w.iri(event, dg("concernsOrganisation"), org)
        w.day(event, dg("date"), day)
        if not self.broken("SpecialDemocraticLifeMeetingShape", event):
            meeting_day = day + timedelta(days=self.random.randint(5, 60))
            meeting = self.meeting("democratic", org, meeting_day, self.team_on(team_posts, meeting_day))
            w.flag(meeting, dg("special"), True)
            w.iri(meeting, dg("respondsTo"), event)

    def interference(self, year: int, org: str, posts: dict) -> None:
        w = self.rec
        day = self.day_in(year, 5, 300)
        incident = self.mint("interference")
        requested = self.holder(posts["deputy"], day).person
        w.a(incident, dg("InterferenceIncident"))
        w.iri(incident, dg("interferer"), self.holder(self.random.choice(self.team_posts), day).person)
        w.iri(incident, dg("requestedPerson"), requested)
        w.day(incident, dg("date"), day)
        w.text(incident, RDFS_COMMENT, "干部选拔任用（合成）", "zh")
        if not self.broken("InterferenceRecordShape", incident):
            record = incident + "/record"
            w.a(record, dg("InterferenceRecord"))
            w.iri(record, dg("recordOf"), incident)
            w.iri(record, dg("signedBy"), requested)
            w.day(record, dg("date"), day)
            w.iri(record, dg("reportedTo"), org)
            w.day(record, dg("reportDate"), day + timedelta(days=self.random.randint(0, 20)))

    def promotion(self, year: int, posts: dict) -> None:
        w = self.rec
        day = self.day_in(year, 30, 340)
        promotion = self.mint("promotion")
        candidate = self.person(self.rec)
        w.a(promotion, dg("Promotion"))
        w.iri(promotion, dg("candidate"), candidate)
        w.iri(promotion, dg("toPost"), posts["dean"])
        w.day(promotion, dg("date"), day)
        skip = None
        if self.broken("PromotionChecksShape", promotion):
            skip = self.random.choice(("FileReviewCheck", "PersonalMattersCheck", "DisciplineOpinionCheck", "PetitionCheck"))
            self.result.details[("PromotionChecksShape", promotion)] = f"the check dg:{skip} is missing"
        for kind, suffix in (("FileReviewCheck", "file-review"), ("PersonalMattersCheck", "personal-matters"),
                             ("DisciplineOpinionCheck", "discipline-opinion"), ("PetitionCheck", "petition-check")):
            if kind == skip:
                continue
            check = f"{promotion}/check-{suffix}"
            w.a(check, dg("PromotionCheck"))
            w.iri(check, dg("checkKind"), dg(kind))
            w.day(check, dg("date"), day - timedelta(days=self.random.randint(5, 40)))
            w.iri(promotion, dg("check"), check)
        signature = promotion + "/double-signature"
        w.a(signature, dg("DoubleSignature"))
        w.day(signature, dg("date"), day - timedelta(days=self.random.randint(1, 5)))
        w.iri(promotion, dg("doubleSignature"), signature)

    def part_time_post(self, year: int, post: str) -> None:
        w = self.rec
        day = self.day_in(year, 10, 300)
        holder = self.holder(post, day).person
        if holder in self.part_timers or day.year + 3 - self.people[holder].year >= 68:
            return  # one part-time post per person, ending well before the age limit (defaults)
        self.part_timers.add(holder)
        part_time = self.mint("part-time")
        w.a(part_time, dg("PartTimePost"))
        w.iri(part_time, dg("holder"), holder)
        w.text(part_time, dg("organisationName"), "示例学会（合成）")
        w.day(part_time, dg("startDate"), day)
        w.day(part_time, dg("endDate"), day + timedelta(days=730))
        w.integer(part_time, dg("termCount"), 1)
        if not self.broken("PartTimePostShape", part_time):
            approval = part_time + "/approval"
            w.a(approval, dg("Approval"))
            w.day(approval, dg("date"), day - timedelta(days=self.random.randint(1, 30)))
            w.iri(part_time, dg("approval"), approval)

    def institution_year(self, year: int, start: date, end: date) -> None:
        w = self.rec
        # the upper number-one leader's report covers supervising lower leaders (measure 6)
        secretary = self.holder(self.secretary_post, end).person
        report = self.mint("report")
        w.a(report, dg("AccountabilityReport"))
        w.iri(report, dg("reportedBy"), secretary)
        w.integer(report, dg("year"), year)
        w.flag(report, dg("coversLowerLeaderSupervision"), not self.broken("UpperLeaderReportShape", secretary))
        # the warning-education conference (measure 33)
        if not self.broken("WarningConferenceShape", self.committee):
            self.meeting("warning", self.committee, self.day_in(year, 60, 300), [])
        # integrity files of everyone in a leadership-team post at the year's end (measure 30)
        team = [self.secretary_post] + self.team_posts[1:]
        for college in self.colleges_data:
            team += [college["posts"][k] for k in ("secretary", "dean", "deputy")]
        for post in team:
            person = self.holder(post, end).person
            if person in self.filed:
                continue
            materials = ["AppointmentMaterial", "PersonnelFileMaterial", "IntegrityOpinionMaterial"]
            if person in self.petitioned:
                materials.append("ProblemCluesMaterial")
            if self.broken("IntegrityFileShape", person):
                materials.remove("PersonnelFileMaterial")
            self.filed[person] = f"{EXAMPLE_BASE}integrity-file/{person.rsplit('/', 1)[1]}"
            iri = self.filed[person]
            w.a(iri, dg("IntegrityFile"))
            w.iri(iri, dg("fileOf"), person)
            w.day(iri, dg("date"), end)
            for material in materials:
                w.iri(iri, dg("material"), dg(material))
        # a person petitioned after their file was written gets the problem-clues material added
        for person in sorted(self.petitioned):
            if person in self.filed and person not in self.clued:
                w.iri(self.filed[person], dg("material"), dg("ProblemCluesMaterial"))
                self.clued.add(person)

    def run(self) -> Generated:
        self.petitioned: set[str] = set()
        self.part_timers: set[str] = set()
        self.filed: dict[str, str] = {}
        self.clued: set[str] = set()
        self.institution()
        for year in self.result.years:
            self.year(year)
        self.write_tenures()
        self.result.records = sorted(set(self.result.records))
        self.result.institution = sorted(set(self.result.institution))
        return self.result


def generate(colleges: int = 5, years: int = 1, seed: int = 61, violation_rate: float = 0.0,
             start_year: int = 2024, breaks: set[str] | frozenset[str] = frozenset()) -> Generated:
    """Generate an institution and its records; see the module docstring."""
    return _Generator(colleges, years, seed, violation_rate, start_year, set(breaks)).run()
