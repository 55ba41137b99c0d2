"""Implausible dates and unknown countries through the web (issue 13 item 8), one test per kind of form:
admission, a case-file section, the case plan, a workflow step, and the consent record. The engine decides;
the page shows its message next to the field and nothing is written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.models.accounts import Role
from engine.models.cases import Case, CasePlan, History
from engine.models.security import ConsentRecord
from tests.conftest import csrf_from
from tests.web.casework_support import Crew, admit, crew, first_item, open_items, page_of

OLD = "Not a plausible date: more than 100 years ago"
ZZ = "Not a known country code (ISO 3166, two letters): choose a country from the list"


@pytest.fixture
def c(app, factory) -> Crew:
    return crew(app, factory)


@pytest.fixture
def case(session, c):
    return admit(session, c.runtime, c.worker, caseworker=c.worker)


def edit(client, url: str, **values: str):
    html = page_of(client, url)
    token = re.search(r'name="loaded_token" value="([^"]*)"', html)
    assert token
    return client.post(url, data={"csrf_token": csrf_from(html), "loaded_token": token.group(1), **values})


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def test_admission_refuses_a_birth_in_1800(client, session, c, login):
    login("cw.work")
    token = csrf_from(page_of(client, "/cases/new"))
    response = client.post("/cases/new", data={"csrf_token": token, "given_name_latin": "Testperson", "sex": "female",
                                               "date_of_birth": "1800-01-01"})  # fmt: skip
    assert response.status_code == 422
    assert f'<small id="f-date_of_birth-error" class="field-error">{OLD}</small>' in response.get_data(as_text=True)
    assert count(session, Case) == 0


def test_the_history_section_refuses_country_zz_and_a_date_of_1800(client, session, c, case, login):
    login("cw.work")
    response = edit(client, f"/cases/{case.code}/sections/history", destination_country="ZZ",
                    left_home_on="1800-01-01", narrative="Synthetic narrative")  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<small id="f-destination_country-error" class="field-error">{ZZ}</small>' in html
    assert f'<small id="f-left_home_on-error" class="field-error">{OLD}</small>' in html
    assert count(session, History) == 0


def test_the_history_section_offers_countries_by_name_in_khmer(client, factory, c, case, login):
    factory.user(Role.SUPERVISOR, c.team, username="sup.km", language="km")
    login("sup.km")
    html = page_of(client, f"/cases/{case.code}/sections/history")
    assert '<select id="f-destination_country" name="destination_country"' in html
    assert '<option value="TH">ថៃ</option>' in html
    assert '<option value="ZZ"' not in html


def test_the_case_plan_section_refuses_a_date_far_ahead(client, session, c, case, login):
    login("cw.work")
    response = edit(client, f"/cases/{case.code}/sections/case_plan", health_goal="Synthetic goal",
                    health_due_on="2099-01-01", family_communication_plan="Synthetic plan")  # fmt: skip
    assert response.status_code == 422
    assert "Not a plausible date: more than 5 years from today" in response.get_data(as_text=True)
    assert count(session, CasePlan) == 0


def test_a_step_refuses_country_zz_in_khmer(client, session, factory, c, login):
    factory.user(Role.CASEWORKER, c.team, username="cw.km", language="km")
    case = admit(session, c.runtime, c.supervisor)
    item = first_item(session, case)
    login("cw.km")
    token = csrf_from(page_of(client, f"/work/{item.id}"))
    response = client.post(f"/work/{item.id}", data={"csrf_token": token, "action": "submit",
                                                     "destination_country": "ZZ"})  # fmt: skip
    assert response.status_code == 422
    assert "មិនមែនជាលេខកូដប្រទេសដែលស្គាល់ (ISO 3166 អក្សរពីរ)" in response.get_data(as_text=True)
    assert [i.task_name for i in open_items(session, case)] == ["registration"]


def test_a_consent_cannot_expire_before_it_was_given(client, session, c, case, login):
    login("cw.work")
    url = f"/cases/{case.code}/consent"
    token = csrf_from(page_of(client, url))
    before = count(session, ConsentRecord)
    response = client.post(url, data={"csrf_token": token, "kind": "data_sharing", "given_by": "survivor",
                                      "method": "signature", "given_on": "2026-11-20", "expires_on": "2026-11-19",
                                      "purpose": "Synthetic purpose"})  # fmt: skip
    assert response.status_code == 422
    assert "A consent cannot expire before the day it was given." in response.get_data(as_text=True)
    assert count(session, ConsentRecord) == before
