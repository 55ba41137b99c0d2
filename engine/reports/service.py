"""Report use cases: the aggregate report for a scope and period, and the national case-level export.

Each checks the actor's scope itself and writes an audit line (what was seen or exported, for which
scope and period: never a case) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.db import transaction
from engine.errors import Forbidden
from engine.models.accounts import Organisation, Team, User
from engine.models.cases import Case, CaseEvent, CaseStatus, Phase
from engine.models.workflow import WorkflowInstance
from engine.reports import facts
from engine.reports.anonymise import Record, Release, k_anonymise
from engine.reports.period import Period
from engine.reports.scope import NATION, NOT_ALLOWED, Scope, is_national, require_scope, team_ids
from engine.reports.suppression import SMALL_CELL, Table, protect

PHASES = tuple(p.value for p in Phase)


@dataclass(frozen=True)
class Report:
    """Every table of the report, already protected; ``durations`` hide spells below the threshold."""

    scope: Scope
    period: Period
    admissions_by_age_and_sex: Table
    admissions_by_exploitation_and_sex: Table
    open_by_phase: Table
    reintegrations_by_placement: Table
    visits: Table
    closures_by_reason: Table
    lost_contact: Table
    readmissions: Table
    durations: list[facts.Duration]

    @property
    def tables(self) -> list[Table]:
        return [self.admissions_by_age_and_sex, self.admissions_by_exploitation_and_sex, self.open_by_phase,
                self.reintegrations_by_placement, self.visits, self.closures_by_reason, self.lost_contact,
                self.readmissions]  # fmt: skip


def build_report(
    *, session: Session, actor: User, scope: Scope, period: Period, now: dt.datetime, purpose: str = "viewed",
    threshold: int = SMALL_CELL,
) -> Report:  # fmt: skip
    """The report of ``scope`` over ``period``; ``purpose`` (viewed, csv, xlsx) goes into the audit line."""
    require_scope(session, actor, scope)
    teams = team_ids(scope)
    start, end = period.bounds()
    with transaction(session):
        admitted = facts.admissions(session, teams, start, end)
        by_age: dict[tuple[str, str], int] = defaultdict(int)
        by_kind: dict[tuple[str, str], int] = defaultdict(int)
        for a in admitted:
            by_age[a.age_band, a.sex] += 1
            by_kind[a.exploitation, a.sex] += 1
        single = "count"
        report = Report(
            scope=scope, period=period,
            admissions_by_age_and_sex=protect("admissions_by_age_and_sex", list(facts.AGE_BANDS), list(facts.SEXES),
                                              dict(by_age), threshold=threshold),
            admissions_by_exploitation_and_sex=protect("admissions_by_exploitation_and_sex", list(facts.EXPLOITATION),
                                                       list(facts.SEXES), dict(by_kind), threshold=threshold),
            open_by_phase=protect("open_by_phase", [p for p in PHASES], list(facts.OPEN_COLUMNS),
                                  dict(facts.open_by_phase(session, teams, end)), threshold=threshold),
            reintegrations_by_placement=protect(
                "reintegrations_by_placement", list(facts.PLACEMENTS), [single],
                {(k, single): n for k, n in facts.reintegrations(session, teams, start, end).items()},
                threshold=threshold),
            visits=protect("visits", list(facts.FOLLOW_UP_PHASES), list(facts.VISIT_OUTCOMES),
                           dict(facts.visits(session, teams, start, end, now)), threshold=threshold),
            closures_by_reason=protect(
                "closures_by_reason", list(facts.CLOSURE_REASONS), [single],
                {(k, single): n for k, n in facts.closures(session, teams, start, end).items()}, threshold=threshold),
            lost_contact=protect(
                "lost_contact", list(facts.LOST_CONTACT_ROWS), [single],
                {(k, single): n for k, n in facts.lost_contact(session, teams, start, end).items()},
                threshold=threshold, additive=False),
            readmissions=protect(
                "readmissions", list(facts.READMISSION_ROWS), [single],
                {(k, single): n for k, n in facts.readmissions(session, teams, start, end).items()},
                threshold=threshold),
            durations=[d if d.spells >= threshold else facts.Duration(d.phase, d.spells, None, None)
                       for d in facts.days_per_phase(session, teams, start, end)],
        )  # fmt: skip
        audit.record(session=session, now=now, actor_id=actor.id, action="report_" + purpose,
                     detail=f"scope={scope.token} period={period.key}")  # fmt: skip
    return report


# The case-level export's columns: HTCDS field names where the standard has the field, CTDC's otherwise,
# our own (camelCase) where neither has one. (name, source).
CASE_FIELDS = (
    ("prs_Gender", "HTCDS Person: Gender (Male, Female, Unknown; 'other' is published as Unknown)"),
    ("ageBroad", "CTDC ageBroad: age band at admission (HTCDS has only the date of birth, never exported)"),
    ("org_ShippingState", "HTCDS Organisation: State/Province of the shelter that holds the case (code)"),
    ("cas_IncomingReferralDate", "HTCDS Case: Incoming Referral Date, generalised to the quarter of admission"),
    ("typeOfExploitation", "CTDC typeOfExploit (HTCDS v0.2 has only labour and sex sub-types)"),
    ("cas_Status", "HTCDS Case: Status (Active, FollowUp, Closed, ClosedReferred) now"),
    ("cas_ReasonForCaseClosure", "HTCDS Case: Reason for Case Closure (a code of the closure form)"),
    ("placementType", "no standard field: placement of the last reintegration plan"),
    ("readmitted", "no standard field: re-admitted or re-opened at least once (yes/no)"),
)
GENDERS = {"female": "Female", "male": "Male"}
NOT_RECORDED_FIELDS = ("prs_Nationality", "vic_MethodOfRecruitment", "vic_MethodsOfControl",
                       "vic_TypeOfLabourExploitation", "vic_TypeOfSexExploitation")  # fmt: skip


def _status(case: Case, reason: str) -> str:
    if case.status is CaseStatus.CLOSED:
        return "ClosedReferred" if reason == "transferred" else "Closed"
    if case.status is CaseStatus.LOST_CONTACT or case.phase.value in facts.FOLLOW_UP_PHASES:
        return "FollowUp"
    return "Active"


def case_records(session: Session, period: Period, now: dt.datetime) -> list[Record]:
    """One de-identified record per case admitted in ``period`` (nationwide), before k-anonymisation."""
    start, end = period.bounds()
    admitted = facts.admissions(session, select(Team.id), start, end)
    ids = [a.case_id for a in admitted]
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
    provinces = dict(session.execute(select(Team.id, Organisation.province_code).join(Team.organisation)).all())
    all_teams = select(Team.id)
    until = now + dt.timedelta(seconds=1)
    records = facts.step_records(session, all_teams, ("closure", "reintegration_plan", "case_conference"), until)
    readmitted = set(session.scalars(
        select(WorkflowInstance.case_id).where(WorkflowInstance.case_id.in_(ids),
                                               WorkflowInstance.outcome == "readmitted")))  # fmt: skip
    readmitted |= set(session.scalars(select(CaseEvent.case_id).where(CaseEvent.case_id.in_(ids),
                                                                      CaseEvent.kind == "reopened")))  # fmt: skip
    out: list[Record] = []
    for a in admitted:
        case = cases[a.case_id]
        history = records.get(a.case_id, [])
        reason = facts.last_value(history, now, (("closure", "reason"),), facts.CLOSURE_REASONS)
        reason = reason if case.status is CaseStatus.CLOSED else ""
        placement = facts.last_value(history, now, (("reintegration_plan", "placement_type"),
                                                     ("case_conference", "placement")), facts.PLACEMENTS)  # fmt: skip
        quarter = f"{a.opened_on.year}-Q{(a.opened_on.month - 1) // 3 + 1}"
        out.append({
            "prs_Gender": GENDERS.get(a.sex, "Unknown"), "ageBroad": a.age_band,
            "org_ShippingState": provinces.get(a.team_id, ""), "cas_IncomingReferralDate": quarter,
            "typeOfExploitation": a.exploitation, "cas_Status": _status(case, reason),
            "cas_ReasonForCaseClosure": reason, "placementType": placement,
            "readmitted": "yes" if a.case_id in readmitted else "no",
        })  # fmt: skip
    return out


def case_level_export(*, session: Session, actor: User, period: Period, now: dt.datetime, k: int) -> Release:
    """The k-anonymised case-level records of ``period`` for the national secretariat only."""
    if not is_national(actor):
        raise Forbidden(NOT_ALLOWED)
    require_scope(session, actor, NATION)
    with transaction(session):
        release = k_anonymise(case_records(session, period, now), k=k)
        audit.record(session=session, now=now, actor_id=actor.id, action="report_case_export",
                     detail=f"scope=nation period={period.key} k={k} records={len(release.records)} "
                            f"withheld={release.withheld}")  # fmt: skip
    return release
