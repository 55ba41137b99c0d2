"""Benchmark: completing one step in process (``complete_work_item``: validate, write the case file, load
-> run -> save the workflow, materialise work items and timers, one transaction) against the bare engine's
load + run + save of the same step in the same run (SpiffWorkflow only, no database; the target's baseline),
and against the same engine work reading and writing its own row (one SELECT, one UPDATE, one commit).

    .venv/bin/python -m bench.bench_completion --dataset sqlite-100000 [--profile]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from bench.bench_web import OVERRIDES
from bench.common import NOW, RESULTS, SqlMeter, bench_settings, peak_rss_mb, summary_ms, write_result
from engine.crypto import install_keyring, load_keyring
from engine.db import make_engine, make_session_factory
from engine.demo import synthetic_submission
from engine.models.accounts import User
from engine.models.cases import FamilyMember
from engine.models.workflow import WorkflowInstance, WorkItem, WorkItemStatus
from engine.workflow import runner
from engine.workflow.service import complete_work_item, load_runtime
from workflows.forms import validate_submission


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also write a pyinstrument profile of the service completing a third as many other steps",
    )
    args = parser.parse_args()
    settings = bench_settings(args.dataset, args.database_url)
    install_keyring(load_keyring(settings))
    engine = make_engine(settings.database_url)
    session = make_session_factory(engine)()
    sql = SqlMeter(engine, session)
    runtime = load_runtime()
    items = session.execute(
        select(WorkItem.id, WorkItem.case_id).where(
            WorkItem.status == WorkItemStatus.OPEN, WorkItem.assignee_id.is_not(None),
            WorkItem.task_name.in_(list(OVERRIDES)))
        .order_by(WorkItem.id.desc()).limit(args.steps * 3)
    ).all()  # fmt: skip
    first_of_case: dict[int, int] = {}
    for item_id, case_id in items:
        first_of_case.setdefault(case_id, item_id)
    steps = list(first_of_case.values())  # one step per case
    chosen, profiled = steps[: args.steps], steps[args.steps : args.steps + args.steps // 3] if args.profile else []
    bare_ms, bare_db_ms, service_ms, failed = [], [], [], 0
    for item_id in chosen:
        item, actor, raw = _step(session, runtime, item_id)
        step = _engine_inputs(session, runtime, item, raw)
        bare_ms.append(_bare(runtime, step))
        bare_db_ms.append(_bare_with_row(session, runtime, step))
        _as_in_a_request(session, actor)
        start = time.perf_counter()
        sql.start()
        try:
            complete_work_item(session=session, runtime=runtime, actor=actor, now=NOW, work_item_id=item_id, raw=raw)
        except Exception:  # noqa: BLE001 - a refused synthetic submission is counted, not fatal
            failed += 1
            session.rollback()
            del bare_ms[-1], bare_db_ms[-1]  # compared step by step: only the steps the service completed
            continue
        finally:
            sql.stop()
        service_ms.append((time.perf_counter() - start) * 1000)
        sql.keep()
        session.expunge_all()
    result: dict[str, Any] = {
        "benchmark": "completion_in_process", "dataset": args.dataset,
        "backend": "postgresql" if args.database_url else "sqlite",
        "service": summary_ms(service_ms), "bare_engine_load_run_save": summary_ms(bare_ms), "refused": failed,
        "ratio_p50": round(statistics.median(service_ms) / statistics.median(bare_ms), 2) if service_ms else None,
        "bare_engine_with_its_row": summary_ms(bare_db_ms),
        "ratio_p50_to_bare_with_its_row": round(statistics.median(service_ms) / statistics.median(bare_db_ms), 2)
        if service_ms else None,
        # The steps are of two kinds (ending a phase starts the next process, which doubles the engine's
        # work), so the ratio of two medians depends on the mix picked; these compare each step with itself.
        "ratio_of_totals": _ratio_of_totals(service_ms, bare_ms),
        "ratio_of_totals_to_bare_with_its_row": _ratio_of_totals(service_ms, bare_db_ms),
        "ratio_per_step_p50": round(statistics.median(s / b for s, b in zip(service_ms, bare_ms, strict=True)), 2)
        if service_ms else None,
        "per_step": sql.summary(),
        "peak_rss_mb": peak_rss_mb(),
    }  # fmt: skip
    if profiled:  # other steps (a step completes once), profiled and not timed: the profiler doubled the time
        path = RESULTS / f"completion-profile-{args.dataset}.txt"
        path.write_text(_profile(session, runtime, profiled), encoding="utf-8")
        result["profile"] = str(path.relative_to(RESULTS.parent.parent))
    write_result(f"completion-{args.dataset}", result)


def _ratio_of_totals(service_ms: list[float], baseline_ms: list[float]) -> float | None:
    """The service's time over the baseline's for the same steps, summed."""
    return round(sum(service_ms) / sum(baseline_ms), 2) if service_ms else None


def _profile(session: Any, runtime: Any, item_ids: list[int]) -> str:
    """A pyinstrument profile of the service completing ``item_ids``, one by one as above."""
    profiler = _profiler()
    for item_id in item_ids:
        _item, actor, raw = _step(session, runtime, item_id)
        _as_in_a_request(session, actor)
        profiler.start()
        try:
            complete_work_item(session=session, runtime=runtime, actor=actor, now=NOW, work_item_id=item_id, raw=raw)
        except Exception:  # noqa: BLE001 - as above
            session.rollback()
        finally:
            profiler.stop()
        session.expunge_all()
    return str(profiler.output_text(unicode=False, color=False))


def _step(session: Any, runtime: Any, item_id: int) -> tuple[WorkItem, User, dict[str, Any]]:
    """The step, the user it is assigned to and a valid synthetic submission of its form."""
    item = session.get(WorkItem, item_id)
    assert item is not None
    actor = session.get(User, item.assignee_id)
    assert actor is not None, "the chosen steps are assigned"
    raw = synthetic_submission(runtime.forms[item.form_key], NOW.date(), dict(OVERRIDES.get(item.task_name, {})))
    return item, actor, raw


def _as_in_a_request(session: Any, actor: User) -> None:
    """A clean session with the signed-in user loaded, as the service finds it in a request (flask-login
    loads the user before the view runs)."""
    session.rollback()
    session.refresh(actor)


@dataclass(frozen=True)
class _EngineStep:
    """What the bare engine needs for one step, read before any timing."""

    instance_id: int
    state: str
    deployed: Any
    task_id: str
    values: dict[str, Any]


def _engine_inputs(session: Any, runtime: Any, item: WorkItem, raw: dict[str, Any]) -> _EngineStep:
    instance = session.get(WorkflowInstance, item.instance_id)
    form = runtime.forms[item.form_key]
    people = {str(i): r for i, r in session.execute(select(FamilyMember.id, FamilyMember.relationship).where(
        FamilyMember.case_id == item.case_id))}  # fmt: skip
    values = validate_submission(form, raw, lang="en", today=NOW.date(), people=people, offices={}).workflow_values()
    deployed = runtime.registry.by_key(session, instance.spec_key)
    return _EngineStep(instance.id, instance.state, deployed, item.task_id, values)


def _bare(runtime: Any, step: _EngineStep) -> float:
    """Milliseconds for SpiffWorkflow alone to do the engine work of the step: load the instance, complete
    the step, read the ready tasks and timers, serialize it, and, when the step ends the process, start
    the next one of the chain and serialize that too (what the product must do for the same step)."""
    start = time.perf_counter()
    _engine_step(runtime, step.deployed, step.state, step.task_id, step.values)
    return (time.perf_counter() - start) * 1000


def _engine_step(runtime: Any, deployed: Any, state: str, task_id: str, values: dict[str, Any]) -> str:
    """The bare engine's work of one step; returns the instance's new state."""
    workflow = runner.load(deployed, state, NOW)
    runner.complete(workflow, task_id, values)
    snap = runner.snapshot(workflow)
    new_state = runner.dumps(workflow)
    if snap.completed and snap.next_process and snap.next_process in runtime.chain.processes:
        definition = runtime.chain.get(snap.next_process)
        following = runner.start(runtime.registry.current(snap.next_process), definition.start_data(snap.data), NOW)
        runner.snapshot(following)
        runner.dumps(following)
    return new_state


def _bare_with_row(session: Any, runtime: Any, step: _EngineStep) -> float:
    """Milliseconds for the same engine work with its own row: read the instance's state by id, run the
    step as ``_bare`` does, write the new state back (the next process's row, when one starts, is not
    written) and commit. The old state is written back afterwards, untimed, so that the service then
    completes the step from where it stood. The floor of any product that keeps the state in the
    database, before the case file, the work items, the history and the checks."""
    session.rollback()
    row = WorkflowInstance.id == step.instance_id
    connection = session.connection()
    start = time.perf_counter()
    state = connection.execute(select(WorkflowInstance.state).where(row)).scalar_one()
    new_state = _engine_step(runtime, step.deployed, state, step.task_id, step.values)
    connection.execute(update(WorkflowInstance).where(row).values(state=new_state))
    session.commit()
    elapsed = (time.perf_counter() - start) * 1000
    session.connection().execute(update(WorkflowInstance).where(row).values(state=step.state))
    session.commit()
    return elapsed


def _profiler() -> Any:
    from pyinstrument import Profiler  # only with --profile (make bench installs it)

    return Profiler(interval=0.0005)


if __name__ == "__main__":
    main()
