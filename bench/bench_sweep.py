"""Benchmark: the scheduler's timer sweep (the ``fire_timers`` job) with nothing due and with 1% of the
cases due, so that the cost can be compared across dataset sizes (10k vs 100k cases).

The sweep instant is the first one at which the timers of at least 1% of the cases have come due (the
dataset stands at NOW with nothing due). The generated cases are copies of a few hundred walked templates,
so their timers come due in lumps (the first such instant has ~11% due); the sweep is therefore capped at
exactly 1% of the cases, in the scheduler's own batches, which is the cost of a sweep with 1% due (the
due query is an indexed ``due_at`` range, the same whatever lies beyond the cap). Firing advances those
cases, so run it last, once per generated dataset.

    .venv/bin/python -m bench.bench_sweep --dataset sqlite-100000
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from sqlalchemy import func, select

from bench.common import NOW, SqlMeter, bench_settings, peak_rss_mb, write_result
from engine.crypto import install_keyring, load_keyring
from engine.db import make_engine, make_session_factory
from engine.jobs.timers import fire_timer_batches
from engine.models.cases import Case
from engine.models.workflow import WorkflowInstance, WorkflowTimer
from engine.workflow import runner
from engine.workflow.service import fire_due_timers, load_runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--due-percent", type=float, default=1.0)
    args = parser.parse_args()
    settings = bench_settings(args.dataset, args.database_url)
    install_keyring(load_keyring(settings))
    engine = make_engine(settings.database_url)
    session = make_session_factory(engine)()
    sql = SqlMeter(engine, session)
    runtime = load_runtime()
    cases = session.scalar(select(func.count()).select_from(Case)) or 0
    wanted = max(int(cases * args.due_percent / 100), 1)
    start = time.perf_counter()
    idle = fire_timer_batches(session=session, runtime=runtime, now=NOW, batch_size=settings.timer_batch_size)
    idle_s = time.perf_counter() - start
    first_due = select(WorkflowTimer.instance_id, func.min(WorkflowTimer.due_at).label("due")).group_by(
        WorkflowTimer.instance_id).subquery()  # fmt: skip
    at = session.scalars(select(first_due.c.due).order_by(first_due.c.due).offset(wanted - 1).limit(1)).first()
    assert at is not None, "the dataset has timers (bench.generate writes them)"
    due = session.scalar(select(func.count()).select_from(first_due).where(first_due.c.due <= at)) or 0
    session.rollback()
    bare_s = _bare_engine_s(session, runtime, at, wanted)
    start = time.perf_counter()
    sql.start()
    fired = 0
    while fired < wanted:  # the scheduler's batches, the last one cut to reach exactly ``wanted``
        advanced = fire_due_timers(session=session, runtime=runtime, now=at,
                                   limit=min(settings.timer_batch_size, wanted - fired))  # fmt: skip
        fired += advanced
        if advanced == 0:
            break
    sweep_s = time.perf_counter() - start
    sql.stop()
    sql.keep()
    result: dict[str, Any] = {
        "benchmark": "scheduler_sweep", "dataset": args.dataset,
        "backend": "postgresql" if args.database_url else "sqlite", "cases": cases,
        "timer_rows": session.scalar(select(func.count()).select_from(WorkflowTimer)),
        "nothing_due": {"seconds": round(idle_s, 4), "fired": idle.created},
        "due": {"instances_due_at_instant": due, "percent_of_cases_due": round(100 * due / cases, 2),
                "sweep_at": at, "cap": wanted, "fired": fired, "percent_of_cases_fired": round(100 * fired / cases, 2),
                "seconds": round(sweep_s, 3), "ms_per_instance": round(1000 * sweep_s / max(fired, 1), 2),
                "bare_engine_seconds": round(bare_s, 3),
                "bare_engine_ms_per_instance": round(1000 * bare_s / max(wanted, 1), 2), **sql.totals()},
        "peak_rss_mb": peak_rss_mb(),
    }  # fmt: skip
    write_result(f"sweep-{args.dataset}", result)


def _bare_engine_s(session: Any, runtime: Any, at: Any, count: int) -> float:
    """Seconds for SpiffWorkflow alone to load, fire, read and serialize the ``count`` instances the sweep
    will fire (the same ones: lowest instance ids first), without the database: the engine's floor."""
    ids = session.scalars(
        select(WorkflowTimer.instance_id).where(WorkflowTimer.due_at <= at).group_by(WorkflowTimer.instance_id)
        .order_by(WorkflowTimer.instance_id).limit(count)
    ).all()  # fmt: skip
    rows = session.execute(
        select(WorkflowInstance.spec_key, WorkflowInstance.state).where(WorkflowInstance.id.in_(ids))
    ).all()  # fmt: skip
    specs = {key: runtime.registry.by_key(session, key) for key in {k for k, _ in rows}}
    session.rollback()
    start = time.perf_counter()
    for key, state in rows:
        workflow = runner.load(specs[key], state, at)
        runner.fire_timers(workflow)
        runner.snapshot(workflow)
        runner.dumps(workflow)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
