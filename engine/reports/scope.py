"""Whose cases a report counts, and who may ask for which.

A report covers the cases of one shelter, of every shelter in one province, or of the nation. A case
belongs to the shelter (organisation) of its team, and so to that shelter's province.

- Reporting staff without an organisation are the national secretariat: any scope.
- Reporting staff attached to an organisation (e.g. their province's DoSVY office) report for that
  organisation's province: the province, or one shelter in it.
- A supervisor reports for their own shelter (the organisation of their team) only.
- Nobody else sees reports.

Every report function calls :func:`require_scope` itself, so no page or export can count more.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.errors import N_, Forbidden, InvalidInput
from engine.models.accounts import Organisation, OrganisationKind, Province, Role, Team, User

SHELTER_KINDS = (OrganisationKind.GOVERNMENT_SHELTER, OrganisationKind.NGO_SHELTER)
NOT_ALLOWED = N_("You may not see reports for this scope.")
BAD_SCOPE = N_("Choose the nation, a province or a shelter.")


class ScopeKind(enum.StrEnum):
    NATION = "nation"
    PROVINCE = "province"
    SHELTER = "shelter"


@dataclass(frozen=True)
class Scope:
    """``key`` is a province code or a shelter's organisation id (as text); none for the nation."""

    kind: ScopeKind
    key: str | None = None

    @property
    def token(self) -> str:
        """``nation``, ``province:12`` or ``shelter:5``: how the scope travels in a URL."""
        return self.kind.value if self.key is None else f"{self.kind.value}:{self.key}"


NATION = Scope(ScopeKind.NATION)


def parse_scope(token: str) -> Scope:
    """The inverse of :attr:`Scope.token`; anything else is refused."""
    kind, _, key = token.strip().partition(":")
    if kind == ScopeKind.NATION and not key:
        return NATION
    if kind == ScopeKind.PROVINCE and len(key) == 2 and key.isdigit():
        return Scope(ScopeKind.PROVINCE, key)
    if kind == ScopeKind.SHELTER and key.isdigit() and len(key) <= 9:
        return Scope(ScopeKind.SHELTER, str(int(key)))
    raise InvalidInput(BAD_SCOPE, {"scope": BAD_SCOPE})


def _own_shelter(actor: User) -> Organisation | None:
    if actor.team is not None:
        return actor.team.organisation
    return actor.organisation


def home_scope(actor: User) -> Scope:
    """The widest scope ``actor`` may see (the page's default); Forbidden for roles without reports."""
    if actor.role is Role.REPORTING and actor.active:
        if actor.organisation is None:
            return NATION
        return Scope(ScopeKind.PROVINCE, actor.organisation.province_code)
    if actor.role is Role.SUPERVISOR and actor.active:
        shelter = _own_shelter(actor)
        if shelter is not None and shelter.kind in SHELTER_KINDS:
            return Scope(ScopeKind.SHELTER, str(shelter.id))
    raise Forbidden(NOT_ALLOWED)


def is_national(actor: User) -> bool:
    """True for the national secretariat (reporting staff without an organisation)."""
    try:
        return home_scope(actor) == NATION
    except Forbidden:
        return False


def require_scope(session: Session, actor: User, scope: Scope) -> None:
    """Refuse unless ``actor`` may see ``scope`` (an unknown shelter or province is refused the same way)."""
    home = home_scope(actor)
    if scope == home:
        return
    if home.kind is ScopeKind.SHELTER:
        raise Forbidden(NOT_ALLOWED)
    if scope.kind is ScopeKind.PROVINCE:
        known = session.get(Province, scope.key) is not None
        if known and home.kind is ScopeKind.NATION:
            return
        raise Forbidden(NOT_ALLOWED)
    if scope.kind is ScopeKind.SHELTER:
        shelter = session.get(Organisation, int(scope.key or 0))
        in_reach = shelter is not None and (home.kind is ScopeKind.NATION or shelter.province_code == home.key)
        if in_reach and shelter is not None and shelter.kind in SHELTER_KINDS:
            return
    raise Forbidden(NOT_ALLOWED)


def team_ids(scope: Scope) -> Select[Any]:
    """The ids of the teams whose cases ``scope`` counts (call :func:`require_scope` first)."""
    query = select(Team.id).join(Organisation, Team.organisation_id == Organisation.id)
    if scope.kind is ScopeKind.PROVINCE:
        return query.where(Organisation.province_code == scope.key)
    if scope.kind is ScopeKind.SHELTER:
        return query.where(Organisation.id == int(scope.key or 0))
    return query


@dataclass(frozen=True)
class ScopeChoice:
    scope: Scope
    name: str  # a province's or shelter's name; empty for the nation (the page says "Cambodia")
    name_km: str | None = None


def scope_choices(session: Session, actor: User) -> list[ScopeChoice]:
    """Every scope ``actor`` may choose, widest first."""
    home = home_scope(actor)
    shelters = select(Organisation).where(Organisation.kind.in_(SHELTER_KINDS)).order_by(Organisation.name)
    if home.kind is ScopeKind.SHELTER:
        org = session.get(Organisation, int(home.key or 0))
        return [ScopeChoice(home, org.name if org else "")]
    choices: list[ScopeChoice] = []
    if home.kind is ScopeKind.NATION:
        choices.append(ScopeChoice(NATION, ""))
        provinces = session.scalars(select(Province).order_by(Province.code)).all()
    else:
        provinces = session.scalars(select(Province).where(Province.code == home.key)).all()
        shelters = shelters.where(Organisation.province_code == home.key)
    choices += [ScopeChoice(Scope(ScopeKind.PROVINCE, p.code), p.name_en, p.name_km) for p in provinces]
    choices += [ScopeChoice(Scope(ScopeKind.SHELTER, str(o.id)), o.name) for o in session.scalars(shelters)]
    return choices
