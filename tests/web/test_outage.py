"""The database unavailable for a while, for real: PostgreSQL behind a TCP forwarder the test cuts, SQLite with
its folder moved away. People get a friendly 503 page in their own language (never a stack trace), nothing
they sent is half-saved, ``/healthz`` says the database is down, and the app answers again by itself once the
database is back."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, gettext

from engine.config import Settings
from engine.models.accounts import Role
from engine.models.workflow import WorkItem
from tests import outage_support
from tests.conftest import csrf_from
from tests.factories import PASSWORD, Factory
from tests.outage_support import Outage
from tests.web.casework_support import CLOCK, admit, open_items

DOWN = "The database is not answering just now. Nothing was saved; please try again in a minute."


# The database the test takes away (a fixture of tests.outage_support).
outage = outage_support.outage


def _in_khmer(app: Flask, message: str) -> str:
    with app.test_request_context(), force_locale("km"):
        translated = str(gettext(message))
    assert translated != message, "the message has no Khmer translation"
    return translated


def test_while_the_database_is_away_people_get_a_friendly_page_in_their_language_and_nothing_is_saved(
    outage: Outage, settings: Settings, clock: object
) -> None:
    factory = Factory(outage.session, CLOCK)
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team, username="cw.outage", language="km")
    supervisor = factory.user(Role.SUPERVISOR, team, username="sup.outage")
    app = outage.app(settings, clock)
    (step,) = open_items(outage.session, admit(outage.session, app.extensions["reintegra"]["runtime"], supervisor))
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    assert client.post("/auth/login", data={"username": worker.username, "password": PASSWORD,
                                            "csrf_token": token}).status_code == 302  # fmt: skip
    token = csrf_from(client.get("/work/").get_data(as_text=True))

    outage.switch.cut()
    page = client.get("/work/")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "60"
    assert _in_khmer(app, DOWN) in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    claim = client.post(f"/work/{step.id}/claim", data={"csrf_token": token})
    assert claim.status_code == 503
    assert app.test_client().get("/healthz").json["database"] == "down"  # a monitor, without a session

    outage.switch.restore()
    assert client.get("/work/").status_code == 200  # the same app, no restart
    outage.session.rollback()  # a fresh read: the app wrote through its own connections
    assert outage.session.get(WorkItem, step.id).assignee_id is None  # the claim sent during the outage was not saved
    assert client.post(f"/work/{step.id}/claim", data={"csrf_token": token}).status_code in (302, 303)
    outage.session.rollback()  # a fresh read: the app wrote through its own connections
    assert outage.session.get(WorkItem, step.id).assignee_id == worker.id


def test_a_visitor_signing_in_during_the_outage_gets_the_page_in_the_browsers_language(
    outage: Outage, settings: Settings, clock: object
) -> None:
    app = outage.app(settings, clock)
    client = app.test_client()
    token = csrf_from(client.get("/auth/login", headers={"Accept-Language": "km"}).get_data(as_text=True))
    outage.switch.cut()
    response = client.post("/auth/login", data={"username": "someone", "password": "x" * 12, "csrf_token": token},
                           headers={"Accept-Language": "km"})  # fmt: skip
    assert response.status_code == 503
    assert _in_khmer(app, DOWN) in response.get_data(as_text=True)
    outage.switch.restore()
    assert client.get("/auth/login").status_code == 200
