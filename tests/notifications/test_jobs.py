"""Jobs as thin entry points: a crash in the middle of a batch of timers loses nothing and duplicates
nothing once the scheduler runs again; every run's outcome is recorded for the status page."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from engine.db import make_session_factory
from engine.models.cases import CaseEvent
from engine.models.notices import Notice, SchedulerJob
from engine.models.workflow import WorkflowTimer
from engine.notices.outbox import Report
from engine.notices.rules import Rules
from engine.workflow import runner
from notifications.jobs import JOBS, Context, run_job
from tests.engine.notices.scenarios import in_follow_up, inbox_recipients

JOB = {job.id: job for job in JOBS}


class SchedulerKilled(Exception):
    """Stands for the process dying half-way through a batch."""


@pytest.fixture
def job_context(settings, db_engine, runtime):
    def make(now, **changes):
        conf = dataclasses.replace(settings, **changes)
        return Context(conf, make_session_factory(db_engine), runtime, Rules.from_settings(conf), lambda _out: None,
                       lambda: now)  # fmt: skip

    return make


def job_row(session, job_id):
    session.commit()  # end this session's read snapshot: the jobs wrote through their own sessions
    return session.get(SchedulerJob, job_id)


def test_a_crash_in_the_middle_of_a_batch_fires_every_timer_once_and_loses_no_notice(
    session, factory, runtime, job_context, monkeypatch
):
    walks = [in_follow_up(session, factory, runtime) for _ in range(4)]
    now = max(w.item("conduct_visit").due_at for w in walks) + dt.timedelta(hours=1)
    ctx = job_context(now, timer_batch_size=2)
    real_fire, calls = runner.fire_timers, []

    def crash_on_the_third_instance(workflow):
        calls.append(1)
        if len(calls) == 3:
            raise SchedulerKilled("killed")
        return real_fire(workflow)

    monkeypatch.setattr(runner, "fire_timers", crash_on_the_third_instance)
    assert run_job(ctx, JOB["fire_timers"]) == "SchedulerKilled: killed"
    run_job(ctx, JOB["overdue_reminders"])
    assert job_row(session, "fire_timers").last_outcome == "error"
    fired = session.scalars(select(CaseEvent.case_id).where(CaseEvent.kind == "timer")).all()
    assert len(fired) == 2  # the first batch (two instances) was committed; the second rolled back whole

    monkeypatch.setattr(runner, "fire_timers", real_fire)  # the scheduler starts again
    assert run_job(ctx, JOB["fire_timers"]) is None
    run_job(ctx, JOB["overdue_reminders"])
    run_job(ctx, JOB["fire_timers"])

    session.commit()
    fired = Counter(session.scalars(select(CaseEvent.case_id).where(CaseEvent.kind == "timer")))
    assert fired == Counter({w.case.id: 1 for w in walks})  # every due timer fired exactly once
    assert session.scalars(select(WorkflowTimer).where(WorkflowTimer.due_at <= now)).all() == []
    overdue = session.scalars(select(Notice).where(Notice.kind == "overdue").order_by(Notice.id)).all()
    assert sorted(n.case_id for n in overdue) == sorted(w.case.id for w in walks)  # one each: none lost, none twice
    by_case = {w.case.id: w.worker.id for w in walks}
    assert all(inbox_recipients(session, n) == [by_case[n.case_id]] for n in overdue)
    row = job_row(session, "fire_timers")
    assert (row.last_outcome, row.last_error) == ("ok", "SchedulerKilled: killed")  # the last error stays visible


def test_a_run_records_its_result_and_times(session, job_context):
    ctx = job_context(dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC))
    assert run_job(ctx, JOB["overdue_reminders"]) is None
    row = job_row(session, "overdue_reminders")
    assert (row.last_outcome, row.last_error) == ("ok", None)
    assert Report.from_record(row.last_result) == Report(0, detail="%(count)s overdue tasks", params={"count": 0})
    assert Report.from_record(row.last_result).summary() == "0 new; 0 overdue tasks"
    assert (row.last_started_at, row.last_finished_at) == (ctx.clock(), ctx.clock())


def test_every_job_has_an_explicit_unique_id():
    assert len({job.id for job in JOBS}) == len(JOBS) == 8
