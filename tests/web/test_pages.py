"""Landing pages by role, case pages and their scope, error pages, security headers, language."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from engine.models.accounts import Organisation, OrganisationKind, Role
from tests.conftest import csrf_from
from web.db import get_session

LANDING_TEXT = {
    Role.CASEWORKER: "My work",
    Role.SUPERVISOR: "My team's cases",
    Role.ADMINISTRATOR: "Users",
    Role.DOSVY_OFFICER: "Cases transferred to your office",
    Role.REPORTING: "Cases by phase and status",
}


@pytest.fixture
def team(factory):
    return factory.team()


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_page(client, factory, team, login, role):
    needs_team = role in (Role.CASEWORKER, Role.SUPERVISOR)
    factory.user(role, team if needs_team else None, username=f"land.{role.value}")
    login(f"land.{role.value}")
    page = client.get("/")
    assert page.status_code == 200
    assert f"<h1>{LANDING_TEXT[role]}</h1>" in page.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_caseworker_sees_own_case_codes_but_no_names(client, factory, team, login):
    worker = factory.user(Role.CASEWORKER, team, username="cw.list")
    case = factory.case(worker, given_name_latin="Zyxname", alias="Zyxalias")
    login("cw.list")
    html = client.get("/cases/").get_data(as_text=True)
    assert case.code in html
    assert "Zyxname" not in html
    assert "Zyxalias" not in html


def test_case_page_shows_header_and_section_badges(client, factory, team, login):
    worker = factory.user(Role.CASEWORKER, team, username="cw.page")
    case = factory.case(worker)
    login("cw.page")
    page = client.get(f"/cases/{case.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Case {case.code}" in html
    assert "Pre-Reintegration" in html
    assert "last updated today" in html  # the identity section, written at admission
    assert "not recorded yet" in html  # e.g. the medical record


def test_caseworker_cannot_open_another_caseworkers_case(client, factory, team, login):
    owner = factory.user(Role.CASEWORKER, team, username="cw.owner")
    factory.user(Role.CASEWORKER, team, username="cw.other")
    case = factory.case(owner)
    login("cw.other")
    page = client.get(f"/cases/{case.code}")
    assert page.status_code == 404
    assert case.code not in page.get_data(as_text=True)


def test_supervisor_of_another_team_cannot_open_the_case(client, factory, team, login):
    case = factory.case(factory.user(Role.CASEWORKER, team))
    factory.user(Role.SUPERVISOR, factory.team(), username="sup.elsewhere")
    login("sup.elsewhere")
    assert client.get(f"/cases/{case.code}").status_code == 404


def test_supervisor_opens_a_case_of_the_team(client, factory, team, login):
    case = factory.case(factory.user(Role.CASEWORKER, team))
    factory.user(Role.SUPERVISOR, team, username="sup.here")
    login("sup.here")
    assert client.get(f"/cases/{case.code}").status_code == 200


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REPORTING, Role.DOSVY_OFFICER])
def test_roles_without_case_access_get_403_on_case_pages(client, factory, login, role):
    factory.user(role, username=f"nocase.{role.value}")
    login(f"nocase.{role.value}")
    page = client.get("/cases/")
    assert page.status_code == 403
    assert "You do not have permission to see this page." in page.get_data(as_text=True)


def test_reporting_page_suppresses_small_counts(client, factory, team, login):
    worker = factory.user(Role.CASEWORKER, team)
    for _ in range(6):
        factory.case(worker)
    factory.user(Role.REPORTING, username="rep.one")
    login("rep.one")
    html = client.get("/").get_data(as_text=True)
    assert "<td>6</td>" in html  # six open cases in Pre-Reintegration
    assert worker.display_name not in html


def test_reporting_page_never_shows_a_count_below_five(client, factory, team, login):
    factory.case(factory.user(Role.CASEWORKER, team))
    factory.user(Role.REPORTING, username="rep.two")
    login("rep.two")
    html = client.get("/").get_data(as_text=True)
    assert "fewer than 5" in html
    assert "<td>1</td>" not in html


def test_unknown_page_gives_the_404_page(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "There is no such page" in page.get_data(as_text=True)


def test_security_headers_on_every_page(client):
    headers = client.get("/auth/login").headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(client, factory, team, login):
    worker = factory.user(Role.CASEWORKER, team, username="cw.csp")
    case = factory.case(worker)
    login("cw.csp")
    for url in ("/", "/cases/", f"/cases/{case.code}", "/no/such/page"):
        html = client.get(url).get_data(as_text=True)
        for forbidden in ("<script>", "<style", " style=", " onclick=", "javascript:"):
            assert forbidden not in html, (url, forbidden)


def test_signed_in_pages_are_not_cached(client, factory, team, login):
    factory.user(Role.CASEWORKER, team, username="cw.cache")
    login("cw.cache")
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/cases/").headers["Cache-Control"] == "no-store"


def test_server_error_rolls_back_and_hides_the_details(app, client, session, caplog):
    @app.route("/test-boom")
    def boom():
        db = get_session()
        db.add(Organisation(name="Half-written shelter", kind=OrganisationKind.GOVERNMENT_SHELTER, province_code="01"))
        db.flush()
        raise RuntimeError("Zyx-sensitive-detail")

    with caplog.at_level(logging.ERROR):
        page = client.get("/test-boom")
    assert page.status_code == 500
    assert "Nothing was saved" in page.get_data(as_text=True)
    assert "Zyx-sensitive-detail" not in page.get_data(as_text=True)
    assert "Zyx-sensitive-detail" not in caplog.text
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_language_switch_shows_khmer(client, factory, team, login):
    factory.user(Role.CASEWORKER, team, username="cw.lang")
    login("cw.lang")
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/language", data={"lang": "km", "csrf_token": token})
    assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="km"' in html
    assert "ចេញពីប្រព័ន្ធ" in html  # "Sign out"


def test_user_language_preference_applies_at_sign_in(client, factory, team, login):
    factory.user(Role.CASEWORKER, team, username="cw.khmer", language="km")
    login("cw.khmer")
    assert "ចេញពីប្រព័ន្ធ" in client.get("/").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages(client):
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    client.post("/language", data={"lang": "xx", "csrf_token": token})
    assert '<html lang="en"' in client.get("/auth/login").get_data(as_text=True)
