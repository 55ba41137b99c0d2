"""Administrators' use cases for organisations (shelters, DoSVY offices) and their teams.

Every change is audited with the administrator as actor; the audit line names ids and kinds only.
Messages are English message ids (the web layer translates them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine import audit
from engine.accounts.placement import SHELTERS
from engine.db import transaction
from engine.errors import N_, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Organisation, OrganisationKind, Province, Role, Team, User
from workflows.forms import years_from

NAME_MAX = 120
ADMINISTRATORS_ONLY = N_("Only administrators manage organisations, teams and users.")
NO_ORGANISATION = N_("There is no such organisation.")
NO_TEAM = N_("There is no such team.")
ORGANISATION_NOT_SAVED = N_("The organisation was not saved.")
TEAM_NOT_SAVED = N_("The team was not saved.")
NAME_REQUIRED = N_("A name is required.")
NAME_TOO_LONG = N_("The name is too long (at most 120 characters).")
NAME_TAKEN = N_("Another organisation has this name.")
TEAM_NAME_TAKEN = N_("This organisation already has a team with this name.")
PROVINCE_UNKNOWN = N_("Choose a province from the list.")
AGREEMENT_REQUIRED = N_("An NGO shelter needs the date of its agreement with MoSVY.")
AGREEMENT_IN_FUTURE = N_("The agreement date cannot be in the future.")
AGREEMENT_TOO_OLD = N_("The agreement date is not plausible: more than 50 years ago.")
AGREEMENT_YEARS_BACK = 50
KIND_FIXED = N_("The kind cannot change while the organisation has teams or users.")
HAS_ACTIVE_USERS = N_("Deactivate or move its active users first.")
TEAMS_IN_SHELTERS = N_("Only shelters have teams.")

MESSAGES = (ADMINISTRATORS_ONLY, NO_ORGANISATION, NO_TEAM, ORGANISATION_NOT_SAVED, TEAM_NOT_SAVED, NAME_REQUIRED,
            NAME_TOO_LONG, NAME_TAKEN, TEAM_NAME_TAKEN, PROVINCE_UNKNOWN, AGREEMENT_REQUIRED, AGREEMENT_IN_FUTURE,
            AGREEMENT_TOO_OLD, KIND_FIXED, HAS_ACTIVE_USERS, TEAMS_IN_SHELTERS)  # fmt: skip


def require_administrator(actor: User) -> None:
    """Refuse anyone but an active administrator (the web layer checks too; this is the rule itself)."""
    if actor.role is not Role.ADMINISTRATOR or not actor.active:
        raise Forbidden(ADMINISTRATORS_ONLY)


@dataclass(frozen=True)
class OrganisationDetails:
    """What an administrator types for an organisation."""

    name: str
    kind: OrganisationKind
    province_code: str
    mosvy_agreement_date: dt.date | None = None


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    teams: int
    active_users: int


def list_organisations(
    *, session: Session, actor: User, province_code: str | None = None, kind: OrganisationKind | None = None
) -> list[OrganisationRow]:
    """Every organisation (of a province or kind when given), by province then name, with its counts."""
    require_administrator(actor)
    teams = select(func.count()).select_from(Team).where(Team.organisation_id == Organisation.id).scalar_subquery()
    users = (select(func.count()).select_from(User)
             .where(User.organisation_id == Organisation.id, User.active.is_(True)).scalar_subquery())  # fmt: skip
    query = (select(Organisation, teams, users).join(Province).options(selectinload(Organisation.province))
             .order_by(Province.name_en, Organisation.name))  # fmt: skip
    if province_code:
        query = query.where(Organisation.province_code == province_code)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    return [OrganisationRow(org, int(t or 0), int(u or 0)) for org, t, u in session.execute(query)]


def get_organisation(*, session: Session, actor: User, organisation_id: int) -> Organisation:
    """One organisation with its teams."""
    require_administrator(actor)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(NO_ORGANISATION)
    return organisation


def _details_problems(session: Session, details: OrganisationDetails, today: dt.date, own_id: int | None
                      ) -> dict[str, str]:  # fmt: skip
    problems: dict[str, str] = {}
    name = details.name.strip()
    if not name:
        problems["name"] = NAME_REQUIRED
    elif len(name) > NAME_MAX:
        problems["name"] = NAME_TOO_LONG
    else:
        clash = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
        if own_id is not None:
            clash = clash.where(Organisation.id != own_id)
        if session.scalar(clash.limit(1)) is not None:
            problems["name"] = NAME_TAKEN
    if session.get(Province, details.province_code) is None:
        problems["province_code"] = PROVINCE_UNKNOWN
    if details.kind is OrganisationKind.NGO_SHELTER and details.mosvy_agreement_date is None:
        problems["mosvy_agreement_date"] = AGREEMENT_REQUIRED
    elif details.mosvy_agreement_date is not None and details.mosvy_agreement_date > today:
        problems["mosvy_agreement_date"] = AGREEMENT_IN_FUTURE
    elif details.mosvy_agreement_date is not None and details.mosvy_agreement_date < years_from(
        today, -AGREEMENT_YEARS_BACK
    ):
        problems["mosvy_agreement_date"] = AGREEMENT_TOO_OLD
    return problems


def create_organisation(*, session: Session, actor: User, now: dt.datetime, details: OrganisationDetails) -> int:
    """Add a shelter or a DoSVY office; return its id."""
    require_administrator(actor)
    with transaction(session):
        problems = _details_problems(session, details, now.date(), None)
        if problems:
            raise InvalidInput(ORGANISATION_NOT_SAVED, problems)
        organisation = Organisation(name=details.name.strip(), kind=details.kind, province_code=details.province_code,
                                    mosvy_agreement_date=details.mosvy_agreement_date, active=True)  # fmt: skip
        session.add(organisation)
        session.flush()
        audit.record(session=session, now=now, actor_id=actor.id, action="organisation_created",
                     detail=f"organisation={organisation.id} kind={details.kind.value}")  # fmt: skip
        return organisation.id


def update_organisation(
    *, session: Session, actor: User, now: dt.datetime, organisation_id: int, details: OrganisationDetails,
    active: bool,
) -> None:  # fmt: skip
    """Change an organisation's name, kind, province, agreement date or whether it is active."""
    require_administrator(actor)
    with transaction(session):
        organisation = session.get(Organisation, organisation_id, with_for_update=True)
        if organisation is None:
            raise NotFound(NO_ORGANISATION)
        problems = _details_problems(session, details, now.date(), organisation.id)
        members = select(func.count()).select_from(User).where(User.organisation_id == organisation.id)
        if details.kind is not organisation.kind and (organisation.teams or session.scalar(members)):
            problems["kind"] = KIND_FIXED
        if not active and organisation.active and session.scalar(members.where(User.active.is_(True))):
            problems["active"] = HAS_ACTIVE_USERS
        if problems:
            raise InvalidInput(ORGANISATION_NOT_SAVED, problems)
        changed = [
            field for field, old, new in (
                ("name", organisation.name, details.name.strip()), ("kind", organisation.kind, details.kind),
                ("province_code", organisation.province_code, details.province_code),
                ("mosvy_agreement_date", organisation.mosvy_agreement_date, details.mosvy_agreement_date),
                ("active", organisation.active, active),
            ) if old != new
        ]  # fmt: skip
        if not changed:
            return
        organisation.name, organisation.kind = details.name.strip(), details.kind
        organisation.province_code = details.province_code
        organisation.mosvy_agreement_date = details.mosvy_agreement_date
        organisation.active = active
        audit.record(session=session, now=now, actor_id=actor.id, action="organisation_updated",
                     detail=f"organisation={organisation.id} fields={','.join(changed)}")  # fmt: skip


def _team_name_problem(session: Session, organisation_id: int, name: str, own_id: int | None) -> str | None:
    if not name:
        return NAME_REQUIRED
    if len(name) > NAME_MAX:
        return NAME_TOO_LONG
    clash = select(Team.id).where(Team.organisation_id == organisation_id, func.lower(Team.name) == name.lower())
    if own_id is not None:
        clash = clash.where(Team.id != own_id)
    return TEAM_NAME_TAKEN if session.scalar(clash.limit(1)) is not None else None


def create_team(*, session: Session, actor: User, now: dt.datetime, organisation_id: int, name: str) -> int:
    """Add a team to a shelter; return its id."""
    require_administrator(actor)
    name = name.strip()
    with transaction(session):
        organisation = session.get(Organisation, organisation_id, with_for_update=True)
        if organisation is None:
            raise NotFound(NO_ORGANISATION)
        if organisation.kind not in SHELTERS:
            raise InvalidInput(TEAM_NOT_SAVED, {"name": TEAMS_IN_SHELTERS})
        if (problem := _team_name_problem(session, organisation.id, name, None)) is not None:
            raise InvalidInput(TEAM_NOT_SAVED, {"name": problem})
        team = Team(organisation_id=organisation.id, name=name)
        session.add(team)
        session.flush()
        audit.record(session=session, now=now, actor_id=actor.id, action="team_created",
                     detail=f"team={team.id} organisation={organisation.id}")  # fmt: skip
        return team.id


def get_team(*, session: Session, actor: User, team_id: int) -> Team:
    """One team."""
    require_administrator(actor)
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(NO_TEAM)
    return team


def rename_team(*, session: Session, actor: User, now: dt.datetime, team_id: int, name: str) -> None:
    """Give a team another name (unique within its organisation)."""
    require_administrator(actor)
    name = name.strip()
    with transaction(session):
        team = session.get(Team, team_id, with_for_update=True)
        if team is None:
            raise NotFound(NO_TEAM)
        if (problem := _team_name_problem(session, team.organisation_id, name, team.id)) is not None:
            raise InvalidInput(TEAM_NOT_SAVED, {"name": problem})
        if team.name == name:
            return
        team.name = name
        audit.record(session=session, now=now, actor_id=actor.id, action="team_renamed", detail=f"team={team.id}")


def teams_by_organisation(*, session: Session, actor: User) -> list[Team]:
    """Every team of an active shelter, by organisation then name (the choices for a user's team)."""
    require_administrator(actor)
    query = (select(Team).join(Organisation).where(Organisation.active.is_(True))
             .options(selectinload(Team.organisation)).order_by(Organisation.name, Team.name))  # fmt: skip
    return list(session.scalars(query))
