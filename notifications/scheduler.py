"""The scheduler process: wait for the lead, run the jobs with APScheduler while holding it, hand over.

``reintegra scheduler`` runs one of these in the foreground; ``reintegra serve --scheduler`` (what
``make run`` uses) runs one in a background thread of the web process. Either way the lock in
``notifications.leader`` lets only one of them run jobs; the others stand by and take over when it stops
or dies. Jobs are registered with explicit ids, coalescing and one running instance each.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from engine.clock import system_clock
from engine.notices.status import forget_node, heartbeat, record_next_runs
from notifications.jobs import JOBS, Context, Job, run_job
from notifications.leader import Leadership

log = logging.getLogger(__name__)


class SchedulerRunner:
    """One scheduler process (or thread): stands by until it holds ``leadership``, then runs ``jobs``."""

    def __init__(self, context: Context, leadership: Leadership, *, jobs: Sequence[Job] = JOBS,
                 name: str | None = None, workers: int = 4) -> None:  # fmt: skip
        self.context = context
        self.leadership = leadership
        self.jobs = tuple(jobs)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.workers = workers
        self.poll = context.settings.scheduler_poll_seconds
        self.stopping = context.stopping  # also ends the outbox's retries through a database outage
        self.leading = threading.Event()
        self.started_at = context.clock()
        self._next_runs: dict[str, dt.datetime | None] = {}

    def stop(self) -> None:
        """Ask the runner to finish the running jobs and return from ``run``."""
        self.stopping.set()

    def run(self) -> None:
        """Stand by, lead while the lock is held, and hand over on ``stop``."""
        log.info("scheduler %s: started, waiting for the lead", self.name)
        try:
            while not self.stopping.is_set():
                if self._try_acquire():
                    try:
                        self._lead()
                    finally:
                        self.leadership.release()
                    log.info("scheduler %s: no longer active", self.name)
                else:
                    self._heartbeat(active=False)
                    self.stopping.wait(self.poll)
        finally:
            self._forget()
            log.info("scheduler %s: stopped", self.name)

    def _try_acquire(self) -> bool:
        try:
            return self.leadership.try_acquire()
        except Exception as exc:  # noqa: BLE001 - the database may be down: stand by and try again
            log.warning("scheduler %s: cannot take the lock (%s)", self.name, type(exc).__name__)
            return False

    def _lead(self) -> None:
        log.info("scheduler %s: active (holds the lock)", self.name)
        scheduler = BackgroundScheduler(
            timezone=dt.UTC,
            executors={"default": ThreadPoolExecutor(self.workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        ended = threading.Event()  # a job retrying through a database outage stops when the lead ends
        for job in self.jobs:
            scheduler.add_job(
                run_job, IntervalTrigger(seconds=job.every(self.context.settings).total_seconds(), timezone=dt.UTC),
                args=(self.context, job), kwargs={"retry_until": ended}, id=job.id, name=job.title,
                next_run_time=system_clock(),  # run each job once at take-over: nothing waits a period
            )  # fmt: skip
        scheduler.start()
        self.leading.set()
        try:
            while not self.stopping.is_set():
                self._heartbeat(active=True)
                self._store_next_runs(scheduler)
                if not self.leadership.still_held():
                    log.warning("scheduler %s: lost the lock; stopping the jobs", self.name)
                    break
                self.stopping.wait(self.poll)
        finally:
            ended.set()
            scheduler.shutdown(wait=True)
            self.leading.clear()

    def _store_next_runs(self, scheduler: BackgroundScheduler) -> None:
        # From this thread only: a job thread asking the scheduler would deadlock with its shutdown.
        runs = {job.id: job.next_run_time for job in scheduler.get_jobs()}
        if runs == self._next_runs:
            return
        self._write(lambda session: record_next_runs(session=session, next_runs=runs))
        self._next_runs = runs

    def _heartbeat(self, *, active: bool) -> None:
        self._write(lambda session: heartbeat(session=session, name=self.name, now=self.context.clock(),
                                              started_at=self.started_at, active=active))  # fmt: skip

    def _forget(self) -> None:
        self._write(lambda session: forget_node(session=session, name=self.name))

    def _write(self, use_case: Callable[[Session], None]) -> None:
        session = self.context.session_factory()
        try:
            use_case(session)
        except Exception as exc:  # noqa: BLE001 - status rows are secondary to running the jobs
            log.warning("scheduler %s: status not written (%s)", self.name, type(exc).__name__)
        finally:
            session.close()


def start_in_thread(runner: SchedulerRunner) -> threading.Thread:
    """Run ``runner`` in a daemon thread (``serve --scheduler``): it dies with the web process."""
    thread = threading.Thread(target=runner.run, name="reintegra-scheduler", daemon=True)
    thread.start()
    return thread
