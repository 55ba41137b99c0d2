"""The period a report covers: a calendar quarter (the default) or a span of days, in Phnom Penh days."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from engine.clock import LOCAL
from engine.errors import N_, InvalidInput

MAX_DAYS = 5 * 366  # a longer span is almost certainly a typo in a year
BAD_QUARTER = N_("Choose a quarter such as 2026-Q3.")
BAD_DATES = N_("Give the first and the last day of the period, the first not after the last, at most five years apart.")


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        """``2026-Q3`` for a whole quarter, else ``2026-07-01..2026-08-15``."""
        q = quarter_of(self.start)
        if q == self:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def is_quarter(self) -> bool:
        return quarter_of(self.start) == self

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The UTC instants [first local midnight, the local midnight after the last day)."""
        after = self.end + dt.timedelta(days=1)
        return (
            dt.datetime.combine(self.start, dt.time(), LOCAL).astimezone(dt.UTC),
            dt.datetime.combine(after, dt.time(), LOCAL).astimezone(dt.UTC),
        )


def quarter_of(day: dt.date) -> Period:
    """The calendar quarter ``day`` falls in."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first_month, 1)
    next_start = dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    return Period(start, next_start - dt.timedelta(days=1))


def last_full_quarter(today: dt.date) -> Period:
    """The last quarter that ended before ``today`` (the default period)."""
    return quarter_of(quarter_of(today).start - dt.timedelta(days=1))


def recent_quarters(today: dt.date, count: int = 8) -> list[Period]:
    """The quarter of ``today`` and the ``count - 1`` before it, newest first."""
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(quarter_of(quarters[-1].start - dt.timedelta(days=1)))
    return quarters


def parse_quarter(raw: str) -> Period:
    """``2026-Q3`` -> that quarter."""
    match = re.fullmatch(r"(\d{4})-Q([1-4])", raw.strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise InvalidInput(BAD_QUARTER, {"quarter": BAD_QUARTER})
    return quarter_of(dt.date(int(match.group(1)), (int(match.group(2)) - 1) * 3 + 1, 1))


def parse_span(start: str, end: str) -> Period:
    """Two ISO dates -> the span from the first to the last day."""
    try:
        first, last = dt.date.fromisoformat(start.strip()), dt.date.fromisoformat(end.strip())
    except ValueError:
        raise InvalidInput(BAD_DATES, {"start": BAD_DATES}) from None
    if last < first or (last - first).days > MAX_DAYS:
        raise InvalidInput(BAD_DATES, {"start": BAD_DATES})
    return Period(first, last)
