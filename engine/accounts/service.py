"""Account use cases: create users, sign in with a lockout that holds across workers."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.accounts import totp
from engine.accounts.passwords import policy_problem, verify
from engine.accounts.placement import NEEDS_TEAM, ROLES_IN_A_TEAM
from engine.db import blind_index, transaction
from engine.errors import N_, InvalidInput, NotFound
from engine.models.accounts import Organisation, Role, Team, User
from engine.models.security import LoginAttempt

USERNAME_RULE = N_("Use at least 3 letters, digits, dots, dashes or underscores.")
DISPLAY_NAME_REQUIRED = N_("A display name is required.")
LANGUAGE_UNKNOWN = N_("The language must be English (en) or Khmer (km).")
USERNAME_TAKEN = N_("This user name is taken.")
NOT_CREATED = N_("The user could not be created.")


def normal_username(username: str) -> str:
    """User names are compared and stored trimmed and in lower case."""
    return username.strip().lower()


def user_problems(*, username: str, display_name: str, password: str | None, language: str) -> dict[str, str]:
    """What is wrong with these account values (field name -> English message id); empty when fine."""
    problems: dict[str, str] = {}
    if len(username) < 3 or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        problems["username"] = USERNAME_RULE
    if not display_name.strip():
        problems["display_name"] = DISPLAY_NAME_REQUIRED
    if password is not None and (password_problem := policy_problem(password, username=username)) is not None:
        problems["password"] = password_problem
    if language not in ("en", "km"):
        problems["language"] = LANGUAGE_UNKNOWN
    return problems


def create_user(
    *,
    session: Session,
    hasher: PasswordHasher,
    now: dt.datetime,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    organisation_id: int | None = None,
    team_id: int | None = None,
    language: str = "en",
    email: str | None = None,
    actor_id: int | None = None,
    must_change_password: bool = False,
) -> int:
    """Create an active user and return its id; the password must meet the policy. ``actor_id`` is the
    administrator who did it (``None`` from the command line); the administrators' use case
    (``engine.accounts.staff.add_user``) checks the role's organisation and team first."""
    username = normal_username(username)
    problems = user_problems(username=username, display_name=display_name, password=password, language=language)
    if role in ROLES_IN_A_TEAM and team_id is None:
        problems["team_id"] = NEEDS_TEAM
    if problems:
        raise InvalidInput(NOT_CREATED, problems)
    with transaction(session):
        if session.scalar(select(func.count()).select_from(User).where(User.username == username)):
            raise InvalidInput(NOT_CREATED, {"username": USERNAME_TAKEN})
        if team_id is not None:
            team = session.get(Team, team_id)
            if team is None:
                raise NotFound(N_("There is no such team."))
            organisation_id = organisation_id or team.organisation_id
        if organisation_id is not None and session.get(Organisation, organisation_id) is None:
            raise NotFound(N_("There is no such organisation."))
        user = User(
            username=username,
            display_name=display_name.strip(),
            email=email,
            password_hash=hasher.hash(password),
            role=role,
            organisation_id=organisation_id,
            team_id=team_id,
            language=language,
            active=True,
            failed_logins=0,
            created_at=now,
            must_change_password=must_change_password,
        )
        session.add(user)
        session.flush()
        audit.record(session=session, now=now, actor_id=actor_id, action="user_created",
                     detail=f"user={user.id} role={role.value}")  # fmt: skip
        return user.id


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    RATE_LIMITED = "rate_limited"
    SECOND_FACTOR = "second_factor"  # the password was right; a one-time code must follow


@dataclass(frozen=True)
class LoginResult:
    """What a sign-in attempt came to; ``user_id`` is set only on success."""

    outcome: LoginOutcome
    user_id: int | None = None
    locked_until: dt.datetime | None = None


# Verified against when the user name is unknown, so that a wrong name costs as much as a wrong password.
_DUMMY_HASHES: dict[int, str] = {}


def authenticate(
    *,
    session: Session,
    hasher: PasswordHasher,
    now: dt.datetime,
    username: str,
    password: str,
    max_failed: int,
    lockout: dt.timedelta,
    address: str | None = None,
    address_limit: int = 20,
    address_window: dt.timedelta = dt.timedelta(minutes=15),
) -> LoginResult:
    """Check a sign-in; count failures per account (lockout) and per address (rate limit), in the database
    so that both hold across workers; audit the attempt."""
    with transaction(session):
        hashed = blind_index(address) if address else None
        if hashed is not None:
            recent = session.scalar(select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.address == hashed, LoginAttempt.at > now - address_window))  # fmt: skip
            if (recent or 0) >= address_limit:
                audit.record(session=session, now=now, actor_id=None, action="login_rate_limited", address=address)
                return LoginResult(LoginOutcome.RATE_LIMITED)
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        result = _check_password(hasher, now, user, password, max_failed, lockout)
        if result.outcome is LoginOutcome.OK and user is not None and user.totp_enabled:
            result = LoginResult(LoginOutcome.SECOND_FACTOR, user_id=user.id)
        if result.outcome in (LoginOutcome.BAD_CREDENTIALS, LoginOutcome.LOCKED) and hashed is not None:
            session.add(LoginAttempt(address=hashed, at=now))
        action = {LoginOutcome.OK: "login", LoginOutcome.SECOND_FACTOR: "login_password_ok"}.get(
            result.outcome, "login_failed"
        )
        detail = "locked" if result.locked_until is not None else result.outcome.value
        audit.record(session=session, now=now, actor_id=user.id if user else None, action=action,
                     detail=detail, address=address)  # fmt: skip
        return result


def _check_password(hasher: PasswordHasher, now: dt.datetime, user: User | None, password: str, max_failed: int,
                    lockout: dt.timedelta) -> LoginResult:  # fmt: skip
    if user is None or not user.active:
        dummy = _DUMMY_HASHES.setdefault(id(hasher), hasher.hash("not-a-real-password"))
        verify(hasher, dummy, password)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    right = verify(hasher, user.password_hash, password)
    if user.locked_until is not None and user.locked_until > now:
        # Only someone who knows the password learns that the account is locked: to anyone else a
        # locked account answers like an unknown name, so the answer never tells which names exist.
        if right:
            return LoginResult(LoginOutcome.LOCKED, locked_until=user.locked_until)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS, locked_until=user.locked_until)
    if not right:
        user.failed_logins += 1
        if user.failed_logins >= max_failed:
            user.failed_logins = 0
            user.locked_until = now + lockout
        return LoginResult(LoginOutcome.BAD_CREDENTIALS, locked_until=user.locked_until)
    user.failed_logins = 0
    user.locked_until = None
    if not user.totp_enabled:
        user.last_login_at = now
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return LoginResult(LoginOutcome.OK, user_id=user.id)


def verify_second_factor(
    *, session: Session, now: dt.datetime, user_id: int, code: str, max_failed: int, lockout: dt.timedelta,
    address: str | None = None,
) -> LoginResult:  # fmt: skip
    """Finish a sign-in with the one-time code of an account that has two-factor sign-in."""
    with transaction(session):
        user = session.get(User, user_id)
        if user is None or not user.active or not user.totp_enabled or not user.totp_secret:
            return LoginResult(LoginOutcome.BAD_CREDENTIALS)
        if user.locked_until is not None and user.locked_until > now:
            return LoginResult(LoginOutcome.LOCKED, locked_until=user.locked_until)
        step = totp.matching_step(user.totp_secret, code, now, user.totp_last_step)
        if step is None:
            user.failed_logins += 1
            if user.failed_logins >= max_failed:
                user.failed_logins, user.locked_until = 0, now + lockout
            audit.record(session=session, now=now, actor_id=user.id, action="login_failed", detail="one-time code",
                         address=address)  # fmt: skip
            return LoginResult(LoginOutcome.BAD_CREDENTIALS)
        user.totp_last_step, user.failed_logins, user.last_login_at = step, 0, now
        audit.record(session=session, now=now, actor_id=user.id, action="login", detail="two-factor", address=address)
        return LoginResult(LoginOutcome.OK, user_id=user.id)


TWO_FACTOR_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)


def begin_two_factor(*, session: Session, actor: User) -> str:
    """Create (or replace) a not-yet-enabled secret for ``actor``; return the otpauth URI to scan."""
    if actor.role not in TWO_FACTOR_ROLES:
        raise InvalidInput(N_("Two-factor sign-in is offered to supervisors and administrators."))
    with transaction(session):
        actor.totp_secret, actor.totp_enabled, actor.totp_last_step = totp.new_secret(), False, None
        return totp.provisioning_uri(actor.totp_secret, actor.username)


def confirm_two_factor(*, session: Session, actor: User, now: dt.datetime, code: str) -> None:
    """Turn two-factor sign-in on once the app shows a matching code."""
    with transaction(session):
        if not actor.totp_secret:
            raise InvalidInput(N_("Start the set-up first."))
        step = totp.matching_step(actor.totp_secret, code, now, None)
        if step is None:
            raise InvalidInput(N_("The code does not match. Check the time on your phone and try again."),
                               {"code": N_("Wrong code.")})  # fmt: skip
        actor.totp_enabled, actor.totp_last_step = True, step
        audit.record(session=session, now=now, actor_id=actor.id, action="two_factor_enabled")


def set_language(*, session: Session, actor: User, language: str) -> None:
    """Remember the interface language ``actor`` chose."""
    if language not in ("en", "km"):
        raise InvalidInput(N_("The language must be English or Khmer."))
    with transaction(session):
        actor.language = language


# Messages, not passwords (ruff's S105 reads the names).
WRONG_CURRENT_PASSWORD = N_("The current password is wrong.")
SAME_PASSWORD = N_("Choose a password different from the current one.")
PASSWORD_NOT_CHANGED = N_("The password was not changed.")
MESSAGES = (USERNAME_RULE, DISPLAY_NAME_REQUIRED, LANGUAGE_UNKNOWN, USERNAME_TAKEN, NOT_CREATED,
            WRONG_CURRENT_PASSWORD, SAME_PASSWORD, PASSWORD_NOT_CHANGED)  # fmt: skip


def change_password(
    *, session: Session, hasher: PasswordHasher, actor: User, now: dt.datetime, current: str, new: str,
    address: str | None = None,
) -> int:  # fmt: skip
    """Change ``actor``'s own password (the current one is required; the new one meets the policy); end
    every other signed-in session of the account. Return the new session epoch for the caller's session."""
    problems: dict[str, str] = {}
    if not verify(hasher, actor.password_hash, current):
        problems["current_password"] = WRONG_CURRENT_PASSWORD
    elif current == new:
        problems["new_password"] = SAME_PASSWORD
    elif (problem := policy_problem(new, username=actor.username)) is not None:
        problems["new_password"] = problem
    if problems:
        with transaction(session):
            if "current_password" in problems:
                audit.record(session=session, now=now, actor_id=actor.id, action="password_change_failed",
                             detail="wrong current password", address=address)  # fmt: skip
        raise InvalidInput(PASSWORD_NOT_CHANGED, problems)
    with transaction(session):
        actor.password_hash = hasher.hash(new)
        actor.must_change_password = False
        actor.session_epoch += 1
        audit.record(session=session, now=now, actor_id=actor.id, action="password_changed", detail=f"user={actor.id}",
                     address=address)  # fmt: skip
        return actor.session_epoch
