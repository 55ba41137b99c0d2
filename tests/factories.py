"""Small builders for test data; every value is obviously synthetic."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from engine.accounts.passwords import make_hasher
from engine.accounts.service import create_user
from engine.cases.service import NewSurvivor, open_case
from engine.clock import local_today
from engine.db import transaction
from engine.models.accounts import Organisation, OrganisationKind, Role, Team, User
from engine.models.cases import Case, Sex
from engine.security.consent import NewConsent, Withdrawal, is_minor, record_consent
from engine.security.fields import parse_groups

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


class Factory:
    def __init__(self, session: Session, now: dt.datetime) -> None:
        self.session = session
        self.now = now
        self.hasher = make_hasher("fast")

    def team(self, *, kind: OrganisationKind = OrganisationKind.GOVERNMENT_SHELTER) -> Team:
        n = next(_seq)
        with transaction(self.session):
            org = Organisation(
                name=f"Test Shelter {n}",
                kind=kind,
                province_code="12",
                mosvy_agreement_date=dt.date(2020, 1, 1) if kind is OrganisationKind.NGO_SHELTER else None,
            )
            self.session.add(org)
            self.session.flush()
            team = Team(organisation_id=org.id, name=f"Test Team {n}")
            self.session.add(team)
        return team

    def office(self) -> Organisation:
        """A DoSVY office (an organisation without teams)."""
        with transaction(self.session):
            office = Organisation(name=f"Test DoSVY Office {next(_seq)}", kind=OrganisationKind.DOSVY_OFFICE,
                                  province_code="02")  # fmt: skip
            self.session.add(office)
        return office

    def officer(self, office: Organisation, *, username: str | None = None) -> User:
        """A DoSVY officer of ``office``."""
        officer = self.user(Role.DOSVY_OFFICER, username=username)
        with transaction(self.session):
            officer.organisation_id = office.id
        return officer

    def sharing_consent(self, worker: User, case: Case, office: Organisation, groups: str = "identity,plan") -> None:
        """A signed consent (the survivor's, a guardian's for a child) to share ``groups`` of ``case`` with
        ``office`` for Type 2 follow-up."""
        given_by = "guardian" if is_minor(self.session, case, self.now.date()) else "survivor"
        consent = NewConsent(
            kind="data_sharing", given_by=given_by, method="signature", given_on=self.now.date(),
            recipient_org_id=office.id, purpose="Type 2 follow-up", groups=parse_groups(groups),
        )  # fmt: skip
        record_consent(session=self.session, actor=worker, now=self.now, case=case, consent=consent)

    def user(self, role: Role, team: Team | None = None, *, username: str | None = None, language: str = "en") -> User:
        username = username or f"{role.value.replace('_', '.')}{next(_seq)}"
        uid = create_user(
            session=self.session, hasher=self.hasher, now=self.now, username=username,
            display_name=f"Test {role.value} {username}", password=PASSWORD, role=role,
            team_id=team.id if team else None, language=language,
        )  # fmt: skip
        user = self.session.get(User, uid)
        assert user is not None
        return user

    def case(self, worker: User, **survivor: object) -> Case:
        assert worker.team_id is not None
        fields: dict[str, object] = {
            "sex": Sex.FEMALE,
            "given_name_latin": "Testperson",
            "family_name_latin": "Synthetic",
        }
        fields.update(survivor)
        return open_case(
            session=self.session, actor=worker, now=self.now, team_id=worker.team_id,
            survivor=NewSurvivor(**fields),  # type: ignore[arg-type]
        )  # fmt: skip


def withdrawn_today(now: dt.datetime) -> Withdrawal:
    """A withdrawal on ``now``'s day, with an obviously synthetic reason."""
    return Withdrawal(local_today(now), "Synthetic: the survivor withdrew it")
