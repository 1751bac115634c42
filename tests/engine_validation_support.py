"""What the engine-validation tests share: the module's engine with the document graph, the
example and generated records, and a run's dataset on Oxigraph (periods, policy, day numbers)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from dutygraph.records_input import load_records
from dutygraph.remote_store import RemoteStore
from dutygraph.validation.day_numbers import derive_day_numbers
from dutygraph.validation.engine_dataset import load_document
from dutygraph.validation.periods import period_quads
from dutygraph.validation.policy import load_policy, policy_quads
from dutygraph.validation.run import build_dataset, document_ntriples

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"


@pytest.fixture(scope="module")
def engine(virtuoso) -> RemoteStore:
    """The session's Virtuoso, dutygraph's namespace emptied, the document graph loaded."""
    virtuoso.reset()
    store = RemoteStore(virtuoso.sparql_url, timeout=600)
    load_document(store, document_ntriples())
    return store


def quads_of(*names: str):
    return load_records([EXAMPLES / name for name in names]).quads


def generated_quads(colleges=3, years=2, seed=5, violation_rate=0.05):
    from dutygraph.records_generator import generate

    generated = generate(colleges=colleges, years=years, seed=seed, violation_rate=violation_rate)
    return list(ox.parse(generated.ntriples().encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)), generated


def oxigraph_dataset(quads, years):
    """The run's dataset in memory, as the embedded path builds it before its shapes run."""
    store = build_dataset(quads)
    store.bulk_extend(period_quads(years) + policy_quads(load_policy()))
    derive_day_numbers(store)
    return store
