"""Work queues read from the work-item table: "My work", the team queue and the approvals inbox.

One query per page and one for the filter counts, whatever the number of rows: filtering, sorting
(due date, then priority) and paging happen in SQL. Days are Asia/Phnom_Penh days.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from engine.errors import N_, Forbidden, InvalidInput
from engine.models.accounts import Role, User
from engine.models.cases import Case, Phase
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.security.policy import transferred_to_office

LOCAL = ZoneInfo("Asia/Phnom_Penh")
APPROVAL_FORMS = ("plan_approval", "agreement_approval", "closure_approval")


class Filter(enum.StrEnum):
    ALL = "all"
    MINE = "mine"
    TEAM_UNASSIGNED = "team_unassigned"
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_THIS_WEEK = "due_this_week"


@dataclass(frozen=True)
class QueueRow:
    """One open work item as a list shows it (no case-file content)."""

    id: int
    case_id: int
    case_code: str
    title: str
    form_key: str
    process_id: str
    phase: Phase
    role: Role
    priority: int
    due_at: dt.datetime | None
    overdue: bool
    assignee_id: int | None
    assignee_name: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[Filter, int]


def day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """Start of today, of tomorrow and of the eighth day (so "this week" is today and the next 6 days),
    in Phnom Penh time, as UTC instants."""
    local = now.astimezone(LOCAL)
    today = dt.datetime.combine(local.date(), dt.time(), LOCAL)
    tomorrow = today + dt.timedelta(days=1)
    week_end = today + dt.timedelta(days=7)
    return today.astimezone(dt.UTC), tomorrow.astimezone(dt.UTC), week_end.astimezone(dt.UTC)


def _conditions(actor: User, now: dt.datetime) -> dict[Filter, ColumnElement[bool]]:
    today, tomorrow, week_end = day_bounds(now)
    mine = WorkItem.assignee_id == actor.id
    team_unassigned = and_(WorkItem.assignee_id.is_(None), WorkItem.team_id == actor.team_id)
    if actor.role is Role.SUPERVISOR:
        # A supervisor's own steps are theirs plus the team's unassigned supervisor steps (approvals).
        mine = or_(mine, and_(team_unassigned, WorkItem.role == Role.SUPERVISOR))
    return {
        Filter.ALL: true(),
        Filter.MINE: mine,
        Filter.TEAM_UNASSIGNED: team_unassigned,
        Filter.OVERDUE: WorkItem.due_at < now,
        Filter.DUE_TODAY: and_(WorkItem.due_at >= today, WorkItem.due_at < tomorrow),
        Filter.DUE_THIS_WEEK: and_(WorkItem.due_at >= today, WorkItem.due_at < week_end),
    }


def _page(session: Session, scope: ColumnElement[bool], conditions: dict[Filter, ColumnElement[bool]],
          chosen: Filter, now: dt.datetime, page: int, per_page: int) -> QueuePage:  # fmt: skip
    if page < 1 or not 1 <= per_page <= 200:
        raise InvalidInput(N_("Invalid page."))
    base = and_(WorkItem.status == WorkItemStatus.OPEN, scope)
    count_row = session.execute(
        select(*[func.coalesce(func.sum(case((cond, 1), else_=0)), 0) for cond in conditions.values()])
        .select_from(WorkItem).where(base)
    ).one()  # fmt: skip
    counts = dict(zip(conditions, (int(n) for n in count_row), strict=True))
    total = counts[chosen]
    assignee = aliased(User)
    rows = session.execute(
        select(WorkItem, Case.code, Case.phase, assignee.display_name)
        .join(Case, Case.id == WorkItem.case_id)
        .outerjoin(assignee, assignee.id == WorkItem.assignee_id)
        .where(base, conditions[chosen])
        .order_by(WorkItem.due_at.is_(None), WorkItem.due_at, WorkItem.priority, WorkItem.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()  # fmt: skip
    return QueuePage(
        rows=[
            QueueRow(
                id=w.id,
                case_id=w.case_id,
                case_code=code,
                title=w.title,
                form_key=w.form_key,
                process_id=w.process_id,
                phase=phase,
                role=w.role,
                priority=w.priority,
                due_at=w.due_at,
                overdue=w.due_at is not None and w.due_at < now,
                assignee_id=w.assignee_id,
                assignee_name=name,
                created_at=w.created_at,
            )
            for w, code, phase, name in rows
        ],
        total=total,
        page=page,
        pages=max((total + per_page - 1) // per_page, 1),
        counts=counts,
    )


def my_work(*, session: Session, actor: User, now: dt.datetime, chosen: Filter = Filter.MINE, page: int = 1,
            per_page: int = 25) -> QueuePage:  # fmt: skip
    """The actor's own queue: their items and their team's unassigned items of their role."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR, Role.DOSVY_OFFICER):
        raise Forbidden(N_("Only caseworkers, supervisors and DoSVY officers have work queues."))
    conditions = _conditions(actor, now)
    if actor.role is Role.DOSVY_OFFICER:
        scope = visible_item(actor)
        # Mine is what is assigned to them; the office's unassigned steps are listed apart (never counted twice).
        conditions[Filter.TEAM_UNASSIGNED] = WorkItem.assignee_id.is_(None)
    else:
        scope = and_(WorkItem.role == actor.role, WorkItem.team_id == actor.team_id,
                     or_(WorkItem.assignee_id == actor.id, WorkItem.assignee_id.is_(None)))  # fmt: skip
    # "All" in My work means mine plus the team's unassigned, which is the scope itself.
    return _page(session, scope, conditions, chosen, now, page, per_page)


def team_queue(*, session: Session, actor: User, now: dt.datetime, chosen: Filter = Filter.ALL, page: int = 1,
               per_page: int = 25, caseworker_id: int | None = None, phase: Phase | None = None,
               approvals_only: bool = False) -> QueuePage:  # fmt: skip
    """Every open item of the supervisor's team, optionally by caseworker, by phase, or approvals only."""
    if actor.role is not Role.SUPERVISOR or actor.team_id is None:
        raise Forbidden(N_("Only a team's supervisor sees its queue."))
    scope: ColumnElement[bool] = WorkItem.team_id == actor.team_id
    if caseworker_id is not None:
        scope = and_(scope, WorkItem.assignee_id == caseworker_id)
    if phase is not None:
        scope = and_(scope, WorkItem.case_id.in_(select(Case.id).where(Case.phase == phase)))
    if approvals_only:
        scope = and_(scope, WorkItem.form_key.in_(APPROVAL_FORMS), WorkItem.role == Role.SUPERVISOR)
    return _page(session, scope, _conditions(actor, now), chosen, now, page, per_page)


def visible_item(actor: User) -> ColumnElement[bool]:
    """SQL condition: work items ``actor`` may open (used by the task page and claim)."""
    if actor.role is Role.SUPERVISOR:
        return WorkItem.team_id == actor.team_id
    if actor.role is Role.CASEWORKER:
        return and_(WorkItem.role == Role.CASEWORKER, WorkItem.team_id == actor.team_id)
    if actor.role is Role.DOSVY_OFFICER:  # only cases transferred to their office
        return and_(WorkItem.role == Role.DOSVY_OFFICER, WorkItem.case_id.in_(transferred_to_office(actor)))
    return false()
