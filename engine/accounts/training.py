"""The staff training register: record a course a staff member completed, and who is untrained or expiring.

The seed requires every staff member of a service provider to be trained on the Universal Declaration of
Human Rights and on the Policy and Minimum Standards on Protection of the Rights of Victims of Human
Trafficking (``REQUIRED_COURSES``). An administrator records trainings for anyone; a supervisor for the
staff of their own organisation (shelter) only. Each record is audited with ids and the course key,
never the trainer's name (free text, kept encrypted). Dates are days in Cambodia (``local_today``).
Messages are English message ids (the web layer translates them).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import local_today
from engine.config import REQUIRED_COURSES, STANDARD_COURSES, Settings
from engine.db import transaction
from engine.errors import N_, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Organisation, Role, TrainingRecord, User

# Who the register is about: the people who work with survivors' cases.
STAFF_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.DOSVY_OFFICER)
TRAINER_MAX = 200

NOT_RECORDED = N_("The training was not recorded.")
RECORDERS_ONLY = N_("Only administrators, and supervisors for their own shelter's staff, keep the training register.")
NO_STAFF_MEMBER = N_("There is no such staff member, or they are not yours to record.")
COURSE_UNKNOWN = N_("Choose a course from the list.")
DATE_REQUIRED = N_("Enter the date of the training.")
DATE_IN_FUTURE = N_("The training date cannot be in the future.")
EXPIRY_NOT_AFTER = N_("The expiry date must be after the training date.")
TRAINER_REQUIRED = N_("Enter who gave the training.")
TRAINER_TOO_LONG = N_("The trainer's name is too long (at most 200 characters).")
NO_SHELTER = N_("There is no such organisation, or it is not yours to see.")

MESSAGES = (NOT_RECORDED, RECORDERS_ONLY, NO_STAFF_MEMBER, COURSE_UNKNOWN, DATE_REQUIRED, DATE_IN_FUTURE,
            EXPIRY_NOT_AFTER, TRAINER_REQUIRED, TRAINER_TOO_LONG, NO_SHELTER)  # fmt: skip


@dataclass(frozen=True)
class TrainingRules:
    """Which courses exist, how long one counts without an expiry date, how early the register warns."""

    courses: tuple[str, ...] = STANDARD_COURSES
    validity_days: int = 730
    warning_days: int = 60

    @classmethod
    def from_settings(cls, settings: Settings) -> TrainingRules:
        """The rules the settings describe."""
        return cls(settings.training_courses, settings.training_validity_days, settings.training_warning_days)


@dataclass(frozen=True)
class NewTraining:
    """What someone types for one training."""

    user_id: int
    course: str
    completed_on: dt.date | None
    trainer: str
    expires_on: dt.date | None = None  # default: completed_on + the validity period


class Standing(enum.StrEnum):
    """Where a staff member stands on one required course, at one day."""

    UNTRAINED = "untrained"
    EXPIRED = "expired"
    EXPIRING = "expiring"
    CURRENT = "current"


@dataclass(frozen=True)
class CourseStanding:
    course: str
    standing: Standing
    expires_on: dt.date | None  # of the newest training of the course; None when untrained
    record_id: int | None


@dataclass(frozen=True)
class StaffStanding:
    """One staff member and where they stand on every required course."""

    user_id: int
    display_name: str
    role: Role
    team_id: int | None
    courses: tuple[CourseStanding, ...]

    @property
    def gaps(self) -> tuple[CourseStanding, ...]:
        """The required courses this person is untrained on, expired or expiring."""
        return tuple(c for c in self.courses if c.standing is not Standing.CURRENT)


@dataclass(frozen=True)
class ShelterRegister:
    """The register of one organisation: every active staff member, those with gaps first."""

    organisation_id: int
    organisation_name: str
    staff: tuple[StaffStanding, ...]

    @property
    def with_gaps(self) -> tuple[StaffStanding, ...]:
        return tuple(s for s in self.staff if s.gaps)


def may_record_for(actor: User, staff: User) -> bool:
    """An administrator records for anyone; a supervisor for the active staff of their own organisation."""
    if not actor.active or not staff.active or staff.role not in STAFF_ROLES:
        return False
    if actor.role is Role.ADMINISTRATOR:
        return True
    return (
        actor.role is Role.SUPERVISOR
        and actor.organisation_id is not None
        and (staff.organisation_id == actor.organisation_id)
    )


def _require_recorder(actor: User) -> None:
    if not actor.active or actor.role not in (Role.ADMINISTRATOR, Role.SUPERVISOR):
        raise Forbidden(RECORDERS_ONLY)
    if actor.role is Role.SUPERVISOR and actor.organisation_id is None:
        raise Forbidden(RECORDERS_ONLY)


def training_problems(new: NewTraining, *, today: dt.date, rules: TrainingRules) -> dict[str, str]:
    """What is wrong with ``new`` (field name -> English message id); empty when fine."""
    problems: dict[str, str] = {}
    if new.course not in rules.courses:
        problems["course"] = COURSE_UNKNOWN
    if new.completed_on is None:
        problems["completed_on"] = DATE_REQUIRED
    elif new.completed_on > today:
        problems["completed_on"] = DATE_IN_FUTURE
    elif new.expires_on is not None and new.expires_on <= new.completed_on:
        problems["expires_on"] = EXPIRY_NOT_AFTER
    trainer = new.trainer.strip()
    if not trainer:
        problems["trainer"] = TRAINER_REQUIRED
    elif len(trainer) > TRAINER_MAX:
        problems["trainer"] = TRAINER_TOO_LONG
    return problems


def record_training(
    *, session: Session, actor: User, now: dt.datetime, new: NewTraining, rules: TrainingRules
) -> TrainingRecord:
    """Record one completed training; without an expiry date it counts for the configured validity period."""
    _require_recorder(actor)
    problems = training_problems(new, today=local_today(now), rules=rules)
    if problems:
        raise InvalidInput(NOT_RECORDED, problems)
    assert new.completed_on is not None
    with transaction(session):
        staff = session.get(User, new.user_id)
        if staff is None or not may_record_for(actor, staff):
            raise NotFound(NO_STAFF_MEMBER)
        expires_on = new.expires_on or new.completed_on + dt.timedelta(days=rules.validity_days)
        record = TrainingRecord(user_id=staff.id, course=new.course, completed_on=new.completed_on,
                                expires_on=expires_on, trainer=new.trainer.strip(), recorded_at=now,
                                recorded_by_id=actor.id)  # fmt: skip
        session.add(record)
        session.flush()
        audit.record(session=session, now=now, actor_id=actor.id, action="training_recorded",
                     detail=f"training={record.id} user={staff.id} course={new.course}")  # fmt: skip
        return record


def staff_member(*, session: Session, actor: User, user_id: int) -> User:
    """One staff member the actor may record trainings for."""
    _require_recorder(actor)
    staff = session.get(User, user_id)
    if staff is None or not may_record_for(actor, staff):
        raise NotFound(NO_STAFF_MEMBER)
    return staff


def trainings_of(*, session: Session, actor: User, user_id: int) -> list[TrainingRecord]:
    """Every training recorded for one staff member, newest first (for those who may record them)."""
    staff_member(session=session, actor=actor, user_id=user_id)
    query = select(TrainingRecord).where(TrainingRecord.user_id == user_id)
    return list(session.scalars(query.order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())))


def register_organisations(*, session: Session, actor: User) -> list[tuple[int, str]]:
    """The organisations whose register the actor may choose (id, name), by name."""
    _require_recorder(actor)
    query = select(Organisation.id, Organisation.name).order_by(func.lower(Organisation.name))
    if actor.role is Role.SUPERVISOR:
        query = query.where(Organisation.id == actor.organisation_id)
    return [(row_id, name) for row_id, name in session.execute(query)]


def recordable_staff(*, session: Session, actor: User) -> list[User]:
    """The active staff the actor may record trainings for, by organisation then name."""
    _require_recorder(actor)
    query = select(User).where(User.active.is_(True), User.role.in_(STAFF_ROLES), User.organisation_id.is_not(None))
    if actor.role is Role.SUPERVISOR:
        query = query.where(User.organisation_id == actor.organisation_id)
    return list(session.scalars(query.order_by(User.organisation_id, func.lower(User.display_name), User.id)))


def standings(
    *, session: Session, users: Sequence[User], today: dt.date, warning_days: int
) -> dict[int, StaffStanding]:
    """Where each of ``users`` stands on every required course at ``today`` (user id -> standing)."""
    newest: dict[tuple[int, str], TrainingRecord] = {}
    ids = [u.id for u in users]
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(TrainingRecord).where(TrainingRecord.user_id.in_(ids[start : start + 500]),
                                         TrainingRecord.course.in_(REQUIRED_COURSES))
            .order_by(TrainingRecord.expires_on, TrainingRecord.id)
        )  # fmt: skip
        for record in rows:  # ordered by expiry: the last one seen per course is the one that counts
            newest[(record.user_id, record.course)] = record
    warn_until = today + dt.timedelta(days=warning_days)
    return {
        u.id: StaffStanding(u.id, u.display_name, u.role, u.team_id,
                            tuple(_standing(newest.get((u.id, c)), c, today, warn_until) for c in REQUIRED_COURSES))
        for u in users
    }  # fmt: skip


def _standing(record: TrainingRecord | None, course: str, today: dt.date, warn_until: dt.date) -> CourseStanding:
    if record is None:
        return CourseStanding(course, Standing.UNTRAINED, None, None)
    if record.expires_on <= today:
        standing = Standing.EXPIRED
    elif record.expires_on <= warn_until:
        standing = Standing.EXPIRING
    else:
        standing = Standing.CURRENT
    return CourseStanding(course, standing, record.expires_on, record.id)


def training_gaps(*, session: Session, user: User, today: dt.date) -> tuple[CourseStanding, ...]:
    """The required courses ``user`` is untrained on or whose training has expired (expiring ones are fine)."""
    standing = standings(session=session, users=[user], today=today, warning_days=0)[user.id]
    return tuple(c for c in standing.courses if c.standing in (Standing.UNTRAINED, Standing.EXPIRED))


def training_register(
    *, session: Session, actor: User, now: dt.datetime, rules: TrainingRules, organisation_id: int | None = None
) -> list[ShelterRegister]:
    """The register per organisation: a supervisor sees their own, an administrator every one (or one)."""
    _require_recorder(actor)
    if actor.role is Role.SUPERVISOR:
        if organisation_id not in (None, actor.organisation_id):
            raise NotFound(NO_SHELTER)
        organisation_id = actor.organisation_id
    elif organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise NotFound(NO_SHELTER)
    query = select(User).where(User.active.is_(True), User.role.in_(STAFF_ROLES), User.organisation_id.is_not(None))
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    staff = list(session.scalars(query.order_by(func.lower(User.display_name), User.id)))
    found = standings(session=session, users=staff, today=local_today(now), warning_days=rules.warning_days)
    names = dict(session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(_ids(u.organisation_id for u in staff) | _ids([organisation_id])))).all())  # fmt: skip
    by_org: dict[int, list[StaffStanding]] = {org: [] for org in names}
    for user in staff:
        assert user.organisation_id is not None
        by_org[user.organisation_id].append(found[user.id])
    return [
        ShelterRegister(org, names[org], tuple(sorted(people, key=lambda s: not s.gaps)))
        for org, people in sorted(by_org.items(), key=lambda pair: names[pair[0]].lower())
    ]


def _ids(values: Iterable[int | None]) -> set[int]:
    return {v for v in values if v is not None}
