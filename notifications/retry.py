"""Waiting out a database that does not answer: try again with exponential backoff until it answers, or until
the scheduler stops (or loses the lead). Nothing here reads the clock: waits are ``Event.wait`` timeouts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot be reached (down, restarting, connection cut), not that a
    statement was wrong."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def backoff(first: float, longest: float) -> Iterator[float]:
    """Delays in seconds: ``first``, doubling, never above ``longest``."""
    delay = first
    while True:
        yield min(delay, longest)
        delay *= 2


def keep_trying(write: Callable[[], T], *, first: float, longest: float, halt: threading.Event, what: str) -> T:
    """``write()``, tried again after each database outage (backoff from ``first`` to ``longest`` seconds)
    until it succeeds; an error of another kind, or ``halt`` being set, raises the last error."""
    delays = backoff(first, longest)
    while True:
        try:
            return write()
        except Exception as exc:
            if not database_unavailable(exc) or halt.is_set():
                raise
            delay = next(delays)
            log.warning("%s: the database is not answering (%s); trying again in %.1f s", what,
                        type(exc).__name__, delay)  # fmt: skip
            if halt.wait(delay):
                raise
