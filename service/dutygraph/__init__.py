"""dutygraph: the supervision duties of 常工党〔2022〕61号 as a knowledge graph.

Public API::

    from dutygraph import build_full_graph, load_curation, open_document_store, run_canned_query
"""

from .curation import CurationError, load_curation
from .graph_build import build_data_graph, build_full_graph
from .queries import CannedQuery, QueryError, list_canned_queries, run_canned_query, run_sparql
from .store import open_document_store

__version__ = "0.1.0"

__all__ = [
    "CannedQuery",
    "CurationError",
    "QueryError",
    "build_data_graph",
    "build_full_graph",
    "list_canned_queries",
    "load_curation",
    "open_document_store",
    "run_canned_query",
    "run_sparql",
]
