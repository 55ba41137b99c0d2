"""One database session per request, closed (and rolled back if unfinished) at teardown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.config import Settings


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db" not in g:
        g.db = current_app.extensions["reintegra"]["session_factory"]()
    session: Session = g.db
    return session


def settings() -> Settings:
    """The app's settings."""
    value: Settings = current_app.extensions["reintegra"]["settings"]
    return value


def utcnow() -> dt.datetime:
    """The current instant from the app's clock; services get it as an argument, never read a clock."""
    clock: Clock = current_app.extensions["reintegra"]["clock"]
    return clock()


def _close(_exc: Any) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close)
