"""Countries a case file may name (a destination country): ISO 3166-1 alpha-2 codes from pycountry,
with their names in English or Khmer (pycountry's translations, where it has one; else English)."""

from __future__ import annotations

import functools
import gettext

import pycountry


@functools.cache
def country_codes() -> dict[str, str]:
    """Every ISO 3166-1 alpha-2 code with its English name, as a country field accepts them."""
    return {c.alpha_2: c.name for c in pycountry.countries}


@functools.cache
def _translation(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str, lang: str) -> str:
    """The name of country ``code`` in ``lang`` ("en" or "km"); an unknown code is returned as it is."""
    english = country_codes().get(code)
    if english is None:
        return code
    return english if lang == "en" else _translation(lang).gettext(english)


@functools.cache
def country_choices(lang: str) -> tuple[tuple[str, str], ...]:
    """(code, name in ``lang``) for every country, ordered by name, for a select list."""
    return tuple(sorted(((code, country_name(code, lang)) for code in country_codes()), key=lambda c: c[1]))
