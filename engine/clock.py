"""The product's one clock, and Cambodia's calendar.

Every "now" in the product comes from a :data:`Clock`: a function returning the current instant (aware,
UTC). :func:`system_clock` is the only place that reads the machine's wall clock; the web app keeps its
clock on ``app.extensions["reintegra"]["clock"]``, the scheduler on its job context, the CLI in one
helper, and each passes the instant on to the engine's services as ``now``. The few engine queries that
need "today" where no ``now`` is passed in (whether a transfer's consent still holds, inside the access
policy) read :func:`current_now`: the clock of the request or job in progress (:func:`using_clock`),
never the database's own ``CURRENT_DATE``. Tests give a
:class:`FixedClock` instead, so no test depends on the day it runs (``tests/test_clock_discipline.py``
fails on any other wall-clock read, and CI runs the suite once more with the machine's clock moved a
year ahead).

Instants are UTC everywhere; a date typed in a form, a consent's "given on" and "expires on", are days
in Phnom Penh (UTC+7), so between midnight and 07:00 there the UTC date is still yesterday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Phnom_Penh")

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The machine's wall clock, as an aware UTC instant (the only wall-clock read in the product)."""
    return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stands still until moved: for tests, demos and benchmarks."""

    def __init__(self, now: dt.datetime) -> None:
        self.set(now)

    def __call__(self) -> dt.datetime:
        return self._now

    def set(self, now: dt.datetime) -> None:
        """Stand at ``now`` (aware)."""
        if now.tzinfo is None:
            raise ValueError("a clock's instant must be timezone-aware")
        self._now = now.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move ``delta`` forward and return the new instant."""
        self._now += delta
        return self._now


def local_today(now: dt.datetime) -> dt.date:
    """Today in Phnom Penh at the instant ``now``."""
    return now.astimezone(LOCAL).date()


_in_use: ContextVar[Clock | None] = ContextVar("reintegra_clock", default=None)


@contextmanager
def using_clock(clock: Clock) -> Iterator[None]:
    """Make ``clock`` the one :func:`current_now` reads for the request or job run inside the block."""
    token = _in_use.set(clock)
    try:
        yield
    finally:
        _in_use.reset(token)


def current_now() -> dt.datetime:
    """The instant by the clock of the request or job in progress (the system clock outside any)."""
    clock = _in_use.get()
    return (clock or system_clock)()
