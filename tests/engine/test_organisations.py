"""Administrators manage organisations and teams: validated, audited, administrators only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import organisations as orgs
from engine.accounts.organisations import OrganisationDetails
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models.accounts import Organisation, OrganisationKind, Role, Team, User
from engine.models.security import AuditEvent
from tests.conftest import NOW
from tests.factories import Factory

SHELTER = OrganisationDetails(name="Sample Shelter", kind=OrganisationKind.GOVERNMENT_SHELTER, province_code="17")


@pytest.fixture
def admin(factory: Factory) -> User:
    return factory.user(Role.ADMINISTRATOR, username="admin.orgs")


def actions(session: Session) -> list[tuple[str, str]]:
    """The audit lines about organisations and teams (the test users' creation left out)."""
    query = select(AuditEvent).where(AuditEvent.action != "user_created").order_by(AuditEvent.id)
    return [(e.action, e.detail) for e in session.scalars(query)]


def test_create_organisation_stores_it_and_audits_the_administrator(session: Session, admin: User) -> None:
    org_id = orgs.create_organisation(session=session, actor=admin, now=NOW, details=SHELTER)
    org = session.get(Organisation, org_id)
    assert org is not None
    assert (org.name, org.kind, org.province_code, org.active) == (
        "Sample Shelter",
        OrganisationKind.GOVERNMENT_SHELTER,
        "17",
        True,
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation_created")).one()
    assert (event.actor_id, event.detail) == (admin.id, f"organisation={org_id} kind=government_shelter")


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        (OrganisationDetails(name="  ", kind=OrganisationKind.DOSVY_OFFICE, province_code="02"), "name",
         orgs.NAME_REQUIRED),
        (OrganisationDetails(name="x" * 121, kind=OrganisationKind.DOSVY_OFFICE, province_code="02"), "name",
         orgs.NAME_TOO_LONG),
        (OrganisationDetails(name="Sample Office", kind=OrganisationKind.DOSVY_OFFICE, province_code="99"),
         "province_code", orgs.PROVINCE_UNKNOWN),
        (OrganisationDetails(name="Sample NGO", kind=OrganisationKind.NGO_SHELTER, province_code="12"),
         "mosvy_agreement_date", orgs.AGREEMENT_REQUIRED),
        (OrganisationDetails(name="Sample NGO", kind=OrganisationKind.NGO_SHELTER, province_code="12",
                             mosvy_agreement_date=NOW.date() + dt.timedelta(days=1)),
         "mosvy_agreement_date", orgs.AGREEMENT_IN_FUTURE),
        (OrganisationDetails(name="Sample NGO", kind=OrganisationKind.NGO_SHELTER, province_code="12",
                             mosvy_agreement_date=dt.date(1800, 1, 1)),
         "mosvy_agreement_date", orgs.AGREEMENT_TOO_OLD),
    ],
)  # fmt: skip
def test_create_organisation_refuses_bad_details_and_writes_nothing(
    session: Session, admin: User, details: OrganisationDetails, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        orgs.create_organisation(session=session, actor=admin, now=NOW, details=details)
    assert raised.value.fields == {field: message}
    assert session.scalars(select(Organisation)).all() == []
    assert actions(session) == []


def test_organisation_names_are_unique_whatever_the_case(session: Session, admin: User) -> None:
    orgs.create_organisation(session=session, actor=admin, now=NOW, details=SHELTER)
    clash = OrganisationDetails(name="sample shelter", kind=OrganisationKind.DOSVY_OFFICE, province_code="02")
    with pytest.raises(InvalidInput) as raised:
        orgs.create_organisation(session=session, actor=admin, now=NOW, details=clash)
    assert raised.value.fields == {"name": orgs.NAME_TAKEN}


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_only_administrators_manage_organisations(session: Session, factory: Factory, role: Role) -> None:
    team = factory.team()
    someone = factory.user(role, team if role in (Role.CASEWORKER, Role.SUPERVISOR) else None)
    with pytest.raises(Forbidden):
        orgs.create_organisation(session=session, actor=someone, now=NOW, details=SHELTER)
    with pytest.raises(Forbidden):
        orgs.create_team(session=session, actor=someone, now=NOW, organisation_id=team.organisation_id, name="T")
    with pytest.raises(Forbidden):
        orgs.list_organisations(session=session, actor=someone)


def test_update_organisation_changes_it_and_names_the_fields(session: Session, admin: User) -> None:
    org_id = orgs.create_organisation(session=session, actor=admin, now=NOW, details=SHELTER)
    renamed = OrganisationDetails(name="Sample Shelter North", kind=SHELTER.kind, province_code="02")
    orgs.update_organisation(session=session, actor=admin, now=NOW, organisation_id=org_id, details=renamed,
                             active=True)  # fmt: skip
    org = session.get(Organisation, org_id)
    assert org is not None
    assert (org.name, org.province_code) == ("Sample Shelter North", "02")
    assert actions(session)[-1] == ("organisation_updated", f"organisation={org_id} fields=name,province_code")


def test_update_organisation_without_a_change_writes_no_audit_line(session: Session, admin: User) -> None:
    org_id = orgs.create_organisation(session=session, actor=admin, now=NOW, details=SHELTER)
    orgs.update_organisation(session=session, actor=admin, now=NOW, organisation_id=org_id, details=SHELTER,
                             active=True)  # fmt: skip
    assert [a for a, _ in actions(session)] == ["organisation_created"]


def test_the_kind_cannot_change_once_the_organisation_has_teams(
    session: Session, factory: Factory, admin: User
) -> None:
    team = factory.team()
    office = OrganisationDetails(name=team.organisation.name, kind=OrganisationKind.DOSVY_OFFICE, province_code="12")
    with pytest.raises(InvalidInput) as raised:
        orgs.update_organisation(session=session, actor=admin, now=NOW, organisation_id=team.organisation_id,
                                 details=office, active=True)  # fmt: skip
    assert raised.value.fields == {"kind": orgs.KIND_FIXED}


def test_an_organisation_with_active_users_cannot_be_deactivated(session: Session, factory: Factory, admin: User
                                                                 ) -> None:  # fmt: skip
    team = factory.team()
    factory.user(Role.CASEWORKER, team)
    org = team.organisation
    same = OrganisationDetails(name=org.name, kind=org.kind, province_code=org.province_code)
    with pytest.raises(InvalidInput) as raised:
        orgs.update_organisation(session=session, actor=admin, now=NOW, organisation_id=org.id, details=same,
                                 active=False)  # fmt: skip
    assert raised.value.fields == {"active": orgs.HAS_ACTIVE_USERS}
    session.expire_all()
    assert session.get(Organisation, org.id).active is True  # type: ignore[union-attr]


def test_update_of_a_missing_organisation_is_not_found(session: Session, admin: User) -> None:
    with pytest.raises(NotFound):
        orgs.update_organisation(session=session, actor=admin, now=NOW, organisation_id=999, details=SHELTER,
                                 active=True)  # fmt: skip


def test_list_organisations_filters_by_province_and_counts(session: Session, factory: Factory, admin: User) -> None:
    team = factory.team()  # province 12
    factory.user(Role.CASEWORKER, team)
    office = factory.office()  # province 02
    rows = orgs.list_organisations(session=session, actor=admin, province_code="12")
    assert [(r.organisation.id, r.teams, r.active_users) for r in rows] == [(team.organisation_id, 1, 1)]
    offices = orgs.list_organisations(session=session, actor=admin, kind=OrganisationKind.DOSVY_OFFICE)
    assert [r.organisation.id for r in offices] == [office.id]


def test_create_team_adds_it_to_a_shelter_and_audits(session: Session, factory: Factory, admin: User) -> None:
    org_id = factory.team().organisation_id
    team_id = orgs.create_team(session=session, actor=admin, now=NOW, organisation_id=org_id, name=" Sample Team ")
    team = session.get(Team, team_id)
    assert team is not None
    assert (team.name, team.organisation_id) == ("Sample Team", org_id)
    assert actions(session)[-1] == ("team_created", f"team={team_id} organisation={org_id}")


def test_a_dosvy_office_has_no_teams(session: Session, factory: Factory, admin: User) -> None:
    office = factory.office()
    with pytest.raises(InvalidInput) as raised:
        orgs.create_team(session=session, actor=admin, now=NOW, organisation_id=office.id, name="Sample Team")
    assert raised.value.fields == {"name": orgs.TEAMS_IN_SHELTERS}


def test_team_names_are_unique_within_an_organisation(session: Session, factory: Factory, admin: User) -> None:
    team = factory.team()
    with pytest.raises(InvalidInput) as raised:
        orgs.create_team(session=session, actor=admin, now=NOW, organisation_id=team.organisation_id,
                         name=team.name.upper())  # fmt: skip
    assert raised.value.fields == {"name": orgs.TEAM_NAME_TAKEN}
    other = factory.team()
    orgs.create_team(session=session, actor=admin, now=NOW, organisation_id=other.organisation_id, name=team.name)


def test_rename_team_audits_and_refuses_an_empty_name(session: Session, factory: Factory, admin: User) -> None:
    team = factory.team()
    with pytest.raises(InvalidInput) as raised:
        orgs.rename_team(session=session, actor=admin, now=NOW, team_id=team.id, name="   ")
    assert raised.value.fields == {"name": orgs.NAME_REQUIRED}
    orgs.rename_team(session=session, actor=admin, now=NOW, team_id=team.id, name="Sample Team Renamed")
    session.expire_all()
    assert session.get(Team, team.id).name == "Sample Team Renamed"  # type: ignore[union-attr]
    assert actions(session)[-1] == ("team_renamed", f"team={team.id}")


def test_rename_of_a_missing_team_is_not_found(session: Session, admin: User) -> None:
    with pytest.raises(NotFound):
        orgs.rename_team(session=session, actor=admin, now=NOW, team_id=999, name="Sample")
