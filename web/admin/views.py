"""Administrator pages: the scheduler's status (each job's last and next run and last error, the
running scheduler processes) and the deliveries that failed after their last retry."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.notices.outbox import Report
from engine.notices.status import failed_deliveries, retry_delivery, scheduler_overview
from notifications.jobs import JOBS
from web.admin.blueprint import bp
from web.auth.principal import actor
from web.db import get_session, settings, utcnow


@bp.route("/")
def status() -> ResponseReturnValue:
    """The scheduler's jobs and processes, and the messages that could not be delivered."""
    db = get_session()
    rows, nodes = scheduler_overview(session=db)
    by_id = {row.job_id: row for row in rows}
    jobs = [(job, by_id.get(job.id)) for job in JOBS]
    now = utcnow()
    # A scheduler whose heartbeat is older than a few polls is probably gone.
    fresh = dt.timedelta(seconds=max(settings().scheduler_poll_seconds * 4, 60))
    active = [n for n in nodes if n.active and now - n.heartbeat_at <= fresh]
    results = {row.job_id: _result_text(row.last_result) for row in rows}
    return render_template("admin/status.html", jobs=jobs, results=results, nodes=nodes, active=active, fresh=fresh,
                           now=now, failed=failed_deliveries(session=db))  # fmt: skip


def _result_text(stored: str | None) -> str:
    """A job's last status line in the reader's language (a line stored as plain text is shown as it is)."""
    report = Report.from_record(stored)
    return (stored or "") if report is None else report.summary(_)


@bp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
def retry(delivery_id: int) -> ResponseReturnValue:
    """Put a failed delivery back in the outbox."""
    retry_delivery(session=get_session(), actor=actor(), now=utcnow(), delivery_id=delivery_id)
    flash(_("The message is back in the outbox; the scheduler sends it on its next run."), "success")
    return redirect(url_for("admin.status"), 303)
