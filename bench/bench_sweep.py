"""Benchmark: the scheduler's timer sweep (the ``fire_timers`` job) with nothing due and with 1% of the
cases due, so that the cost can be compared across dataset sizes (10k vs 100k cases).

The sweep instant is the one at which the timers of 1% of the cases have come due (the dataset stands at
NOW with nothing due). Firing advances those cases, so run it last, once per generated dataset.

    .venv/bin/python -m bench.bench_sweep --dataset sqlite-100000
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from sqlalchemy import func, select

from bench.common import NOW, bench_settings, peak_rss_mb, write_result
from engine.cases.models import Case
from engine.db import make_engine, make_session_factory
from engine.notices.timers import fire_timer_batches
from engine.security.crypto import install_keyring, load_keyring
from engine.workflow.models import WorkflowTimer
from engine.workflow.service import load_runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--due-percent", type=float, default=1.0)
    args = parser.parse_args()
    settings = bench_settings(args.dataset, args.database_url)
    install_keyring(load_keyring(settings))
    session = make_session_factory(make_engine(settings.database_url))()
    runtime = load_runtime()
    cases = session.scalar(select(func.count()).select_from(Case)) or 0
    wanted = max(int(cases * args.due_percent / 100), 1)
    start = time.perf_counter()
    idle = fire_timer_batches(session=session, runtime=runtime, now=NOW, batch_size=settings.timer_batch_size)
    idle_s = time.perf_counter() - start
    first_due = select(WorkflowTimer.instance_id, func.min(WorkflowTimer.due_at).label("due")).group_by(
        WorkflowTimer.instance_id).subquery()  # fmt: skip
    at = session.scalars(select(first_due.c.due).order_by(first_due.c.due).offset(wanted - 1).limit(1)).first()
    due = session.scalar(select(func.count()).select_from(first_due).where(first_due.c.due <= at)) or 0
    session.rollback()
    start = time.perf_counter()
    report = fire_timer_batches(session=session, runtime=runtime, now=at, batch_size=settings.timer_batch_size)
    sweep_s = time.perf_counter() - start
    result: dict[str, Any] = {
        "benchmark": "scheduler_sweep", "dataset": args.dataset,
        "backend": "postgresql" if args.database_url else "sqlite", "cases": cases,
        "timer_rows": session.scalar(select(func.count()).select_from(WorkflowTimer)),
        "nothing_due": {"seconds": round(idle_s, 4), "fired": idle.created},
        "due": {"instances_due": due, "percent_of_cases": round(100 * due / cases, 2), "sweep_at": at,
                "fired": report.created, "seconds": round(sweep_s, 3),
                "ms_per_instance": round(1000 * sweep_s / max(report.created, 1), 2)},
        "peak_rss_mb": peak_rss_mb(),
    }  # fmt: skip
    write_result(f"sweep-{args.dataset}", result)


if __name__ == "__main__":
    main()
