"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL with --database-url), settings,
the app and a signed-in client. Every test starts from empty tables (the provinces stay: they are
reference data seeded by the migration)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from engine import migrate
from engine.clock import FixedClock
from engine.config import Settings
from engine.crypto import KeyRing, install_keyring
from engine.db import Base, make_engine, make_session_factory
from tests.factories import Factory

TEST_FERNET_KEY = "a2V5LWZvci10ZXN0cy1vbmx5LW5vdC1hLXNlY3JldCE="  # "key-for-tests-only-not-a-secret!"
TEST_INDEX_KEY = "index-key-for-tests-only-not-a-secret-0000"
NOW = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)
KEEP = {"provinces", "alembic_version"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--database-url", default=None, help="run on this PostgreSQL database (it is wiped)")


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    url: str | None = request.config.getoption("--database-url")
    if url is None:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def keyring() -> KeyRing:
    ring = KeyRing(fernet_keys=(TEST_FERNET_KEY,), index_key=TEST_INDEX_KEY)
    install_keyring(ring)
    return ring


@pytest.fixture(scope="session")
def db_engine(database_url: str, keyring: KeyRing) -> Iterator[Engine]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEEP:
                conn.execute(table.delete())


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        env="test",
        instance_path=tmp_path / "instance",
        database_url=database_url,
        secret_key="test-secret-key-not-for-production-0000",
        encryption_keys=(TEST_FERNET_KEY,),
        index_key=TEST_INDEX_KEY,
        password_hash_profile="fast",
    )


@pytest.fixture
def session(db_engine: Engine, keyring: KeyRing) -> Iterator[Session]:
    s = make_session_factory(db_engine)()
    try:
        yield s
    finally:
        s.close()
        _wipe(db_engine)


@pytest.fixture
def factory(session: Session) -> Factory:
    return Factory(session, NOW)


@pytest.fixture
def clock() -> FixedClock:
    """The app's clock in tests: it stands at NOW until a test moves it."""
    return FixedClock(NOW)


@pytest.fixture
def app(settings: Settings, session: Session, clock: FixedClock) -> Iterator[Flask]:
    from web import create_app

    application = create_app(settings, clock=clock)
    application.config["TESTING"] = True
    yield application
    application.extensions["reintegra"]["engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient) -> Callable[[str, str], object]:
    """Sign in through the real form (CSRF included)."""

    def do(username: str, password: str = "correct-horse-battery") -> object:
        token = csrf_from(client.get("/auth/login").get_data(as_text=True))
        return client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})

    return do
