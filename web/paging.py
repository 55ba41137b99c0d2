"""Numbers read from query strings and forms, one way everywhere: a page from 1 to ``MAX_PAGE`` and row
ids no larger than a database integer holds.

Anything else (absent, not a number, 0, negative) is page 1 or no id, and a huge number is the last
page we would ever serve, so no request turns into an offset or an id the database cannot hold. Only the
digits 0-9 make a number: ``str.isdigit`` also accepts "²" (which ``int`` refuses) and "١٢" (which it reads
as 12), so a link nobody wrote would reach a page or a row."""

from __future__ import annotations

from flask import request

MAX_PAGE = 100_000
# The largest id an id column holds on both databases: ids are INTEGER, which PostgreSQL keeps in 32 bits
# (SQLite in 64); 2.1 billion rows of one kind is far beyond a national programme.
ROW_ID_MAX = 2**31 - 1


def is_number(value: str) -> bool:
    """True when ``value`` is a plain decimal number written with the digits 0-9 (no sign, no space)."""
    return value.isascii() and value.isdigit()


def parse_page(value: str | None) -> int:
    """``value`` as a page number, clamped to 1..MAX_PAGE."""
    if value is None or not is_number(value):
        return 1
    if len(value) > len(str(MAX_PAGE)):  # more digits than int() may read (4300) are just as far past the end
        return MAX_PAGE
    return min(max(int(value), 1), MAX_PAGE)


def parse_row_id(value: str | None) -> int | None:
    """``value`` as a row id, or ``None`` when it is not one any row could have."""
    if value is None or not is_number(value) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= ROW_ID_MAX else None


def page_number() -> int:
    """The page requested in the query string."""
    return parse_page(request.args.get("page"))
