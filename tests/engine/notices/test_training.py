"""Training reminders (once per training per threshold, to the staff member and their supervisors) and the
warning to the supervisors when work goes to a caseworker without a required training."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.orm import Session

from engine.cases.service import NewSurvivor
from engine.jobs.training import remind_training
from engine.models.accounts import Role, Team, TrainingRecord, User
from engine.models.cases import Sex
from engine.notices.rules import Rules
from engine.workflow.assignments import reassign_case
from engine.workflow.service import Runtime, admit_case
from tests.engine.notices.scenarios import at, inbox_recipients, notices
from tests.factories import Factory

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def team(factory: Factory) -> Team:
    return factory.team()


def trained(session: Session, user: User, course: str, expires_on: dt.date) -> TrainingRecord:
    record = TrainingRecord(user_id=user.id, course=course, completed_on=dt.date(2024, 1, 1), expires_on=expires_on)
    session.add(record)
    session.commit()
    return record


def fully_trained(session: Session, user: User) -> None:
    for course in ("udhr", "minimum_standards"):
        trained(session, user, course, TODAY + dt.timedelta(days=500))


def remind(session: Session, days: float = 0) -> int:
    return remind_training(session=session, now=at(days), rules=Rules(), warning_days=60).created


def test_an_expiring_training_is_told_once_then_once_more_when_it_expires(
    session: Session, factory: Factory, team: Team
) -> None:
    supervisor = factory.user(Role.SUPERVISOR, team)
    worker = factory.user(Role.CASEWORKER, team)
    fully_trained(session, supervisor)
    record = trained(session, worker, "udhr", TODAY + dt.timedelta(days=70))
    trained(session, worker, "minimum_standards", TODAY + dt.timedelta(days=900))
    assert remind(session) == 0  # 70 days left: outside the warning period
    assert remind(session, 10) == 1  # 60 days left
    assert remind(session, 10) == 0  # the rerun writes nothing
    assert remind(session, 11) == 0  # nor the next day's run
    (expiring,) = notices(session)
    assert (expiring.kind, expiring.subject, expiring.period) == (
        "training_expiring", f"training:{record.id}", "2027-02-07")  # fmt: skip
    assert inbox_recipients(session, expiring) == sorted([worker.id, supervisor.id])
    assert json.loads(expiring.payload) == {"course": "udhr", "expires_on": "2027-02-07",
                                            "staff": worker.display_name, "warning_days": 60}  # fmt: skip
    assert remind(session, 70) == 1  # expired today
    assert remind(session, 71) == 0
    assert [n.kind for n in notices(session)] == ["training_expiring", "training_expired"]


def test_a_renewed_training_stops_the_reminders(session: Session, factory: Factory, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    trained(session, worker, "udhr", TODAY + dt.timedelta(days=10))
    trained(session, worker, "minimum_standards", TODAY + dt.timedelta(days=900))
    assert remind(session) == 1
    trained(session, worker, "udhr", TODAY + dt.timedelta(days=730))
    assert remind(session, 11) == 0  # the old training expired, but the new one counts
    assert len(notices(session)) == 1


def test_untrained_staff_and_other_roles_get_no_reminder(session: Session, factory: Factory, team: Team) -> None:
    factory.user(Role.CASEWORKER, team)  # never trained: the register shows them, no daily reminder
    admin = factory.user(Role.ADMINISTRATOR)
    trained(session, admin, "udhr", TODAY)  # an administrator is not in the register
    assert remind(session) == 0
    assert notices(session) == []


def test_a_staff_member_without_a_team_is_told_alone(session: Session, factory: Factory) -> None:
    officer = factory.officer(factory.office())
    trained(session, officer, "udhr", TODAY - dt.timedelta(days=1))
    assert remind(session) == 1
    (expired,) = notices(session)
    assert expired.kind == "training_expired"
    assert inbox_recipients(session, expired) == [officer.id]


def _case_of(session: Session, factory: Factory, team: Team) -> tuple[User, User, User, int]:
    supervisor = factory.user(Role.SUPERVISOR, team)
    worker, untrained = factory.user(Role.CASEWORKER, team), factory.user(Role.CASEWORKER, team)
    fully_trained(session, worker)
    case = factory.case(worker)
    return supervisor, worker, untrained, case.id


def test_reassigning_a_case_to_an_untrained_caseworker_warns_the_supervisor(
    session: Session, factory: Factory, team: Team
) -> None:
    supervisor, _worker, untrained, case_id = _case_of(session, factory, team)
    trained(session, untrained, "minimum_standards", TODAY)  # expires today: expired
    case = reassign_case(session=session, actor=supervisor, now=at(), case_id=case_id, caseworker_id=untrained.id,
                         reason="Synthetic: workload")  # fmt: skip
    assert case.caseworker_id == untrained.id  # the assignment still happens
    (warning,) = notices(session, "training_assignment")
    assert inbox_recipients(session, warning) == [supervisor.id]
    assert json.loads(warning.payload) == {
        "case_code": case.code, "staff": untrained.display_name, "step": None,
        "gaps": [{"course": "udhr", "expires_on": None}, {"course": "minimum_standards", "expires_on": "2026-11-29"}],
    }  # fmt: skip


def test_reassigning_to_a_trained_caseworker_warns_nobody(session: Session, factory: Factory, team: Team) -> None:
    supervisor, worker, untrained, case_id = _case_of(session, factory, team)
    reassign_case(session=session, actor=supervisor, now=at(), case_id=case_id, caseworker_id=untrained.id,
                  reason="Synthetic: workload")  # fmt: skip
    reassign_case(session=session, actor=supervisor, now=at(1), case_id=case_id, caseworker_id=worker.id,
                  reason="Synthetic: back")  # fmt: skip
    assert len(notices(session, "training_assignment")) == 1  # the first one only


def test_an_expiring_training_is_no_reason_to_warn(session: Session, factory: Factory, team: Team) -> None:
    supervisor, _worker, other, case_id = _case_of(session, factory, team)
    trained(session, other, "udhr", TODAY + dt.timedelta(days=5))
    trained(session, other, "minimum_standards", TODAY + dt.timedelta(days=5))
    reassign_case(session=session, actor=supervisor, now=at(), case_id=case_id, caseworker_id=other.id,
                  reason="Synthetic: workload")  # fmt: skip
    assert notices(session, "training_assignment") == []


def test_admitting_a_case_for_an_untrained_caseworker_warns_the_supervisor(
    session: Session, factory: Factory, team: Team, runtime: Runtime
) -> None:
    supervisor = factory.user(Role.SUPERVISOR, team)
    untrained = factory.user(Role.CASEWORKER, team)
    case = admit_case(session=session, runtime=runtime, actor=supervisor, now=at(), team_id=team.id,
                      survivor=NewSurvivor(sex=Sex.FEMALE, given_name_latin="Testperson"),
                      caseworker_id=untrained.id)  # fmt: skip
    (warning,) = notices(session, "training_assignment")
    assert warning.case_id == case.id
    assert inbox_recipients(session, warning) == [supervisor.id]
