"""Work queues read from the work-item table: "My work", the team queue and the approvals inbox.

One query per page and one for the filter counts, whatever the number of rows: filtering, sorting
(due date, then priority) and paging happen in SQL. The counts' statement also reads the two counts the
page's menu shows (unread inbox messages, a supervisor's approvals waiting), so the menu sends none of
its own: each statement is a round trip, most of a page's database time on PostgreSQL. Days are
Asia/Phnom_Penh days.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from engine.cases.sections import NAME_TOKENS, first_name
from engine.crypto import KeyRing, current_keyring
from engine.errors import N_, Forbidden, InvalidInput
from engine.models.accounts import Role, User
from engine.models.cases import Case, Identity, Phase
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.notices.inbox import unread_statement
from engine.security.policy import transferred_to_office, visible_case

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
    """One open work item as a list shows it: no case-file content but, in My work, the survivor's name
    where the actor may see the case (``survivor_name``; None elsewhere)."""

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
    survivor_name: str | None = None


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[Filter, int]
    inbox_unread: int  # the actor's unread inbox messages (``unread_count``), read with the counts
    approvals_waiting: int | None  # for a supervisor, ``approvals_waiting_statement`` of their team


def approvals_waiting_statement(team_id: int | BindParameter[Any]) -> Select[int]:
    """How many case plans, agreements and closures of team ``team_id`` wait for a supervisor's decision
    (``team_id`` may be a bound parameter of a statement built once and reused)."""
    item = aliased(WorkItem)  # never correlated with a query over work items that it is put in
    return select(func.count()).select_from(item).where(
        item.team_id == team_id, item.status == WorkItemStatus.OPEN, item.role == Role.SUPERVISOR,
        item.form_key.in_(APPROVAL_FORMS),
    )  # fmt: skip


def day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """Start of today, of tomorrow and of the eighth day (so "this week" is today and the next 6 days),
    in Phnom Penh time, as UTC instants."""
    local = now.astimezone(LOCAL)
    today = dt.datetime.combine(local.date(), dt.time(), LOCAL)
    tomorrow = today + dt.timedelta(days=1)
    week_end = today + dt.timedelta(days=7)
    return today.astimezone(dt.UTC), tomorrow.astimezone(dt.UTC), week_end.astimezone(dt.UTC)


# The queries of the caseworkers', supervisors' and team queues are built once per shape and filter, with the
# actor's ids and the instant as bound parameters, and reused: building a select() and its cache key in
# Python was a millisecond of every queue page (``bench/bench_inproc.py``'s profile). A DoSVY officer's
# scope depends on the day (a consent's expiry), so theirs is built per call.
# Each takes the type of the column it is compared with.
_ME: BindParameter[Any] = bindparam("me")
_TEAM: BindParameter[Any] = bindparam("team")
_CASEWORKER: BindParameter[Any] = bindparam("caseworker")
_PHASE: BindParameter[Any] = bindparam("phase")
_NOW: BindParameter[Any] = bindparam("now")
_TODAY: BindParameter[Any] = bindparam("today")
_TOMORROW: BindParameter[Any] = bindparam("tomorrow")
_WEEK_END: BindParameter[Any] = bindparam("week_end")
_LIMIT, _OFFSET = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)
_Statement = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class _Shape:
    """What decides a queue's SQL apart from its parameter values."""

    kind: str  # "own" (My work of a caseworker), "own_supervisor", "office" (a DoSVY officer) or "team"
    by_caseworker: bool = False
    by_phase: bool = False
    approvals_only: bool = False


def _conditions(shape: _Shape) -> dict[Filter, ColumnElement[bool]]:
    mine = WorkItem.assignee_id == _ME
    team_unassigned = and_(WorkItem.assignee_id.is_(None), WorkItem.team_id == _TEAM)
    if shape.kind == "own_supervisor":
        # A supervisor's own steps are theirs plus the team's unassigned supervisor steps (approvals).
        mine = or_(mine, and_(team_unassigned, WorkItem.role == Role.SUPERVISOR))
    if shape.kind == "office":
        # Mine is what is assigned to them; the office's unassigned steps are listed apart (never counted twice).
        team_unassigned = WorkItem.assignee_id.is_(None)
    return {
        Filter.ALL: true(),
        Filter.MINE: mine,
        Filter.TEAM_UNASSIGNED: team_unassigned,
        Filter.OVERDUE: WorkItem.due_at < _NOW,
        Filter.DUE_TODAY: and_(WorkItem.due_at >= _TODAY, WorkItem.due_at < _TOMORROW),
        Filter.DUE_THIS_WEEK: and_(WorkItem.due_at >= _TODAY, WorkItem.due_at < _WEEK_END),
    }


def _scope(shape: _Shape, actor: User) -> ColumnElement[bool]:
    if shape.kind == "office":
        return visible_item(actor)
    if shape.kind != "team":
        # "All" in My work means mine plus the team's unassigned, which is the scope itself.
        role = Role.SUPERVISOR if shape.kind == "own_supervisor" else Role.CASEWORKER
        return and_(WorkItem.role == role, WorkItem.team_id == _TEAM,
                    or_(WorkItem.assignee_id == _ME, WorkItem.assignee_id.is_(None)))  # fmt: skip
    scope: ColumnElement[bool] = WorkItem.team_id == _TEAM
    if shape.by_caseworker:
        scope = and_(scope, WorkItem.assignee_id == _CASEWORKER)
    if shape.by_phase:
        scope = and_(scope, WorkItem.case_id.in_(select(Case.id).where(Case.phase == _PHASE)))
    if shape.approvals_only:
        scope = and_(scope, WorkItem.form_key.in_(APPROVAL_FORMS), WorkItem.role == Role.SUPERVISOR)
    return scope


_ASSIGNEE = aliased(User)
_ROW_COLUMNS = (WorkItem.id, WorkItem.case_id, Case.code, WorkItem.title, WorkItem.form_key, WorkItem.process_id,
                Case.phase, WorkItem.role, WorkItem.priority, WorkItem.due_at, WorkItem.assignee_id,
                _ASSIGNEE.display_name, WorkItem.created_at)  # fmt: skip


def _build(shape: _Shape, actor: User) -> tuple[_Statement, dict[Filter, _Statement]]:
    """The filter counts' statement and each filter's page statement of ``shape``."""
    conditions = _conditions(shape)
    base = and_(WorkItem.status == WorkItemStatus.OPEN, _scope(shape, actor))
    counts = select(*[func.coalesce(func.sum(case((conditions[f], 1), else_=0)), 0) for f in Filter],
                    unread_statement(_ME).scalar_subquery())  # fmt: skip
    if shape.kind in {"own_supervisor", "team"}:
        counts = counts.add_columns(approvals_waiting_statement(_TEAM).scalar_subquery())
    pages = {
        chosen: _named(shape, actor, select(*_ROW_COLUMNS)
        .join(Case, Case.id == WorkItem.case_id)
        .outerjoin(_ASSIGNEE, _ASSIGNEE.id == WorkItem.assignee_id))
        .where(base, cond)
        .order_by(WorkItem.due_at.is_(None), WorkItem.due_at, WorkItem.priority, WorkItem.id)
        .limit(_LIMIT).offset(_OFFSET)
        for chosen, cond in conditions.items()
    }  # fmt: skip
    return counts.select_from(WorkItem).where(base), pages


def _named(shape: _Shape, actor: User, rows: _Statement) -> _Statement:
    """My work of a caseworker or supervisor also reads the survivor names they may see, in the rows' own
    statement: the identity joins only where the policy's rule (``visible_case``) lets the actor see the
    case, so no other case's name is even read. DoSVY officers and the team queue show no names."""
    if shape.kind not in ("own", "own_supervisor"):
        return rows
    sees = visible_case(actor, me=_ME, team=_TEAM)
    return rows.outerjoin(Identity, and_(Identity.case_id == Case.id, sees)).add_columns(Identity.id, *NAME_TOKENS)


_BUILT: dict[_Shape, tuple[_Statement, dict[Filter, _Statement]]] = {}


def _statements(shape: _Shape, actor: User) -> tuple[_Statement, dict[Filter, _Statement]]:
    if shape.kind == "office":
        return _build(shape, actor)
    found = _BUILT.get(shape)
    if found is None:
        found = _BUILT[shape] = _build(shape, actor)  # at most a dozen shapes: the cache stays small
    return found


def _page(session: Session, shape: _Shape, actor: User, chosen: Filter, now: dt.datetime, page: int,
          per_page: int, **values: object) -> QueuePage:  # fmt: skip
    if page < 1 or not 1 <= per_page <= 200:
        raise InvalidInput(N_("Invalid page."))
    today, tomorrow, week_end = day_bounds(now)
    params = {"me": actor.id, "team": actor.team_id, "now": now, "today": today, "tomorrow": tomorrow,
              "week_end": week_end, "limit": per_page, "offset": (page - 1) * per_page, **values}  # fmt: skip
    count_statement, page_statements = _statements(shape, actor)
    count_row = session.execute(count_statement, params).one()
    # Summed in the order of Filter, then the menu's unread messages and (a supervisor's) approvals waiting.
    counts = dict(zip(Filter, (int(n) for n in count_row[: len(Filter)]), strict=True))
    unread, *approvals = (int(n) for n in count_row[len(Filter) :])
    total = counts[chosen]
    rows = session.execute(page_statements[chosen], params).all()
    keyring = current_keyring()
    return QueuePage(
        rows=[_queue_row(row, now, keyring) for row in rows],
        total=total,
        page=page,
        pages=max((total + per_page - 1) // per_page, 1),
        counts=counts,
        inbox_unread=unread,
        approvals_waiting=approvals[0] if approvals else None,
    )  # fmt: skip


def _queue_row(row: Sequence[Any], now: dt.datetime, keyring: KeyRing) -> QueueRow:
    (i, case_id, code, title, form_key, process_id, phase, role, priority, due_at, assignee_id, name,
     created_at) = row[: len(_ROW_COLUMNS)]  # fmt: skip
    named = row[len(_ROW_COLUMNS) :]  # My work's (identity id, *NAME_TOKENS): the id is None for a case not seen
    survivor = first_name(keyring, named[1:]) if named and named[0] is not None else None
    return QueueRow(id=i, case_id=case_id, case_code=code, title=title, form_key=form_key, process_id=process_id,
                    phase=phase, role=role, priority=priority, due_at=due_at,
                    overdue=due_at is not None and due_at < now, assignee_id=assignee_id, assignee_name=name,
                    created_at=created_at, survivor_name=survivor)  # fmt: skip


def my_work(*, session: Session, actor: User, now: dt.datetime, chosen: Filter = Filter.MINE, page: int = 1,
            per_page: int = 25) -> QueuePage:  # fmt: skip
    """The actor's own queue: their items and their team's unassigned items of their role."""
    kinds = {Role.CASEWORKER: "own", Role.SUPERVISOR: "own_supervisor", Role.DOSVY_OFFICER: "office"}
    if actor.role not in kinds:
        raise Forbidden(N_("Only caseworkers, supervisors and DoSVY officers have work queues."))
    return _page(session, _Shape(kinds[actor.role]), actor, chosen, now, page, per_page)


def team_queue(*, session: Session, actor: User, now: dt.datetime, chosen: Filter = Filter.ALL, page: int = 1,
               per_page: int = 25, caseworker_id: int | None = None, phase: Phase | None = None,
               approvals_only: bool = False) -> QueuePage:  # fmt: skip
    """Every open item of the supervisor's team, optionally by caseworker, by phase, or approvals only."""
    if actor.role is not Role.SUPERVISOR or actor.team_id is None:
        raise Forbidden(N_("Only a team's supervisor sees its queue."))
    shape = _Shape("team", caseworker_id is not None, phase is not None, approvals_only)
    return _page(session, shape, actor, chosen, now, page, per_page, caseworker=caseworker_id, phase=phase)


def visible_item(actor: User) -> ColumnElement[bool]:
    """SQL condition: work items ``actor`` may open (used by the task page and claim)."""
    if actor.role is Role.SUPERVISOR:
        return WorkItem.team_id == actor.team_id
    if actor.role is Role.CASEWORKER:
        return and_(WorkItem.role == Role.CASEWORKER, WorkItem.team_id == actor.team_id)
    if actor.role is Role.DOSVY_OFFICER:  # only cases transferred to their office
        return and_(WorkItem.role == Role.DOSVY_OFFICER, WorkItem.case_id.in_(transferred_to_office(actor)))
    return false()
