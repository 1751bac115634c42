"""The validation policy: numbers the text leaves open, with the defaults of data/policy.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pyoxigraph as ox

from .. import paths
from ..namespaces import BASE, DG

POLICY_NODE = ox.NamedNode(f"{BASE}policy/current")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

# policy.toml key -> ontology property (local name)
SETTINGS = {
    "appointment_talk_within_days": "appointmentTalkWithinDays",
    "reminder_letter_within_days": "reminderLetterWithinDays",
    "rectification_period_days": "rectificationPeriodDays",
    "special_meeting_within_days": "specialMeetingWithinDays",
    "audit_tenure_years": "auditTenureYears",
    "min_sit_ins_per_year": "minSitInsPerYear",
    "min_guided_meetings": "minGuidedMeetings",
    "max_guided_meetings": "maxGuidedMeetings",
    "max_part_time_posts": "maxPartTimePosts",
    "max_part_time_terms": "maxPartTimeTerms",
    "part_time_age_limit": "partTimeAgeLimit",
    "min_notice_days": "minNoticeDays",
    "interference_report_within_days": "interferenceReportWithinDays",
    "serious_petition_report_within_days": "seriousPetitionReportWithinDays",
}


class PolicyError(ValueError):
    """A policy file that cannot be used: unreadable, unknown key, or a value that is not a count."""


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except OSError as error:
        raise PolicyError(f"{path}: cannot read the policy file ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: not valid TOML ({error})") from None
    section = raw.get("policy")
    if not isinstance(section, dict):
        raise PolicyError(f"{path}: needs a [policy] table")
    return section


def load_policy(path: Path | None = None) -> dict[str, int]:
    """The defaults of data/policy.toml, overridden by the keys of `path` when given."""
    policy = dict(_read(paths.data_dir() / "policy.toml"))
    if path is not None:
        overrides = _read(Path(path))
        unknown = sorted(set(overrides) - set(SETTINGS))
        if unknown:
            raise PolicyError(f"{path}: unknown policy setting(s) {', '.join(unknown)}; known: {', '.join(SETTINGS)}")
        policy.update(overrides)
    for key, value in policy.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise PolicyError(f"policy setting {key} must be a whole number ≥ 0, not {value!r}")
    missing = sorted(set(SETTINGS) - set(policy))
    if missing:
        raise PolicyError(f"the default policy lacks {', '.join(missing)}")
    return policy


def policy_quads(policy: dict[str, int]) -> list[ox.Quad]:
    quads = [ox.Quad(POLICY_NODE, RDF_TYPE, ox.NamedNode(str(DG.ValidationPolicy)))]
    for key, prop in SETTINGS.items():
        quads.append(ox.Quad(POLICY_NODE, ox.NamedNode(str(DG[prop])), ox.Literal(str(policy[key]), datatype=XSD_INTEGER)))
    return quads
