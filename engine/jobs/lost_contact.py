"""Lost contact by time: no recorded contact for too long moves a follow-up case onto the tracing path.

Two missed visits in a row are handled inside the follow-up diagrams. This covers the other rule: no
contact recorded for ``rules.lost_contact`` (default 90 days). A case qualifies only while its current
visit is also overdue past the grace period, so a long visit interval (Type 2 follow-up visits every 3-6
months) never opens tracing while no visit was even expected. The diversion and its notice to the
caseworker and the supervisors are one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.errors import N_, DomainError
from engine.models.accounts import Role
from engine.models.cases import Case, CaseRecord, CaseStatus
from engine.models.workflow import InstanceStatus, WorkflowInstance, WorkItem, WorkItemStatus
from engine.notices.outbox import Report, add_notice, team_members
from engine.notices.rules import Rules, stamp
from engine.workflow.service import Runtime, start_lost_contact

log = logging.getLogger(__name__)

FOLLOW_UP_PROCESSES = ("follow_up_1", "follow_up_2")
VISIT_FORM = "follow_up_visit"
# form -> (field holding the date of the contact, field that says whether contact was made, if any)
CONTACT_FORMS = {
    "follow_up_visit": ("visit_date", "contact_made"),
    "first_contact": ("contact_date", None),
    "renewed_contact": ("contact_date", None),
    "handover": ("handover_date", None),
}


def last_contact(session: Session, case: Case) -> dt.datetime | None:
    """When contact with the survivor was last recorded (newest first; stops at the first real contact)."""
    records = session.scalars(
        select(CaseRecord).where(CaseRecord.case_id == case.id, CaseRecord.form_key.in_(CONTACT_FORMS))
        .order_by(CaseRecord.recorded_at.desc(), CaseRecord.id.desc())
    )  # fmt: skip
    for record in records:
        date_field, made_field = CONTACT_FORMS[record.form_key]
        values = json.loads(record.data)
        if made_field is not None and values.get(made_field) is not True:
            continue
        raw = values.get(date_field)
        on = dt.date.fromisoformat(raw) if isinstance(raw, str) else record.recorded_at.date()
        return min(dt.datetime.combine(on, dt.time(), dt.UTC), record.recorded_at)
    return None


def detect_lost_contact(*, session: Session, runtime: Runtime, now: dt.datetime, rules: Rules) -> Report:
    """Start the lost-contact path for every follow-up case without contact for too long."""
    candidates = session.scalars(
        select(Case).distinct().join(WorkflowInstance, WorkflowInstance.case_id == Case.id)
        .join(WorkItem, WorkItem.instance_id == WorkflowInstance.id)
        .where(Case.status == CaseStatus.OPEN, WorkflowInstance.status == InstanceStatus.RUNNING,
               WorkflowInstance.process_id.in_(FOLLOW_UP_PROCESSES), WorkItem.status == WorkItemStatus.OPEN,
               WorkItem.form_key == VISIT_FORM, WorkItem.due_at <= now - rules.grace)
        .order_by(Case.id)
    ).all()  # fmt: skip
    created = failed = 0
    for case in candidates:
        since = last_contact(session, case) or case.opened_at
        if now - since < rules.lost_contact:
            continue
        days = (now - since).days
        try:
            with transaction(session):
                diverted = start_lost_contact(session=session, runtime=runtime, case=case, now=now,
                                              reason=f"No recorded contact for {days} days")  # fmt: skip
                recipients = ([case.caseworker] if case.caseworker else []) + team_members(
                    session, team_id=case.team_id, role=Role.SUPERVISOR)  # fmt: skip
                payload = {"case_code": case.code, "last_contact_at": since.isoformat(), "days": days}
                key = ("lost_contact", f"case:{case.id}", f"{stamp(since)}/{diverted.id}")
                created += add_notice(session, key=key, case_id=case.id, payload=payload, recipients=recipients,
                                      rules=rules, now=now)  # fmt: skip
        except DomainError as exc:  # one case that cannot be moved must not stop the others
            failed += 1
            log.warning("lost contact: case %s not moved: %s", case.code, type(exc).__name__)
            session.expire_all()
    return Report(created, failed, detail=N_("%(count)s overdue visits checked"), params={"count": len(candidates)})
