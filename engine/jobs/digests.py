"""Digests: daily "due tomorrow and overdue" to each caseworker, weekly overdue summary to each supervisor.

A digest is due once its local time (Asia/Phnom_Penh) has passed in its period (the day; the ISO week
from the configured weekday on), so a scheduler that was down at that moment sends it when it is back,
and the key ``(kind, user, period)`` keeps it to one. Empty digests are not sent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.errors import N_
from engine.jobs.reminders import work_item_payload
from engine.models.accounts import Role, User
from engine.models.cases import Case, CaseStatus
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.notices.outbox import Key, Report, add_notice, existing_keys
from engine.notices.preferences import preferences_for
from engine.notices.rules import Rules, local, local_midnight_utc

MAX_LISTED = 50  # tasks listed in one digest; the count says how many there are in all


def _open_items(session: Session, *, due_before: dt.datetime, role: Role, team_ids: set[int | None]) -> list[Any]:
    return list(session.execute(
        select(WorkItem, Case.code).join(Case, Case.id == WorkItem.case_id)
        .where(WorkItem.status == WorkItemStatus.OPEN, WorkItem.due_at < due_before, WorkItem.role == role,
               Case.status != CaseStatus.CLOSED, WorkItem.team_id.in_({t for t in team_ids if t is not None}))
        .order_by(WorkItem.due_at, WorkItem.id)
    ).all())  # fmt: skip


def _users(session: Session, role: Role) -> list[User]:
    return list(session.scalars(select(User).where(User.role == role, User.active.is_(True),
                                                   User.team_id.is_not(None)).order_by(User.id)))  # fmt: skip


def queue_daily_digests(*, session: Session, now: dt.datetime, rules: Rules) -> Report:
    """Queue today's digest for every caseworker with overdue work or work due by the end of tomorrow."""
    today = local(now)
    if today.time() < rules.daily_digest_at:
        return Report(detail=N_("not yet time"))
    period = today.date().isoformat()
    workers = _users(session, Role.CASEWORKER)
    keys: dict[Key, User] = {("daily_digest", f"user:{u.id}", period): u for u in workers}
    end = local_midnight_utc(today.date() + dt.timedelta(days=2))
    created = 0
    with transaction(session):
        have = existing_keys(session, keys)
        prefs = preferences_for(session=session, user_ids=[u.id for u in workers])
        items = _open_items(session, due_before=end, role=Role.CASEWORKER, team_ids={u.team_id for u in workers})
        for key, user in keys.items():
            if key in have or not prefs[user.id].daily_digest:
                continue
            mine = [(i, code) for i, code in items
                    if i.assignee_id == user.id or (i.assignee_id is None and i.team_id == user.team_id)]  # fmt: skip
            if not mine:
                continue
            overdue = [work_item_payload(i, code) for i, code in mine if (i.due_at or now) <= now]
            soon = [work_item_payload(i, code) for i, code in mine if (i.due_at or now) > now]
            room = max(MAX_LISTED - len(overdue), 0)
            payload = {"date": period, "overdue_count": len(overdue), "due_soon_count": len(soon),
                       "overdue": overdue[:MAX_LISTED], "due_soon": soon[:room]}  # fmt: skip
            created += add_notice(session, key=key, case_id=None, payload=payload, recipients=[user], rules=rules,
                                  now=now)  # fmt: skip
    return Report(created, detail=N_("for %(period)s"), params={"period": period})


def queue_weekly_digests(*, session: Session, now: dt.datetime, rules: Rules) -> Report:
    """Queue this week's overdue summary, per caseworker of the team, for every supervisor."""
    here = local(now)
    week_start = here.date() - dt.timedelta(days=here.weekday())
    due_from = dt.datetime.combine(week_start + dt.timedelta(days=rules.weekly_digest_weekday),
                                   rules.weekly_digest_at, here.tzinfo)  # fmt: skip
    if here < due_from:
        return Report(detail=N_("not yet time"))
    year, week, _day = here.isocalendar()
    period = f"{year}-W{week:02d}"
    supervisors = _users(session, Role.SUPERVISOR)
    keys: dict[Key, User] = {("weekly_overdue", f"user:{u.id}", period): u for u in supervisors}
    created = 0
    with transaction(session):
        have = existing_keys(session, keys)
        prefs = preferences_for(session=session, user_ids=[u.id for u in supervisors])
        items = _open_items(session, due_before=now, role=Role.CASEWORKER, team_ids={u.team_id for u in supervisors})
        assigned = {i.assignee_id for i, _code in items if i.assignee_id is not None}
        workers = {u.id: u for u in session.scalars(select(User).where(User.id.in_(assigned)))}
        for key, supervisor in keys.items():
            if key in have or not prefs[supervisor.id].weekly_digest:
                continue
            by_worker: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
            for item, code in items:
                if item.team_id == supervisor.team_id:
                    by_worker[item.assignee_id].append(work_item_payload(item, code))
            if not by_worker:
                continue
            ranked = sorted(by_worker.items(), key=lambda kv: (-len(kv[1]), kv[0] or 0))
            rows = [{"caseworker": workers[uid].display_name if uid in workers else None, "count": len(listed),
                     "items": listed[:10]} for uid, listed in ranked]  # fmt: skip
            total = sum(len(listed) for _uid, listed in ranked)
            payload = {"week": period, "overdue_count": total, "caseworkers": rows}
            created += add_notice(session, key=key, case_id=None, payload=payload, recipients=[supervisor],
                                  rules=rules, now=now)  # fmt: skip
    return Report(created, detail=N_("for %(period)s"), params={"period": period})
