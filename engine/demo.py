"""Deterministic, obviously synthetic demo data for ``make run`` and manual testing.

Every name says "Demo" or ``សាកល្បង`` ("test"); no value looks like a real person, place of birth or
story. The same seed and ``now`` always give the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts.models import Organisation, OrganisationKind, Role, Team, User
from engine.accounts.service import create_user
from engine.cases.models import (
    CaseEvent,
    CaseStatus,
    FamilyAssessment,
    FamilyMember,
    History,
    MedicalRecord,
    Phase,
    PsychologicalRecord,
    RiskLevel,
    SafetyRating,
    Sex,
)
from engine.cases.service import NewSurvivor, open_case
from engine.db import transaction

DEMO_PASSWORD = "demo-password-2026"
SEED = 9009
CASES = 36


# user name, role, team ("A", "B", "dosvy" for the DoSVY office, None), display name, language
_ACCOUNTS: tuple[tuple[str, Role, str | None, str, str], ...] = (
    ("admin", Role.ADMINISTRATOR, None, "Demo Administrator", "en"),
    ("supervisor.a", Role.SUPERVISOR, "A", "Demo Supervisor A", "en"),
    ("supervisor.b", Role.SUPERVISOR, "B", "Demo Supervisor B", "km"),
    ("caseworker.a1", Role.CASEWORKER, "A", "Demo Caseworker A1", "en"),
    ("caseworker.a2", Role.CASEWORKER, "A", "Demo Caseworker A2", "km"),
    ("caseworker.b1", Role.CASEWORKER, "B", "Demo Caseworker B1", "en"),
    ("caseworker.b2", Role.CASEWORKER, "B", "Demo Caseworker B2", "en"),
    ("dosvy.officer", Role.DOSVY_OFFICER, "dosvy", "Demo DoSVY Officer", "en"),
    ("reporting", Role.REPORTING, None, "Demo Reporting Officer", "en"),
)
_TEAM_NAMES = {"A": "Demo Team A", "B": "Demo Team B", "dosvy": None, None: None}
DEMO_USERS: tuple[tuple[str, Role, str | None], ...] = tuple(
    (username, role, _TEAM_NAMES[team]) for username, role, team, _display, _lang in _ACCOUNTS
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    team: str | None


def seed_demo(
    *, session: Session, hasher: PasswordHasher, now: dt.datetime, code_prefix: str = "RG"
) -> list[DemoLogin] | None:
    """Fill an empty database with demo data; return the logins, or ``None`` if users already exist."""
    rng = random.Random(SEED)
    with transaction(session):
        if session.scalar(select(func.count()).select_from(User)):
            return None
        gov = Organisation(
            name="Demo Government Shelter (synthetic)", kind=OrganisationKind.GOVERNMENT_SHELTER, province_code="12"
        )
        ngo = Organisation(
            name="Demo NGO Shelter (synthetic)",
            kind=OrganisationKind.NGO_SHELTER,
            province_code="17",
            mosvy_agreement_date=dt.date(2020, 1, 15),
        )
        dosvy = Organisation(
            name="Demo DoSVY Office (synthetic)", kind=OrganisationKind.DOSVY_OFFICE, province_code="02"
        )
        session.add_all([gov, ngo, dosvy])
        session.flush()
        team_a, team_b = (
            Team(organisation_id=gov.id, name=_TEAM_NAMES["A"] or ""),
            Team(organisation_id=ngo.id, name=_TEAM_NAMES["B"] or ""),
        )
        session.add_all([team_a, team_b])
        session.flush()

        orgs = {"A": (gov, team_a), "B": (ngo, team_b), "dosvy": (dosvy, None), None: (None, None)}
        accounts: dict[str, User] = {}
        for username, role, team_key, display, language in _ACCOUNTS:
            org, team = orgs[team_key]
            uid = create_user(
                session=session, hasher=hasher, now=now, username=username, display_name=display,
                password=DEMO_PASSWORD, role=role, organisation_id=org.id if org else None,
                team_id=team.id if team else None, language=language,
            )  # fmt: skip
            found = session.get(User, uid)
            assert found is not None
            accounts[username] = found
        supervisors = [accounts["supervisor.a"], accounts["supervisor.b"]]
        workers = [accounts[name] for name in ("caseworker.a1", "caseworker.a2", "caseworker.b1", "caseworker.b2")]

        phases = list(Phase)
        for n in range(1, CASES + 1):
            worker = workers[(n - 1) % len(workers)]
            supervisor = supervisors[0] if worker.team_id == team_a.id else supervisors[1]
            opened = now - dt.timedelta(days=rng.randint(1, 720), hours=rng.randint(0, 23))
            case = open_case(
                session=session, actor=supervisor, now=opened, team_id=worker.team_id or 0,
                survivor=NewSurvivor(
                    sex=rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE]),
                    given_name_latin=f"Demo Survivor {n:02d}", family_name_latin="Sample",
                    given_name_km=f"សាកល្បង {n:02d}", alias=f"Sample {n:02d}",
                    date_of_birth=dt.date(2000 + rng.randint(0, 10), rng.randint(1, 12), rng.randint(1, 28)),
                ),
                caseworker_id=worker.id, code_prefix=code_prefix, rng=rng,
            )  # fmt: skip
            case.phase = phases[(n - 1) % len(phases)]
            case.risk_level = rng.choice(list(RiskLevel))
            if case.phase is Phase.CLOSURE and n % 2 == 0:
                case.status, case.closed_at = CaseStatus.CLOSED, now - dt.timedelta(days=rng.randint(1, 60))
            elif case.phase in (Phase.FOLLOW_UP_1, Phase.FOLLOW_UP_2) and n % 4 == 0:
                case.status = CaseStatus.LOST_CONTACT
            stamp = {"case_id": case.id, "updated_by_id": worker.id}
            fresh = opened + dt.timedelta(days=rng.randint(0, 200))
            stamp_at = min(fresh, now)
            session.add(History(
                **stamp, updated_at=stamp_at, origin_province_code=f"{rng.randint(1, 25):02d}",
                address_before="Demo Village (synthetic)",
                form_of_exploitation=rng.choice(["labour", "sexual", "forced_marriage"]),
                destination_country=rng.choice(["TH", "MY", "CN", "KH"]),
                referral_source=rng.choice(["police", "ngo", "self"]),
                narrative="Synthetic demo narrative. No real events.",
            ))  # fmt: skip
            session.add(
                FamilyMember(
                    **stamp,
                    updated_at=stamp_at,
                    relationship="mother",
                    name=f"Demo Parent {n:02d}",
                    occupation="Demo occupation",
                )
            )
            if n % 3:
                session.add(FamilyAssessment(
                    **stamp, updated_at=stamp_at, assessed_on=stamp_at.date(), household="Synthetic household",
                    safety_rating=rng.choice([SafetyRating.SAFE, SafetyRating.SAFE_WITH_SUPPORT, SafetyRating.UNSAFE]),
                ))  # fmt: skip
            session.add(MedicalRecord(**stamp, updated_at=stamp_at, vaccinations="Demo vaccination entry"))
            session.add(PsychologicalRecord(**stamp, updated_at=stamp_at, assessment="Demo assessment text"))
            session.add(CaseEvent(case_id=case.id, at=now, actor_id=None, kind="demo", summary="Demo data generated"))
        return [DemoLogin(username, role, team) for username, role, team in DEMO_USERS]
