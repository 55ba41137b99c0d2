"""A step returned for changes: the reopened step keeps the supervisor's comment and its earlier answers.

When an approval (a form with ``approves``) is answered "return", the diagram reopens the step it decided
on as a new work item. That item points at two step records (``case_records``, encrypted): the
approval's, which holds the comment, and the step's own earlier one, whose answers prefill the form
again. The comment is never copied anywhere else: the caseworker's inbox notice carries the case code,
the step and who returned it, and the inbox page reads the comment from the record for a reader who may
see the step (an e-mail or chat message says to open the task instead).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.case_file import StepRecord
from engine.errors import NotFound
from engine.models.accounts import Role, User
from engine.models.cases import Case, CaseEvent, CaseRecord
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.notices.outbox import add_notice, team_members
from engine.notices.rules import Rules
from engine.workflow.assignments import get_work_item


@dataclass(frozen=True)
class ReturnNote:
    """Why a step came back: the supervisor's comment, who returned it and when."""

    comment: str
    by: str | None
    at: dt.datetime


def reopened(*, session: Session, rules: Rules, actor: User, now: dt.datetime, case: Case, instance_id: int,
             decision: StepRecord) -> list[WorkItem]:  # fmt: skip
    """Link the steps the return reopened in ``instance_id`` (those that appeared with this decision) to the
    approval's record and to their earlier answers, and tell whoever does them (in the caller's transaction)."""
    session.flush()  # the reopened work items and the approval's record get their ids
    items = list(session.scalars(select(WorkItem).where(
        WorkItem.instance_id == instance_id, WorkItem.status == WorkItemStatus.OPEN, WorkItem.created_at == now,
        WorkItem.return_record_id.is_(None), WorkItem.role != actor.role,
    )))  # fmt: skip
    for item in items:
        item.return_record_id, item.earlier_record_id = decision.id, session.scalar(
            select(CaseRecord.id).where(CaseRecord.case_id == case.id, CaseRecord.form_key == item.form_key,
                                        CaseRecord.id != decision.id)
            .order_by(CaseRecord.recorded_at.desc(), CaseRecord.id.desc()).limit(1)
        )  # fmt: skip
        session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind="returned",
                              summary=f"Returned for changes: {item.title}"[:200]))  # fmt: skip
        recipients = [item.assignee] if item.assignee is not None else team_members(
            session, team_id=item.team_id, role=item.role)  # fmt: skip
        payload = {"case_code": case.code, "step": item.title, "by": actor.display_name, "work_item_id": item.id}
        add_notice(session, key=("returned", f"work_item:{item.id}", decision.recorded_at.isoformat()),
                   case_id=case.id, payload=payload, recipients=recipients, rules=rules, now=now)  # fmt: skip
    return items


def return_note(*, session: Session, item: WorkItem) -> ReturnNote | None:
    """The comment ``item`` was returned with (the caller has checked that the reader may see ``item``)."""
    if item.return_record_id is None:
        return None
    record = session.get(CaseRecord, item.return_record_id)
    if record is None:
        return None
    comment = str(json.loads(record.data).get("comment") or "").strip()
    by = session.get(User, record.recorded_by_id) if record.recorded_by_id else None
    return ReturnNote(comment, by.display_name if by else None, record.recorded_at)


def return_note_of(*, session: Session, actor: User, work_item_id: object) -> ReturnNote | None:
    """The return comment of work item ``work_item_id`` if ``actor`` may see that step (else None), for the
    inbox page; staff of other roles, and anyone the step is out of reach for, see no comment."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR, Role.DOSVY_OFFICER) or not isinstance(work_item_id, int):
        return None
    try:
        item = get_work_item(session=session, actor=actor, work_item_id=work_item_id)
    except NotFound:
        return None
    return return_note(session=session, item=item)


def earlier_answers(*, session: Session, item: WorkItem) -> dict[str, Any] | None:
    """The answers the step was submitted with before it was returned (field name -> stored value)."""
    if item.earlier_record_id is None:
        return None
    record = session.get(CaseRecord, item.earlier_record_id)
    if record is None or record.case_id != item.case_id:
        return None
    values: dict[str, Any] = json.loads(record.data)
    return values
