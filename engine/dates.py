"""How a date or a moment reads, one way per language, for every page, PDF and message.

English: "29 Nov 2026" and "29 Nov 2026, 10:05". Khmer: the day, the Khmer month name and the year,
"29 វិច្ឆិកា 2026" (CLDR's Khmer month names, from Babel). GLOSSARY-km.md asks for no Khmer digits and
CLDR's Khmer locale writes numbers in Western digits, so digits stay 0-9, as in the rest of the Khmer
interface. Exports (CSV, XLSX, JSON) and machine-readable attributes keep ISO 8601, never these.

Babel only; no Flask (the web layer passes the request's language, ``notifications`` the reader's).
Times are shown on the clock of ``zone`` (Cambodia's by default).
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_time

from engine.clock import LOCAL

DATE_PATTERNS = {"en": "d MMM y", "km": "d MMMM y"}
TIME_PATTERN = "HH:mm"
_JOIN = {"en": "{date}, {time}", "km": "{date} {time}"}


def _lang(lang: str) -> str:
    return "km" if lang.split("_")[0] == "km" else "en"


def day_text(value: dt.date | dt.datetime, lang: str, zone: dt.tzinfo = LOCAL) -> str:
    """``value`` as a day in ``lang`` ("29 Nov 2026"); a moment is first put on ``zone``'s clock."""
    if isinstance(value, dt.datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(zone).date()
    lang = _lang(lang)
    return str(format_date(value, DATE_PATTERNS[lang], locale=lang))


def moment_text(value: dt.datetime, lang: str, zone: dt.tzinfo = LOCAL) -> str:
    """``value`` as a day and a time on ``zone``'s clock in ``lang`` ("29 Nov 2026, 10:05")."""
    here = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(zone)
    lang = _lang(lang)
    time = format_time(here.timetz(), TIME_PATTERN, locale=lang)
    return _JOIN[lang].format(date=day_text(here.date(), lang), time=time)
