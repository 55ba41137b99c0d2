"""The scheduler through a real database outage (PostgreSQL behind a TCP forwarder the test cuts, SQLite with
its folder moved away): its jobs try again with backoff, a reminder that fell due during the outage is sent
exactly once when the database is back, and a message sent just as the database went away is recorded once
it answers instead of being sent again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from engine.db import make_engine, make_session_factory, transaction
from engine.models.accounts import Role
from engine.models.notices import Channel, Delivery, DeliveryStatus, Notice
from engine.notices.outbox import Report
from engine.notices.rules import Rules
from engine.workflow.service import load_runtime
from notifications.channels import Dispatcher
from notifications.jobs import JOBS, Context, Job, run_job
from notifications.leader import AdvisoryLeadership, FileLeadership
from notifications.retry import backoff, keep_trying
from notifications.scheduler import SchedulerRunner, start_in_thread
from tests import outage_support
from tests.factories import Factory
from tests.notifications.servers import SmtpServer, free_port
from tests.notifications.test_scheduler import WAIT, wait_for
from tests.outage_support import Outage
from tests.web.casework_support import CLOCK, admit, open_items

outage = outage_support.outage
JOB = {job.id: job for job in JOBS}


class MovingClock:
    """The scheduler's clock: stands where the test puts it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _offline(times: int) -> Job:
    calls: list[int] = []

    def run(_context: Context, _session: object, _now: dt.datetime) -> Report:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("the database is down"))
        return Report(1)

    return Job("probe", "Probe", lambda _s: dt.timedelta(seconds=0.2), run)


def test_backoff_doubles_up_to_the_longest_delay() -> None:
    delays = backoff(0.5, 3.0)
    assert [next(delays) for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_a_job_run_by_the_scheduler_tries_again_while_the_database_is_down(settings, db_engine) -> None:
    fast = dataclasses.replace(settings, scheduler_poll_seconds=0.01)
    context = Context(fast, make_session_factory(db_engine), None, Rules(), lambda _out: None)  # type: ignore[arg-type]
    assert run_job(context, _offline(times=3), retry_until=threading.Event()) is None  # the fourth try got through
    assert run_job(context, _offline(times=1)).startswith("OperationalError")  # `scheduler --once`: one try
    ended = threading.Event()
    ended.set()
    assert run_job(context, _offline(times=1), retry_until=ended).startswith("OperationalError")  # the lead ended


def test_keep_trying_gives_up_at_once_on_an_error_that_is_not_an_outage() -> None:
    tries: list[int] = []

    def write() -> None:
        tries.append(1)
        raise ValueError("a wrong value is not the database being down")

    with pytest.raises(ValueError, match="wrong value"):
        keep_trying(write, first=0.01, longest=0.01, halt=threading.Event(), what="test")
    assert tries == [1]


def _overdue_step(outage: Outage, email: str) -> tuple[int, dt.datetime]:
    """A case whose first step is assigned to a caseworker with an e-mail address; the step's id and due time."""
    factory = Factory(outage.session, CLOCK)
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team, username="cw.outage")
    supervisor = factory.user(Role.SUPERVISOR, team, username="sup.outage")
    with transaction(outage.session):
        outage.session.get(type(worker), worker.id).email = email
    (step,) = open_items(outage.session, admit(outage.session, load_runtime(), supervisor, caseworker=worker))
    assert step.due_at is not None
    return step.id, step.due_at


def _context(outage: Outage, settings, port: int, clock: MovingClock) -> Context:
    conf = dataclasses.replace(settings, database_url=outage.url, smtp_host="127.0.0.1", smtp_port=port,
                               smtp_tls="none", smtp_from="reintegra@example.org",
                               scheduler_poll_seconds=0.05)  # fmt: skip

    engine = outage.watch(make_engine(conf.database_url))
    rules = Rules.from_settings(conf)
    return Context(conf, make_session_factory(engine), load_runtime(rules), rules, Dispatcher(conf), clock)


def _emails(outage: Outage) -> list[Delivery]:
    outage.session.rollback()
    return list(outage.session.scalars(select(Delivery).where(Delivery.channel == Channel.EMAIL)))


@pytest.mark.real_time
def test_a_reminder_due_during_an_outage_is_sent_exactly_once_when_the_database_is_back(
    outage: Outage, settings, tmp_path, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    step_id, due_at = _overdue_step(outage, "cw.outage@example.org")
    clock = MovingClock(due_at - dt.timedelta(hours=1))  # nothing is due yet
    port = free_port()
    context = _context(outage, settings, port, clock)
    often = [Job(j.id, j.title, lambda _s: dt.timedelta(seconds=0.2), j.run)
             for j in (JOB["overdue_reminders"], JOB["deliver_notices"])]  # fmt: skip
    if outage.url.startswith("postgresql"):
        leadership = AdvisoryLeadership(outage.url)
    else:
        leadership = FileLeadership(tmp_path / "scheduler-lock")
    with SmtpServer(port) as smtp:
        runner = SchedulerRunner(context, leadership, jobs=often, name="outage")
        thread = start_in_thread(runner)
        try:
            assert runner.leading.wait(WAIT)
            time.sleep(0.5)  # a few runs with nothing due
            assert smtp.mailbox.messages == []

            outage.switch.cut()
            clock.now = due_at + dt.timedelta(hours=1)  # the step falls overdue while the database is away
            assert wait_for(lambda: "not answering" in caplog.text or "cannot take the lock" in caplog.text)
            time.sleep(0.5)
            assert smtp.mailbox.messages == []

            outage.switch.restore()
            assert wait_for(lambda: len(smtp.mailbox.messages) >= 1)
            time.sleep(1.0)  # several more runs of both jobs: nothing is sent twice
        finally:
            runner.stop()
            thread.join(WAIT)
    assert len(smtp.mailbox.messages) == 1
    assert smtp.mailbox.messages[0][0] == ["cw.outage@example.org"]
    (email,) = _emails(outage)
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)
    overdue = outage.session.scalars(select(Notice).where(Notice.kind == "overdue")).all()
    assert len(overdue) == 1
    assert f"work_item:{step_id}" in overdue[0].subject


@pytest.mark.real_time
def test_a_message_sent_as_the_database_goes_away_is_recorded_when_it_is_back_not_sent_again(
    outage: Outage, settings
) -> None:
    _step_id, due_at = _overdue_step(outage, "cw.outage@example.org")
    port = free_port()
    context = _context(outage, settings, port, MovingClock(due_at + dt.timedelta(hours=1)))
    assert run_job(context, JOB["overdue_reminders"]) is None  # the reminder is in the outbox

    with SmtpServer(port) as smtp:
        accept = smtp.mailbox.handle_DATA

        async def accept_then_cut(server, session, envelope):  # type: ignore[no-untyped-def]
            answer = await accept(server, session, envelope)
            outage.switch.cut()  # the message is out; the database goes before it is marked sent
            threading.Timer(0.5, outage.switch.restore).start()
            return answer

        smtp.mailbox.handle_DATA = accept_then_cut  # type: ignore[method-assign]
        assert run_job(context, JOB["deliver_notices"]) is None
        later = dataclasses.replace(context, clock=MovingClock(due_at + dt.timedelta(days=1)))  # past any claim
        assert run_job(later, JOB["deliver_notices"]) is None
    assert len(smtp.mailbox.messages) == 1
    (email,) = _emails(outage)
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)
