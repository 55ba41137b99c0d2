"""Two-factor sign-in through the real pages, and the per-address rate limit message."""

from __future__ import annotations

import datetime as dt
import re

from engine.accounts import totp
from engine.models.accounts import Role, User
from tests.conftest import NOW, csrf_from


def _enable(client, login, session, username):
    login(username)
    token = csrf_from(client.get("/auth/two-factor/setup").get_data(as_text=True))
    client.post("/auth/two-factor/setup", data={"csrf_token": token, "action": "start"})
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    response = client.post(
        "/auth/two-factor/setup", data={"csrf_token": csrf_from(page), "code": totp.code_at(secret, NOW)}
    )
    assert response.status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    return secret


def test_a_supervisor_turns_on_two_factor_and_then_needs_a_code(client, factory, login, session):
    factory.user(Role.SUPERVISOR, factory.team(), username="sup.web2fa")
    secret = _enable(client, login, session, "sup.web2fa")
    response = login("sup.web2fa")
    assert response.headers["Location"] == "/auth/two-factor"
    assert client.get("/").status_code == 302  # not signed in yet
    page = client.get("/auth/two-factor").get_data(as_text=True)
    wrong = client.post("/auth/two-factor", data={"csrf_token": csrf_from(page), "code": "12345x"})
    assert wrong.status_code in (200, 401)
    code = totp.code_at(secret, NOW + dt.timedelta(seconds=30))  # the next step: a fresh, unused code
    ok = client.post("/auth/two-factor", data={"csrf_token": csrf_from(page), "code": code})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200


def test_the_code_page_without_a_password_step_sends_back_to_sign_in(client):
    response = client.get("/auth/two-factor")
    assert response.headers["Location"] == "/auth/login"


def test_caseworkers_cannot_open_two_factor_setup(client, factory, login):
    factory.user(Role.CASEWORKER, factory.team(), username="cw.no2fa")
    login("cw.no2fa")
    assert client.get("/auth/two-factor/setup").status_code == 403


def test_too_many_failures_from_one_address_are_refused_with_a_message(client, factory, login, app):
    factory.user(Role.CASEWORKER, factory.team(), username="cw.flood")
    for _ in range(20):
        login("cw.flood", "wrong-password-99")
    response = login("cw.flood")
    assert "Too many failed sign-ins from this computer" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_users_table_never_holds_the_two_factor_secret_in_clear(client, factory, login, session):
    factory.user(Role.ADMINISTRATOR, username="admin.2fa")
    secret = _enable(client, login, session, "admin.2fa")
    session.rollback()
    raw = session.connection().exec_driver_sql("SELECT totp_secret FROM users WHERE username = 'admin.2fa'").scalar()
    assert secret not in raw
    assert session.query(User).filter_by(username="admin.2fa").one().totp_enabled


def test_the_user_menu_links_to_two_factor_set_up_for_the_roles_that_use_it(client, factory, login):
    team = factory.team()
    factory.user(Role.SUPERVISOR, team, username="sup.menu")
    factory.user(Role.CASEWORKER, team, username="cw.menu")
    link = '<a href="/auth/two-factor/setup" class="who">Two-factor sign-in</a>'
    login("sup.menu")
    assert link in client.get("/").get_data(as_text=True)
    current = client.get("/auth/two-factor/setup").get_data(as_text=True)
    assert '<a href="/auth/two-factor/setup" class="who" aria-current="page">' in current
    client.post("/auth/logout", data={"csrf_token": csrf_from(current)})
    login("cw.menu")
    assert "/auth/two-factor/setup" not in client.get("/work/").get_data(as_text=True)  # caseworkers have none
