"""The supervisor's dashboard: workload per caseworker, cases by phase, overdue visits, stale files.

A fixed number of grouped queries whatever the size of the team; no case-file content. The two lists
(overdue visits, stale case files) are paged: the page holds ``per_page`` rows and says how many there are
in all, so the page stays small however many cases a team carries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from engine.db import UTCDateTime
from engine.errors import N_, Forbidden, InvalidInput
from engine.models.accounts import Role, User
from engine.models.cases import SECTIONS, Case, CaseStatus, Phase
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.workflow.queues import day_bounds


@dataclass(frozen=True)
class Workload:
    caseworker_id: int
    name: str
    open: int
    overdue: int
    due_this_week: int
    cases: int


@dataclass(frozen=True)
class OverdueVisit:
    work_item_id: int
    case_code: str
    due_at: dt.datetime
    days_overdue: int
    assignee_name: str | None


@dataclass(frozen=True)
class StaleFile:
    case_code: str
    sections: tuple[str, ...]  # section keys not updated within the maximum age (or never)


@dataclass(frozen=True)
class Dashboard:
    workload: list[Workload]
    cases_by_phase: dict[Phase, int]
    lost_contact: int
    overdue_visits: list[OverdueVisit]  # one page of them, most overdue first
    stale_files: list[StaleFile]  # one page of them, by case code
    overdue_visits_total: int = 0
    stale_files_total: int = 0
    visits_page: int = 1
    stale_page: int = 1
    per_page: int = 20

    @property
    def visits_pages(self) -> int:
        return max((self.overdue_visits_total + self.per_page - 1) // self.per_page, 1)

    @property
    def stale_pages(self) -> int:
        return max((self.stale_files_total + self.per_page - 1) // self.per_page, 1)


def team_dashboard(
    *,
    session: Session,
    actor: User,
    now: dt.datetime,
    max_age_days: int = 90,
    section_ages: Mapping[str, int] | None = None,
    visits_page: int = 1,
    stale_page: int = 1,
    per_page: int = 20,
) -> Dashboard:
    """What a supervisor watches for their team (page ``visits_page`` of the overdue visits and
    ``stale_page`` of the stale case files; a page past the end is empty)."""
    if actor.role is not Role.SUPERVISOR or actor.team_id is None:
        raise Forbidden(N_("Only a team's supervisor sees its dashboard."))
    if visits_page < 1 or stale_page < 1 or not 1 <= per_page <= 200:
        raise InvalidInput(N_("Invalid page."))
    team = actor.team_id
    today, _tomorrow, week_end = day_bounds(now)
    # The team's open items (a range of the queue index, which holds the assignee and the due date).
    open_item = and_(WorkItem.status == WorkItemStatus.OPEN, WorkItem.team_id == team, WorkItem.assignee_id == User.id)
    case_count = select(func.count()).select_from(Case).where(
        Case.caseworker_id == User.id, Case.status != CaseStatus.CLOSED
    ).scalar_subquery()  # fmt: skip
    rows = session.execute(
        select(
            User.id, User.display_name,
            func.count(WorkItem.id),
            func.coalesce(func.sum(case((WorkItem.due_at < now, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(WorkItem.due_at >= today, WorkItem.due_at < week_end), 1), else_=0)), 0),
            case_count,
        )
        .outerjoin(WorkItem, open_item)
        .where(User.team_id == team, User.role == Role.CASEWORKER, User.active.is_(True))
        .group_by(User.id, User.display_name)
        .order_by(User.display_name)
    ).all()  # fmt: skip
    workload = [Workload(uid, name, n, int(over), int(week), int(cases)) for uid, name, n, over, week, cases in rows]
    phase_rows = session.execute(
        select(Case.phase, Case.status, func.count()).where(Case.team_id == team, Case.status != CaseStatus.CLOSED)
        .group_by(Case.phase, Case.status)
    ).all()  # fmt: skip
    by_phase = dict.fromkeys(Phase, 0)
    lost = 0
    for phase, status, n in phase_rows:
        by_phase[phase] += n
        lost += n if status is CaseStatus.LOST_CONTACT else 0
    overdue_visit = and_(WorkItem.team_id == team, WorkItem.status == WorkItemStatus.OPEN,
                         WorkItem.task_name == "conduct_visit", WorkItem.due_at < now)  # fmt: skip
    visits_total = session.scalar(select(func.count()).select_from(WorkItem).where(overdue_visit)) or 0
    visits = session.execute(
        select(WorkItem.id, Case.code, WorkItem.due_at, User.display_name)
        .join(Case, Case.id == WorkItem.case_id)
        .outerjoin(User, User.id == WorkItem.assignee_id)
        .where(overdue_visit)
        .order_by(WorkItem.due_at, WorkItem.id)
        .limit(per_page).offset((visits_page - 1) * per_page)
    ).all()  # fmt: skip
    overdue = [OverdueVisit(i, code, due, (now - due).days, name) for i, code, due, name in visits if due is not None]
    stale, stale_total = stale_files(session=session, team_id=team, now=now, max_age_days=max_age_days,
                                     section_ages=section_ages, page=stale_page, per_page=per_page)  # fmt: skip
    return Dashboard(workload, by_phase, lost, overdue, stale, int(visits_total), stale_total, visits_page,
                     stale_page, per_page)  # fmt: skip


def stale_files(
    *,
    session: Session,
    team_id: int,
    now: dt.datetime,
    max_age_days: int,
    section_ages: Mapping[str, int] | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[StaleFile], int]:
    """Page ``page`` of the open cases of a team with case-file sections not updated within their maximum
    age (or never), by case code, and how many such cases there are.

    Staleness is decided in SQL: a section is stale when its newest row (a correlated ``max`` on the
    section's ``case_id`` index) is older than its threshold or there is none, so only one page of cases
    leaves the database however many cases the team carries. The page and the total come from one pass
    (a window count), and each section is told apart only for the page's cases: the test of every open
    case of the team ran twice before, for the count and for the page, and was the dashboard's largest cost.
    """
    ages = dict(section_ages or {})
    never = literal(dt.datetime(1900, 1, 1, tzinfo=dt.UTC), UTCDateTime())
    stale = [
        func.coalesce(select(func.max(model.updated_at)).where(model.case_id == Case.id).scalar_subquery(), never)
        < now - dt.timedelta(days=ages.get(key, max_age_days))
        for key, model in SECTIONS
    ]  # a correlated max per case on the section's case_id index (PostgreSQL would hash a NOT EXISTS instead)
    where = and_(Case.team_id == team_id, Case.status != CaseStatus.CLOSED, or_(*stale))
    found = session.execute(
        select(Case.id, func.count().over()).where(where).order_by(Case.code)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()  # fmt: skip
    if not found:  # a page past the end (or none stale): the total on its own
        return [], int(session.scalar(select(func.count()).select_from(Case).where(where)) or 0) if page > 1 else 0
    rows = session.execute(
        select(Case.code, *stale).where(Case.id.in_([case_id for case_id, _total in found])).order_by(Case.code)
    ).all()  # fmt: skip
    keys = [key for key, _ in SECTIONS]
    return [
        StaleFile(code, tuple(k for k, flag in zip(keys, flags, strict=True) if flag)) for code, *flags in rows
    ], int(found[0][1])
