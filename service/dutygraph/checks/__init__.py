"""Quality checks of the graph: reasoner consistency, OWL 2 DL profile, SHACL integrity, duty coverage."""

from .coverage import check_coverage
from .dl_profile import check_dl_profile
from .integrity import check_integrity
from .outcome import CheckOutcome
from .reasoner import check_consistency

__all__ = ["CheckOutcome", "check_consistency", "check_coverage", "check_dl_profile", "check_integrity"]
