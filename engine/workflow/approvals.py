"""What an approval decides on: the submitted answers of the steps it approves, and the case file's age.

An approval form names the forms it decides on (``approves`` in its definition: the case plan, the
reintegration agreement, the final assessment and closure record). The approver sees the latest record
of each, read-only, without the fields their role may not read, and how long ago each case-file section
was updated. Reading them is a view of the case file: it is audited like one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.cases.service import SectionStatus, section_status
from engine.db import transaction
from engine.models.accounts import User
from engine.models.cases import CaseRecord
from engine.models.workflow import WorkItem
from engine.security.fields import target_group
from engine.security.policy import step_groups
from workflows.forms import Form


@dataclass(frozen=True)
class SubmittedStep:
    """One step's submitted answers (field name -> stored value), as its form defines them."""

    form: Form
    step: str
    recorded_at: dt.datetime
    recorded_by: str | None
    values: dict[str, object]


@dataclass(frozen=True)
class ApprovalContent:
    """The steps an approval decides on (in the order the approval names them) and the sections' ages."""

    steps: tuple[SubmittedStep, ...]
    missing: tuple[Form, ...]  # approved forms with no record yet (e.g. a case admitted before this version)
    sections: tuple[SectionStatus, ...]


def approval_content(
    *, session: Session, actor: User, now: dt.datetime, item: WorkItem, forms: Mapping[str, Form],
    max_age_days: int = 90, section_ages: Mapping[str, int] | None = None,
) -> ApprovalContent:  # fmt: skip
    """The content ``item`` (an approval ``actor`` may see: the caller checked) decides on; the view is audited."""
    approval = forms[item.form_key]
    readable = step_groups(actor, item.case)[0]
    steps: list[SubmittedStep] = []
    missing: list[Form] = []
    with transaction(session):
        for key in approval.approves:
            form = forms[key]
            record = session.scalar(
                select(CaseRecord).where(CaseRecord.case_id == item.case_id, CaseRecord.form_key == key,
                                         CaseRecord.recorded_at <= item.created_at)
                .order_by(CaseRecord.recorded_at.desc(), CaseRecord.id.desc()).limit(1)
            )  # fmt: skip
            if record is None:
                missing.append(form)
                continue
            stored: dict[str, object] = json.loads(record.data)
            shown = {f.name: stored[f.name] for f in form.fields
                     if f.name in stored and (f.target is None or target_group(f.target) in readable)}  # fmt: skip
            by = session.get(User, record.recorded_by_id) if record.recorded_by_id else None
            steps.append(SubmittedStep(form, record.step, record.recorded_at, by.display_name if by else None, shown))
        audit.record(session=session, now=now, actor_id=actor.id, action="case_file_viewed", case_id=item.case_id,
                     detail=f"approval={item.id} forms={','.join(approval.approves)}")  # fmt: skip
        sections = section_status(session=session, case=item.case, now=now, max_age_days=max_age_days,
                                  section_ages=section_ages)  # fmt: skip
    return ApprovalContent(tuple(steps), tuple(missing), tuple(sections))
