"""Routes of the team area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("team", __name__, url_prefix="/team")
