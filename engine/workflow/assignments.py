"""Who does a step: claim, unclaim, reassign a work item or a whole case, and drafts of a form."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.training import CourseStanding, training_gaps
from engine.cases.case_file import record_step
from engine.clock import local_today
from engine.db import transaction
from engine.errors import N_, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role, User
from engine.models.cases import Case, CaseEvent
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.notices.outbox import add_notice, team_members
from engine.notices.rules import Rules, stamp
from engine.security.policy import can_see_case, can_work_on


def get_work_item(*, session: Session, actor: User, work_item_id: int) -> WorkItem:
    """The open or finished item ``work_item_id`` if ``actor`` may see it (else ``NotFound``)."""
    item = session.get(WorkItem, work_item_id)
    if item is None or not _may_see(actor, item):
        raise NotFound(N_("There is no such task, or it is not yours to see."))
    return item


def _may_see(actor: User, item: WorkItem) -> bool:
    if actor.role is Role.SUPERVISOR:
        return actor.team_id is not None and item.team_id == actor.team_id
    if actor.role is Role.DOSVY_OFFICER and not can_see_case(actor, item.case):
        return False  # the transfer ended (or went to another office): its steps are out of sight too
    return can_work_on(actor, item) or item.assignee_id == actor.id or item.completed_by_id == actor.id


def _open(session: Session, actor: User, work_item_id: int) -> WorkItem:
    item = get_work_item(session=session, actor=actor, work_item_id=work_item_id)
    if item.status is not WorkItemStatus.OPEN:
        raise InvalidInput(N_("This task was already completed or cancelled. Nothing was changed."))
    return item


def claim_work_item(*, session: Session, actor: User, now: dt.datetime, work_item_id: int) -> WorkItem:
    """Take an unassigned item of one's team (or confirm one's own)."""
    with transaction(session):
        item = session.get(WorkItem, work_item_id)
        ours = item is not None and item.role is actor.role and item.team_id == actor.team_id
        if actor.role is Role.DOSVY_OFFICER:  # no team: the item must be of a case transferred to their office
            ours = ours and item is not None and can_see_case(actor, item.case)
        if item is None or not ours:
            raise NotFound(N_("There is no such task, or it is not yours to see."))
        if item.status is not WorkItemStatus.OPEN:
            raise InvalidInput(N_("This task was already completed or cancelled. Nothing was changed."))
        if item.assignee_id not in (None, actor.id):
            raise InvalidInput(N_("Someone else has claimed this task in the meantime."))
        item.assignee_id, item.claimed_at, item.claimed_by_id = actor.id, now, actor.id
        return item


def unclaim_work_item(*, session: Session, actor: User, now: dt.datetime, work_item_id: int) -> WorkItem:
    """Give an item back to the team's unassigned queue."""
    with transaction(session):
        item = _open(session, actor, work_item_id)
        if item.assignee_id != actor.id:
            raise Forbidden(N_("Only the person a task is assigned to can give it back."))
        item.assignee_id, item.claimed_at, item.claimed_by_id = None, None, None
        return item


def _team_member(session: Session, supervisor: User, user_id: int, role: Role) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active or user.team_id != supervisor.team_id or user.role is not role:
        raise InvalidInput(
            N_("Choose an active member of your team with the right role."), {"assignee_id": N_("Not in your team.")}
        )
    return user


def _require_supervisor(actor: User, team_id: int | None) -> None:
    if actor.role is not Role.SUPERVISOR or actor.team_id is None or actor.team_id != team_id:
        raise Forbidden(N_("Only the team's supervisor can reassign work."))


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("Give a reason for the reassignment."), {"reason": N_("A reason is required.")})
    if len(reason) > 1000:
        raise InvalidInput(N_("The reason is too long."), {"reason": N_("At most 1000 characters.")})
    return reason


def reassign_work_item(*, session: Session, actor: User, now: dt.datetime, work_item_id: int, assignee_id: int,
                       reason: str, rules: Rules | None = None) -> WorkItem:  # fmt: skip
    """A supervisor hands one open item to another member of the team; the reason goes in the history.
    A caseworker without a required training still gets it, and the supervisors are warned."""
    text = _reason(reason)
    with transaction(session):
        item = _open(session, actor, work_item_id)
        _require_supervisor(actor, item.team_id)
        new = _team_member(session, actor, assignee_id, item.role)
        old = item.assignee.display_name if item.assignee else "unassigned"
        item.assignee_id, item.claimed_at, item.claimed_by_id = new.id, now, actor.id
        _history(
            session, item.case, actor, now, f"Task '{item.title}' reassigned from {old} to {new.display_name}", text
        )
        warn_if_untrained(session=session, assignee=new, case=item.case, step=item.title, now=now,
                          rules=rules or Rules())  # fmt: skip
        return item


def reassign_case(*, session: Session, actor: User, now: dt.datetime, case_id: int, caseworker_id: int,
                  reason: str, rules: Rules | None = None) -> Case:  # fmt: skip
    """A supervisor makes another caseworker of the team responsible for a case and its open steps.
    A caseworker without a required training still gets it, and the supervisors are warned."""
    text = _reason(reason)
    with transaction(session):
        case = session.get(Case, case_id)
        if case is None or actor.team_id != case.team_id:
            raise NotFound(N_("There is no such case, or it is not yours to see."))
        _require_supervisor(actor, case.team_id)
        new = _team_member(session, actor, caseworker_id, Role.CASEWORKER)
        old = case.caseworker.display_name if case.caseworker else "unassigned"
        previous = case.caseworker_id
        case.caseworker_id = new.id
        for item in session.scalars(select(WorkItem).where(
            WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN, WorkItem.role == Role.CASEWORKER,
        )):  # fmt: skip
            if item.assignee_id in (previous, None):
                item.assignee_id, item.claimed_at, item.claimed_by_id = new.id, now, actor.id
        _history(session, case, actor, now, f"Case reassigned from {old} to {new.display_name}", text)
        warn_if_untrained(session=session, assignee=new, case=case, step=None, now=now, rules=rules or Rules())
        return case


def warn_if_untrained(
    *, session: Session, assignee: User, case: Case, step: str | None, now: dt.datetime, rules: Rules
) -> tuple[CourseStanding, ...]:
    """Tell the case team's supervisors, in the caller's transaction, that ``assignee`` was given work without
    holding every required training (untrained or expired); return those courses (empty: nothing to tell).

    The assignment itself stands: a shelter short of trained staff still has to carry its cases."""
    gaps = training_gaps(session=session, user=assignee, today=local_today(now))
    if not gaps or assignee.role is not Role.CASEWORKER:
        return ()
    payload = {"case_code": case.code, "staff": assignee.display_name, "step": step,
               "gaps": [{"course": g.course, "expires_on": g.expires_on.isoformat() if g.expires_on else None}
                        for g in gaps]}  # fmt: skip
    add_notice(session, key=("training_assignment", f"case:{case.id}", f"user:{assignee.id}/{stamp(now)}"),
               case_id=case.id, payload=payload, recipients=team_members(session, team_id=case.team_id,
                                                                         role=Role.SUPERVISOR),
               rules=rules, now=now)  # fmt: skip
    return gaps


def _history(session: Session, case: Case, actor: User, now: dt.datetime, summary: str, reason: str) -> None:
    # Staff names are not survivor data; the free-text reason may be, so it is kept encrypted.
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind="reassigned", summary=summary[:200]))
    record_step(session=session, case=case, actor=actor, now=now, form_key="reassignment", step=summary[:200],
                values={"reason": reason})  # fmt: skip


def save_draft(*, session: Session, actor: User, now: dt.datetime, work_item_id: int, raw: dict[str, Any]) -> None:
    """Keep what was typed so far (encrypted); nothing is validated or sent to the workflow."""
    with transaction(session):
        item = _open(session, actor, work_item_id)
        if not can_work_on(actor, item):
            raise Forbidden(N_("This task is not yours to work on."))
        cleaned = {str(k): v for k, v in raw.items() if k != "csrf_token" and isinstance(v, str | list)}
        item.draft = json.dumps({"saved_at": now.isoformat(), "by": actor.id, "values": cleaned}, ensure_ascii=False)


def load_draft(item: WorkItem) -> dict[str, Any] | None:
    """The saved draft of ``item`` (field -> raw value), if any."""
    if not item.draft:
        return None
    values: dict[str, Any] = json.loads(item.draft)["values"]
    return values
