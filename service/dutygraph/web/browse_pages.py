"""Browsing the obligation graph: home, a page per resource (HTML or RDF by negotiation), search."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("browse_pages", __name__)
