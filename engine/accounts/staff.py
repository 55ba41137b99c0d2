"""Administrators' use cases for user accounts, and the supervisor's read-only list of the team.

Users are never deleted (audit lines, case histories and work items point at them): an administrator
deactivates an account instead, which refuses its sign-ins and ends its sessions (``session_epoch``).
A password reset gives a temporary password, shown once to the administrator; the user must choose a
new one at the next sign-in. The system always keeps one active administrator. Every change is
audited with ids and field names, never a password.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine import audit
from engine.accounts.organisations import NO_ORGANISATION, NO_TEAM, require_administrator
from engine.accounts.passwords import policy_problem
from engine.accounts.placement import ROLES_IN_A_TEAM, placement_problems
from engine.accounts.service import NOT_CREATED, create_user, normal_username, user_problems
from engine.db import transaction
from engine.errors import N_, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Organisation, Role, Team, User

NO_USER = N_("There is no such user.")
NOT_SAVED = N_("The user was not saved.")
LAST_ADMINISTRATOR = N_("This is the last active administrator: make someone else an administrator first.")
ALREADY_INACTIVE = N_("This account is already deactivated.")
ALREADY_ACTIVE = N_("This account is already active.")
DEACTIVATED = N_("This account is deactivated: reactivate it first.")
NOT_LOCKED = N_("This account is not locked.")
SUPERVISORS_ONLY = N_("Only supervisors see their team's members.")
EMAIL_INVALID = N_("Enter an e-mail address such as name@example.org, or leave it empty.")

MESSAGES = (NO_USER, NOT_SAVED, LAST_ADMINISTRATOR, ALREADY_INACTIVE, ALREADY_ACTIVE, DEACTIVATED, NOT_LOCKED,
            SUPERVISORS_ONLY, EMAIL_INVALID)  # fmt: skip

# Unambiguous letters and digits (no 0/o, 1/l/i) for a password read aloud or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class StaffDetails:
    """What an administrator sets on an account (the user name is set once, at creation)."""

    display_name: str
    role: Role
    organisation_id: int | None = None
    team_id: int | None = None
    language: str = "en"
    email: str | None = None


@dataclass(frozen=True)
class StaffFilter:
    organisation_id: int | None = None
    role: Role | None = None
    active: bool | None = None


def list_users(*, session: Session, actor: User, filters: StaffFilter = StaffFilter()) -> list[User]:
    """Users matching ``filters``, by display name (their team and organisation loaded)."""
    require_administrator(actor)
    query = select(User).options(selectinload(User.team), selectinload(User.organisation))
    if filters.organisation_id is not None:
        query = query.where(User.organisation_id == filters.organisation_id)
    if filters.role is not None:
        query = query.where(User.role == filters.role)
    if filters.active is not None:
        query = query.where(User.active.is_(filters.active))
    return list(session.scalars(query.order_by(func.lower(User.display_name), User.id)))


def get_user(*, session: Session, actor: User, user_id: int) -> User:
    """One account."""
    require_administrator(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(NO_USER)
    return user


def _placement(session: Session, details: StaffDetails) -> tuple[Organisation | None, Team | None, dict[str, str]]:
    team = session.get(Team, details.team_id) if details.team_id is not None else None
    if details.team_id is not None and team is None:
        raise NotFound(NO_TEAM)
    organisation = session.get(Organisation, details.organisation_id) if details.organisation_id is not None else None
    if details.organisation_id is not None and organisation is None:
        raise NotFound(NO_ORGANISATION)
    problems = placement_problems(details.role, organisation, team)
    if details.role in ROLES_IN_A_TEAM and team is not None:
        organisation = team.organisation  # a team member's organisation is the team's
    return organisation, team, problems


def _details_problems(details: StaffDetails, *, username: str, password: str | None) -> dict[str, str]:
    problems = user_problems(username=username, display_name=details.display_name, password=password,
                             language=details.language)  # fmt: skip
    email = (details.email or "").strip()
    if email and (len(email) > 254 or "@" not in email.strip("@") or " " in email):
        problems["email"] = EMAIL_INVALID
    return problems


def add_user(
    *, session: Session, hasher: PasswordHasher, actor: User, now: dt.datetime, username: str, password: str,
    details: StaffDetails,
) -> int:  # fmt: skip
    """Create an account in its place (the organisation and team its role needs); return its id.

    The user must choose a new password at the first sign-in: the administrator knows this one."""
    require_administrator(actor)
    username = normal_username(username)
    with transaction(session):
        organisation, team, placement = _placement(session, details)
        problems = {**placement, **_details_problems(details, username=username, password=password)}
        if problems:
            raise InvalidInput(NOT_CREATED, problems)
        return create_user(
            session=session, hasher=hasher, now=now, username=username, display_name=details.display_name,
            password=password, role=details.role, organisation_id=organisation.id if organisation else None,
            team_id=team.id if team else None, language=details.language, email=(details.email or "").strip() or None,
            actor_id=actor.id, must_change_password=True,
        )  # fmt: skip


def _active_administrators(session: Session, other_than: int) -> int:
    count = session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMINISTRATOR, User.active.is_(True), User.id != other_than))  # fmt: skip
    return int(count or 0)


def _lock_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound(NO_USER)
    return user


def update_user(*, session: Session, actor: User, now: dt.datetime, user_id: int, details: StaffDetails) -> None:
    """Change an account's display name, role, organisation, team, language or e-mail address."""
    require_administrator(actor)
    with transaction(session):
        user = _lock_user(session, user_id)
        organisation, team, placement = _placement(session, details)
        problems = {**placement, **_details_problems(details, username=user.username, password=None)}
        if problems:
            raise InvalidInput(NOT_SAVED, problems)
        if (user.role is Role.ADMINISTRATOR and details.role is not Role.ADMINISTRATOR and user.active
                and _active_administrators(session, user.id) == 0):  # fmt: skip
            raise InvalidInput(NOT_SAVED, {"role": LAST_ADMINISTRATOR})
        new = {
            "display_name": details.display_name.strip(), "role": details.role,
            "organisation_id": organisation.id if organisation else None, "team_id": team.id if team else None,
            "language": details.language, "email": (details.email or "").strip() or None,
        }  # fmt: skip
        changed = [field for field, value in new.items() if getattr(user, field) != value]
        if not changed:
            return
        for field, value in new.items():
            setattr(user, field, value)
        detail = f"user={user.id} fields={','.join(changed)}"
        if "role" in changed:
            detail += f" role={details.role.value}"
        audit.record(session=session, now=now, actor_id=actor.id, action="user_updated", detail=detail)


def deactivate_user(*, session: Session, actor: User, now: dt.datetime, user_id: int) -> None:
    """Refuse the account's sign-ins from now on and end its sessions; nothing of its history is removed."""
    require_administrator(actor)
    with transaction(session):
        user = _lock_user(session, user_id)
        if not user.active:
            raise InvalidInput(ALREADY_INACTIVE)
        if user.role is Role.ADMINISTRATOR and _active_administrators(session, user.id) == 0:
            raise InvalidInput(LAST_ADMINISTRATOR)
        user.active, user.deactivated_at = False, now
        user.session_epoch += 1
        audit.record(session=session, now=now, actor_id=actor.id, action="user_deactivated", detail=f"user={user.id}")


def reactivate_user(*, session: Session, actor: User, now: dt.datetime, user_id: int) -> None:
    """Let a deactivated account sign in again (its role still needs its organisation and team)."""
    require_administrator(actor)
    with transaction(session):
        user = _lock_user(session, user_id)
        if user.active:
            raise InvalidInput(ALREADY_ACTIVE)
        details = StaffDetails(display_name=user.display_name, role=user.role, organisation_id=user.organisation_id,
                               team_id=user.team_id, language=user.language)  # fmt: skip
        _organisation, _team, problems = _placement(session, details)
        if problems:
            raise InvalidInput(NOT_SAVED, problems)
        user.active, user.deactivated_at = True, None
        user.failed_logins, user.locked_until = 0, None
        audit.record(session=session, now=now, actor_id=actor.id, action="user_reactivated", detail=f"user={user.id}")


def unlock_user(*, session: Session, actor: User, now: dt.datetime, user_id: int) -> None:
    """Lift the lock that repeated failed sign-ins put on an account, before it runs out."""
    require_administrator(actor)
    with transaction(session):
        user = _lock_user(session, user_id)
        if user.locked_until is None or user.locked_until <= now:
            raise InvalidInput(NOT_LOCKED)
        user.locked_until, user.failed_logins = None, 0
        audit.record(session=session, now=now, actor_id=actor.id, action="user_unlocked", detail=f"user={user.id}")


def temporary_password(username: str) -> str:
    """A random password of 16 unambiguous characters in four groups, meeting the policy."""
    while True:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        candidate = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        if policy_problem(candidate, username=username) is None:
            return candidate


def reset_password(*, session: Session, hasher: PasswordHasher, actor: User, now: dt.datetime, user_id: int) -> str:
    """Give the account a temporary password (returned once, stored only as a hash), end its sessions and
    lift any lock; the user must choose a new password at the next sign-in."""
    require_administrator(actor)
    with transaction(session):
        user = _lock_user(session, user_id)
        if not user.active:
            raise InvalidInput(DEACTIVATED)
        password = temporary_password(user.username)
        user.password_hash = hasher.hash(password)
        user.must_change_password = True
        user.session_epoch += 1
        user.locked_until, user.failed_logins = None, 0
        audit.record(session=session, now=now, actor_id=actor.id, action="password_reset", detail=f"user={user.id}")
        return password


@dataclass(frozen=True)
class TeamMember:
    """A member of the supervisor's team, as the read-only list shows them."""

    user_id: int
    display_name: str
    username: str
    role: Role
    email: str | None
    last_login_at: dt.datetime | None


def team_roster(*, session: Session, actor: User) -> list[TeamMember]:
    """The active members of the supervisor's own team, supervisors first, then by name."""
    if actor.role is not Role.SUPERVISOR or actor.team_id is None:
        raise Forbidden(SUPERVISORS_ONLY)
    rows = session.execute(
        select(User.id, User.display_name, User.username, User.role, User.email, User.last_login_at)
        .where(User.team_id == actor.team_id, User.active.is_(True))
        .order_by(User.role.desc(), func.lower(User.display_name), User.id)
    )  # fmt: skip
    return [TeamMember(*row) for row in rows]
