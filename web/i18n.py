"""English and Khmer through Flask-Babel; times are shown in Asia/Phnom_Penh, stored in UTC."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from babel.support import NullTranslations
from flask import Flask, g, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from jinja2.nodes import EvalContext
from jinja2.utils import pass_eval_context
from markupsafe import Markup

from engine.errors import DomainError

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


def translations() -> NullTranslations:
    """The request's catalogue, looked up once per request and locale.

    Flask-Babel finds it again on every call (four context lookups), which was a third of the time of a
    25-row queue page with its ~250 template strings. The cache sits in Flask-Babel's own per-request
    namespace and is keyed by the locale object it holds, so ``force_locale`` and ``refresh`` (which
    replace that object) are still obeyed.
    """
    ctx = g.get("_flask_babel")
    if ctx is None:
        return cast(NullTranslations, get_translations())
    locale = getattr(ctx, "babel_locale", None)
    cached = getattr(ctx, "reintegra_translations", None)
    if locale is not None and cached is not None and cached[0] is locale:
        return cast(NullTranslations, cached[1])
    found = cast(NullTranslations, get_translations())
    ctx.reintegra_translations = (getattr(ctx, "babel_locale", None), found)
    return found


def error_text(error: DomainError) -> str:
    """An engine refusal in the reader's language: its message id translated, then its values put in."""
    text = translations().gettext(error.message)
    return text % error.params if error.params else text


def _jinja_gettext(message: str) -> str:
    return translations().ugettext(message)


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, message: str, /, **variables: Any) -> str:
    """Templates' ``_()``: Jinja's new-style gettext without its cost on the common case.

    Jinja formats every translated string (``Markup(text) % variables``) even when it has no variables; on
    a 25-row queue page, with ~10 labels a row, that was ~250 formattings of strings with nothing to put
    in. The result is the same (a string without ``%`` is its own format), the escaping too."""
    text: str = translations().ugettext(message)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - the catalogue's own text, as Jinja takes it
    return text % variables if "%" in text else text


def _jinja_ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ungettext(singular, plural, n)


def _jinja_pgettext(context: str, message: str) -> str:
    return translations().upgettext(context, message)


def _jinja_npgettext(context: str, singular: str, plural: str, n: int) -> Any:
    return translations().unpgettext(context, singular, plural, n)


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: TIMEZONE,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    # The same callables Flask-Babel installs, through the per-request cache above.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_jinja_gettext, ngettext=_jinja_ngettext, pgettext=_jinja_pgettext,
        npgettext=_jinja_npgettext, newstyle=True,
    )  # fmt: skip
    app.jinja_env.globals["_"] = _template_gettext
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale)
