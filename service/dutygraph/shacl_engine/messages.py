"""Result messages: ``{?var}`` and ``{$var}`` in sh:message replaced by values (SHACL §5.3.2)."""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.term import Node

_PLACEHOLDER = re.compile(r"\{[?$]([^{}]+)\}")


def substitute(template: Literal, bindings: dict[str, Node]) -> Literal:
    """``template`` with each placeholder of a bound variable replaced by the value's string form
    (``str(term)``: the IRI, the lexical form, the blank node id, as pySHACL writes it). Unbound
    placeholders stay. The language tag stays too (pySHACL drops it; the languages of the messages
    are what makes them useful)."""
    text = str(template)
    replaced = _PLACEHOLDER.sub(lambda match: str(bindings.get(match.group(1), match.group(0))), text)
    if replaced == text:
        return template
    return Literal(replaced, lang=template.language, datatype=None if template.language else template.datatype)
