"""Validation in the browser: upload, progress, reports by unit and measure, kept runs, compliance overview."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("validation_pages", __name__)
