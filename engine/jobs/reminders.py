"""Overdue work and stale case files: the reminders that keep a survivor from being lost from view.

Overdue: at the due time the assignee (or, while nobody has claimed it, every member of the team with the
task's role) is told; after the grace period the case team's supervisors are told; both repeat once per
cadence period for as long as the task stays open. Stale records: a case-file section not updated for
longer than its maximum age produces a reminder to the caseworker, repeated once per record cadence;
updating the section ends it (the key counts from the last update).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.errors import N_
from engine.models.accounts import Role, User
from engine.models.cases import SECTIONS, Case, CaseStatus
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.notices.outbox import Key, Report, add_notice, existing_keys, office_officers, team_members
from engine.notices.rules import Rules, cadence_slot, stamp
from engine.security.policy import can_work_on

CHUNK = 200  # rows per transaction: short write locks on SQLite, bounded memory everywhere


def work_item_payload(item: WorkItem, case_code: str) -> dict[str, Any]:
    """What a message may say about a task: case code, step title and due date, nothing else."""
    return {"case_code": case_code, "step": item.title, "due_at": item.due_at.isoformat() if item.due_at else None}


def remind_overdue_work(*, session: Session, now: dt.datetime, rules: Rules) -> Report:
    """Queue the overdue reminders due by ``now`` (to the assignee or team, then to the supervisors)."""
    rows = session.execute(
        select(WorkItem, Case.code, Case.team_id).join(Case, Case.id == WorkItem.case_id)
        .where(WorkItem.status == WorkItemStatus.OPEN, WorkItem.due_at <= now, Case.status != CaseStatus.CLOSED)
        .order_by(WorkItem.due_at, WorkItem.id)
    ).all()  # fmt: skip
    created = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        wanted: dict[Key, tuple[WorkItem, str, int, bool]] = {}
        for item, code, team_id in chunk:
            assert item.due_at is not None
            subject, due = f"work_item:{item.id}", stamp(item.due_at)
            wanted[("overdue", subject, f"{due}/{cadence_slot(item.due_at, now, rules.cadence)}")] = (
                item, code, team_id, False)  # fmt: skip
            escalate_from = item.due_at + rules.grace
            if now >= escalate_from:
                slot = cadence_slot(escalate_from, now, rules.cadence)
                wanted[("overdue_supervisor", subject, f"{due}/{slot}")] = (item, code, team_id, True)
        with transaction(session):
            have = existing_keys(session, wanted)
            for key in [k for k in wanted if k not in have]:
                item, code, team_id, escalated = wanted[key]
                told = _assignees(session, item)
                recipients = [u for u in team_members(session, team_id=team_id, role=Role.SUPERVISOR)
                              if u not in told] if escalated else told  # fmt: skip
                payload = {**work_item_payload(item, code), "grace_days": rules.grace.days}
                created += add_notice(session, key=key, case_id=item.case_id, payload=payload,
                                      recipients=recipients, rules=rules, now=now)  # fmt: skip
    return Report(created, detail=N_("%(count)s overdue tasks"), params={"count": len(rows)})


def _assignees(session: Session, item: WorkItem) -> list[User]:
    if item.assignee is not None and item.assignee.active and can_work_on(item.assignee, item):
        return [item.assignee]
    if item.role is Role.DOSVY_OFFICER:  # never every office: only the one the case is transferred to
        return office_officers(session, case_id=item.case_id)
    return team_members(session, team_id=item.team_id, role=item.role)


@dataclass(frozen=True)
class StaleSection:
    """A case-file section not updated for longer than its maximum age."""

    case_id: int
    case_code: str
    section: str
    updated_at: dt.datetime
    max_age_days: int


def find_stale_sections(
    *, session: Session, now: dt.datetime, rules: Rules, team_id: int | None = None
) -> list[StaleSection]:
    """Stale sections of open cases (of one team, for a supervisor's dashboard), oldest first.

    A section that was never written is not listed: asking for it is the workflow's job, not a reminder's.
    """
    found = []
    for key, model in SECTIONS:
        age = rules.max_age(key)
        last = func.max(model.updated_at)
        query = (
            select(Case.id, Case.code, last).join(model, model.case_id == Case.id)
            .where(Case.status != CaseStatus.CLOSED).group_by(Case.id, Case.code).having(last < now - age)
        )  # fmt: skip
        if team_id is not None:
            query = query.where(Case.team_id == team_id)
        found += [StaleSection(cid, code, key, at, age.days) for cid, code, at in session.execute(query)]
    return sorted(found, key=lambda s: (s.updated_at, s.case_code, s.section))


def remind_stale_records(*, session: Session, now: dt.datetime, rules: Rules) -> Report:
    """Queue a reminder to the caseworker for every stale section (once per record cadence period)."""
    stale = find_stale_sections(session=session, now=now, rules=rules)
    created = 0
    for start in range(0, len(stale), CHUNK):
        chunk = stale[start : start + CHUNK]
        wanted: dict[Key, StaleSection] = {}
        for s in chunk:
            stale_since = s.updated_at + dt.timedelta(days=s.max_age_days)
            slot = cadence_slot(stale_since, now, rules.record_cadence)
            wanted[("stale_record", f"case:{s.case_id}:{s.section}", f"{stamp(s.updated_at)}/{slot}")] = s
        with transaction(session):
            have = existing_keys(session, wanted)
            cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_({s.case_id for s in chunk})))}
            for key, s in wanted.items():
                if key in have:
                    continue
                payload = {"case_code": s.case_code, "section": s.section, "updated_at": s.updated_at.isoformat(),
                           "max_age_days": s.max_age_days}  # fmt: skip
                created += add_notice(session, key=key, case_id=s.case_id, payload=payload,
                                      recipients=_case_worker_or_supervisors(session, cases[s.case_id]),
                                      rules=rules, now=now)  # fmt: skip
    return Report(created, detail=N_("%(count)s stale sections"), params={"count": len(stale)})


def _case_worker_or_supervisors(session: Session, case: Case) -> Sequence[User]:
    if case.caseworker is not None and case.caseworker.active:
        return [case.caseworker]
    return team_members(session, team_id=case.team_id, role=Role.SUPERVISOR)
