"""``/healthz`` for load balancers and monitors, and what people see while the database is down."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine.config import Settings
from engine.notices.status import heartbeat
from tests.conftest import NOW, csrf_from

UNREACHABLE = "postgresql+psycopg://reintegra@127.0.0.1:9/nothing?connect_timeout=2"


def test_without_a_scheduler_the_app_is_not_healthy(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "scheduler": "missing"}


def test_with_an_active_scheduler_beating_it_is_healthy_and_names_nothing(
    client: FlaskClient, session: Session
) -> None:
    heartbeat(session=session, name="node-secret-host:4242", now=NOW - dt.timedelta(seconds=5), started_at=NOW,
              active=True)  # fmt: skip
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "scheduler": "ok"}
    assert "secret-host" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_scheduler_that_stopped_beating_is_stale(client: FlaskClient, session: Session, settings: Settings) -> None:
    long_ago = NOW - dt.timedelta(seconds=4 * settings.scheduler_poll_seconds)
    heartbeat(session=session, name="host:1", now=long_ago, started_at=long_ago, active=True)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["scheduler"] == "stale"


def test_a_standby_scheduler_alone_is_not_enough(client: FlaskClient, session: Session) -> None:
    heartbeat(session=session, name="host:2", now=NOW, started_at=NOW, active=False)
    assert client.get("/healthz").json["scheduler"] == "missing"


def _app_without_database(settings: Settings):
    from web import create_app

    app = create_app(dataclasses.replace(settings, database_url=UNREACHABLE))
    app.config["TESTING"] = True
    return app


def test_with_the_database_down_healthz_says_so(settings: Settings) -> None:
    app = _app_without_database(settings)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "down", "scheduler": "missing"}


def test_with_the_database_down_a_sign_in_gets_a_friendly_page_not_a_500(settings: Settings) -> None:
    app = _app_without_database(settings)
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"username": "someone", "password": "x" * 12, "csrf_token": token})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "The database is not answering just now. Nothing was saved" in response.get_data(as_text=True)
