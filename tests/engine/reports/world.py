"""A hand-built report dataset: two shelters in two provinces, cases whose whole history (workflow
instances, visits, step records, events) is written directly, so every number of the report for
2026-Q3 (the last full quarter before NOW) is known by hand. The expectations live in the tests.

Every instant is 03:00 UTC (10:00 in Phnom Penh), far from any day boundary.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.db import transaction
from engine.models.accounts import Organisation, OrganisationKind, Role, Team, User
from engine.models.cases import Case, CaseEvent, CaseRecord, CaseStatus, History, Phase, Sex
from engine.models.workflow import InstanceStatus, WorkflowInstance, WorkflowSpec, WorkItem, WorkItemStatus
from tests.factories import Factory

SECRET_NAMES = ("Reportperson", "Synthetic")  # every case of the world is called so; no export may say it


def day(month: int, d: int, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, d, 3, 0, tzinfo=dt.UTC)


@dataclass
class ReportWorld:
    shelter_a: Organisation  # province 12 (Phnom Penh)
    shelter_b: Organisation  # province 02 (Battambang)
    worker_a: User
    supervisor_a: User
    supervisor_b: User
    national: User  # reporting, no organisation
    provincial: User  # reporting, attached to a DoSVY office in province 12
    cases: list[Case]


class Builder:
    def __init__(self, session: Session, factory: Factory) -> None:
        self.session, self.factory = session, factory

    def spec(self) -> None:
        with transaction(self.session):
            if self.session.get(WorkflowSpec, "test@0") is None:
                self.session.add(WorkflowSpec(key="test@0", process_id="test", files="{}", deployed_at=day(1, 1)))

    def case(self, worker: User, *, opened: dt.datetime, sex: Sex, born: dt.date | None,
             exploitation: str | None) -> Case:  # fmt: skip
        case = self.factory.case(worker, sex=sex, date_of_birth=born, given_name_latin=SECRET_NAMES[0],
                                 family_name_latin=SECRET_NAMES[1])  # fmt: skip
        with transaction(self.session):
            case.opened_at = opened
            self.session.add(History(case_id=case.id, updated_at=opened, form_of_exploitation=exploitation))
        return case

    def chain(self, case: Case, steps: list[tuple[str, dt.datetime, dt.datetime | None, str | None]]) -> list[int]:
        """Main-chain instances (process, started, completed, outcome); the last decides phase and status."""
        ids = []
        with transaction(self.session):
            previous = None
            for process, started, completed, outcome in steps:
                row = WorkflowInstance(
                    case_id=case.id, process_id=process, spec_key="test@0", state="{}", started_at=started,
                    completed_at=completed, outcome=outcome, previous_id=previous,
                    status=InstanceStatus.RUNNING if completed is None else InstanceStatus.COMPLETED,
                )  # fmt: skip
                self.session.add(row)
                self.session.flush()
                previous = row.id
                ids.append(row.id)
            last, _s, completed, _o = steps[-1]
            if last == "lost_contact":
                case.status = CaseStatus.LOST_CONTACT
            elif last == "closure" and completed is not None:
                case.phase, case.status, case.closed_at = Phase.CLOSURE, CaseStatus.CLOSED, completed
                self.session.add(CaseEvent(case_id=case.id, at=completed, kind="closed", summary="Case closed"))
            else:
                case.phase = Phase(last)
        return ids

    def record(self, case: Case, form_key: str, at: dt.datetime, **values: object) -> None:
        with transaction(self.session):
            self.session.add(CaseRecord(case_id=case.id, form_key=form_key, step=form_key, recorded_at=at,
                                        data=json.dumps(values)))  # fmt: skip

    def visit(self, case: Case, instance_id: int, process: str, due: dt.datetime, status: WorkItemStatus,
              completed: dt.datetime | None = None, **record: object) -> None:  # fmt: skip
        with transaction(self.session):
            self.session.add(WorkItem(
                case_id=case.id, instance_id=instance_id, task_id=f"t{due:%m%d}", task_name="conduct_visit",
                title="Follow-up visit", form_key="follow_up_visit", process_id=process, role=Role.CASEWORKER,
                team_id=case.team_id, status=status, due_at=due, created_at=due - dt.timedelta(days=7),
                completed_at=completed,
            ))  # fmt: skip
        if completed is not None:
            self.record(case, "follow_up_visit", completed, **record)


def _shelter(session: Session, name: str, province: str) -> tuple[Organisation, Team]:
    with transaction(session):
        org = Organisation(name=name, kind=OrganisationKind.GOVERNMENT_SHELTER, province_code=province)
        session.add(org)
        session.flush()
        team = Team(organisation_id=org.id, name=f"{name} team")
        session.add(team)
    return org, team


def build(session: Session, factory: Factory) -> ReportWorld:
    """The world the expectations in ``test_report_numbers`` were computed by hand from."""
    b = Builder(session, factory)
    b.spec()
    shelter_a, team_a = _shelter(session, "Report Shelter A", "12")
    shelter_b, team_b = _shelter(session, "Report Shelter B", "02")
    worker_a = factory.user(Role.CASEWORKER, team_a, username="rep.worker.a")
    worker_b = factory.user(Role.CASEWORKER, team_b, username="rep.worker.b")
    supervisor_a = factory.user(Role.SUPERVISOR, team_a, username="rep.sup.a")
    supervisor_b = factory.user(Role.SUPERVISOR, team_b, username="rep.sup.b")
    national = factory.user(Role.REPORTING, username="rep.national")
    provincial = factory.user(Role.REPORTING, username="rep.provincial")
    with transaction(session):
        office = Organisation(name="Report DoSVY Office 12", kind=OrganisationKind.DOSVY_OFFICE, province_code="12")
        session.add(office)
        session.flush()
        provincial.organisation_id = office.id
    session.refresh(provincial)
    cases: list[Case] = []

    def admit(opened: dt.datetime, sex: Sex, born: dt.date | None, kind: str | None, worker: User = worker_a) -> Case:
        case = b.case(worker, opened=opened, sex=sex, born=born, exploitation=kind)
        cases.append(case)
        return case

    # Shelter A, admitted in Q3: six girls aged 16 (labour), still in pre-reintegration.
    for i in range(6):
        c = admit(day(7, 1 + i), Sex.FEMALE, dt.date(2010, 1, 1), "labour")
        b.chain(c, [("pre_reintegration", day(7, 1 + i), None, None)])
    # Two young women (sexual exploitation), reintegrated; one then lost contact, one re-admitted.
    f1 = admit(day(7, 1), Sex.FEMALE, dt.date(2004, 3, 1), "sexual")
    f1_ids = b.chain(f1, [
        ("pre_reintegration", day(7, 1), day(7, 11), "ready_for_reintegration"),
        ("reintegration", day(7, 11), day(7, 21), "reintegrated"),
        ("follow_up_1", day(7, 21), day(8, 20), "visit_done"),
        ("follow_up_1", day(8, 20), day(9, 10), "lost_contact"),
        ("lost_contact", day(9, 10), None, None),
    ])  # fmt: skip
    b.record(f1, "reintegration_plan", day(7, 10), placement_type="community")
    b.visit(f1, f1_ids[2], "follow_up_1", day(8, 15), WorkItemStatus.COMPLETED, day(8, 20),
            visit_date="2026-08-18", contact_made=True)  # fmt: skip
    b.visit(f1, f1_ids[3], "follow_up_1", day(9, 5), WorkItemStatus.COMPLETED, day(9, 10),
            visit_date="2026-09-05", contact_made=False)  # fmt: skip
    f2 = admit(day(7, 2), Sex.FEMALE, dt.date(2004, 3, 1), "sexual")
    f2_ids = b.chain(f2, [
        ("pre_reintegration", day(7, 2), day(7, 12), "ready_for_reintegration"),
        ("reintegration", day(7, 12), day(7, 22), "reintegrated"),
        ("follow_up_1", day(7, 22), day(8, 30), "readmitted"),
        ("pre_reintegration", day(8, 30), None, None),
    ])  # fmt: skip
    b.record(f2, "case_conference", day(7, 11), placement="independent")  # no plan record: the conference's
    b.visit(f2, f2_ids[2], "follow_up_1", day(8, 25), WorkItemStatus.CANCELLED)
    # Seven men aged 30 (labour), reintegrated and closed in Q3: six goals met, one chose to stop.
    for i in range(7):
        m = admit(day(7, 3), Sex.MALE, dt.date(1996, 1, 1), "labour")
        b.chain(m, [
            ("pre_reintegration", day(7, 3), day(7, 23), "ready_for_reintegration"),
            ("reintegration", day(7, 23), day(8, 2), "reintegrated"),
            ("closure", day(8, 2), day(8, 12), "closed"),
        ])  # fmt: skip
        b.record(m, "reintegration_plan", day(7, 20), placement_type="family_of_origin" if i < 5 else "extended_family")
        b.record(m, "closure", day(8, 11), reason="goals_met" if i < 6 else "survivor_chose_to_stop")
    # A boy aged 15 (begging), in reintegration at the end of Q3.
    boy = admit(day(7, 4), Sex.MALE, dt.date(2011, 2, 1), "begging")
    b.chain(boy, [("pre_reintegration", day(7, 4), day(7, 14), "ready"), ("reintegration", day(7, 14), None, None)])
    # Admitted in Q2 (not an admission of Q3): in Type 2 follow-up, six visits due in Q3, re-opened once.
    old = admit(day(6, 15), Sex.FEMALE, dt.date(1980, 1, 1), "other")
    (old_instance,) = b.chain(old, [("follow_up_2", day(6, 20), None, None)])
    for d in (10, 17, 24, 31):
        b.visit(old, old_instance, "follow_up_2", day(7, d), WorkItemStatus.COMPLETED, day(7, d),
                visit_date=f"2026-07-{d:02d}", contact_made=True)  # fmt: skip
    b.visit(old, old_instance, "follow_up_2", day(8, 7), WorkItemStatus.COMPLETED, day(8, 7),
            visit_date="2026-08-07", contact_made=True)  # fmt: skip
    b.visit(old, old_instance, "follow_up_2", day(9, 20), WorkItemStatus.OPEN)
    b.visit(old, old_instance, "follow_up_2", day(10, 15), WorkItemStatus.OPEN)  # due in Q4: not counted
    with transaction(session):
        session.add(CaseEvent(case_id=old.id, at=day(9, 1), kind="reopened", summary="Case re-opened"))
    # Admitted in Q4: not counted anywhere in Q3.
    late = admit(day(10, 5), Sex.FEMALE, dt.date(2000, 1, 1), "labour")
    b.chain(late, [("pre_reintegration", day(10, 5), None, None)])
    # Shelter B (province 02): three women admitted in Q3.
    for i in range(3):
        c = admit(day(8, 1 + i), Sex.FEMALE, dt.date(1990, 1, 1), "labour", worker_b)
        b.chain(c, [("pre_reintegration", day(8, 1 + i), None, None)])
    return ReportWorld(shelter_a, shelter_b, worker_a, supervisor_a, supervisor_b, national, provincial, cases)
