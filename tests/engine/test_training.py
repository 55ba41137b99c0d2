"""The staff training register: recording a training, each refusal, scope, and the register's standings."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine.accounts.training import (
    COURSE_UNKNOWN,
    DATE_IN_FUTURE,
    DATE_REQUIRED,
    EXPIRY_NOT_AFTER,
    TRAINER_REQUIRED,
    TRAINER_TOO_LONG,
    NewTraining,
    Standing,
    TrainingRules,
    record_training,
    recordable_staff,
    training_gaps,
    training_register,
    trainings_of,
)
from engine.config import ConfigError, Settings
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role, Team, TrainingRecord, User
from engine.models.security import AuditEvent
from tests.conftest import NOW
from tests.factories import Factory

TODAY = dt.date(2026, 11, 29)  # NOW in Phnom Penh
RULES = TrainingRules(validity_days=365, warning_days=60)


@pytest.fixture
def team(factory: Factory) -> Team:
    return factory.team()


@pytest.fixture
def admin(factory: Factory) -> User:
    return factory.user(Role.ADMINISTRATOR)


@pytest.fixture
def worker(factory: Factory, team: Team) -> User:
    return factory.user(Role.CASEWORKER, team)


def a_training(user: User, **changes: object) -> NewTraining:
    new = NewTraining(user_id=user.id, course="udhr", completed_on=TODAY - dt.timedelta(days=10),
                      trainer="Synthetic Trainer")  # fmt: skip
    return replace(new, **changes)  # type: ignore[arg-type]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(TrainingRecord)) or 0


def test_a_training_gets_its_expiry_from_the_validity_period_and_is_audited(
    session: Session, admin: User, worker: User
) -> None:
    record = record_training(session=session, actor=admin, now=NOW, new=a_training(worker), rules=RULES)
    assert record.expires_on == TODAY - dt.timedelta(days=10) + dt.timedelta(days=365)
    assert (record.recorded_by_id, record.recorded_at) == (admin.id, NOW)
    line = session.scalar(select(AuditEvent).where(AuditEvent.action == "training_recorded"))
    assert line is not None
    assert line.actor_id == admin.id
    assert line.detail == f"training={record.id} user={worker.id} course=udhr"
    assert "Synthetic" not in line.detail


def test_an_expiry_date_given_is_kept(session: Session, admin: User, worker: User) -> None:
    expiry = TODAY + dt.timedelta(days=30)
    record = record_training(session=session, actor=admin, now=NOW, new=a_training(worker, expires_on=expiry),
                             rules=RULES)  # fmt: skip
    assert record.expires_on == expiry


def test_the_trainer_is_stored_encrypted(session: Session, admin: User, worker: User) -> None:
    record = record_training(session=session, actor=admin, now=NOW, new=a_training(worker), rules=RULES)
    raw = session.execute(text("SELECT trainer FROM training_records WHERE id = :id"), {"id": record.id}).scalar()
    assert raw
    assert "Synthetic" not in raw
    assert record.trainer == "Synthetic Trainer"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"course": "juggling"}, "course", COURSE_UNKNOWN),
        ({"completed_on": None}, "completed_on", DATE_REQUIRED),
        ({"completed_on": TODAY + dt.timedelta(days=1)}, "completed_on", DATE_IN_FUTURE),
        ({"expires_on": TODAY - dt.timedelta(days=10)}, "expires_on", EXPIRY_NOT_AFTER),
        ({"expires_on": TODAY - dt.timedelta(days=11)}, "expires_on", EXPIRY_NOT_AFTER),
        ({"trainer": "   "}, "trainer", TRAINER_REQUIRED),
        ({"trainer": "x" * 201}, "trainer", TRAINER_TOO_LONG),
    ],
)
def test_a_bad_training_is_refused_with_its_field_and_nothing_is_written(
    session: Session, admin: User, worker: User, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        record_training(session=session, actor=admin, now=NOW, new=a_training(worker, **changes), rules=RULES)
    assert refused.value.fields == {field: message}
    assert count(session) == 0


def test_a_training_today_is_accepted(session: Session, admin: User, worker: User) -> None:
    record_training(session=session, actor=admin, now=NOW, new=a_training(worker, completed_on=TODAY), rules=RULES)
    assert count(session) == 1


def test_a_course_outside_the_configured_list_is_refused(session: Session, admin: User, worker: User) -> None:
    rules = TrainingRules(courses=("udhr", "minimum_standards"))
    with pytest.raises(InvalidInput):
        record_training(session=session, actor=admin, now=NOW, new=a_training(worker, course="child_protection"),
                        rules=rules)  # fmt: skip
    assert count(session) == 0


def test_a_supervisor_records_for_their_own_shelter_only(
    session: Session, factory: Factory, team: Team, worker: User
) -> None:
    supervisor = factory.user(Role.SUPERVISOR, team)
    record_training(session=session, actor=supervisor, now=NOW, new=a_training(worker), rules=RULES)
    other = factory.user(Role.CASEWORKER, factory.team())
    with pytest.raises(NotFound):
        record_training(session=session, actor=supervisor, now=NOW, new=a_training(other), rules=RULES)
    assert count(session) == 1
    assert [u.id for u in recordable_staff(session=session, actor=supervisor)] == sorted([supervisor.id, worker.id])
    with pytest.raises(NotFound):
        trainings_of(session=session, actor=supervisor, user_id=other.id)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.REPORTING, Role.DOSVY_OFFICER])
def test_other_roles_may_not_record(session: Session, factory: Factory, team: Team, worker: User, role: Role) -> None:
    someone = factory.user(role, team if role is Role.CASEWORKER else None)
    with pytest.raises(Forbidden):
        record_training(session=session, actor=someone, now=NOW, new=a_training(worker), rules=RULES)
    with pytest.raises(Forbidden):
        training_register(session=session, actor=someone, now=NOW, rules=RULES)
    assert count(session) == 0


def test_a_training_for_an_unknown_or_inactive_user_is_refused(session: Session, admin: User, worker: User) -> None:
    with pytest.raises(NotFound):
        record_training(session=session, actor=admin, now=NOW, new=replace(a_training(worker), user_id=999_999),
                        rules=RULES)  # fmt: skip
    worker.active = False
    session.flush()
    with pytest.raises(NotFound):
        record_training(session=session, actor=admin, now=NOW, new=a_training(worker), rules=RULES)
    assert count(session) == 0


def test_the_register_shows_untrained_expired_expiring_and_current(
    session: Session, factory: Factory, admin: User, team: Team, worker: User
) -> None:
    def record(user: User, course: str, expires_in: int) -> None:
        record_training(session=session, actor=admin, now=NOW, rules=RULES, new=a_training(
            user, course=course, completed_on=TODAY - dt.timedelta(days=400),
            expires_on=TODAY + dt.timedelta(days=expires_in)))  # fmt: skip

    trained = factory.user(Role.CASEWORKER, team)
    record(trained, "udhr", 100)
    record(trained, "minimum_standards", 61)
    record(worker, "udhr", 0)  # expires today: expired
    record(worker, "udhr", -30)  # an older one does not count
    record(worker, "minimum_standards", 60)  # within the warning period
    [shelter] = training_register(session=session, actor=admin, now=NOW, rules=RULES,
                                  organisation_id=team.organisation_id)  # fmt: skip
    standing = {s.user_id: {c.course: c.standing for c in s.courses} for s in shelter.staff}
    assert standing[trained.id] == {"udhr": Standing.CURRENT, "minimum_standards": Standing.CURRENT}
    assert standing[worker.id] == {"udhr": Standing.EXPIRED, "minimum_standards": Standing.EXPIRING}
    assert [s.user_id for s in shelter.with_gaps] == [worker.id]
    assert [c.course for c in training_gaps(session=session, user=worker, today=TODAY)] == ["udhr"]


def test_a_supervisor_sees_only_their_own_shelter(session: Session, factory: Factory, team: Team) -> None:
    supervisor = factory.user(Role.SUPERVISOR, team)
    other_team = factory.team()
    factory.user(Role.CASEWORKER, other_team)
    registers = training_register(session=session, actor=supervisor, now=NOW, rules=RULES)
    assert [r.organisation_id for r in registers] == [team.organisation_id]
    assert [s.user_id for s in registers[0].staff] == [supervisor.id]
    assert registers[0].staff[0].gaps[0].standing is Standing.UNTRAINED
    with pytest.raises(NotFound):
        training_register(session=session, actor=supervisor, now=NOW, rules=RULES,
                          organisation_id=other_team.organisation_id)  # fmt: skip


def test_an_administrator_sees_every_shelter(session: Session, factory: Factory, admin: User, worker: User) -> None:
    other = factory.user(Role.CASEWORKER, factory.team())
    registers = training_register(session=session, actor=admin, now=NOW, rules=RULES)
    people = {s.user_id for r in registers for s in r.staff}
    assert {worker.id, other.id} <= people
    assert admin.id not in people
    with pytest.raises(NotFound):
        training_register(session=session, actor=admin, now=NOW, rules=RULES, organisation_id=999_999)


def test_settings_always_include_the_required_courses() -> None:
    settings = Settings.from_env({"REINTEGRA_TRAINING_COURSES": "first_aid"})
    assert settings.training_courses == ("udhr", "minimum_standards", "first_aid")
    assert TrainingRules.from_settings(settings).courses == settings.training_courses
    with pytest.raises(ConfigError):
        Settings(training_courses=("udhr",))
    with pytest.raises(ConfigError):
        Settings.from_env({"REINTEGRA_TRAINING_COURSES": "First Aid!"})
    with pytest.raises(ConfigError):
        Settings(training_warning_days=0)
