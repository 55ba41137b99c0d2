"""The consent page (record, list, withdraw; errors in the user's language, nothing written) and the DoSVY
office's pages (only the cases transferred to it, only the transferred parts, every view audited)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from engine.audit import verify
from engine.db import transaction
from engine.models.accounts import Role
from engine.models.cases import MedicalRecord
from engine.models.security import AuditEvent, ConsentRecord
from engine.security.consent import NewConsent, record_consent, transfer_case
from engine.security.fields import parse_groups
from tests.conftest import NOW, csrf_from
from tests.web.casework_support import page_of


@pytest.fixture
def world(session, factory):
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team, username="cw.consent")
    factory.user(Role.CASEWORKER, team, username="cw.colleague")
    factory.user(Role.SUPERVISOR, team, username="sup.consent")
    factory.user(Role.CASEWORKER, team, username="cw.khmer", language="km")
    case = factory.case(worker, given_name_latin="Zyxconsent", date_of_birth=dt.date(1990, 1, 1))
    office = factory.office()
    factory.officer(office, username="dosvy.here")
    factory.officer(factory.office(), username="dosvy.elsewhere")
    with transaction(session):
        session.add(MedicalRecord(case_id=case.id, vaccinations="Zyxvaccine", updated_at=NOW, updated_by_id=worker.id))
    return worker, case, office


def _form(client, url):
    return csrf_from(page_of(client, url))


def _consents(session):
    session.rollback()
    return session.scalar(select(func.count()).select_from(ConsentRecord))


def test_a_caseworker_records_a_sharing_consent_and_sees_it_valid(client, login, world, session):
    _worker, case, office = world
    login("cw.consent")
    url = f"/cases/{case.code}/consent"
    token = _form(client, url)
    response = client.post(url, data={
        "csrf_token": token, "kind": "data_sharing", "given_by": "survivor", "method": "thumbprint",
        "given_on": NOW.date().isoformat(), "recipient_org_id": str(office.id), "purpose": "Type 2 follow-up",
        "groups": ["identity", "plan"],
    })  # fmt: skip
    assert response.status_code == 303
    html = page_of(client, url)
    assert office.name in html
    assert "valid" in html
    assert "Type 2 follow-up" in html
    session.rollback()
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "consent_recorded"))


def test_an_incomplete_consent_is_refused_next_to_its_fields_and_nothing_is_written(client, login, world, session):
    _worker, case, office = world
    login("cw.consent")
    url = f"/cases/{case.code}/consent"
    sharing = {"kind": "data_sharing", "given_by": "survivor", "method": "signature",
               "given_on": NOW.date().isoformat()}  # fmt: skip
    response = client.post(url, data={"csrf_token": _form(client, url), **sharing})
    assert response.status_code == 422
    assert "Required field" in response.get_data(as_text=True)  # no recipient named
    response = client.post(url, data={"csrf_token": _form(client, url), **sharing, "recipient_org_id": str(office.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved" in html
    assert "Say for what purpose." in html
    assert "Choose which parts of the case file it covers." in html
    assert _consents(session) == 0


def test_the_refusal_is_in_khmer_for_a_khmer_speaking_caseworker(client, login, world, session, factory):
    worker, _case, _office = world
    case = factory.case(factory.session.get(type(worker), worker.id), given_name_latin="Zyxkm")
    with transaction(session):
        case.caseworker_id = session.scalar(select(type(worker).id).where(type(worker).username == "cw.khmer"))
    login("cw.khmer")
    url = f"/cases/{case.code}/consent"
    response = client.post(url, data={"csrf_token": _form(client, url), "kind": "photo", "given_by": "survivor",
                                      "method": "verbal_with_witness", "given_on": NOW.date().isoformat(),
                                      "purpose": "Synthetic"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "រូបថតកុមារមិនត្រូវបានអនុញ្ញាតឡើយ" in html  # no date of birth: a child, never a photo
    assert _consents(session) == 0


def _services_consent(client, session, case):
    url = f"/cases/{case.code}/consent"
    client.post(url, data={"csrf_token": _form(client, url), "kind": "services", "given_by": "survivor",
                           "method": "signature", "given_on": NOW.date().isoformat()})  # fmt: skip
    session.rollback()
    return url, session.scalar(select(ConsentRecord.id))


def test_withdrawing_asks_for_confirmation_first(client, login, world, session):
    _worker, case, _office = world
    login("cw.consent")
    url, consent_id = _services_consent(client, session, case)
    assert f'href="{url}/{consent_id}/withdraw"' in page_of(client, url)  # a link to a page, not a one-click form
    html = page_of(client, f"{url}/{consent_id}/withdraw")
    assert "Confirm the withdrawal" in html
    assert 'name="reason"' in html
    assert f'value="{NOW.date().isoformat()}"' in html  # the date defaults to today
    session.rollback()
    assert session.get(ConsentRecord, consent_id).withdrawn_on is None


def test_withdrawing_records_the_date_and_the_reason_encrypted(client, login, world, session):
    _worker, case, _office = world
    login("cw.consent")
    url, consent_id = _services_consent(client, session, case)
    withdraw = f"{url}/{consent_id}/withdraw"
    data = {"withdrawn_on": NOW.date().isoformat(), "reason": "Zyxreason: the survivor moved away"}
    response = client.post(withdraw, data={"csrf_token": _form(client, withdraw), **data})
    assert response.status_code == 303
    html = page_of(client, url)
    assert "withdrawn on" in html
    assert "Zyxreason: the survivor moved away" in html
    session.rollback()
    row = session.get(ConsentRecord, consent_id)
    assert row.withdrawn_on == NOW.date()
    assert row.withdrawal_reason == "Zyxreason: the survivor moved away"
    stored = session.execute(text("SELECT withdrawal_reason FROM consent_records WHERE id = :id"),
                             {"id": consent_id}).scalar_one()  # fmt: skip
    assert "Zyxreason" not in stored  # encrypted at rest
    details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "consent_withdrawn")).all()
    assert details == [f"consent={consent_id} on={NOW.date().isoformat()}"]  # the reason stays out of the log


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"withdrawn_on": NOW.date().isoformat(), "reason": "  "}, "Required field"),
        ({"withdrawn_on": (NOW.date() + dt.timedelta(days=1)).isoformat(), "reason": "Synthetic"},
         "The date cannot be in the future"),
        ({"withdrawn_on": (NOW.date() - dt.timedelta(days=3)).isoformat(), "reason": "Synthetic"},
         "A consent cannot be withdrawn before the day it was given."),
        ({"withdrawn_on": "1800-13-01", "reason": "Synthetic"}, "Not a valid date"),
    ],
)  # fmt: skip
def test_a_withdrawal_without_reason_or_with_a_bad_date_changes_nothing(client, login, world, session, values, message):
    _worker, case, _office = world
    login("cw.consent")
    url, consent_id = _services_consent(client, session, case)
    withdraw = f"{url}/{consent_id}/withdraw"
    response = client.post(withdraw, data={"csrf_token": _form(client, withdraw), **values})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    session.rollback()
    assert session.get(ConsentRecord, consent_id).withdrawn_on is None
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "consent_withdrawn")) == 0  # fmt: skip


def test_an_already_withdrawn_consent_cannot_be_withdrawn_again(client, login, world, session):
    _worker, case, _office = world
    login("cw.consent")
    url, consent_id = _services_consent(client, session, case)
    withdraw = f"{url}/{consent_id}/withdraw"
    data = {"withdrawn_on": NOW.date().isoformat(), "reason": "Synthetic: first"}
    client.post(withdraw, data={"csrf_token": _form(client, withdraw), **data})
    response = client.get(withdraw, follow_redirects=True)
    assert "already withdrawn" in response.get_data(as_text=True)
    session.rollback()
    assert session.get(ConsentRecord, consent_id).withdrawal_reason == "Synthetic: first"


def test_a_colleague_or_an_officer_cannot_see_or_withdraw(client, login, world, session, factory):
    worker, case, office = world
    factory.sharing_consent(worker, case, office)
    session.rollback()
    consent_id = session.scalar(select(ConsentRecord.id))
    login("cw.colleague")
    url = f"/cases/{case.code}/consent"
    assert client.get(url).status_code == 404
    token = csrf_from(page_of(client, "/work/"))
    assert client.post(f"{url}/{consent_id}/withdraw", data={"csrf_token": token}).status_code == 404
    session.rollback()
    assert session.get(ConsentRecord, consent_id).withdrawn_on is None


def _transfer(session, worker, case, office, groups="identity,plan"):
    transfer_case(session=session, actor=worker, now=NOW, case=case, to_org_id=office.id, groups=parse_groups(groups),
                  override_reason="Synthetic test override")  # fmt: skip


def test_the_office_lists_and_reads_only_the_transferred_parts(client, login, world, session):
    worker, case, office = world
    _transfer(session, worker, case, office)
    login("dosvy.here")
    home = page_of(client, "/")
    assert case.code in home
    assert "Zyxconsent" not in home  # codes only in lists
    html = page_of(client, f"/transfers/{case.code}")
    assert "Zyxconsent" in html
    assert "Zyxvaccine" not in html
    assert "Medical record" not in html
    session.rollback()
    viewed = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "case_file_viewed")).all()
    assert viewed == ["groups=identity,plan"]


def test_another_office_sees_nothing_and_the_case_pages_stay_closed(client, login, world, session):
    worker, case, office = world
    _transfer(session, worker, case, office)
    login("dosvy.elsewhere")
    assert case.code not in page_of(client, "/transfers/")
    assert client.get(f"/transfers/{case.code}").status_code == 404
    client.post("/auth/logout", data={"csrf_token": csrf_from(page_of(client, "/transfers/"))})
    login("dosvy.here")
    assert client.get(f"/cases/{case.code}").status_code == 403
    assert client.get(f"/cases/{case.code}/consent").status_code == 403


def test_an_ended_transfer_closes_the_office_page(client, login, world, session):
    worker, case, office = world
    _transfer(session, worker, case, office)
    _transfer(session, worker, case, office, "identity")  # a new transfer ends the previous one
    login("dosvy.here")
    html = page_of(client, f"/transfers/{case.code}")
    assert "Case plan" not in html


def test_refused_accesses_are_audited_with_the_route_and_the_case_code_only(client, login, world, session):
    _worker, case, _office = world
    login("cw.colleague")
    assert client.get(f"/cases/{case.code}").status_code == 404  # another caseworker's case
    assert client.get("/team/").status_code == 403  # a supervisor's page
    session.rollback()
    refused = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "access_refused")
                              .order_by(AuditEvent.id)).all()  # fmt: skip
    assert refused == [f"GET /cases/<code> code={case.code}", "GET /team/"]
    assert verify(session=session).ok


def test_the_office_sees_a_case_until_its_consent_expires_by_the_apps_clock(client, login, world, session, clock):
    worker, case, office = world
    consent = NewConsent(kind="data_sharing", given_by="survivor", method="signature", given_on=NOW.date(),
                         expires_on=NOW.date() + dt.timedelta(days=2), recipient_org_id=office.id,
                         purpose="Type 2 follow-up", groups=parse_groups("identity,plan"))  # fmt: skip
    record_consent(session=session, actor=worker, now=NOW, case=case, consent=consent)
    transfer_case(session=session, actor=worker, now=NOW, case=case, to_org_id=office.id,
                  groups=parse_groups("identity,plan"))  # fmt: skip
    login("dosvy.here")
    assert client.get(f"/transfers/{case.code}").status_code == 200  # whatever the machine's date is
    clock.advance(dt.timedelta(days=3))  # the consent's expiry day has passed in Phnom Penh
    assert client.get(f"/transfers/{case.code}").status_code == 404
