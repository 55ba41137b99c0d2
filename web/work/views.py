"""Routes of the work area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("work", __name__, url_prefix="/work")
