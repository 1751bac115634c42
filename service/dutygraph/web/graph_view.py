"""The interactive graph view of the obligation graph around a unit, measure or actor."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("graph_view", __name__)
