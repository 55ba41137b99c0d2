"""English and Khmer through Flask-Babel; times are shown in Asia/Phnom_Penh, stored in UTC."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request, session
from flask_babel import Babel, get_locale
from flask_login import current_user

LANGUAGES = {"en": "English", "km": "ខ្មែរ"}
TIMEZONE = "Asia/Phnom_Penh"


def select_locale() -> str:
    """The signed-in user's language, else the one chosen this session, else the browser's (while the database is
    down, the session's: it was set at sign-in)."""
    if not g.get("database_down") and current_user and current_user.is_authenticated:
        return str(current_user.account.language)
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    from web.db import settings

    return request.accept_languages.best_match(list(LANGUAGES)) or settings().default_language


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: TIMEZONE,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale)
