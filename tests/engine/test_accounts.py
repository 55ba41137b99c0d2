"""Accounts: creating users under the password policy, and sign-in with a lockout kept in the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts.service import LoginOutcome, LoginResult, authenticate, create_user, set_language
from engine.db import transaction
from engine.errors import InvalidInput, NotFound
from engine.models.accounts import Role, Team, User
from tests.conftest import NOW
from tests.factories import PASSWORD, Factory

MAX_FAILED = 6
LOCKOUT = dt.timedelta(minutes=30)
WRONG = "wrong-horse-battery"


@pytest.fixture
def team(factory: Factory) -> Team:
    return factory.team()


def new_user(factory: Factory, **overrides: Any) -> int:
    fields: dict[str, Any] = {
        "session": factory.session,
        "hasher": factory.hasher,
        "now": NOW,
        "username": "test.admin",
        "display_name": "Test Administrator",
        "password": PASSWORD,
        "role": Role.ADMINISTRATOR,
    }
    fields.update(overrides)
    return create_user(**fields)


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def stored(session: Session, user_id: int) -> User:
    """The user as the database holds it now."""
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    return user


# --- create_user ---


def test_create_user_stores_an_active_user_with_a_hashed_password(factory: Factory, session: Session) -> None:
    user = stored(session, new_user(factory, username="  Test.Admin ", email="admin@example.invalid"))
    assert (user.username, user.role, user.active, user.failed_logins) == ("test.admin", Role.ADMINISTRATOR, True, 0)
    assert (user.created_at, user.email, user.language) == (NOW, "admin@example.invalid", "en")
    assert PASSWORD not in user.password_hash
    assert factory.hasher.verify(user.password_hash, PASSWORD)


def test_caseworker_belongs_to_the_organisation_of_their_team(factory: Factory, session: Session, team: Team) -> None:
    user = stored(session, new_user(factory, username="test.worker", role=Role.CASEWORKER, team_id=team.id))
    assert (user.team_id, user.organisation_id) == (team.id, team.organisation_id)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "short-pw"}, "password"),
        ({"password": "Password123"}, "password"),
        ({"password": "cambodia123"}, "password"),
        ({"username": "test.admin", "password": "my-TEST.ADMIN-pass"}, "password"),
        ({"username": "ab"}, "username"),
        ({"username": "test admin"}, "username"),
        ({"username": "test/admin!"}, "username"),
        ({"display_name": "   "}, "display_name"),
        ({"language": "fr"}, "language"),
        ({"role": Role.CASEWORKER}, "team_id"),
        ({"role": Role.SUPERVISOR}, "team_id"),
    ],
    ids=[
        "password-too-short",
        "common-password-any-case",
        "local-common-password",
        "password-contains-username",
        "username-too-short",
        "username-with-space",
        "username-with-symbols",
        "no-display-name",
        "unknown-language",
        "caseworker-without-team",
        "supervisor-without-team",
    ],
)
def test_create_user_refuses_invalid_input_with_the_field_at_fault(
    factory: Factory, session: Session, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        new_user(factory, **overrides)
    assert list(raised.value.fields) == [field]
    assert user_count(session) == 0


def test_create_user_reports_every_problem_at_once(factory: Factory) -> None:
    with pytest.raises(InvalidInput) as raised:
        new_user(factory, username="ab", password="short", role=Role.CASEWORKER)
    assert set(raised.value.fields) == {"username", "password", "team_id"}


def test_create_user_refuses_a_duplicate_username(factory: Factory, session: Session) -> None:
    new_user(factory, username="test.admin")
    with pytest.raises(InvalidInput) as raised:
        new_user(factory, username="TEST.Admin", display_name="Another Test Administrator")
    assert raised.value.fields == {"username": "This user name is taken."}
    assert user_count(session) == 1


def test_create_user_refuses_a_team_that_does_not_exist(factory: Factory, session: Session, team: Team) -> None:
    with pytest.raises(NotFound):
        new_user(factory, username="test.worker", role=Role.CASEWORKER, team_id=team.id + 1000)
    assert user_count(session) == 0


def test_create_user_refuses_an_organisation_that_does_not_exist(factory: Factory, session: Session) -> None:
    with pytest.raises(NotFound):
        new_user(factory, organisation_id=999_999)
    assert user_count(session) == 0


# --- authenticate ---


@pytest.fixture
def user(factory: Factory, team: Team) -> User:
    return factory.user(Role.CASEWORKER, team, username="test.signin")


def sign_in(factory: Factory, password: str, now: dt.datetime = NOW, username: str = "test.signin") -> LoginResult:
    return authenticate(
        session=factory.session, hasher=factory.hasher, now=now, username=username, password=password,
        max_failed=MAX_FAILED, lockout=LOCKOUT,
    )  # fmt: skip


def fail(factory: Factory, times: int, now: dt.datetime = NOW) -> list[LoginResult]:
    return [sign_in(factory, WRONG, now + dt.timedelta(seconds=n)) for n in range(times)]


def test_right_password_signs_in(factory: Factory, user: User) -> None:
    assert sign_in(factory, PASSWORD) == LoginResult(LoginOutcome.OK, user_id=user.id)


def test_sign_in_ignores_case_and_surrounding_spaces_in_the_username(factory: Factory, user: User) -> None:
    assert sign_in(factory, PASSWORD, username="  Test.SignIn ").outcome is LoginOutcome.OK


def test_success_sets_last_login_at(factory: Factory, session: Session, user: User) -> None:
    sign_in(factory, PASSWORD, NOW + dt.timedelta(hours=2))
    assert stored(session, user.id).last_login_at == NOW + dt.timedelta(hours=2)


def test_success_resets_the_failure_counter(factory: Factory, session: Session, user: User) -> None:
    fail(factory, 3)
    sign_in(factory, PASSWORD)
    assert stored(session, user.id).failed_logins == 0


def test_wrong_password_is_refused_and_counted(factory: Factory, session: Session, user: User) -> None:
    assert sign_in(factory, WRONG) == LoginResult(LoginOutcome.BAD_CREDENTIALS)
    assert stored(session, user.id).failed_logins == 1


def test_wrong_password_does_not_set_last_login_at(factory: Factory, session: Session, user: User) -> None:
    sign_in(factory, WRONG)
    assert stored(session, user.id).last_login_at is None


def test_five_failures_do_not_lock(factory: Factory, session: Session, user: User) -> None:
    outcomes = [result.outcome for result in fail(factory, MAX_FAILED - 1)]
    assert outcomes == [LoginOutcome.BAD_CREDENTIALS] * (MAX_FAILED - 1)
    assert stored(session, user.id).locked_until is None


def test_sixth_failure_locks_for_the_lockout_period(factory: Factory, session: Session, user: User) -> None:
    fail(factory, MAX_FAILED - 1)
    result = sign_in(factory, WRONG, NOW + dt.timedelta(minutes=1))
    # The lock is set, but a wrong password hears only "wrong" (so the answer tells no one the name exists).
    assert result == LoginResult(LoginOutcome.BAD_CREDENTIALS, locked_until=NOW + dt.timedelta(minutes=1) + LOCKOUT)
    assert stored(session, user.id).locked_until == NOW + dt.timedelta(minutes=1) + LOCKOUT


def test_a_locked_account_answers_a_wrong_password_like_an_unknown_name(factory: Factory, user: User) -> None:
    fail(factory, MAX_FAILED)
    later = NOW + dt.timedelta(minutes=2)
    locked = sign_in(factory, WRONG, later)
    unknown = sign_in(factory, WRONG, later, username="nobody.at.all")
    assert locked.outcome is unknown.outcome is LoginOutcome.BAD_CREDENTIALS


def test_locked_account_refuses_the_right_password(factory: Factory, user: User) -> None:
    fail(factory, MAX_FAILED)
    result = sign_in(factory, PASSWORD, NOW + LOCKOUT - dt.timedelta(seconds=1))
    assert result.outcome is LoginOutcome.LOCKED


def test_locked_account_signs_in_once_the_lockout_has_passed(factory: Factory, session: Session, user: User) -> None:
    [*_, locking] = fail(factory, MAX_FAILED)
    assert locking.locked_until is not None
    result = sign_in(factory, PASSWORD, locking.locked_until + dt.timedelta(seconds=1))
    assert result.outcome is LoginOutcome.OK
    assert stored(session, user.id).locked_until is None


def test_attempts_while_locked_do_not_extend_the_lock(factory: Factory, session: Session, user: User) -> None:
    [*_, locking] = fail(factory, MAX_FAILED)
    sign_in(factory, WRONG, NOW + dt.timedelta(minutes=10))
    assert stored(session, user.id).locked_until == locking.locked_until


def test_counting_starts_again_after_a_lockout(factory: Factory, user: User) -> None:
    [*_, locking] = fail(factory, MAX_FAILED)
    assert locking.locked_until is not None
    after = locking.locked_until + dt.timedelta(seconds=1)
    assert sign_in(factory, WRONG, after).outcome is LoginOutcome.BAD_CREDENTIALS


def test_unknown_user_gets_bad_credentials(factory: Factory, user: User) -> None:
    assert sign_in(factory, PASSWORD, username="test.nobody") == LoginResult(LoginOutcome.BAD_CREDENTIALS)


def test_inactive_user_is_refused_even_with_the_right_password(factory: Factory, session: Session, user: User) -> None:
    with transaction(session):
        user.active = False
    assert sign_in(factory, PASSWORD) == LoginResult(LoginOutcome.BAD_CREDENTIALS)


def test_set_language_stores_the_choice(factory: Factory, session: Session, user: User) -> None:
    set_language(session=session, actor=user, language="km")
    assert stored(session, user.id).language == "km"


def test_set_language_refuses_an_unknown_language(factory: Factory, session: Session, user: User) -> None:
    with pytest.raises(InvalidInput):
        set_language(session=session, actor=user, language="fr")
    assert stored(session, user.id).language == "en"
