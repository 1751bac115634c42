"""The input layer through which an office's records reach validation.

Records come as RDF (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) in the record vocabulary,
or as CSV files and XLSX sheets that follow the templates of ``data/templates/README.md``::

    from dutygraph.records_input import load_records, RecordInputError

    loaded = load_records([Path("people.csv"), Path("2024_talks.csv"), ("extra.ttl", turtle_bytes)])
    loaded.quads   # pyoxigraph.Quad, in the default graph unless a TriG/N-Quads file named graphs
    loaded.files   # LoadedFile: name, sha256, size, format, triples, rows

All or nothing: any problem in any file raises RecordInputError, whose ``problems`` locate each one
(file, row and column of a table; line and column of an RDF file). Nothing is ever fetched.

``stream_records`` checks RDF files the same way without holding their quads, and gives them as a
``StreamedQuads`` that parses them again when iterated (for a validation on an external engine).
"""

from .errors import Problem, RecordInputError
from .loading import DEFAULT_BASE, LoadedFile, LoadedRecords, load_records
from .streamed import StreamedQuads, can_stream, read_records, stream_records
from .templates import TEMPLATES, template_for_file_name, write_blank_templates

__all__ = [
    "DEFAULT_BASE",
    "LoadedFile",
    "LoadedRecords",
    "Problem",
    "RecordInputError",
    "StreamedQuads",
    "TEMPLATES",
    "can_stream",
    "load_records",
    "read_records",
    "stream_records",
    "template_for_file_name",
    "write_blank_templates",
]
