"""The in-app inbox: every signed-in user has one, the navigation shows the unread count, messages are
the reader's own and in the reader's language, mark as read, and notification preferences."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.models.accounts import Role
from engine.models.notices import Channel, Delivery
from engine.notices.outbox import add_notice
from engine.notices.preferences import Preferences, get_preferences
from engine.notices.rules import Rules
from tests.conftest import NOW, csrf_from
from tests.factories import PASSWORD

ROUTES_GET = ["/inbox/", "/inbox/preferences"]
ROUTES_POST = ["/inbox/1/read", "/inbox/read-all", "/inbox/preferences"]


@pytest.fixture
def team(factory):
    return factory.team()


def tell(session, user, n=1, code="RG-7KQ3MX", step="Follow-up visit"):
    """Queue ``n`` overdue notices for ``user``; return the inbox delivery ids."""
    with transaction(session):
        for i in range(n):
            add_notice(session, key=("overdue", f"work_item:{user.id}{i}", "p/0"), case_id=None, recipients=[user],
                       payload={"case_code": code, "step": step, "due_at": "2026-11-29T03:00:00+00:00",
                                "grace_days": 3}, rules=Rules(), now=NOW)  # fmt: skip
    mine = (Delivery.recipient_id == user.id) & (Delivery.channel == Channel.INBOX)
    return list(session.scalars(select(Delivery.id).where(mine).order_by(Delivery.id)))


def post(client, url, data=None):
    token = csrf_from(client.get("/inbox/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def signed_in(factory, login, role, team, username):
    user = factory.user(role, team if role in (Role.CASEWORKER, Role.SUPERVISOR) else None, username=username)
    login(username)
    return user


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_an_inbox_linked_from_the_navigation(client, factory, team, login, role):
    signed_in(factory, login, role, team, f"inbox.{role.value}")
    page = client.get("/inbox/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Inbox</h1>" in html
    assert 'href="/inbox/"' in html


@pytest.mark.parametrize("url", ROUTES_GET)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("url", ROUTES_POST)
def test_anonymous_posts_change_nothing(client, url):
    assert client.post(url).status_code in (302, 400)


def test_the_navigation_counts_unread_messages(client, factory, team, login, session):
    user = signed_in(factory, login, Role.CASEWORKER, team, "cw.unread")
    assert "unread-count" not in client.get("/inbox/preferences").get_data(as_text=True)
    first, _second = tell(session, user, 2)
    assert '<mark class="unread-count">2</mark>' in client.get("/inbox/preferences").get_data(as_text=True)
    assert post(client, f"/inbox/{first}/read").status_code == 303
    assert '<mark class="unread-count">1</mark>' in client.get("/inbox/preferences").get_data(as_text=True)
    response = post(client, "/inbox/read-all")
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 message marked as read." in html
    assert "unread-count" not in html


def test_a_message_shows_case_code_step_and_due_date_with_a_link_to_the_case(client, factory, team, login, session):
    user = signed_in(factory, login, Role.CASEWORKER, team, "cw.message")
    tell(session, user)
    html = client.get("/inbox/").get_data(as_text=True)
    assert "Overdue task: Follow-up visit (case RG-7KQ3MX)" in html
    assert "Due date: 29 Nov 2026, 10:00" in html
    assert 'href="/cases/RG-7KQ3MX"' in html


def test_a_khmer_reader_gets_the_khmer_message(client, factory, team, login, session):
    user = factory.user(Role.CASEWORKER, team, username="cw.khmer", language="km")
    login("cw.khmer", PASSWORD)
    tell(session, user)
    html = client.get("/inbox/").get_data(as_text=True)
    assert "ហួសកំណត់៖ ការចុះសួរសុខទុក្ខតាមដាន (លេខកូដករណី RG-7KQ3MX)" in html  # the step by its form's Khmer title
    assert "Follow-up visit" not in html


def test_nobody_reads_or_marks_someone_elses_messages(client, factory, team, login, session):
    owner = factory.user(Role.CASEWORKER, team, username="cw.owner")
    (theirs,) = tell(session, owner, code="RG-OWNER1")
    signed_in(factory, login, Role.CASEWORKER, team, "cw.nosy")
    assert "RG-OWNER1" not in client.get("/inbox/").get_data(as_text=True)
    assert post(client, f"/inbox/{theirs}/read").status_code == 404
    session.commit()
    session.expire_all()
    assert session.get(Delivery, theirs).read_at is None


def test_preferences_are_saved_and_bad_values_explained(client, factory, team, login, session):
    user = signed_in(factory, login, Role.SUPERVISOR, team, "sup.prefs")
    page = client.get("/inbox/preferences")
    assert page.status_code == 200
    assert "E-mail is not set up on this server yet." in page.get_data(as_text=True)
    bad = post(client, "/inbox/preferences", {"email": "y", "email_address": "nope", "daily_digest": "y"})
    assert bad.status_code == 422
    assert "Enter an e-mail address like name@example.org" in bad.get_data(as_text=True)
    good = post(client, "/inbox/preferences", {"email": "y", "email_address": "sup@example.org", "daily_digest": "y"})
    assert good.status_code == 303
    session.commit()
    session.expire_all()
    assert get_preferences(session=session, user=user) == Preferences(
        email=True, email_address="sup@example.org", chat=False, chat_id=None, daily_digest=True, weekly_digest=False
    )


def test_a_form_without_its_csrf_token_is_refused(client, factory, team, login):
    signed_in(factory, login, Role.CASEWORKER, team, "cw.csrf")
    assert client.post("/inbox/read-all").status_code == 400
