"""Scheduler status for administrators: each job's last and next run and last error, the running
scheduler processes, and the deliveries that failed after their last retry (with a way to retry them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.errors import N_, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role, User
from engine.models.cases import Case
from engine.models.notices import Delivery, DeliveryStatus, Notice, SchedulerJob, SchedulerNode

STALE_NODES = dt.timedelta(days=1)


def record_next_runs(*, session: Session, next_runs: dict[str, dt.datetime | None]) -> None:
    """Store when each job runs next (at scheduler start and after each run)."""
    with transaction(session):
        for job_id, at in next_runs.items():
            row = session.get(SchedulerJob, job_id) or SchedulerJob(job_id=job_id)
            row.next_run_at = at
            session.add(row)


def record_job_run(
    *, session: Session, job_id: str, started_at: dt.datetime, finished_at: dt.datetime, result: str | None,
    error: str | None,
) -> None:  # fmt: skip
    """Store the outcome of one run of ``job_id`` (``error`` set when it failed); the next run is
    stored separately, by the scheduler's own thread (``record_next_runs``)."""
    with transaction(session):
        row = session.get(SchedulerJob, job_id) or SchedulerJob(job_id=job_id)
        row.last_started_at, row.last_finished_at = started_at, finished_at
        row.last_outcome = "error" if error else "ok"
        row.last_result = (result or "")[:200] or None
        if error:
            row.last_error, row.last_error_at = error[:300], finished_at
        session.add(row)


def heartbeat(*, session: Session, name: str, now: dt.datetime, started_at: dt.datetime, active: bool) -> None:
    """Say that scheduler ``name`` is alive (and whether it is the active one); forget long-dead ones."""
    with transaction(session):
        session.execute(delete(SchedulerNode).where(SchedulerNode.heartbeat_at < now - STALE_NODES))
        row = session.get(SchedulerNode, name) or SchedulerNode(name=name, started_at=started_at)
        row.heartbeat_at, row.active = now, active
        session.add(row)


def forget_node(*, session: Session, name: str) -> None:
    """Remove scheduler ``name`` from the status page (it stopped cleanly)."""
    with transaction(session):
        session.execute(delete(SchedulerNode).where(SchedulerNode.name == name))


@dataclass(frozen=True)
class FailedDelivery:
    """A message that could not be delivered after its last retry."""

    id: int
    kind: str
    case_code: str | None
    recipient: str
    channel: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime


def scheduler_overview(*, session: Session) -> tuple[list[SchedulerJob], list[SchedulerNode]]:
    """Every job's status row and every scheduler process that reported in."""
    jobs = list(session.scalars(select(SchedulerJob).order_by(SchedulerJob.job_id)))
    nodes = list(session.scalars(select(SchedulerNode).order_by(SchedulerNode.active.desc(), SchedulerNode.name)))
    return jobs, nodes


def failed_deliveries(*, session: Session, limit: int = 100) -> list[FailedDelivery]:
    """The newest deliveries that failed for good."""
    rows = session.execute(
        select(Delivery, Notice.kind, Case.code, User.username).join(Notice, Notice.id == Delivery.notice_id)
        .join(User, User.id == Delivery.recipient_id).outerjoin(Case, Case.id == Notice.case_id)
        .where(Delivery.status == DeliveryStatus.FAILED).order_by(Delivery.id.desc()).limit(limit)
    ).all()  # fmt: skip
    return [FailedDelivery(d.id, kind, code, username, d.channel.value, d.attempts, d.last_error, d.created_at)
            for d, kind, code, username in rows]  # fmt: skip


def retry_delivery(*, session: Session, actor: User, now: dt.datetime, delivery_id: int) -> None:
    """Put a failed delivery back in the outbox with a fresh set of retries (administrators only)."""
    if actor.role is not Role.ADMINISTRATOR:
        raise Forbidden(N_("Only administrators can retry deliveries."))
    with transaction(session):
        delivery = session.get(Delivery, delivery_id)
        if delivery is None:
            raise NotFound(N_("There is no such delivery."))
        if delivery.status is not DeliveryStatus.FAILED:
            raise InvalidInput(N_("Only a failed delivery can be retried."))
        delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, now


@dataclass(frozen=True)
class Health:
    """What a load balancer or a monitor needs to know, and nothing else (no names, no counts of cases)."""

    database: bool
    scheduler: str  # "ok" (an active scheduler beat recently), "stale" (it stopped beating) or "missing"

    @property
    def ok(self) -> bool:
        return self.database and self.scheduler == "ok"


def health(*, session: Session, now: dt.datetime, beat_every: dt.timedelta) -> Health:
    """The database answers, and an active scheduler beat within three of its beats."""
    try:
        newest = session.scalar(select(func.max(SchedulerNode.heartbeat_at)).where(SchedulerNode.active.is_(True)))
    except SQLAlchemyError:
        session.rollback()
        return Health(database=False, scheduler="missing")
    if newest is None:
        return Health(database=True, scheduler="missing")
    return Health(database=True, scheduler="ok" if now - newest <= 3 * beat_every else "stale")
