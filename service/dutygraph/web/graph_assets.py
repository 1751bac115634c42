"""The front-end bundles the browsing pages load: which file of ``static/vendor/`` is which library.

The graph view (cytoscape) and the SPARQL editor (YASGUI) load libraries that come from npm, pinned
in ``package.json`` / ``package-lock.json`` at the repository root; ``scripts/build-assets.sh``
copies their built bundles here with the version in the file name and writes
``static/vendor/manifest.json`` (docs/front-end.md). The pages take the file names from that
manifest, so a rebuild with new versions needs no change of code or template, and installing
dutygraph needs no Node.js. A missing manifest or file is a packaging bug, and says so.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import url_for

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
MANIFEST = VENDOR_DIR / "manifest.json"


class MissingBundle(RuntimeError):
    """static/vendor/ lacks a bundle the pages need (run ``npm ci && npm run build-assets``)."""


@lru_cache(maxsize=1)
def manifest() -> dict:
    try:
        data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MissingBundle(f"{MANIFEST} is missing: run 'npm ci && npm run build-assets' (docs/front-end.md)") from None
    for library in ("yasgui", "cytoscape"):
        for name in data[library]["files"].values():
            if not (VENDOR_DIR / name).is_file():
                raise MissingBundle(f"static/vendor/{name} is missing: run 'npm ci && npm run build-assets'")
    return data


def vendor_url(library: str, kind: str) -> str:
    """The URL of a library's bundle (kind js, css or licence), e.g. /static/vendor/cytoscape-3.35.0.min.js."""
    return url_for("static", filename=f"vendor/{manifest()[library]['files'][kind]}")


def version(library: str) -> str:
    return manifest()[library]["version"]
