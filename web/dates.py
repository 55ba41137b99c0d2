"""Dates on pages and in PDFs: one format per language (:mod:`engine.dates`), as Jinja filters.

Templates show dates only through these filters: ``dateformat`` (a day), ``datetimeformat`` (a day and a
time), ``isodateformat`` (a form's ISO string, shown as a day) and ``isodate`` (ISO 8601 for machines:
``<time datetime>``, ``<input type="date">`` values, query strings). A test reads the templates and the
web code for any other date formatting. CSV and XLSX exports keep ISO 8601.
"""

from __future__ import annotations

import datetime as dt
import functools

from flask import Flask
from flask_babel import get_locale

from engine.dates import day_text, moment_text


def _lang() -> str:
    return str(get_locale() or "en")


def day(value: dt.datetime | dt.date | None) -> str:
    """A day in the user's language ("29 Nov 2026"; a moment on Cambodia's clock); "" for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return _instant_day(value, _lang())
    return day_text(value, _lang())  # a plain date may be a birth date: never kept in a cache


@functools.lru_cache(maxsize=4096)
def _instant_day(value: dt.datetime, lang: str) -> str:
    # Formatting costs ~0.2 ms a call and a queue page shows the same few due dates again and again; the
    # key holds the language. Instants here are due dates and timestamps of steps, not case-file content.
    return day_text(value, lang)


def moment(value: dt.datetime | None) -> str:
    """A day and a time on Cambodia's clock in the user's language; "" for None."""
    return "" if value is None else moment_text(value, _lang())


def iso_day(value: str | None) -> str:
    """A form's ISO date string as a day ("" stays "", anything else is shown as typed)."""
    try:
        return day_text(dt.date.fromisoformat(value), _lang()) if value else ""
    except ValueError:
        return value or ""


def iso(value: dt.datetime | dt.date | None) -> str:
    """ISO 8601 for machines (attributes, query strings); "" for None."""
    return "" if value is None else value.isoformat()


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters.update(dateformat=day, datetimeformat=moment, isodateformat=iso_day, isodate=iso)
