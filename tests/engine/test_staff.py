"""Administrators manage accounts (create, edit, deactivate, reactivate, unlock, reset a password);
every user changes their own password; supervisors list their team. Validated, audited."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts import placement, staff
from engine.accounts.passwords import verify
from engine.accounts.service import (
    SAME_PASSWORD,
    USERNAME_TAKEN,
    WRONG_CURRENT_PASSWORD,
    LoginOutcome,
    authenticate,
    change_password,
)
from engine.accounts.staff import StaffDetails, StaffFilter
from engine.db import transaction
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models.accounts import OrganisationKind, Role, Team, User
from engine.models.security import AuditEvent
from tests.conftest import NOW
from tests.factories import PASSWORD, Factory

NEW_PASSWORD = "sample-staff-password-2026"


@pytest.fixture
def admin(factory: Factory) -> User:
    return factory.user(Role.ADMINISTRATOR, username="admin.staff")


@pytest.fixture
def team(factory: Factory) -> Team:
    return factory.team()


def worker_details(team: Team, **changes: object) -> StaffDetails:
    return dataclasses.replace(StaffDetails(display_name="Sample Worker", role=Role.CASEWORKER, team_id=team.id),
                               **changes)  # type: ignore[arg-type]  # fmt: skip


def add(factory: Factory, admin: User, details: StaffDetails, username: str = "sample.worker",
        password: str = NEW_PASSWORD) -> int:  # fmt: skip
    return staff.add_user(session=factory.session, hasher=factory.hasher, actor=admin, now=NOW, username=username,
                          password=password, details=details)  # fmt: skip


def fresh(session: Session, user_id: int) -> User:
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    return user


def audit_lines(session: Session, action: str) -> list[tuple[int | None, str]]:
    query = select(AuditEvent.actor_id, AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [(a, d) for a, d in session.execute(query)]


def sign_in(factory: Factory, username: str, password: str) -> LoginOutcome:
    return authenticate(session=factory.session, hasher=factory.hasher, now=NOW, username=username, password=password,
                        max_failed=6, lockout=dt.timedelta(minutes=30)).outcome  # fmt: skip


# --- add_user ---


def test_add_user_places_a_caseworker_in_the_team_and_its_organisation(factory: Factory, admin: User, team: Team
                                                                        ) -> None:  # fmt: skip
    user = fresh(factory.session, add(factory, admin, worker_details(team, email=" worker@example.org ")))
    assert (user.role, user.team_id, user.organisation_id, user.email) == (
        Role.CASEWORKER, team.id, team.organisation_id, "worker@example.org")  # fmt: skip
    assert user.must_change_password is True  # the administrator knows the first password
    assert audit_lines(factory.session, "user_created")[-1] == (admin.id, f"user={user.id} role=caseworker")


def test_add_user_refuses_a_duplicate_username(factory: Factory, admin: User, team: Team) -> None:
    add(factory, admin, worker_details(team))
    with pytest.raises(InvalidInput) as raised:
        add(factory, admin, worker_details(team), username=" Sample.Worker ")
    assert raised.value.fields == {"username": USERNAME_TAKEN}


def test_add_user_refuses_a_weak_password(factory: Factory, admin: User, team: Team) -> None:
    with pytest.raises(InvalidInput) as raised:
        add(factory, admin, worker_details(team), password="short")
    assert set(raised.value.fields) == {"password"}
    assert factory.session.scalar(select(func.count()).select_from(User).where(User.username == "sample.worker")) == 0


@pytest.mark.parametrize(
    ("role", "where", "field", "message"),
    [
        (Role.CASEWORKER, "nothing", "team_id", placement.NEEDS_TEAM),
        (Role.SUPERVISOR, "office_team", "team_id", placement.TEAM_NOT_IN_SHELTER),
        (Role.CASEWORKER, "team_and_other_organisation", "organisation_id", placement.TEAM_OF_OTHER_ORGANISATION),
        (Role.DOSVY_OFFICER, "shelter", "organisation_id", placement.NEEDS_OFFICE),
        (Role.DOSVY_OFFICER, "nothing", "organisation_id", placement.NEEDS_OFFICE),
        (Role.ADMINISTRATOR, "team", "team_id", placement.NO_TEAM_FOR_ROLE),
        (Role.REPORTING, "team", "team_id", placement.NO_TEAM_FOR_ROLE),
    ],
)
def test_add_user_refuses_a_role_in_the_wrong_place(factory: Factory, admin: User, team: Team, role: Role, where: str,
                                                     field: str, message: str) -> None:  # fmt: skip
    office, other = factory.office(), factory.team()
    if where == "office_team":
        with transaction(factory.session):
            odd = Team(organisation_id=office.id, name="Odd Team")  # only a forged request could make one
            factory.session.add(odd)
        team = odd
    places = {
        "nothing": {}, "office_team": {"team_id": team.id}, "team": {"team_id": team.id},
        "team_and_other_organisation": {"team_id": team.id, "organisation_id": other.organisation_id},
        "shelter": {"organisation_id": team.organisation_id},
    }[where]  # fmt: skip
    details = StaffDetails(display_name="Sample Person", role=role, **places)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as raised:
        add(factory, admin, details)
    assert raised.value.fields == {field: message}


def test_a_dosvy_officer_is_placed_in_a_dosvy_office(factory: Factory, admin: User) -> None:
    office = factory.office()
    details = StaffDetails(display_name="Sample Officer", role=Role.DOSVY_OFFICER, organisation_id=office.id)
    user = fresh(factory.session, add(factory, admin, details, username="sample.officer"))
    assert (user.organisation_id, user.team_id) == (office.id, None)


def test_add_user_refuses_a_team_that_does_not_exist(factory: Factory, admin: User, team: Team) -> None:
    with pytest.raises(NotFound):
        add(factory, admin, worker_details(team, team_id=999_999))


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.DOSVY_OFFICER, Role.REPORTING])
def test_only_administrators_manage_accounts(factory: Factory, team: Team, role: Role) -> None:
    someone = factory.user(role, team if role in (Role.CASEWORKER, Role.SUPERVISOR) else None)
    with pytest.raises(Forbidden):
        add(factory, someone, worker_details(team))
    with pytest.raises(Forbidden):
        staff.reset_password(session=factory.session, hasher=factory.hasher, actor=someone, now=NOW, user_id=someone.id)
    with pytest.raises(Forbidden):
        staff.list_users(session=factory.session, actor=someone)


def test_an_invalid_email_is_refused(factory: Factory, admin: User, team: Team) -> None:
    with pytest.raises(InvalidInput) as raised:
        add(factory, admin, worker_details(team, email="not an address"))
    assert raised.value.fields == {"email": staff.EMAIL_INVALID}


# --- list_users ---


def test_list_users_filters_by_organisation_role_and_active(factory: Factory, admin: User, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    supervisor = factory.user(Role.SUPERVISOR, team)
    elsewhere = factory.user(Role.CASEWORKER, factory.team())
    staff.deactivate_user(session=factory.session, actor=admin, now=NOW, user_id=supervisor.id)

    def ids(**filters: object) -> set[int]:
        found = staff.list_users(session=factory.session, actor=admin, filters=StaffFilter(**filters))  # type: ignore[arg-type]
        return {u.id for u in found}

    assert ids(organisation_id=team.organisation_id) == {worker.id, supervisor.id}
    assert ids(role=Role.CASEWORKER) == {worker.id, elsewhere.id}
    assert ids(active=False) == {supervisor.id}
    assert ids(organisation_id=team.organisation_id, active=True) == {worker.id}


# --- update_user ---


def test_update_user_moves_a_caseworker_to_another_team_and_audits_the_fields(factory: Factory, admin: User,
                                                                               team: Team) -> None:  # fmt: skip
    worker = factory.user(Role.CASEWORKER, team)
    other = factory.team(kind=OrganisationKind.NGO_SHELTER)
    details = StaffDetails(display_name="Sample Renamed", role=Role.SUPERVISOR, team_id=other.id, language="km")
    staff.update_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id, details=details)
    user = fresh(factory.session, worker.id)
    assert (user.display_name, user.role, user.team_id, user.organisation_id, user.language) == (
        "Sample Renamed", Role.SUPERVISOR, other.id, other.organisation_id, "km")  # fmt: skip
    assert audit_lines(factory.session, "user_updated") == [
        (admin.id, f"user={worker.id} fields=display_name,role,organisation_id,team_id,language role=supervisor")
    ]


def test_update_user_refuses_a_role_without_its_place_and_changes_nothing(factory: Factory, admin: User,
                                                                           team: Team) -> None:  # fmt: skip
    worker = factory.user(Role.CASEWORKER, team)
    details = StaffDetails(display_name=worker.display_name, role=Role.DOSVY_OFFICER, team_id=team.id)
    with pytest.raises(InvalidInput) as raised:
        staff.update_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id, details=details)
    assert raised.value.fields == {"team_id": placement.NO_TEAM_FOR_ROLE, "organisation_id": placement.NEEDS_OFFICE}
    assert fresh(factory.session, worker.id).role is Role.CASEWORKER
    assert audit_lines(factory.session, "user_updated") == []


def test_the_last_administrator_cannot_give_up_the_role(factory: Factory, admin: User) -> None:
    details = StaffDetails(display_name=admin.display_name, role=Role.REPORTING)
    with pytest.raises(InvalidInput) as raised:
        staff.update_user(session=factory.session, actor=admin, now=NOW, user_id=admin.id, details=details)
    assert raised.value.fields == {"role": staff.LAST_ADMINISTRATOR}
    factory.user(Role.ADMINISTRATOR, username="admin.second")
    staff.update_user(session=factory.session, actor=admin, now=NOW, user_id=admin.id, details=details)
    assert fresh(factory.session, admin.id).role is Role.REPORTING


def test_update_of_a_missing_user_is_not_found(factory: Factory, admin: User) -> None:
    with pytest.raises(NotFound):
        staff.update_user(session=factory.session, actor=admin, now=NOW, user_id=999_999,
                          details=StaffDetails(display_name="Sample", role=Role.REPORTING))  # fmt: skip


# --- deactivate / reactivate ---


def test_a_deactivated_user_cannot_sign_in_and_keeps_their_history(factory: Factory, admin: User, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    epoch = worker.session_epoch
    staff.deactivate_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id)
    user = fresh(factory.session, worker.id)
    assert (user.active, user.deactivated_at, user.session_epoch) == (False, NOW, epoch + 1)
    assert sign_in(factory, worker.username, PASSWORD) is LoginOutcome.BAD_CREDENTIALS
    assert audit_lines(factory.session, "user_deactivated") == [(admin.id, f"user={worker.id}")]


def test_deactivating_yourself_as_the_last_administrator_is_refused(factory: Factory, admin: User) -> None:
    with pytest.raises(InvalidInput) as raised:
        staff.deactivate_user(session=factory.session, actor=admin, now=NOW, user_id=admin.id)
    assert raised.value.message == staff.LAST_ADMINISTRATOR
    assert fresh(factory.session, admin.id).active is True


def test_an_administrator_may_leave_when_another_remains(factory: Factory, admin: User) -> None:
    factory.user(Role.ADMINISTRATOR, username="admin.other")
    staff.deactivate_user(session=factory.session, actor=admin, now=NOW, user_id=admin.id)
    assert fresh(factory.session, admin.id).active is False


def test_deactivating_twice_is_refused(factory: Factory, admin: User, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    staff.deactivate_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id)
    with pytest.raises(InvalidInput, match="already deactivated"):
        staff.deactivate_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id)


def test_reactivate_lets_the_user_sign_in_again(factory: Factory, admin: User, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    staff.deactivate_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id)
    staff.reactivate_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id)
    user = fresh(factory.session, worker.id)
    assert (user.active, user.deactivated_at) == (True, None)
    assert sign_in(factory, worker.username, PASSWORD) is LoginOutcome.OK
    assert audit_lines(factory.session, "user_reactivated") == [(admin.id, f"user={worker.id}")]
    with pytest.raises(InvalidInput, match="already active"):
        staff.reactivate_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id)


def test_reactivate_refuses_an_officer_without_an_office(factory: Factory, admin: User) -> None:
    officer = factory.user(Role.DOSVY_OFFICER)  # made outside the administrators' use case, with no office
    with transaction(factory.session):
        officer.active = False
    with pytest.raises(InvalidInput) as raised:
        staff.reactivate_user(session=factory.session, actor=admin, now=NOW, user_id=officer.id)
    assert raised.value.fields == {"organisation_id": placement.NEEDS_OFFICE}


# --- unlock ---


def test_unlock_lifts_a_lockout_before_it_runs_out(factory: Factory, admin: User, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    for _ in range(6):
        sign_in(factory, worker.username, "wrong-horse-battery")
    assert sign_in(factory, worker.username, PASSWORD) is LoginOutcome.LOCKED
    staff.unlock_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id)
    assert sign_in(factory, worker.username, PASSWORD) is LoginOutcome.OK
    assert audit_lines(factory.session, "user_unlocked") == [(admin.id, f"user={worker.id}")]


def test_unlocking_an_account_that_is_not_locked_is_refused(factory: Factory, admin: User, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    with transaction(factory.session):
        worker.locked_until = NOW - dt.timedelta(minutes=1)  # the lock has run out already
    with pytest.raises(InvalidInput, match="not locked"):
        staff.unlock_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id)


# --- reset_password ---


def test_reset_password_gives_a_temporary_password_once_and_forces_a_change(factory: Factory, admin: User,
                                                                             team: Team) -> None:  # fmt: skip
    worker = factory.user(Role.CASEWORKER, team)
    with transaction(factory.session):
        worker.locked_until = NOW + dt.timedelta(minutes=10)
    temporary = staff.reset_password(session=factory.session, hasher=factory.hasher, actor=admin, now=NOW,
                                     user_id=worker.id)  # fmt: skip
    user = fresh(factory.session, worker.id)
    assert len(temporary) == 19
    assert user.must_change_password
    assert user.locked_until is None
    assert user.session_epoch == 1
    assert temporary not in user.password_hash
    assert verify(factory.hasher, user.password_hash, temporary)
    assert sign_in(factory, worker.username, PASSWORD) is LoginOutcome.BAD_CREDENTIALS
    assert sign_in(factory, worker.username, temporary) is LoginOutcome.OK
    lines = audit_lines(factory.session, "password_reset")
    assert lines == [(admin.id, f"user={worker.id}")]
    assert not any(temporary in detail for _a, detail in audit_lines(factory.session, "password_reset"))


def test_a_deactivated_account_gets_no_new_password(factory: Factory, admin: User, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    staff.deactivate_user(session=factory.session, actor=admin, now=NOW, user_id=worker.id)
    with pytest.raises(InvalidInput, match="deactivated"):
        staff.reset_password(session=factory.session, hasher=factory.hasher, actor=admin, now=NOW, user_id=worker.id)


def test_temporary_passwords_differ_and_meet_the_policy() -> None:
    made = {staff.temporary_password("sample.user") for _ in range(20)}
    assert len(made) == 20


# --- change_password (own) ---


def test_change_password_needs_the_current_one_and_clears_the_forced_change(factory: Factory, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    with transaction(factory.session):
        worker.must_change_password = True
    epoch = change_password(session=factory.session, hasher=factory.hasher, actor=worker, now=NOW, current=PASSWORD,
                            new=NEW_PASSWORD)  # fmt: skip
    user = fresh(factory.session, worker.id)
    assert (user.must_change_password, user.session_epoch, epoch) == (False, 1, 1)
    assert sign_in(factory, worker.username, NEW_PASSWORD) is LoginOutcome.OK
    assert audit_lines(factory.session, "password_changed") == [(worker.id, f"user={worker.id}")]


def test_change_password_refuses_a_wrong_current_password_and_audits_it(factory: Factory, team: Team) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    with pytest.raises(InvalidInput) as raised:
        change_password(session=factory.session, hasher=factory.hasher, actor=worker, now=NOW,
                        current="wrong-horse-battery", new=NEW_PASSWORD)  # fmt: skip
    assert raised.value.fields == {"current_password": WRONG_CURRENT_PASSWORD}
    assert sign_in(factory, worker.username, PASSWORD) is LoginOutcome.OK
    assert audit_lines(factory.session, "password_change_failed") == [(worker.id, "wrong current password")]


@pytest.mark.parametrize(("new", "message"), [(PASSWORD, SAME_PASSWORD), ("short", None), ("password123", None)])
def test_change_password_applies_the_policy(factory: Factory, team: Team, new: str, message: str | None) -> None:
    worker = factory.user(Role.CASEWORKER, team)
    with pytest.raises(InvalidInput) as raised:
        change_password(session=factory.session, hasher=factory.hasher, actor=worker, now=NOW, current=PASSWORD,
                        new=new)  # fmt: skip
    assert set(raised.value.fields) == {"new_password"}
    if message:
        assert raised.value.fields["new_password"] == message
    assert sign_in(factory, worker.username, PASSWORD) is LoginOutcome.OK


# --- team_roster ---


def test_a_supervisor_sees_the_active_members_of_their_own_team(factory: Factory, admin: User, team: Team) -> None:
    supervisor = factory.user(Role.SUPERVISOR, team)
    worker = factory.user(Role.CASEWORKER, team)
    gone = factory.user(Role.CASEWORKER, team)
    factory.user(Role.CASEWORKER, factory.team())
    staff.deactivate_user(session=factory.session, actor=admin, now=NOW, user_id=gone.id)
    roster = staff.team_roster(session=factory.session, actor=supervisor)
    assert [m.user_id for m in roster] == [supervisor.id, worker.id]


def test_only_supervisors_have_a_team_roster(factory: Factory, team: Team) -> None:
    with pytest.raises(Forbidden):
        staff.team_roster(session=factory.session, actor=factory.user(Role.CASEWORKER, team))
