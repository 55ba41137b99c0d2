"""One active scheduler: a lock file on SQLite, an advisory lock on PostgreSQL. A second scheduler stands
by and takes over when the first stops or dies; only the active one runs jobs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from engine import migrate
from engine.db import make_engine, make_session_factory
from engine.models.notices import SchedulerJob, SchedulerNode
from engine.notices.outbox import Report
from engine.notices.rules import Rules
from notifications.jobs import Context, Job
from notifications.leader import AdvisoryLeadership, FileLeadership, leadership_for
from notifications.scheduler import SchedulerRunner, start_in_thread
from tests.conftest import TEST_FERNET_KEY, TEST_INDEX_KEY

WAIT = 30.0  # seconds: generous upper bounds; each step returns as soon as its event happens


def wait_for(condition, timeout=WAIT, step=0.05):
    """Poll ``condition`` until it holds (a real process or thread is doing the work)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's; run the suite with --database-url postgresql+psycopg://...")


@pytest.fixture
def fast(settings):
    return dataclasses.replace(settings, scheduler_poll_seconds=0.05)


def runner_for(name, settings, db_engine, leadership, ran):
    def probe(_context, _session, _now):
        ran.append(name)
        return Report(1)

    job = Job("probe", "Probe", lambda _s: dt.timedelta(hours=1), probe)
    context = Context(settings, make_session_factory(db_engine), None, Rules(), lambda _out: None)  # type: ignore[arg-type]
    return SchedulerRunner(context, leadership, jobs=[job], name=name)


def nodes(db_engine):
    with make_session_factory(db_engine)() as s:
        return {n.name: n.active for n in s.scalars(select(SchedulerNode))}


def run_pair(fast, db_engine, first_lock, second_lock):
    """Start two runners; return them with the list of who ran the probe job."""
    ran: list[str] = []
    first = runner_for("first", fast, db_engine, first_lock, ran)
    second = runner_for("second", fast, db_engine, second_lock, ran)
    threads = [start_in_thread(first)]
    assert first.leading.wait(WAIT)
    assert wait_for(lambda: ran == ["first"])
    threads.append(start_in_thread(second))
    assert wait_for(lambda: nodes(db_engine).get("second") is False)  # it is up, and standing by
    assert wait_for(lambda: nodes(db_engine).get("first") is True)
    return first, second, threads, ran


def finish(runners, threads):
    for runner in runners:
        runner.stop()
    for thread in threads:
        thread.join(WAIT)


def test_a_lock_file_admits_one_holder_at_a_time(tmp_path):
    first, second = FileLeadership(tmp_path / "db.scheduler-lock"), FileLeadership(tmp_path / "db.scheduler-lock")
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_the_lock_file_sits_next_to_the_sqlite_database(settings, tmp_path):
    lock = leadership_for(dataclasses.replace(settings, database_url=f"sqlite:///{tmp_path}/x.sqlite"))
    assert isinstance(lock, FileLeadership)
    assert lock.path == tmp_path / "x.sqlite.scheduler-lock"


@pytest.mark.real_time
def test_only_one_scheduler_runs_jobs_and_the_other_takes_over_when_it_stops(fast, db_engine, database_url, tmp_path):
    if database_url.startswith("postgresql"):
        locks = AdvisoryLeadership(database_url), AdvisoryLeadership(database_url)
    else:
        locks = FileLeadership(tmp_path / "l"), FileLeadership(tmp_path / "l")
    first, second, threads, ran = run_pair(fast, db_engine, *locks)
    try:
        time.sleep(0.3)  # several polls of the second scheduler: it must not run anything meanwhile
        assert ran == ["first"]
        assert not second.leading.is_set()

        first.stop()
        threads[0].join(WAIT)
        assert second.leading.wait(WAIT)
        assert wait_for(lambda: ran == ["first", "second"])
        assert wait_for(lambda: nodes(db_engine) == {"second": True})  # the stopped one signed off
    finally:
        finish([first, second], threads)


@pytest.mark.real_time
def test_on_postgresql_a_scheduler_whose_session_dies_hands_over(fast, db_engine, database_url):
    postgres_only(database_url)
    first_lock = AdvisoryLeadership(database_url)
    first, second, threads, ran = run_pair(fast, db_engine, first_lock, AdvisoryLeadership(database_url))
    try:
        pid = first_lock._conn.scalar(text("SELECT pg_backend_pid()"))  # type: ignore[union-attr]
        with db_engine.connect() as conn:  # the first scheduler's database session dies (crash, network)
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # The first notices, stops its jobs and stands by; then whichever scheduler takes the lock first
        # leads (the first may well win it back on a new session). Never both, and jobs go on running.
        assert wait_for(lambda: len(ran) >= 2)
        assert wait_for(lambda: first.leading.is_set() != second.leading.is_set())
        for _ in range(20):
            assert not (first.leading.is_set() and second.leading.is_set())
            time.sleep(0.02)
    finally:
        finish([first, second], threads)


def _spawn(database_url, tmp_path, name):
    env = {
        "PATH": os.environ.get("PATH", ""), "REINTEGRA_ENV": "test", "REINTEGRA_DATABASE_URL": database_url,
        "REINTEGRA_INSTANCE_PATH": str(tmp_path / name), "REINTEGRA_ENCRYPTION_KEYS": TEST_FERNET_KEY,
        "REINTEGRA_INDEX_KEY": TEST_INDEX_KEY, "REINTEGRA_SCHEDULER_POLL_SECONDS": "0.2",
    }  # fmt: skip
    command = [str(Path(sys.executable).with_name("reintegra")), "scheduler"]
    with (tmp_path / f"{name}.log").open("w") as log:  # the child keeps its own copy of the file
        return subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: S603


@pytest.fixture
def shared_database(database_url, db_engine, tmp_path):
    """The database two scheduler processes share: the test database on PostgreSQL, a SQLite file of their
    own otherwise (a process that exits last deletes the WAL files under this process's open connections)."""
    if database_url.startswith("postgresql"):
        yield database_url, db_engine
        return
    url = f"sqlite:///{tmp_path / 'schedulers.sqlite'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


@pytest.mark.real_time
def test_two_scheduler_processes_one_killed_the_other_takes_over(shared_database, tmp_path):
    database_url, db_engine = shared_database
    first = _spawn(database_url, tmp_path, "first")
    second = None
    try:
        assert wait_for(lambda: any(n.endswith(f":{first.pid}") and a for n, a in nodes(db_engine).items()))
        second = _spawn(database_url, tmp_path, "second")
        assert wait_for(lambda: any(n.endswith(f":{second.pid}") for n in nodes(db_engine)))
        assert not any(n.endswith(f":{second.pid}") and a for n, a in nodes(db_engine).items())
        first.send_signal(signal.SIGKILL)  # no clean hand-over: the lock dies with the process
        first.wait(WAIT)
        assert wait_for(lambda: any(n.endswith(f":{second.pid}") and a for n, a in nodes(db_engine).items()))
        with make_session_factory(db_engine)() as s:
            assert s.get(SchedulerJob, "fire_timers") is not None  # the jobs ran
        second.send_signal(signal.SIGTERM)  # a clean stop signs off
        assert second.wait(WAIT) == 0
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(WAIT)


@pytest.mark.real_time
def test_a_standby_scheduler_started_in_the_web_process_does_not_run_jobs_twice(fast, db_engine, tmp_path):
    lock_path = tmp_path / "shared-lock"
    holder = FileLeadership(lock_path)
    assert holder.try_acquire()  # e.g. `reintegra scheduler` already runs
    ran: list[str] = []
    runner = runner_for("web", fast, db_engine, FileLeadership(lock_path), ran)
    thread = start_in_thread(runner)
    assert wait_for(lambda: nodes(db_engine).get("web") is False)
    assert ran == []
    holder.release()
    assert runner.leading.wait(WAIT)
    finish([runner], [thread])
    assert ran == ["web"]


def test_an_advisory_lock_admits_one_holder_at_a_time(database_url):
    postgres_only(database_url)
    first, second = AdvisoryLeadership(database_url), AdvisoryLeadership(database_url)
    try:
        assert first.try_acquire()
        assert first.still_held()
        assert not second.try_acquire()
        first.release()
        assert not first.still_held()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()
