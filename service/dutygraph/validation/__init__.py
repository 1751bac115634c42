"""Checking an institution's records against the duty shapes.

    from dutygraph.validation import validate_records
    outcome = validate_records(quads, years=[2024])
    outcome.conforms, outcome.results, outcome.report_graph
"""

from .policy import PolicyError, load_policy
from .run import ValidationRun, validate_records

__all__ = ["PolicyError", "ValidationRun", "load_policy", "validate_records"]
