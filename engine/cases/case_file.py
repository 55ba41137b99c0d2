"""Write form values to the case file: structured section columns, and the step's own record.

Targets come from the declarative forms (``workflows/forms``): ``"<section>.<column>"`` or
``"case_plan_goal.<domain>.<column>"``. Each written section is stamped with who and when, which is
what record-update reminders measure.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from engine.models.accounts import User
from engine.models.cases import (
    Case,
    CasePlan,
    CasePlanGoal,
    CaseRecord,
    FamilyAssessment,
    History,
    Identity,
    MedicalRecord,
    PsychologicalRecord,
    RiskLevel,
    SafetyRating,
)

SINGLE_SECTIONS: dict[str, type[Any]] = {
    "identity": Identity,
    "history": History,
    "case_plan": CasePlan,
    "medical": MedicalRecord,
    "psychological": PsychologicalRecord,
}
CASE_COLUMNS = {"risk_level": RiskLevel}
ENUM_COLUMNS = {("family_assessment", "safety_rating"): SafetyRating}


def apply_targets(*, session: Session, case: Case, actor: User, now: dt.datetime, targets: dict[str, Any],
                  loaded: dict[str, Any] | None = None) -> list[str]:  # fmt: skip
    """Write ``targets`` (target -> typed value) into ``case``'s file; return the sections written.
    ``loaded``: one-row sections the caller has read already in this transaction (section -> row, or None
    when the case has none yet), as ``case_file_values`` collects them; the others are read here."""
    loaded = {} if loaded is None else loaded
    by_section: dict[str, dict[str, Any]] = {}
    goals: dict[str, dict[str, Any]] = {}
    for target, value in targets.items():
        parts = target.split(".")
        if parts[0] == "case_plan_goal" and len(parts) == 3:
            goals.setdefault(parts[1], {})[parts[2]] = value
        elif len(parts) == 2:
            by_section.setdefault(parts[0], {})[parts[1]] = value
        else:
            raise ValueError(f"malformed target {target!r}")
    written: list[str] = []
    for section, values in by_section.items():
        if section == "case":
            for column, value in values.items():
                setattr(case, column, CASE_COLUMNS[column](value) if value is not None else None)
        elif section == "family_assessment":
            values = {k: ENUM_COLUMNS.get((section, k), lambda v: v)(v) for k, v in values.items()}
            values.setdefault("assessed_on", now.date())
            session.add(FamilyAssessment(case_id=case.id, updated_at=now, updated_by_id=actor.id, **values))
        else:
            row = _single(session, section, case, actor, now, loaded)
            for column, value in values.items():
                setattr(row, column, value)
        written.append(section)
    if goals:
        plan = _single(session, "case_plan", case, actor, now, loaded)
        session.flush()
        existing = {g.domain: g for g in plan.goals}
        for domain, values in goals.items():
            if not values.get("goal"):
                continue
            goal = existing.get(domain) or CasePlanGoal(plan_id=plan.id, domain=domain)
            for column, value in values.items():
                setattr(goal, column, value)
            if goal not in plan.goals:
                plan.goals.append(goal)
        written.append("case_plan")
    return written


def _single(session: Session, section: str, case: Case, actor: User, now: dt.datetime,
            loaded: dict[str, Any]) -> Any:  # fmt: skip
    model = SINGLE_SECTIONS[section]
    row = loaded[section] if section in loaded else session.scalar(select(model).where(model.case_id == case.id))
    if row is None:
        row = model(case_id=case.id)
        session.add(row)
    loaded[section] = row
    row.updated_at, row.updated_by_id = now, actor.id
    return row


@dataclass(frozen=True)
class StepRecord:
    """A step's record as written: what a later link to it (a returned step's) needs."""

    id: int
    recorded_at: dt.datetime


_RECORDS = cast(Table, CaseRecord.__table__)


def record_step(
    *, session: Session, case: Case, actor: User, now: dt.datetime, form_key: str, step: str, values: dict[str, Any]
) -> StepRecord:
    """Keep the whole submission of a step, encrypted (the column's type encrypts it). Written at once as one
    Core statement on the session's connection, not as a unit-of-work object (a step's writes are Core
    statements: ``engine.workflow.service``); nothing reads it back in the same transaction but by id."""
    data = json.dumps(values, default=_json_default, ensure_ascii=False)
    record_id = session.connection().execute(
        insert(_RECORDS).returning(_RECORDS.c.id),
        {"case_id": case.id, "form_key": form_key, "step": step, "recorded_at": now, "recorded_by_id": actor.id,
         "data": data},
    ).scalar_one()  # fmt: skip
    return StepRecord(record_id, now)


def _json_default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")
