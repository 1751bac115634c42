"""The SPARQL editor page (YASGUI) with the canned questions as tabs."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sparql_editor", __name__)
