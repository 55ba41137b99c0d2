"""Demo data: fills an empty database once with obviously synthetic people.

The demo is seeded once for this module (seeding walks 36 cases through the workflows, which is the
slow part) and the tests only read it; the module wipes the tables when it is done. What needs an
empty database (determinism, the code prefix) is in ``test_demo_seeding.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from engine.accounts.passwords import make_hasher
from engine.accounts.service import LoginOutcome, authenticate
from engine.db import Base, make_session_factory
from engine.demo import CASES, DEMO_PASSWORD, DEMO_USERS, UNASSIGNED, DemoLogin, seed_demo
from engine.models.accounts import Organisation, OrganisationKind, Role, Team, User
from engine.models.cases import Case, CaseEvent, CaseStatus, FamilyMember, History, Identity, Phase
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.workflow.service import load_runtime
from tests.conftest import NOW, _wipe

MARKERS = ("Demo", "Sample", "សាកល្បង")
RUNTIME = load_runtime()


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return make_hasher("fast")


@pytest.fixture(scope="module")
def demo(db_engine: Engine, hasher: PasswordHasher) -> Iterator[tuple[Session, list[DemoLogin]]]:
    """One seeded demo for the whole module, wiped afterwards."""
    s = make_session_factory(db_engine)()
    try:
        logins = seed_demo(session=s, hasher=hasher, now=NOW, runtime=RUNTIME)
        assert logins is not None
        yield s, logins
    finally:
        s.close()
        _wipe(db_engine)


@pytest.fixture
def session(demo: tuple[Session, list[DemoLogin]]) -> Iterator[Session]:
    """The module's seeded session; a test that wrote something is rolled back (nothing is kept)."""
    s = demo[0]
    yield s
    s.rollback()


@pytest.fixture
def seeded(demo: tuple[Session, list[DemoLogin]]) -> list[DemoLogin]:
    return demo[1]


def count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_seed_creates_the_listed_users_with_their_roles_and_teams(session: Session, seeded: list[DemoLogin]) -> None:
    rows = session.execute(select(User.username, User.role, Team.name).outerjoin(Team, User.team_id == Team.id)).all()
    assert sorted(tuple(row) for row in rows) == sorted(DEMO_USERS)
    assert len(rows) == 9


def test_seed_returns_the_logins_of_the_listed_users(seeded: list[DemoLogin]) -> None:
    assert [(login.username, login.role, login.team) for login in seeded] == list(DEMO_USERS)


def test_seed_creates_three_organisations_of_every_kind(session: Session, seeded: list[DemoLogin]) -> None:
    kinds = session.scalars(select(Organisation.kind)).all()
    assert sorted(kinds) == sorted(OrganisationKind)


def test_seed_creates_36_cases(session: Session, seeded: list[DemoLogin]) -> None:
    assert count(session, Case) == CASES == 36


def test_seed_has_cases_in_every_phase(session: Session, seeded: list[DemoLogin]) -> None:
    assert set(session.scalars(select(Case.phase))) == set(Phase)


def test_seed_has_cases_in_every_status(session: Session, seeded: list[DemoLogin]) -> None:
    assert set(session.scalars(select(Case.status))) == set(CaseStatus)


def test_every_demo_case_has_a_caseworker_of_its_team_but_two_left_to_the_team(
    session: Session, seeded: list[DemoLogin]
) -> None:
    rows = session.execute(
        select(Case.team_id, User.team_id, User.role).join(User, Case.caseworker_id == User.id)
    ).all()
    assert len(rows) == CASES - len(UNASSIGNED)
    assert all(case_team == user_team and role is Role.CASEWORKER for case_team, user_team, role in rows)
    open_unassigned = (WorkItem.status == WorkItemStatus.OPEN, WorkItem.assignee_id.is_(None))
    unassigned = session.scalars(select(WorkItem.team_id).where(*open_unassigned, WorkItem.role == Role.CASEWORKER))
    assert len(set(unassigned)) == 2  # one unassigned step in each team's queue


def test_demo_users_sign_in_with_the_demo_password(
    session: Session, hasher: PasswordHasher, seeded: list[DemoLogin]
) -> None:
    result = authenticate(
        session=session, hasher=hasher, now=NOW, username="caseworker.a1", password=DEMO_PASSWORD,
        max_failed=6, lockout=dt.timedelta(minutes=30),
    )  # fmt: skip
    assert result.outcome is LoginOutcome.OK


def test_second_seed_returns_none_and_adds_nothing(
    session: Session, hasher: PasswordHasher, seeded: list[DemoLogin]
) -> None:
    models: list[type[Base]] = [User, Organisation, Team, Case, Identity, History, FamilyMember]
    before = [count(session, m) for m in models]
    assert seed_demo(session=session, hasher=hasher, now=NOW + dt.timedelta(days=1), runtime=RUNTIME) is None
    assert [count(session, m) for m in models] == before


def test_every_survivor_name_and_alias_is_obviously_synthetic(session: Session, seeded: list[DemoLogin]) -> None:
    identities = session.scalars(select(Identity)).all()
    names = [
        value
        for i in identities
        for value in (i.given_name_latin, i.family_name_latin, i.given_name_km, i.family_name_km, i.alias)
        if value is not None
    ]
    assert len(identities) == CASES
    assert [name for name in names if not any(marker in name for marker in MARKERS)] == []


def test_every_family_member_name_is_obviously_synthetic(session: Session, seeded: list[DemoLogin]) -> None:
    names = session.scalars(select(FamilyMember.name)).all()
    assert names
    assert [name for name in names if not any(marker in name for marker in MARKERS)] == []


def test_nothing_in_the_demo_happens_after_now(session: Session, seeded: list[DemoLogin]) -> None:
    stamps = [
        *session.scalars(select(History.updated_at)),
        *session.scalars(select(Case.opened_at)),
        *session.scalars(select(CaseEvent.at)),
        *session.scalars(select(WorkItem.completed_at).where(WorkItem.completed_at.is_not(None))),
    ]
    assert len(stamps) > 2 * CASES
    assert max(stamps) <= NOW


def test_demo_cases_were_walked_through_the_workflows(session: Session, seeded: list[DemoLogin]) -> None:
    completed = session.scalar(
        select(func.count()).select_from(WorkItem).where(WorkItem.status == WorkItemStatus.COMPLETED)
    )
    assert completed > 100
    open_cases = session.scalar(select(func.count()).select_from(Case).where(Case.status != CaseStatus.CLOSED))
    open_cases_with_work = session.scalar(
        select(func.count(func.distinct(WorkItem.case_id))).where(WorkItem.status == WorkItemStatus.OPEN)
    )
    assert open_cases_with_work == open_cases


def test_demo_has_overdue_work_for_caseworkers_and_supervisors(session: Session, seeded: list[DemoLogin]) -> None:
    overdue_roles = set(session.scalars(
        select(WorkItem.role).where(WorkItem.status == WorkItemStatus.OPEN, WorkItem.due_at < NOW)
    ))  # fmt: skip
    assert {Role.CASEWORKER, Role.SUPERVISOR} <= overdue_roles


def test_demo_has_lost_contact_and_closed_cases(session: Session, seeded: list[DemoLogin]) -> None:
    statuses = set(session.scalars(select(Case.status)))
    assert statuses == set(CaseStatus)
