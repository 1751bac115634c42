"""Records streamed from RDF files (records_input.streamed): the quads and the problems of
load_records, without holding the quads, and a file changed after its check refused."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pyoxigraph
import pytest

from dutygraph.records_input import RecordInputError, can_stream, load_records, read_records, stream_records
from dutygraph.records_input.formats import UTF8_BOM

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"

TURTLE = """@prefix dg: <https://w3id.org/dutygraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<people/wang> a dg:Person ; rdfs:label "王明"@zh-CN , "Wang Ming"@en .
<talks/1> a dg:AppointmentTalk ; dg:talkWith <people/wang> ; dg:date "2024-03-01"^^<http://www.w3.org/2001/XMLSchema#date> ;
    dg:note [ rdfs:label "一" ] , [ rdfs:label "二" ] .
"""
TRIG = """@prefix dg: <https://w3id.org/dutygraph/ontology#> .
<g1> { <people/li> a dg:Person ; dg:knows [ a dg:Person ] . }
{ <people/zhao> a dg:Person . }
"""
NQUADS = ('<https://e.org/a> <https://e.org/p> _:x <https://e.org/g> .\n'
          '<https://e.org/b> <https://e.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')


def write(folder: Path, files: dict[str, bytes | str]) -> list[Path]:
    paths = []
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        paths.append(path)
    return paths


def problems_of(call) -> list[str]:
    with pytest.raises(RecordInputError) as caught:
        call()
    return [str(problem) for problem in caught.value.problems]


def test_the_same_quads_files_and_order_as_load_records_on_every_iteration(tmp_path):
    paths = write(tmp_path, {"a.ttl": TURTLE, "b.trig": TRIG, "c.nq": NQUADS,
                             "d.nt": UTF8_BOM + b'<https://e.org/c> <https://e.org/p> _:y .\n',
                             "e.ttl": UTF8_BOM + TURTLE.encode()})
    paths += [EXAMPLES / "2024-breaks-sit-in.ttl"]
    loaded = load_records(paths)
    streamed = stream_records(paths)
    assert [f.triples for f in streamed.files] == [None] * len(paths)  # known once read
    with pytest.raises(TypeError, match="read through"):
        len(streamed.quads)
    assert list(streamed.quads) == loaded.quads
    assert streamed.files == loaded.files
    assert len(streamed.quads) == len(loaded.quads) > 40
    assert list(streamed.quads) == loaded.quads  # parsed again, the same blank node labels
    assert {q.subject.value for q in loaded.quads if type(q.subject).__name__ == "BlankNode"} >= {"f1b1", "f2b1"}


def test_a_saved_upload_keeps_the_name_it_came_with(tmp_path):
    """The service's worker streams the saved file under the uploaded name: it names the file in
    reports and ends the base IRI of its relative IRIs, as load_records of the bytes does."""
    saved = write(tmp_path, {"0001.upload": TURTLE + "<#here> a dg:Person .\n"})[0]
    pairs = [("2024 records.ttl", saved)]
    assert can_stream(pairs)
    loaded = load_records([("2024 records.ttl", saved.read_bytes())])
    streamed = stream_records(pairs)
    assert list(streamed.quads) == loaded.quads
    assert streamed.files == loaded.files
    assert any(q.subject.value.endswith("/2024%20records.ttl#here") for q in loaded.quads)


@pytest.mark.parametrize("name, content", [
    ("syntax.ttl", TURTLE + "<a> <b> .\n"),
    ("syntax.nt", "<https://e.org/a> <https://e.org/p> <https://e.org/b> .\n<https://e.org/a> <https://e.org/p> oops .\n"),
    ("latin1.ttl", TURTLE.encode() + b'<x> <y> "caf\xe9" .\n'),
    ("cut.nt", '<https://e.org/a> <https://e.org/p> "王'.encode()[:-1]),
    ("packed.ttl", b"\x1f\x8b\x08\x00rest"),
    ("utf16.nt", "\ufeff<a> <b> <c> .".encode("utf-16")),
    ("workbook.ttl", b"PK\x03\x04rest"),
])
def test_each_bad_file_gives_the_problems_of_load_records(tmp_path, name, content):
    """Bytes that are not a file of its format, or not UTF-8, are refused by stream_records itself,
    before anything is read out; a syntax error when the quads are read."""
    good = write(tmp_path, {"good.ttl": TURTLE})
    paths = good + write(tmp_path, {name: content})
    expected = problems_of(lambda: load_records(paths))
    if name.startswith("syntax"):
        streamed = stream_records(paths)
        assert problems_of(lambda: list(streamed.quads)) == expected
    else:
        assert problems_of(lambda: stream_records(paths)) == expected
    assert name in expected[0]


def test_every_files_syntax_error_is_told_and_no_quad_after_the_first(tmp_path):
    """The files are parsed once, as they are written: the quads stop at the first syntax error, the
    files after it are parsed to the end (nothing given out) so that the error tells every file's
    syntax error, as load_records does."""
    paths = write(tmp_path, {"good.ttl": TURTLE, "one.ttl": TURTLE + "<a> <b> .\n",
                             "fine.ttl": "<https://e.org/late> <https://e.org/p> 1 .\n", "two.nt": "<a> oops .\n"})
    everything = problems_of(lambda: load_records(paths))
    assert [p.split(" ")[0] for p in everything] == ["one.ttl", "two.nt"]
    streamed = stream_records(paths)
    read = []
    with pytest.raises(RecordInputError) as caught:
        for quad in streamed.quads:
            read.append(quad)
    assert [str(p) for p in caught.value.problems] == everything
    assert len(read) >= len(load_records(paths[:1]).quads)  # the good file's quads came first
    assert not any(quad.subject.value == "https://e.org/late" for quad in read)  # none of a file after the error


def test_a_missing_file_and_a_bad_base_are_refused(tmp_path):
    missing = [tmp_path / "none.ttl"]
    assert problems_of(lambda: stream_records(missing)) == problems_of(lambda: load_records(missing))
    good = write(tmp_path, {"good.ttl": TURTLE})
    assert problems_of(lambda: stream_records(good, base="ftp://x/")) == problems_of(
        lambda: load_records(good, base="ftp://x/"))


def test_a_file_changed_after_its_check_is_refused_when_it_is_read_again(tmp_path):
    path = write(tmp_path, {"records.ttl": TURTLE})[0]
    streamed = stream_records([path])
    path.write_text(TURTLE.replace("王明", "王敏"), encoding="utf-8")  # same size, other bytes
    with pytest.raises(RecordInputError, match="records.ttl: changed while it was being read"):
        list(streamed.quads)
    path.write_text(TURTLE + "<people/li> a <https://w3id.org/dutygraph/ontology#Person> .\n", encoding="utf-8")
    with pytest.raises(RecordInputError, match="changed while"):
        list(streamed.quads)
    path.write_text(TURTLE, encoding="utf-8")
    assert list(streamed.quads) == load_records([path]).quads


def test_only_paths_of_turtle_trig_n_triples_and_n_quads_are_streamed(tmp_path):
    assert can_stream([Path("a.ttl"), Path("b.NT"), Path("c.nq"), Path("d.trig")])
    for files in ([Path("a.jsonld")], [Path("a.ttl"), Path("b.rdf")], [Path("people.csv")], [Path("r.xlsx")],
                  [("a.ttl", b"bytes")], []):
        assert not can_stream(files)
    with pytest.raises(ValueError, match="Turtle, TriG, N-Triples or N-Quads"):
        stream_records([Path("people.csv")])


def test_streaming_holds_a_chunk_not_the_records(tmp_path):
    """Reading 60,000 streamed quads allocates a small part of what load_records holds for them."""
    lines = "".join(f'<https://e.org/s{i}> <https://e.org/p{i % 7}> "value {i}" .\n' for i in range(60_000))
    path = write(tmp_path, {"many.nt": lines})[0]
    streamed = stream_records([path])

    def peak(call) -> int:
        tracemalloc.start()
        try:
            call()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    held = peak(lambda: load_records([path]))
    read = peak(lambda: sum(1 for _ in streamed.quads))
    assert len(streamed.quads) == 60_000
    assert read < held / 10, (read, held)


def test_read_records_streams_only_when_asked_and_possible(tmp_path):
    turtle = write(tmp_path, {"a.ttl": TURTLE})[0]
    table = write(tmp_path, {"people.csv": "id,name,birth_date\np-wang,王明,1968-05-04\n"})[0]
    loaded = load_records([("a.ttl", turtle.read_bytes())])
    streamed = read_records([("a.ttl", turtle)], stream=True)
    assert type(streamed.quads).__name__ == "StreamedQuads" and list(streamed.quads) == loaded.quads
    whole = read_records([("a.ttl", turtle)])
    assert whole.quads == loaded.quads and whole.files == loaded.files
    mixed = read_records([turtle, table], stream=True)  # a table among the files: loaded whole
    assert mixed.quads == load_records([turtle, table]).quads


def test_the_service_workers_copy_of_the_records_is_written_as_they_are_read(tmp_path, monkeypatch):
    """On the embedded path the validation worker writes records.nt (what the service keeps with the
    run) while the records are read into the run's store, chunk by chunk, not from a held list."""
    from dutygraph.web import validation_worker

    monkeypatch.setattr(validation_worker, "COPY_CHUNK", 7)
    lines = "".join(f"<https://e.org/s{n}> <https://e.org/p> \"{n}\" .\n" for n in range(30))
    (path,) = write(tmp_path, {"many.nt": lines + "_:x <https://e.org/p> <https://e.org/o> .\n"})
    streamed = stream_records([path])
    copy = tmp_path / "records.nt"
    passed = list(validation_worker._copied_to(copy, streamed.quads))
    assert passed == load_records([path]).quads
    written = list(pyoxigraph.parse(path=str(copy), format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert [q.triple for q in written] == [q.triple for q in passed]
