"""No survivor data is stored in clear: the raw rows (read without the ORM types) and, on SQLite, the raw bytes
of the database file and its write-ahead log hold none of the plaintext. The ORM reads it back, and the blind
index finds the case by name within the actor's scope."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from engine.cases.service import find_by_name
from engine.crypto import KeyRing
from engine.db import transaction
from engine.errors import Forbidden
from engine.models.accounts import Role, Team, User
from engine.models.cases import Case, FamilyMember, History, Identity, MedicalRecord, PsychologicalRecord
from tests.conftest import NOW
from tests.factories import Factory

SURVIVOR = {
    "given_name_latin": "Zyxwvut-Sentinel-Given",
    "family_name_latin": "Qvxzj-Sentinel-Family",
    "given_name_km": "សាកល្បងសង្កេតមួយ",  # "test observe one", synthetic
    "family_name_km": "សាកល្បងសង្កេតពីរ",  # "test observe two", synthetic
    "alias": "Wqxv-Sentinel-Alias",
    "date_of_birth": dt.date(2003, 7, 14),
}
NARRATIVE = "Zyxwvut-Sentinel-Narrative: synthetic story, no real events."
ADDRESS = "Zyxwvut-Sentinel-Address, Demo Village"
FAMILY_MEMBER = "Zyxwvut-Sentinel-Mother"
MEDICAL = "Zyxwvut-Sentinel-Medical: synthetic doctor's advice."
PSYCHOLOGICAL = "Zyxwvut-Sentinel-Psychological: synthetic notes."
PLAINTEXTS = [
    *(str(v) for k, v in SURVIVOR.items() if k != "date_of_birth"),
    "2003-07-14",
    "20030714",
    "14/07/2003",
    "Sentinel",
    NARRATIVE,
    ADDRESS,
    FAMILY_MEMBER,
    MEDICAL,
    PSYCHOLOGICAL,
]
TABLES = ["case_identities", "case_histories", "family_members", "medical_records", "psychological_records"]
FULL_NAME = "Zyxwvut-Sentinel-Given Qvxzj-Sentinel-Family"


@pytest.fixture
def team(factory: Factory) -> Team:
    return factory.team()


@pytest.fixture
def worker(factory: Factory, team: Team) -> User:
    return factory.user(Role.CASEWORKER, team)


@pytest.fixture
def case(factory: Factory, session: Session, worker: User) -> Case:
    case = factory.case(worker, **SURVIVOR)
    with transaction(session):
        stamp = {"case_id": case.id, "updated_at": NOW, "updated_by_id": worker.id}
        session.add(History(**stamp, narrative=NARRATIVE, address_before=ADDRESS, left_home_on=dt.date(2019, 2, 3)))
        session.add(FamilyMember(**stamp, relationship="mother", name=FAMILY_MEMBER))
        session.add(MedicalRecord(**stamp, doctor_advice=MEDICAL))
        session.add(PsychologicalRecord(**stamp, notes=PSYCHOLOGICAL))
    return case


def raw_rows(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the case-file tables as the database holds it (no ORM types, no decryption)."""
    conn = session.connection()
    return {table: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}"))] for table in TABLES}


def test_raw_rows_hold_none_of_the_plaintext(session: Session, case: Case) -> None:
    rows = raw_rows(session)
    assert all(rows[table] for table in TABLES), "every case-file table must hold a row for the check to mean anything"
    dump = repr(rows)
    leaked = [value for value in PLAINTEXTS if value in dump]
    assert leaked == []


def test_raw_rows_hold_tokens_of_the_test_key_ring(session: Session, keyring: KeyRing, case: Case) -> None:
    stored = session.connection().execute(text("SELECT alias, date_of_birth FROM case_identities")).one()
    assert (keyring.decrypt(stored.alias), keyring.decrypt(stored.date_of_birth)) == (SURVIVOR["alias"], "2003-07-14")


def test_database_file_and_wal_hold_none_of_the_plaintext(session: Session, db_engine: Engine, case: Case) -> None:
    if db_engine.dialect.name != "sqlite":
        pytest.skip("raw database files are inspected on SQLite only")
    token = session.connection().execute(text("SELECT narrative FROM case_histories")).scalar_one()
    session.rollback()  # end the read; the case-file rows were committed by the use cases
    database = Path(str(db_engine.url.database))
    raw = b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())
    assert token.encode("ascii") in raw, "the committed rows must be in the bytes read for the check to mean anything"
    leaked = [value for value in PLAINTEXTS if value.encode("utf-8") in raw]
    assert leaked == []


def test_orm_reads_the_values_back_decrypted(session: Session, case: Case) -> None:
    session.expunge_all()
    identity = session.scalars(select(Identity).where(Identity.case_id == case.id)).one()
    assert {key: getattr(identity, key) for key in SURVIVOR} == SURVIVOR
    history = session.scalars(select(History)).one()
    assert (history.narrative, history.address_before, history.left_home_on) == (
        NARRATIVE,
        ADDRESS,
        dt.date(2019, 2, 3),
    )
    assert session.scalars(select(FamilyMember.name)).one() == FAMILY_MEMBER
    assert session.scalars(select(MedicalRecord.doctor_advice)).one() == MEDICAL
    assert session.scalars(select(PsychologicalRecord.notes)).one() == PSYCHOLOGICAL


@pytest.mark.parametrize("name", [FULL_NAME, "  zyxwvut-sentinel-given   QVXZJ-SENTINEL-FAMILY "])
def test_blind_index_finds_the_case_by_full_latin_name(session: Session, worker: User, case: Case, name: str) -> None:
    assert find_by_name(session=session, actor=worker, full_latin_name=name) == [case]


@pytest.mark.parametrize("name", ["Zyxwvut-Sentinel-Given", "Qvxzj-Sentinel-Family", "Wqxv-Sentinel-Alias"])
def test_blind_index_does_not_find_a_partial_name_or_the_alias(
    session: Session, worker: User, case: Case, name: str
) -> None:
    assert find_by_name(session=session, actor=worker, full_latin_name=name) == []


def test_supervisor_of_the_team_finds_the_case_by_name(
    session: Session, factory: Factory, team: Team, case: Case
) -> None:
    supervisor = factory.user(Role.SUPERVISOR, team)
    assert find_by_name(session=session, actor=supervisor, full_latin_name=FULL_NAME) == [case]


def test_another_caseworker_of_the_team_does_not_find_the_case_by_name(
    session: Session, factory: Factory, team: Team, case: Case
) -> None:
    colleague = factory.user(Role.CASEWORKER, team)
    assert find_by_name(session=session, actor=colleague, full_latin_name=FULL_NAME) == []


def test_supervisor_of_another_team_does_not_find_the_case_by_name(
    session: Session, factory: Factory, case: Case
) -> None:
    stranger = factory.user(Role.SUPERVISOR, factory.team())
    assert find_by_name(session=session, actor=stranger, full_latin_name=FULL_NAME) == []


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REPORTING, Role.DOSVY_OFFICER])
def test_staff_outside_case_work_may_not_search_by_name(
    session: Session, factory: Factory, case: Case, role: Role
) -> None:
    with pytest.raises(Forbidden):
        find_by_name(session=session, actor=factory.user(role), full_latin_name=FULL_NAME)
