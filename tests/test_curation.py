"""The curation tables are checked against the source; every problem names file, row and column."""

import csv

import pytest

from dutygraph.curation import CurationError, load_curation


def load(root):
    return load_curation(root / "data" / "source", root / "data" / "curation")


def rewrite(path, change):
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0].keys())
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_the_shipped_tables_agree_with_the_source(curation):
    assert len(curation.items) == 56 and len(curation.measures) == 37 and len(curation.categories) == 5
    assert len(curation.units) == 13
    assert {o.item for o in curation.obligations} == set(curation.items)


def test_every_obligation_excerpt_stands_verbatim_at_its_offsets(curation, source_text):
    for obligation in curation.obligations:
        assert source_text[obligation.span.start:obligation.span.end] == obligation.excerpt_zh


def test_the_source_document_metadata_is_in_the_text(curation, source_text):
    meta = curation.document
    assert (meta.number_zh, meta.issuer_zh, str(meta.date)) == ("常工党〔2022〕61号", "中共常州工学院委员会", "2022-09-26")
    for value in (meta.number_zh, meta.issuer_zh, meta.date_zh, meta.title_zh, meta.list_title_zh):
        assert value in source_text


def test_an_excerpt_that_is_not_verbatim_is_reported_by_row_and_column(resource_copy):
    path = resource_copy / "data" / "curation" / "obligations.csv"

    def paraphrase(rows):
        rows[0]["excerpt_zh"] = rows[0]["excerpt_zh"] + "（改写）"

    rewrite(path, paraphrase)
    with pytest.raises(CurationError) as error:
        load(resource_copy)
    assert "obligations.csv row 2, column excerpt_zh: is not verbatim in item 1-1's text" in str(error.value)


def test_a_missing_item_summary_and_an_unknown_key_are_all_reported_together(resource_copy):
    rewrite(resource_copy / "data" / "curation" / "items.csv", lambda rows: rows.pop(5))

    def unknown_actor(rows):
        rows[3]["actors"] = "nobody-at-all"

    rewrite(resource_copy / "data" / "curation" / "obligations.csv", unknown_actor)
    with pytest.raises(CurationError) as error:
        load(resource_copy)
    problems = error.value.problems
    assert any("items.csv" in p and "has no row" in p for p in problems)
    assert any("obligations.csv row 5, column actors: unknown key 'nobody-at-all'" in p for p in problems)


def test_a_mechanism_the_item_does_not_name_is_refused(resource_copy):
    def misattribute(rows):
        first = next(r for r in rows if r["item"] == "1-1")
        first["mechanisms"] = "sanzhong-yida"

    rewrite(resource_copy / "data" / "curation" / "obligations.csv", misattribute)
    with pytest.raises(CurationError, match="item 1-1's text does not name '三重一大'"):
        load(resource_copy)


def test_a_changed_source_count_stops_the_build(resource_copy):
    meta = resource_copy / "data" / "source" / "changgongdang-2022-61.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("measures = 37", "measures = 38"), encoding="utf-8")
    with pytest.raises(CurationError, match="expected.measures: the source parses to 37, not 38"):
        load(resource_copy)


def test_an_editorial_note_must_quote_its_target(resource_copy):
    def misquote(rows):
        rows[0]["verbatim"] = "并不存在的文字"

    rewrite(resource_copy / "data" / "curation" / "editorial_notes.csv", misquote)
    with pytest.raises(CurationError, match="'并不存在的文字' is not in the text of"):
        load(resource_copy)


def test_a_wrong_header_is_reported(resource_copy):
    path = resource_copy / "data" / "curation" / "measures.csv"
    path.write_text("number,title\n1,x\n", encoding="utf-8")
    with pytest.raises(CurationError, match=r"measures.csv row 1: header is \['number', 'title'\]"):
        load(resource_copy)


def test_a_file_that_is_not_utf8_is_reported(resource_copy):
    path = resource_copy / "data" / "curation" / "units.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(CurationError, match="units.csv: not UTF-8"):
        load(resource_copy)
