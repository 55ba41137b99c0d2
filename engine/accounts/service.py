"""Account use cases: create users, sign in with a lockout that holds across workers."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts.models import Organisation, Role, Team, User
from engine.accounts.passwords import policy_problem, verify
from engine.db import transaction
from engine.errors import InvalidInput, NotFound

ROLES_IN_A_TEAM = (Role.CASEWORKER, Role.SUPERVISOR)


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
) -> int:
    """Create an active user and return its id; the password must meet the policy."""
    username = username.strip().lower()
    problems: dict[str, str] = {}
    if len(username) < 3 or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        problems["username"] = "Use at least 3 letters, digits, dots, dashes or underscores."
    if not display_name.strip():
        problems["display_name"] = "A display name is required."
    if (password_problem := policy_problem(password, username=username)) is not None:
        problems["password"] = password_problem
    if language not in ("en", "km"):
        problems["language"] = "The language must be English (en) or Khmer (km)."
    if role in ROLES_IN_A_TEAM and team_id is None:
        problems["team_id"] = "Caseworkers and supervisors belong to a team."
    if problems:
        raise InvalidInput("The user could not be created.", problems)
    with transaction(session):
        if session.scalar(select(func.count()).select_from(User).where(User.username == username)):
            raise InvalidInput("The user could not be created.", {"username": "This user name is taken."})
        if team_id is not None:
            team = session.get(Team, team_id)
            if team is None:
                raise NotFound("There is no such team.")
            organisation_id = organisation_id or team.organisation_id
        if organisation_id is not None and session.get(Organisation, organisation_id) is None:
            raise NotFound("There is no such organisation.")
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
        )
        session.add(user)
        session.flush()
        return user.id


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"


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
) -> LoginResult:
    """Check a sign-in; count failures in the database and lock the account after ``max_failed``."""
    with transaction(session):
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None or not user.active:
            dummy = _DUMMY_HASHES.setdefault(id(hasher), hasher.hash("not-a-real-password"))
            verify(hasher, dummy, password)
            return LoginResult(LoginOutcome.BAD_CREDENTIALS)
        if user.locked_until is not None and user.locked_until > now:
            return LoginResult(LoginOutcome.LOCKED, locked_until=user.locked_until)
        if not verify(hasher, user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= max_failed:
                user.failed_logins = 0
                user.locked_until = now + lockout
                return LoginResult(LoginOutcome.LOCKED, locked_until=user.locked_until)
            return LoginResult(LoginOutcome.BAD_CREDENTIALS)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        if hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hasher.hash(password)
        return LoginResult(LoginOutcome.OK, user_id=user.id)


def set_language(*, session: Session, actor: User, language: str) -> None:
    """Remember the interface language ``actor`` chose."""
    if language not in ("en", "km"):
        raise InvalidInput("The language must be English or Khmer.")
    with transaction(session):
        actor.language = language
