"""Cases walked through the real workflows to the point a notification test needs (no web)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models.accounts import Role, User
from engine.models.notices import Channel, Delivery, Notice
from engine.notices.rules import Rules
from engine.workflow.service import Runtime, start_case_workflow
from tests.conftest import NOW
from tests.workflows.conftest import Walk

RULES = Rules()  # the defaults: grace 3 days, cadence 7 days, record cadence 30 days, lost contact 90 days


def new_walk(session: Session, factory: Any, runtime: Runtime, *, worker: User | None = None,
             supervisor: User | None = None, officer: User | None = None) -> Walk:  # fmt: skip
    """A case admitted at ``NOW`` by a caseworker of a team with a supervisor."""
    if worker is None:
        team = factory.team()
        worker = factory.user(Role.CASEWORKER, team)
        supervisor = supervisor or factory.user(Role.SUPERVISOR, team)
    assert supervisor is not None
    officer = officer or factory.user(Role.DOSVY_OFFICER)
    case = factory.case(worker)
    start_case_workflow(session=session, runtime=runtime, case=case, actor=worker, now=NOW)
    return Walk(session, runtime, case, worker, supervisor, officer)


def in_follow_up(session: Session, factory: Any, runtime: Runtime, **people: Any) -> Walk:
    """A case in Type 1 follow-up, its first visit open and due in the future."""
    walk = new_walk(session, factory, runtime, **people)
    walk.pre_reintegration()
    walk.reintegration()
    assert walk.item("conduct_visit").due_at is not None
    return walk


def notices(session: Session, kind: str | None = None) -> list[Notice]:
    """Every notice (of ``kind``), oldest first (as committed by any session)."""
    session.commit()
    query = select(Notice).order_by(Notice.id)
    if kind is not None:
        query = query.where(Notice.kind == kind)
    return list(session.scalars(query))


def inbox_recipients(session: Session, notice: Notice) -> list[int]:
    """Who got ``notice`` in their inbox."""
    return sorted(session.scalars(select(Delivery.recipient_id).where(
        Delivery.notice_id == notice.id, Delivery.channel == Channel.INBOX)))  # fmt: skip


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def at(days: float = 0, **delta: float) -> dt.datetime:
    """``NOW`` shifted by ``days`` (and any other timedelta arguments)."""
    return NOW + dt.timedelta(days=days, **delta)
