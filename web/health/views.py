"""``GET /healthz``: 200 when the database answers and an active scheduler beat recently, 503 otherwise,
with a small JSON body saying which part is unwell. Open to anyone (a load balancer does not sign in),
so it names no host, user, case or count."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from engine.notices.status import health
from web.db import get_session, settings, utcnow

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """The database and the scheduler heartbeat."""
    beat = dt.timedelta(seconds=settings().scheduler_poll_seconds)
    state = health(session=get_session(), now=utcnow(), beat_every=beat)
    body = {"status": "ok" if state.ok else "unavailable", "database": "ok" if state.database else "down",
            "scheduler": state.scheduler}  # fmt: skip
    return jsonify(body), 200 if state.ok else 503, {"Cache-Control": "no-store"}
