"""The scheduler's jobs: thin entry points that open a session, call one engine service with ``now``, close.

Each run's outcome (result, or error) is written to ``scheduler_jobs`` for the administrators' status
page. A job never raises into APScheduler: a failure is logged (type and message only) and recorded.
While the database does not answer, a run started by the scheduler tries again with backoff (from the
poll interval, doubling, up to the job's period) instead of waiting a whole period, and the outbox keeps
trying to record a message it has sent, so the message is not sent again when its claim expires.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock, system_clock, using_clock
from engine.config import Settings
from engine.crypto import install_keyring, load_keyring
from engine.db import make_engine, make_session_factory
from engine.errors import N_
from engine.jobs.digests import queue_daily_digests, queue_weekly_digests
from engine.jobs.lost_contact import detect_lost_contact
from engine.jobs.reminders import remind_overdue_work, remind_stale_records
from engine.jobs.timers import fire_timer_batches
from engine.jobs.training import remind_training
from engine.notices.delivery import Outgoing, deliver_due_notices
from engine.notices.outbox import Report
from engine.notices.rules import Rules
from engine.notices.status import record_job_run
from engine.workflow.service import Runtime, load_runtime
from notifications.channels import Dispatcher
from notifications.messages import form_step_labels
from notifications.retry import backoff, database_unavailable, keep_trying

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    """What every job needs, built once per scheduler process."""

    settings: Settings
    session_factory: sessionmaker[Session]
    runtime: Runtime
    rules: Rules
    send: Callable[[Outgoing], None]
    clock: Clock = field(default=system_clock)
    stopping: threading.Event = field(default_factory=threading.Event)  # set when the scheduler process stops

    def keep_trying(self, write: Callable[[], None]) -> None:
        """``write()``, tried again through a database outage until it succeeds or the scheduler stops."""
        poll = self.settings.scheduler_poll_seconds
        keep_trying(write, first=poll, longest=max(poll, 60.0), halt=self.stopping, what="outbox")


def build_context(settings: Settings, *, clock: Clock = system_clock) -> Context:
    """Install the keys, open the database and load the workflows for ``settings``."""
    install_keyring(load_keyring(settings))
    rules = Rules.from_settings(settings)
    runtime = load_runtime(rules)
    send = Dispatcher(settings, step_label=form_step_labels(runtime.forms))
    return Context(settings, make_session_factory(make_engine(settings.database_url)), runtime, rules, send,
                   clock)  # fmt: skip


@dataclass(frozen=True)
class Job:
    """One scheduled job: its id, what it does, how often, and the one service it calls."""

    id: str
    title: str  # marked N_: the status page says it in the reader's language
    every: Callable[[Settings], dt.timedelta]
    run: Callable[[Context, Session, dt.datetime], Report]


def _tick(s: Settings) -> dt.timedelta:
    return dt.timedelta(seconds=s.scheduler_tick_seconds)


def _scan(s: Settings) -> dt.timedelta:
    return dt.timedelta(minutes=s.scheduler_scan_minutes)


def _daily(_s: Settings) -> dt.timedelta:
    return dt.timedelta(days=1)


JOBS = (
    Job("fire_timers", N_("Fire due BPMN timers"), _tick,
        lambda c, s, now: fire_timer_batches(session=s, runtime=c.runtime, now=now,
                                             batch_size=c.settings.timer_batch_size)),
    Job("deliver_notices", N_("Deliver the outbox (e-mail, chat)"), _tick,
        lambda c, s, now: deliver_due_notices(session=s, now=now, rules=c.rules, send=c.send,
                                              persist=c.keep_trying)),
    Job("overdue_reminders", N_("Overdue tasks and follow-up visits"), _scan,
        lambda c, s, now: remind_overdue_work(session=s, now=now, rules=c.rules)),
    Job("record_reminders", N_("Record-update reminders (stale case-file sections)"), _scan,
        lambda c, s, now: remind_stale_records(session=s, now=now, rules=c.rules)),
    Job("lost_contact", N_("Lost contact (no recorded contact for too long)"), _scan,
        lambda c, s, now: detect_lost_contact(session=s, runtime=c.runtime, now=now, rules=c.rules)),
    Job("daily_digests", N_("Daily digest: due tomorrow and overdue"), _scan,
        lambda c, s, now: queue_daily_digests(session=s, now=now, rules=c.rules)),
    Job("weekly_digests", N_("Weekly overdue summary for supervisors"), _scan,
        lambda c, s, now: queue_weekly_digests(session=s, now=now, rules=c.rules)),
    Job("training_reminders", N_("Required trainings expiring or expired"), _daily,
        lambda c, s, now: remind_training(session=s, now=now, rules=c.rules,
                                          warning_days=c.settings.training_warning_days)),
)  # fmt: skip
JOB_TITLES = {job.id: job.title for job in JOBS}


def run_job(context: Context, job: Job, *, retry_until: threading.Event | None = None) -> str | None:
    """Run ``job`` once at the context's clock and record the outcome; return the error, if any.

    With ``retry_until`` (the scheduler's "lead ended" event), a run the database did not answer is tried
    again with backoff until it gets through or the event is set; each try reads the clock afresh."""
    poll = context.settings.scheduler_poll_seconds
    delays = backoff(poll, max(poll, job.every(context.settings).total_seconds()))
    while True:
        started = context.clock()
        result, error, unavailable = _attempt(context, job, started)
        if not unavailable or retry_until is None or retry_until.is_set():
            break
        delay = next(delays)
        log.warning("job %s: the database is not answering; trying again in %.1f s", job.id, delay)
        if retry_until.wait(delay):
            break
    if error:
        log.warning("job %s failed: %s", job.id, error[:300])
    status = context.session_factory()
    try:
        record_job_run(session=status, job_id=job.id, started_at=started, finished_at=context.clock(),
                       result=result, error=error)  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - the status page is secondary; the job's own work is done
        log.warning("job %s: status not recorded (%s)", job.id, type(exc).__name__)
    finally:
        status.close()
    return error


def _attempt(context: Context, job: Job, started: dt.datetime) -> tuple[str | None, str | None, bool]:
    """One run: (result, error, whether the error is the database not answering)."""
    session = context.session_factory()
    try:
        with using_clock(context.clock):
            report = job.run(context, session, started)
        return report.record(), (report.summary() if report.failed else None), False
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded and the next run tries again
        return None, f"{type(exc).__name__}: {exc}", database_unavailable(exc)
    finally:
        session.close()
