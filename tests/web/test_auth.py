"""Sign-in, sign-out, CSRF and the lockout, through the real routes."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.models.accounts import Role, User
from tests.conftest import csrf_from


@pytest.fixture
def worker(factory):
    return factory.user(Role.CASEWORKER, factory.team(), username="cw.signin")


def test_login_page_has_a_form_with_csrf_token(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert csrf_from(page.get_data(as_text=True))


def test_login_success_redirects_to_landing_page(client, worker, login):
    response = login("cw.signin")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_with_wrong_password_is_refused_with_a_message(client, worker, login):
    response = login("cw.signin", "wrong-password-123")
    assert response.status_code == 401
    assert "The user name or password is wrong." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_message_as_a_wrong_password(worker, login):
    response = login("nobody.here", "wrong-password-123")
    assert response.status_code == 401
    assert "The user name or password is wrong." in response.get_data(as_text=True)


def test_a_locked_account_and_an_unknown_name_answer_alike(client, worker, login):
    for _ in range(6):
        login("cw.signin", "wrong-password-123")
    locked = login("cw.signin", "wrong-password-123")
    unknown = login("nobody.here", "wrong-password-123")
    assert locked.status_code == unknown.status_code == 401
    assert _flashes(locked) == _flashes(unknown) == ["The user name or password is wrong."]


def _flashes(response) -> list[str]:
    return re.findall(r'<p class="flash [^"]*"[^>]*>\s*([^<]+?)\s*<', response.get_data(as_text=True))


def test_login_without_csrf_token_is_rejected(client, worker):
    client.get("/auth/login")
    response = client.post("/auth/login", data={"username": "cw.signin", "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sixth_failure_locks_the_account_even_for_the_right_password(client, worker, login, session):
    for _ in range(5):
        assert login("cw.signin", "wrong-password-123").status_code == 401
    sixth = login("cw.signin", "wrong-password-123")
    assert "locked" not in sixth.get_data(as_text=True)  # a guesser is not told the name exists
    assert "The user name or password is wrong." in sixth.get_data(as_text=True)
    locked = login("cw.signin")  # the owner, who knows the password, is told why

    assert locked.status_code == 401
    assert "locked until" in locked.get_data(as_text=True)
    session.rollback()  # end the test's read snapshot to see the app's writes
    assert session.scalar(select(User.locked_until).where(User.username == "cw.signin")) is not None


def test_failures_from_one_address_are_limited_by_the_settings(settings, session, factory):
    from web import create_app

    factory.user(Role.CASEWORKER, factory.team(), username="cw.limited")
    app = create_app(dataclasses.replace(settings, login_address_limit=3, login_address_window_minutes=7))
    client = app.test_client()
    try:
        for name in ("someone.a", "someone.b", "someone.c"):  # different user names, one address
            token = csrf_from(client.get("/auth/login").get_data(as_text=True))
            client.post("/auth/login", data={"username": name, "password": "wrong-password-123", "csrf_token": token})
        token = csrf_from(client.get("/auth/login").get_data(as_text=True))
        refused = client.post("/auth/login", data={"username": "cw.limited", "password": "correct-horse-battery",
                                                   "csrf_token": token})  # fmt: skip
        assert "Wait 7 minutes and try again." in refused.get_data(as_text=True)
        assert client.get("/").status_code == 302
    finally:
        app.extensions["reintegra"]["engine"].dispose()


def test_next_parameter_returns_to_the_page_asked_for(client, worker):
    token = csrf_from(client.get("/auth/login?next=/cases/").get_data(as_text=True))
    response = client.post(
        "/auth/login?next=/cases/",
        data={"username": "cw.signin", "password": "correct-horse-battery", "csrf_token": token},
    )
    assert response.headers["Location"] == "/cases/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_parameter_never_leaves_the_site(client, worker, target):
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", query_string={"next": target},
        data={"username": "cw.signin", "password": "correct-horse-battery", "csrf_token": token},
    )  # fmt: skip
    assert response.headers["Location"] == "/"


def test_logout_signs_out(client, worker, login):
    login("cw.signin")
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_logout_without_csrf_token_is_rejected(client, worker, login):
    login("cw.signin")
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_logout_by_get_is_not_allowed(client, worker, login):
    login("cw.signin")
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_session_cookie_is_http_only_and_same_site(client, worker, login):
    response = login("cw.signin")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_sign_in_starts_a_new_session(client, worker, login):
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
    login("cw.signin")
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_deactivated_user_is_signed_out_on_next_request(client, worker, login, session):
    login("cw.signin")
    with transaction(session):
        session.get(User, worker.id).active = False
    assert client.get("/").status_code == 302


def test_the_short_address_login_leads_to_the_sign_in_page(client):
    response = client.get("/login")
    assert response.status_code == 301
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/login", follow_redirects=True).request.path == "/auth/login"


def test_the_short_address_keeps_a_next_page_on_the_site(client, worker):
    response = client.get("/login", query_string={"next": "/cases/?q=1"})
    assert response.headers["Location"] == "/auth/login?next=/cases/?q%3D1"
    token = csrf_from(client.get(response.headers["Location"]).get_data(as_text=True))
    data = {"username": "cw.signin", "password": "correct-horse-battery", "csrf_token": token}
    signed_in = client.post(response.headers["Location"], data=data)
    assert signed_in.headers["Location"] == "/cases/?q=1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "cases/"])
def test_the_short_address_drops_a_next_page_off_the_site(client, target):
    response = client.get("/login", query_string={"next": target})
    assert response.headers["Location"] == "/auth/login"
