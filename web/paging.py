"""Numbers read from query strings and forms, one way everywhere: a page from 1 to ``MAX_PAGE`` and row
ids no larger than a database integer holds.

Anything else (absent, not a number, 0, negative) is page 1 or no id, and a huge number is the last
page we would ever serve, so no request turns into an offset or an id the database cannot hold."""

from __future__ import annotations

from flask import request

MAX_PAGE = 100_000
# The largest id an id column holds on both databases: ids are INTEGER, which PostgreSQL keeps in 32 bits
# (SQLite in 64); 2.1 billion rows of one kind is far beyond a national programme.
ROW_ID_MAX = 2**31 - 1


def parse_page(value: str | None) -> int:
    """``value`` as a page number, clamped to 1..MAX_PAGE."""
    if not value or not value.isdigit():
        return 1
    return min(max(int(value), 1), MAX_PAGE)


def parse_row_id(value: str | None) -> int | None:
    """``value`` as a row id, or ``None`` when it is not one any row could have."""
    if not value or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= ROW_ID_MAX else None


def page_number() -> int:
    """The page requested in the query string."""
    return parse_page(request.args.get("page"))
