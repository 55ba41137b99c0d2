"""The notification rules as plain values (from the settings), and the periods that key each reminder.

A reminder's idempotency key is ``(kind, subject, period)``. The period of a repeated reminder is the
instant it counts from plus the number of whole cadence periods since then, so every run of a job in the
same period computes the same key and the outbox's unique constraint turns a second write into nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from engine.config import WEEKDAYS, Settings

LOCAL_TIMEZONE = ZoneInfo("Asia/Phnom_Penh")  # dates in messages and digest times (DOMAIN.md §6)


@dataclass(frozen=True)
class Rules:
    """When to remind whom, and how to deliver; tests build it directly."""

    grace: dt.timedelta = dt.timedelta(days=3)
    cadence: dt.timedelta = dt.timedelta(days=7)
    record_cadence: dt.timedelta = dt.timedelta(days=30)
    record_max_age_days: int = 90
    section_max_age_days: tuple[tuple[str, int], ...] = ()
    lost_contact: dt.timedelta = dt.timedelta(days=90)
    daily_digest_at: dt.time = dt.time(7, 0)
    weekly_digest_weekday: int = 0  # Monday
    weekly_digest_at: dt.time = dt.time(7, 30)
    channels: frozenset[str] = frozenset({"inbox"})
    max_attempts: int = 8
    backoff: dt.timedelta = dt.timedelta(seconds=60)
    max_backoff: dt.timedelta = dt.timedelta(hours=12)

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        """The rules the settings describe."""
        return cls(
            grace=dt.timedelta(days=settings.overdue_grace_days),
            cadence=dt.timedelta(days=settings.reminder_cadence_days),
            record_cadence=dt.timedelta(days=settings.record_reminder_cadence_days),
            record_max_age_days=settings.record_max_age_days,
            section_max_age_days=settings.section_max_age_days,
            lost_contact=dt.timedelta(days=settings.lost_contact_days),
            daily_digest_at=settings.daily_digest_time,
            weekly_digest_weekday=WEEKDAYS.index(settings.weekly_digest_day),
            weekly_digest_at=settings.weekly_digest_time,
            channels=settings.channels,
            max_attempts=settings.delivery_max_attempts,
            backoff=dt.timedelta(seconds=settings.delivery_backoff_seconds),
        )

    def max_age(self, section: str) -> dt.timedelta:
        """How old ``section`` of a case file may get before it is stale."""
        return dt.timedelta(days=dict(self.section_max_age_days).get(section, self.record_max_age_days))

    def retry_delay(self, attempts: int) -> dt.timedelta:
        """Exponential backoff after ``attempts`` failed attempts (1 -> ``backoff``, 2 -> twice that, ...)."""
        delay: dt.timedelta = self.backoff * 2 ** max(attempts - 1, 0)
        return min(delay, self.max_backoff)


def cadence_slot(since: dt.datetime, now: dt.datetime, cadence: dt.timedelta) -> int:
    """How many whole ``cadence`` periods lie between ``since`` and ``now`` (0 in the first period)."""
    return max(int((now - since) // cadence), 0)


def stamp(instant: dt.datetime) -> str:
    """A compact, exact UTC stamp for keys: ``20261129T030000.000000Z``."""
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def local(instant: dt.datetime) -> dt.datetime:
    """``instant`` on the clock of Cambodia."""
    return instant.astimezone(LOCAL_TIMEZONE)


def local_midnight_utc(day: dt.date) -> dt.datetime:
    """The UTC instant at which ``day`` starts in Cambodia."""
    return dt.datetime.combine(day, dt.time(), LOCAL_TIMEZONE).astimezone(dt.UTC)
