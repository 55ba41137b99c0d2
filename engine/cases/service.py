"""Case use cases. Each is one transaction; the caller passes the session, the actor and ``now``."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import exists, func, literal, select, union_all
from sqlalchemy.orm import Session

from engine.cases.codes import new_case_code
from engine.db import UTCDateTime, blind_index, transaction
from engine.errors import N_, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role, User
from engine.models.cases import (
    SECTIONS,
    Case,
    CaseEvent,
    CaseStatus,
    Identity,
    Phase,
    Sex,
)
from engine.security.policy import can_see_case, require_can_open_case, visible_cases


@dataclass(frozen=True)
class NewSurvivor:
    """What admission records about the person; at least one given name is required."""

    sex: Sex
    given_name_km: str | None = None
    family_name_km: str | None = None
    given_name_latin: str | None = None
    family_name_latin: str | None = None
    alias: str | None = None
    date_of_birth: dt.date | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def open_case(
    *,
    session: Session,
    actor: User,
    now: dt.datetime,
    team_id: int,
    survivor: NewSurvivor,
    caseworker_id: int | None = None,
    code_prefix: str = "RG",
    rng: random.Random | None = None,
) -> Case:
    """Admit a survivor: a new case in Pre-Reintegration with its identity section."""
    require_can_open_case(actor, team_id)
    given_km, given_latin = _clean(survivor.given_name_km), _clean(survivor.given_name_latin)
    if given_km is None and given_latin is None:
        raise InvalidInput(
            N_("The case was not opened."), {"given_name_latin": N_("Enter a given name in Khmer or Latin script.")}
        )
    if survivor.date_of_birth is not None and survivor.date_of_birth > now.date():
        raise InvalidInput(N_("The case was not opened."), {"date_of_birth": N_("The date of birth is in the future.")})
    if actor.role is Role.CASEWORKER:
        caseworker_id = actor.id
    with transaction(session):
        if caseworker_id is not None:
            worker = session.get(User, caseworker_id)
            if worker is None or worker.role is not Role.CASEWORKER or worker.team_id != team_id:
                raise InvalidInput(
                    N_("The case was not opened."), {"caseworker_id": N_("Choose a caseworker of this team.")}
                )
        code = new_case_code(code_prefix, rng)
        while session.scalar(select(exists().where(Case.code == code))):
            code = new_case_code(code_prefix, rng)
        case = Case(
            code=code,
            phase=Phase.PRE_REINTEGRATION,
            status=CaseStatus.OPEN,
            team_id=team_id,
            caseworker_id=caseworker_id,
            opened_at=now,
        )
        session.add(case)
        session.flush()
        session.add(
            Identity(  # its blind index and search tokens follow from the names (``index_identity``)
                case_id=case.id,
                given_name_km=given_km,
                family_name_km=_clean(survivor.family_name_km),
                given_name_latin=given_latin,
                family_name_latin=_clean(survivor.family_name_latin),
                alias=_clean(survivor.alias),
                sex=survivor.sex,
                date_of_birth=survivor.date_of_birth,
                updated_at=now,
                updated_by_id=actor.id,
            )
        )
        session.add(
            CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind="opened", summary="Case opened at admission")
        )
        return case


def get_case(*, session: Session, actor: User, code: str) -> Case:
    """The case with ``code`` if ``actor`` may see it; otherwise ``NotFound`` (no existence leak)."""
    case = session.scalar(select(Case).where(Case.code == code))
    if case is None or not can_see_case(actor, case):
        raise NotFound(N_("There is no such case, or it is not yours to see."))
    return case


def list_cases(*, session: Session, actor: User, limit: int = 50, offset: int = 0) -> tuple[list[Case], int]:
    """The cases ``actor`` may see, newest first, one page, and how many there are in all."""
    if limit < 1 or offset < 0:
        raise InvalidInput(N_("Invalid page."))
    base = visible_cases(actor, select(Case))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(base.order_by(Case.opened_at.desc(), Case.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def find_by_name(*, session: Session, actor: User, full_latin_name: str) -> list[Case]:
    """Exact lookup of a survivor by Latin-script full name, through the blind index, within scope."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR):
        raise Forbidden(N_("Only case staff can search case files."))
    index = blind_index(full_latin_name)
    query = visible_cases(
        actor, select(Case).join(Identity, Identity.case_id == Case.id).where(Identity.name_index == index)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class SectionStatus:
    """When a case-file section was last updated, and whether that is too long ago."""

    key: str
    updated_at: dt.datetime | None
    days_ago: int | None
    stale: bool


def section_status(
    *,
    session: Session,
    case: Case,
    now: dt.datetime,
    max_age_days: int = 90,
    section_ages: Mapping[str, int] | None = None,
) -> list[SectionStatus]:
    """Last update of every section of ``case`` (one query), stale when older than ``max_age_days``."""
    parts = [
        select(literal(key).label("key"), func.max(model.updated_at).label("at")).where(model.case_id == case.id)
        for key, model in SECTIONS
    ]
    rows = {key: at for key, at in session.execute(union_all(*parts)).all()}
    result = []
    for key, _model in SECTIONS:
        at = UTCDateTime().process_result_value(rows.get(key), session.get_bind().dialect)
        days = None if at is None else max((now - at).days, 0)
        limit = (section_ages or {}).get(key, max_age_days)
        result.append(SectionStatus(key, at, days, days is None or days > limit))
    return result
