"""The engine's report messages, marked for translation (the engine returns them in English)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ENGINE_MESSAGES = (
    _l("Choose a quarter such as 2026-Q3."),
    _l("Give the first and the last day of the period, the first not after the last, at most five years apart."),
    _l("Choose the nation, a province or a shelter."),
    _l("You may not see reports for this scope."),
)
