"""The one error of the engine: a shapes graph that uses something it does not compile."""

from __future__ import annotations


class UnsupportedShapeError(Exception):
    """The shapes graph uses a feature that the SPARQL-compiled engine does not implement.

    Callers catch it to fall back to pySHACL, which implements the whole of SHACL Core and
    SHACL-SPARQL. ``feature`` names what was found and ``shape`` the shape (or constraint) where.
    """

    def __init__(self, feature: str, shape: object = None) -> None:
        self.feature = feature
        self.shape = shape
        name = shape.n3() if hasattr(shape, "n3") else shape
        where = f" in shape {name}" if shape is not None else ""
        super().__init__(f"{feature}{where}: not supported by the SPARQL-compiled engine; validate with pySHACL")
