"""The database itself refuses bad rows: NOT NULL, CHECK, UNIQUE and FOREIGN KEY constraints of every model,
and the UTCDateTime type's refusal of naive datetimes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from engine.db import Base, transaction
from engine.models.accounts import Organisation, OrganisationKind, Role, Team, TrainingRecord, User
from engine.models.cases import (
    Case,
    CaseEvent,
    CasePlan,
    CasePlanGoal,
    CaseStatus,
    FamilyAssessment,
    FamilyMember,
    History,
    Identity,
    MedicalRecord,
    Phase,
    PsychologicalRecord,
    SafetyRating,
    Sex,
)
from tests.conftest import NOW
from tests.factories import Factory

CAMBODIA = dt.timezone(dt.timedelta(hours=7))


def refused(session: Session, *rows: Base) -> None:
    """Assert that the database refuses to store ``rows``, then roll back."""
    session.add_all(rows)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def store(session: Session, *rows: Base) -> None:
    with transaction(session):
        session.add_all(rows)


def count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def a_case(team: Team, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "code": "RG-TEST01",
        "phase": Phase.PRE_REINTEGRATION,
        "status": CaseStatus.OPEN,
        "team_id": team.id,
        "opened_at": NOW,
    }
    fields.update(overrides)
    return Case(**fields)


def an_identity(case: Case, **overrides: Any) -> Identity:
    fields: dict[str, Any] = {"case_id": case.id, "sex": Sex.FEMALE, "given_name_latin": "Testperson"}
    fields.update(overrides)
    return Identity(updated_at=NOW, **fields)


@pytest.fixture
def team(factory: Factory) -> Team:
    return factory.team()


@pytest.fixture
def case(factory: Factory, team: Team) -> Case:
    return factory.case(factory.user(Role.CASEWORKER, team))


# --- cases ---


def test_valid_case_is_stored(session: Session, team: Team) -> None:
    store(session, a_case(team))
    assert count(session, Case) == 1


def test_case_without_a_code_is_refused(session: Session, team: Team) -> None:
    refused(session, a_case(team, code=None))


@pytest.mark.parametrize("code", ["", "RG-"])
def test_case_with_an_empty_code_is_refused(session: Session, team: Team, code: str) -> None:
    refused(session, a_case(team, code=code))


def test_duplicate_case_code_is_refused(session: Session, case: Case) -> None:
    refused(session, a_case(case.team, code=case.code))


def test_closed_case_without_closed_at_is_refused(session: Session, team: Team) -> None:
    refused(session, a_case(team, status=CaseStatus.CLOSED, phase=Phase.CLOSURE, closed_at=None))


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.LOST_CONTACT])
def test_case_not_closed_with_closed_at_is_refused(session: Session, team: Team, status: CaseStatus) -> None:
    refused(session, a_case(team, status=status, closed_at=NOW))


def test_closed_case_with_closed_at_is_stored(session: Session, team: Team) -> None:
    store(session, a_case(team, status=CaseStatus.CLOSED, phase=Phase.CLOSURE, closed_at=NOW))
    assert count(session, Case) == 1


def test_case_of_a_team_that_does_not_exist_is_refused(session: Session, team: Team) -> None:
    refused(session, a_case(team, team_id=team.id + 1000))


def test_case_with_a_caseworker_who_does_not_exist_is_refused(session: Session, team: Team) -> None:
    refused(session, a_case(team, caseworker_id=999_999))


def test_case_without_a_phase_is_refused(session: Session, team: Team) -> None:
    refused(session, a_case(team, phase=None))


# --- UTCDateTime ---


def test_naive_datetime_is_refused(session: Session, team: Team) -> None:
    session.add(a_case(team, opened_at=dt.datetime(2026, 11, 29, 3, 0)))
    with pytest.raises(StatementError) as raised:
        session.flush()
    session.rollback()
    assert isinstance(raised.value.orig, ValueError)
    assert "naive datetime refused" in str(raised.value.orig)
    assert count(session, Case) == 0


def test_aware_datetime_is_read_back_as_the_same_instant_in_utc(session: Session, team: Team) -> None:
    store(session, a_case(team, opened_at=NOW.astimezone(CAMBODIA)))
    session.expunge_all()
    opened_at = session.scalars(select(Case.opened_at)).one()
    assert opened_at == NOW
    assert opened_at.utcoffset() == dt.timedelta(0)


# --- raw SQL: the check constraints behind every enum column ---


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("cases", "phase"),
        ("cases", "status"),
        ("cases", "risk_level"),
        ("case_identities", "sex"),
        ("users", "role"),
        ("organisations", "kind"),
    ],
)
def test_invalid_enum_value_written_with_raw_sql_is_refused(
    session: Session, case: Case, table: str, column: str
) -> None:
    before = session.connection().execute(text(f"SELECT {column} FROM {table}")).scalars().all()
    with pytest.raises(IntegrityError):
        session.execute(text(f"UPDATE {table} SET {column} = 'nonsense'"))
    session.rollback()
    assert session.connection().execute(text(f"SELECT {column} FROM {table}")).scalars().all() == before


def test_invalid_safety_rating_written_with_raw_sql_is_refused(session: Session, case: Case) -> None:
    store(
        session,
        FamilyAssessment(case_id=case.id, updated_at=NOW, assessed_on=NOW.date(), safety_rating=SafetyRating.SAFE),
    )
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE family_assessments SET safety_rating = 'nonsense'"))
    session.rollback()
    assert session.scalars(select(FamilyAssessment.safety_rating)).one() is SafetyRating.SAFE


def test_invalid_language_written_with_raw_sql_is_refused(session: Session, factory: Factory) -> None:
    factory.user(Role.ADMINISTRATOR)
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE users SET language = 'fr'"))
    session.rollback()


def test_negative_failed_logins_written_with_raw_sql_is_refused(session: Session, factory: Factory) -> None:
    factory.user(Role.ADMINISTRATOR)
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE users SET failed_logins = -1"))
    session.rollback()


# --- accounts ---


def test_ngo_shelter_without_a_mosvy_agreement_date_is_refused(session: Session) -> None:
    refused(session, Organisation(name="Test NGO Shelter", kind=OrganisationKind.NGO_SHELTER, province_code="12"))


@pytest.mark.parametrize("kind", [OrganisationKind.GOVERNMENT_SHELTER, OrganisationKind.DOSVY_OFFICE])
def test_other_organisations_need_no_mosvy_agreement_date(session: Session, kind: OrganisationKind) -> None:
    store(session, Organisation(name="Test Organisation", kind=kind, province_code="12"))
    assert count(session, Organisation) == 1


def test_organisation_in_an_unknown_province_is_refused(session: Session) -> None:
    refused(session, Organisation(name="Test Shelter", kind=OrganisationKind.GOVERNMENT_SHELTER, province_code="99"))


def test_duplicate_organisation_name_is_refused(session: Session, team: Team) -> None:
    refused(session, Organisation(name=team.organisation.name, kind=OrganisationKind.DOSVY_OFFICE, province_code="01"))


def test_team_with_an_empty_name_is_refused(session: Session, team: Team) -> None:
    refused(session, Team(organisation_id=team.organisation_id, name=""))


def test_team_of_an_organisation_that_does_not_exist_is_refused(session: Session) -> None:
    refused(session, Team(organisation_id=999_999, name="Test Team"))


def a_user(**overrides: Any) -> User:
    fields: dict[str, Any] = {
        "username": "test.user",
        "display_name": "Test User",
        "password_hash": "not-a-real-hash",
        "role": Role.ADMINISTRATOR,
        "language": "en",
        "created_at": NOW,
    }
    fields.update(overrides)
    return User(**fields)


def test_duplicate_username_is_refused(session: Session, factory: Factory) -> None:
    factory.user(Role.ADMINISTRATOR, username="test.admin")
    refused(session, a_user(username="test.admin"))


def test_username_shorter_than_three_characters_is_refused(session: Session) -> None:
    refused(session, a_user(username="ab"))


def test_user_with_an_unknown_language_is_refused(session: Session) -> None:
    refused(session, a_user(language="fr"))


def test_user_with_negative_failed_logins_is_refused(session: Session) -> None:
    refused(session, a_user(failed_logins=-1))


def test_user_of_a_team_that_does_not_exist_is_refused(session: Session) -> None:
    refused(session, a_user(role=Role.CASEWORKER, team_id=999_999))


def test_training_record_of_a_user_who_does_not_exist_is_refused(session: Session) -> None:
    refused(
        session,
        TrainingRecord(
            user_id=999_999, course="udhr", completed_on=NOW.date(), expires_on=NOW.date() + dt.timedelta(days=1)
        ),
    )


# --- the case file ---


def test_identity_without_any_given_name_is_refused(session: Session, team: Team) -> None:
    case = a_case(team)
    store(session, case)
    refused(session, an_identity(case, given_name_latin=None, given_name_km=None, family_name_latin="Synthetic"))


def test_identity_with_only_a_khmer_given_name_is_stored(session: Session, team: Team) -> None:
    case = a_case(team)
    store(session, case)
    store(session, an_identity(case, given_name_latin=None, given_name_km="សាកល្បង"))
    assert count(session, Identity) == 1


def test_second_identity_section_for_the_same_case_is_refused(session: Session, case: Case) -> None:
    refused(session, an_identity(case))


def test_identity_of_a_case_that_does_not_exist_is_refused(session: Session, case: Case) -> None:
    refused(session, Identity(case_id=case.id + 1000, sex=Sex.FEMALE, given_name_latin="Testperson", updated_at=NOW))


@pytest.mark.parametrize("model", [History, CasePlan, MedicalRecord, PsychologicalRecord])
def test_second_single_section_for_the_same_case_is_refused(
    session: Session, case: Case, model: type[History | CasePlan | MedicalRecord | PsychologicalRecord]
) -> None:
    store(session, model(case_id=case.id, updated_at=NOW))
    refused(session, model(case_id=case.id, updated_at=NOW))


def test_history_with_an_unknown_origin_province_is_refused(session: Session, case: Case) -> None:
    refused(session, History(case_id=case.id, updated_at=NOW, origin_province_code="99"))


def test_family_member_with_an_empty_relationship_is_refused(session: Session, case: Case) -> None:
    refused(session, FamilyMember(case_id=case.id, updated_at=NOW, relationship="", name="Demo Parent"))


def test_family_member_without_a_name_is_refused(session: Session, case: Case) -> None:
    refused(session, FamilyMember(case_id=case.id, updated_at=NOW, relationship="mother", name=None))


def test_several_family_members_and_assessments_per_case_are_stored(session: Session, case: Case) -> None:
    with transaction(session):
        for n in range(2):
            session.add(FamilyMember(case_id=case.id, updated_at=NOW, relationship="sibling", name=f"Demo Sibling {n}"))
            session.add(
                FamilyAssessment(
                    case_id=case.id, updated_at=NOW, assessed_on=NOW.date(), safety_rating=SafetyRating.SAFE
                )
            )
    assert (count(session, FamilyMember), count(session, FamilyAssessment)) == (2, 2)


def test_family_assessment_without_a_safety_rating_is_refused(session: Session, case: Case) -> None:
    refused(session, FamilyAssessment(case_id=case.id, updated_at=NOW, assessed_on=NOW.date(), safety_rating=None))


def test_case_plan_with_version_zero_is_refused(session: Session, case: Case) -> None:
    refused(session, CasePlan(case_id=case.id, updated_at=NOW, version=0))


def test_case_plan_goal_with_an_empty_domain_is_refused(session: Session, case: Case) -> None:
    plan = CasePlan(case_id=case.id, updated_at=NOW)
    store(session, plan)
    refused(session, CasePlanGoal(plan_id=plan.id, domain="", goal="Demo goal"))


def test_case_plan_goal_without_a_goal_is_refused(session: Session, case: Case) -> None:
    plan = CasePlan(case_id=case.id, updated_at=NOW)
    store(session, plan)
    refused(session, CasePlanGoal(plan_id=plan.id, domain="health", goal=None))


def test_section_without_updated_at_is_refused(session: Session, case: Case) -> None:
    refused(session, MedicalRecord(case_id=case.id, updated_at=None))


def test_section_updated_by_a_user_who_does_not_exist_is_refused(session: Session, case: Case) -> None:
    refused(session, MedicalRecord(case_id=case.id, updated_at=NOW, updated_by_id=999_999))


def test_event_of_a_case_that_does_not_exist_is_refused(session: Session, case: Case) -> None:
    refused(session, CaseEvent(case_id=case.id + 1000, at=NOW, kind="opened"))


def test_deleting_a_case_deletes_its_case_file_and_events(session: Session, case: Case) -> None:
    store(session, MedicalRecord(case_id=case.id, updated_at=NOW), History(case_id=case.id, updated_at=NOW))
    with transaction(session):
        session.execute(text("DELETE FROM cases WHERE id = :id"), {"id": case.id})
    assert [count(session, m) for m in (Identity, MedicalRecord, History, CaseEvent)] == [0, 0, 0, 0]
