"""The example institution and record sets in data/ are exactly what `python -m dutygraph.examples` writes."""

from pathlib import Path

from dutygraph.examples import example_files

DATA = Path(__file__).resolve().parents[1] / "data"


def test_committed_examples_equal_the_generator_output():
    files = example_files()
    assert len(files) == 20
    for relative, content in files.items():
        assert (DATA / relative).read_bytes() == content, f"{relative} is stale: run python -m dutygraph.examples"


def test_the_example_institution_is_marked_synthetic():
    text = (DATA / "institution" / "example-institution.ttl").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text.splitlines()[0] and "合成数据" in text
