"""Where each reported fact lives, read for the cases of a set of teams over a period.

- Admissions: ``cases.opened_at``; sex and date of birth (decrypted here, turned into an age band at
  admission and never returned) from ``case_identities``; form of exploitation from ``case_histories``.
- Open cases by phase at the end of the period: the main-chain workflow instance that was running at
  that instant (``workflow_instances.started_at``/``completed_at``), so a past quarter is counted as it
  stood then; the lost-contact process counts under the follow-up phase it interrupted.
- Reintegrations: reintegration instances completed with outcome ``reintegrated`` in the period; the
  placement from the case's last reintegration plan (or, failing that, case conference) step record.
- Follow-up visits: the ``follow_up_visit`` work items due in the period; on time or late by the visit
  date recorded in the step record against the due day; missed when the survivor was not reached or the
  visit was cancelled (lost-contact path, re-admission); overdue while still open past its due time.
- Closures: ``closed`` case events in the period; the reason from the case's last closure step record.
- Lost contact: lost-contact instances started in the period, and those that ended in it (found, or
  cannot be found).
- Re-admissions: follow-up instances that ended with outcome ``readmitted``, and closed cases re-opened
  (``reopened`` events).
- Days per phase: consecutive main-chain instances of one phase form a spell (each follow-up visit is
  an instance of its own); spells that ended in the period, in days.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.clock import LOCAL
from engine.models.cases import Case, CaseEvent, CaseRecord, History, Identity, Phase
from engine.models.workflow import WorkflowInstance, WorkItem, WorkItemStatus

NOT_RECORDED = "not_recorded"
AGE_BANDS = ("0-11", "12-17", "18-24", "25-34", "35+", "unknown")
MINOR_BANDS = frozenset({"0-11", "12-17"})
SEXES = ("female", "male", "other", "unknown")
EXPLOITATION = ("labour", "sexual", "forced_marriage", "begging", "other", NOT_RECORDED)
PLACEMENTS = ("family_of_origin", "extended_family", "community", "independent", "stay_in_shelter", NOT_RECORDED)
CLOSURE_REASONS = (
    "goals_met", "survivor_chose_to_stop", "moved_or_cannot_be_found", "transferred", "died", "other", NOT_RECORDED,
)  # fmt: skip
VISIT_OUTCOMES = ("on_time", "late", "missed", "overdue", "not_yet_due")
FOLLOW_UP_PHASES = ("follow_up_1", "follow_up_2")
MAIN_PROCESSES = frozenset(p.value for p in Phase) | {"lost_contact"}
OPEN_COLUMNS = ("open", "lost_contact")
LOST_CONTACT_ROWS = ("entered", "found", "cannot_be_found")
READMISSION_ROWS = ("readmitted_from_follow_up", "closed_case_reopened")
DURATION_ROWS = (*(p.value for p in Phase), "lost_contact")


def age_band(born: dt.date | None, on: dt.date) -> str:
    """The band of the age in whole years on ``on`` (``unknown`` without a date of birth)."""
    if born is None or born > on:
        return "unknown"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for upper, band in ((11, "0-11"), (17, "12-17"), (24, "18-24"), (34, "25-34")):
        if age <= upper:
            return band
    return "35+"


def _local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(LOCAL).date()


@dataclass(frozen=True)
class Admission:
    """One admission, de-identified: what reports and the case-level export need, nothing more."""

    case_id: int
    team_id: int
    opened_on: dt.date
    sex: str
    age_band: str
    exploitation: str


def admissions(session: Session, teams: Select[Any], start: dt.datetime, end: dt.datetime) -> list[Admission]:
    """Cases opened in [start, end) by the teams."""
    rows = session.execute(
        select(Case.id, Case.team_id, Case.opened_at, Identity, History.form_of_exploitation)
        .outerjoin(Identity, Identity.case_id == Case.id).outerjoin(History, History.case_id == Case.id)
        .where(Case.team_id.in_(teams), Case.opened_at >= start, Case.opened_at < end).order_by(Case.id)
    ).all()  # fmt: skip
    result = []
    for case_id, team_id, opened_at, identity, exploitation in rows:
        opened_on = _local_day(opened_at)
        sex = identity.sex.value if identity is not None else "unknown"
        band = age_band(identity.date_of_birth if identity is not None else None, opened_on)
        kind = exploitation if exploitation in EXPLOITATION else (NOT_RECORDED if not exploitation else "other")
        result.append(Admission(case_id, team_id, opened_on, sex, band, kind))
    return result


def _instances(session: Session, teams: Select[Any], until: dt.datetime) -> dict[int, list[WorkflowInstance]]:
    """Main-chain instances of the teams' cases that started before ``until``, per case, in order."""
    rows = session.scalars(
        select(WorkflowInstance).join(Case, Case.id == WorkflowInstance.case_id)
        .where(Case.team_id.in_(teams), WorkflowInstance.process_id.in_(MAIN_PROCESSES),
               WorkflowInstance.started_at < until)
        .order_by(WorkflowInstance.case_id, WorkflowInstance.started_at, WorkflowInstance.id)
    ).all()  # fmt: skip
    by_case: dict[int, list[WorkflowInstance]] = defaultdict(list)
    for row in rows:
        by_case[row.case_id].append(row)
    return by_case


def open_by_phase(session: Session, teams: Select[Any], end: dt.datetime) -> Counter[tuple[str, str]]:
    """(phase, open|lost_contact) -> cases whose workflow was running at the instant ``end``."""
    counts: Counter[tuple[str, str]] = Counter()
    for chain in _instances(session, teams, end).values():
        phase = None
        for instance in chain:
            running = instance.completed_at is None or instance.completed_at >= end
            if instance.process_id != "lost_contact":
                phase = instance.process_id
            if running:
                if instance.process_id == "lost_contact":
                    counts[phase or "follow_up_1", "lost_contact"] += 1
                else:
                    counts[instance.process_id, "open"] += 1
                break
    return counts


def step_records(
    session: Session, teams: Select[Any], form_keys: tuple[str, ...], until: dt.datetime
) -> dict[int, list[tuple[dt.datetime, str, dict[str, Any]]]]:
    """Decrypted step records of ``form_keys`` per case, oldest first (read here, reduced to codes)."""
    rows = session.execute(
        select(CaseRecord.case_id, CaseRecord.recorded_at, CaseRecord.form_key, CaseRecord.data)
        .join(Case, Case.id == CaseRecord.case_id)
        .where(Case.team_id.in_(teams), CaseRecord.form_key.in_(form_keys), CaseRecord.recorded_at < until)
        .order_by(CaseRecord.recorded_at, CaseRecord.id)
    ).all()  # fmt: skip
    by_case: dict[int, list[tuple[dt.datetime, str, dict[str, Any]]]] = defaultdict(list)
    for case_id, at, form_key, data in rows:
        try:
            values = json.loads(data)
        except (TypeError, ValueError):
            values = {}
        by_case[case_id].append((at, form_key, values if isinstance(values, dict) else {}))
    return by_case


def last_value(records: list[tuple[dt.datetime, str, dict[str, Any]]], at: dt.datetime,
                fields: tuple[tuple[str, str], ...], allowed: tuple[str, ...]) -> str:  # fmt: skip
    """The value of the first (form, field) of ``fields`` in the newest record at or before ``at``."""
    for form_key, name in fields:
        for recorded_at, key, values in reversed(records):
            if key == form_key and recorded_at <= at and values.get(name):
                value = str(values[name])
                return value if value in allowed else "other" if "other" in allowed else NOT_RECORDED
    return NOT_RECORDED


def reintegrations(session: Session, teams: Select[Any], start: dt.datetime, end: dt.datetime) -> Counter[str]:
    """Placement -> reintegrations (hand-over done) in [start, end)."""
    done = session.execute(
        select(WorkflowInstance.case_id, WorkflowInstance.completed_at).join(Case, Case.id == WorkflowInstance.case_id)
        .where(Case.team_id.in_(teams), WorkflowInstance.process_id == "reintegration",
               WorkflowInstance.outcome == "reintegrated", WorkflowInstance.completed_at >= start,
               WorkflowInstance.completed_at < end)
    ).all()  # fmt: skip
    records = step_records(session, teams, ("reintegration_plan", "case_conference"), end)
    fields = (("reintegration_plan", "placement_type"), ("case_conference", "placement"))
    return Counter(last_value(records.get(case_id, []), at, fields, PLACEMENTS) for case_id, at in done if at)


def visits(session: Session, teams: Select[Any], start: dt.datetime, end: dt.datetime,
           now: dt.datetime) -> Counter[tuple[str, str]]:  # fmt: skip
    """(phase, outcome) -> follow-up visits due in [start, end)."""
    items = session.execute(
        select(WorkItem.case_id, WorkItem.process_id, WorkItem.status, WorkItem.due_at, WorkItem.completed_at)
        .join(Case, Case.id == WorkItem.case_id)
        .where(Case.team_id.in_(teams), WorkItem.form_key == "follow_up_visit", WorkItem.due_at >= start,
               WorkItem.due_at < end)
    ).all()  # fmt: skip
    records = step_records(session, teams, ("follow_up_visit",), now + dt.timedelta(seconds=1))
    by_instant = {(case_id, at): values for case_id, rows in records.items() for at, _k, values in rows}
    counts: Counter[tuple[str, str]] = Counter()
    for case_id, process_id, status, due_at, completed_at in items:
        assert due_at is not None, "selected by a range of due_at"
        phase = process_id if process_id in FOLLOW_UP_PHASES else "follow_up_1"
        if status is WorkItemStatus.CANCELLED:
            outcome = "missed"
        elif status is WorkItemStatus.OPEN:
            outcome = "overdue" if due_at <= now else "not_yet_due"
        else:
            # The step record is written in the same transaction as the completion, at the same instant.
            values = by_instant.get((case_id, completed_at), {}) if completed_at else {}
            if values.get("contact_made") is False:
                outcome = "missed"
            else:
                try:
                    visited = dt.date.fromisoformat(str(values["visit_date"]))
                except (KeyError, ValueError):
                    visited = _local_day(completed_at) if completed_at else _local_day(due_at)
                outcome = "late" if visited > _local_day(due_at) else "on_time"
        counts[phase, outcome] += 1
    return counts


def closures(session: Session, teams: Select[Any], start: dt.datetime, end: dt.datetime) -> Counter[str]:
    """Reason -> cases closed in [start, end) (a case closed twice counts twice)."""
    events = session.execute(
        select(CaseEvent.case_id, CaseEvent.at).join(Case, Case.id == CaseEvent.case_id)
        .where(Case.team_id.in_(teams), CaseEvent.kind == "closed", CaseEvent.at >= start, CaseEvent.at < end)
    ).all()  # fmt: skip
    records = step_records(session, teams, ("closure",), end)
    fields = (("closure", "reason"),)
    return Counter(last_value(records.get(case_id, []), at, fields, CLOSURE_REASONS) for case_id, at in events)


def lost_contact(session: Session, teams: Select[Any], start: dt.datetime, end: dt.datetime) -> Counter[str]:
    """entered / found / cannot_be_found -> lost-contact paths started or ended in [start, end)."""
    rows = session.execute(
        select(WorkflowInstance.started_at, WorkflowInstance.completed_at, WorkflowInstance.outcome)
        .join(Case, Case.id == WorkflowInstance.case_id)
        .where(Case.team_id.in_(teams), WorkflowInstance.process_id == "lost_contact")
    ).all()  # fmt: skip
    counts: Counter[str] = Counter()
    for started_at, completed_at, outcome in rows:
        if start <= started_at < end:
            counts["entered"] += 1
        if completed_at is not None and start <= completed_at < end and outcome in ("found", "cannot_be_found"):
            counts[outcome] += 1
    return counts


def readmissions(session: Session, teams: Select[Any], start: dt.datetime, end: dt.datetime) -> Counter[str]:
    """Re-admissions from follow-up, and closed cases re-opened, in [start, end)."""
    from_follow_up = session.scalar(
        select(func.count()).select_from(WorkflowInstance).join(Case, Case.id == WorkflowInstance.case_id)
        .where(Case.team_id.in_(teams), WorkflowInstance.process_id.in_(FOLLOW_UP_PHASES),
               WorkflowInstance.outcome == "readmitted", WorkflowInstance.completed_at >= start,
               WorkflowInstance.completed_at < end)
    )  # fmt: skip
    reopened = session.scalar(
        select(func.count()).select_from(CaseEvent).join(Case, Case.id == CaseEvent.case_id)
        .where(Case.team_id.in_(teams), CaseEvent.kind == "reopened", CaseEvent.at >= start, CaseEvent.at < end)
    )  # fmt: skip
    return Counter({"readmitted_from_follow_up": from_follow_up or 0, "closed_case_reopened": reopened or 0})


@dataclass(frozen=True)
class Duration:
    """Days spent in one phase by the spells that ended in the period."""

    phase: str
    spells: int
    median_days: float | None
    mean_days: float | None


def days_per_phase(session: Session, teams: Select[Any], start: dt.datetime, end: dt.datetime) -> list[Duration]:
    """Median and mean days per phase over the phase spells that ended in [start, end)."""
    days: dict[str, list[float]] = defaultdict(list)
    for chain in _instances(session, teams, end).values():
        spell_phase, spell_start, spell_end = None, None, None
        for instance in [*chain, None]:
            if instance is not None and instance.process_id == spell_phase and spell_end == instance.started_at:
                spell_end = instance.completed_at
                continue
            if spell_phase and spell_start and spell_end and start <= spell_end < end:
                days[spell_phase].append((spell_end - spell_start).total_seconds() / 86400)
            if instance is None:
                break
            spell_phase, spell_start, spell_end = instance.process_id, instance.started_at, instance.completed_at
    return [
        Duration(phase, len(days[phase]),
                 round(statistics.median(days[phase]), 1) if days[phase] else None,
                 round(statistics.fmean(days[phase]), 1) if days[phase] else None)
        for phase in DURATION_ROWS
    ]  # fmt: skip
