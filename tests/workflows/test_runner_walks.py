"""``runner.snapshot`` and ``runner.fire_timers`` walk the task tree once each (issue 12); what they report is
what SpiffWorkflow's separate queries report, in the same order: the ready user tasks, the waiting timers,
and the timers that fired. Checked on every instance of a case walked into follow-up, now and at instants
when its timers are due."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

import pytest
import SpiffWorkflow.task
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.models.workflow import WorkflowInstance
from engine.workflow import runner


def _reference_snapshot(workflow: Any) -> tuple[list[str], list[tuple[str, dt.datetime]]]:
    """The ready user tasks and waiting timers as two queries of SpiffWorkflow report them (the code before)."""
    ready = [str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)]
    timers = [
        (str(t.id), runner._instant(t.internal_data["event_value"]))
        for t in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)
        and t.internal_data.get("event_value")
    ]
    return ready, timers


def _reference_fire(workflow: Any) -> list[str]:
    """Fire as before: the waiting tasks before and after, compared."""
    before = {t.id for t in workflow.get_tasks(state=TaskState.WAITING)}
    workflow.refresh_timers()
    workflow.do_engine_steps()
    after = {t.id for t in workflow.get_tasks(state=TaskState.WAITING)}
    fired = []
    for task_id in before - after:
        task = workflow.get_task_from_id(task_id)
        if task is not None and task.has_state(TaskState.FINISHED_MASK):
            fired.append(task.task_spec.bpmn_name or task.task_spec.bpmn_id)
    return sorted(fired)


@pytest.fixture
def same_new_task_ids(monkeypatch: pytest.MonkeyPatch) -> Any:
    """New tasks get ids from a counter restarted by the returned function, so that two copies of one
    workflow create the same ids."""
    counter = [itertools.count(1)]
    monkeypatch.setattr(SpiffWorkflow.task, "uuid4", lambda: uuid.UUID(int=next(counter[0])))

    def restart() -> None:
        counter[0] = itertools.count(1)

    return restart


def test_one_walk_reports_what_the_separate_queries_report(walk: Any, same_new_task_ids: Any) -> None:
    walk.pre_reintegration()
    walk.reintegration()
    walk.visit()
    instances = walk.session.scalars(select(WorkflowInstance).where(WorkflowInstance.case_id == walk.case.id)).all()
    seen_ready = seen_timers = fired = 0
    for instance in instances:
        deployed = walk.runtime.registry.by_key(walk.session, instance.spec_key)
        for days in (0, 10, 40, 120, 400):
            at = walk.now + dt.timedelta(days=days)
            ours, theirs = runner.load(deployed, instance.state, at), runner.load(deployed, instance.state, at)
            snap = runner.snapshot(ours)
            assert ([r.task_id for r in snap.ready], [(t.task_id, t.due_at) for t in snap.timers]) == (
                _reference_snapshot(theirs)
            )
            seen_ready, seen_timers = seen_ready + len(snap.ready), seen_timers + len(snap.timers)
            same_new_task_ids()
            names = runner.fire_timers(ours)
            same_new_task_ids()
            assert names == _reference_fire(theirs)
            fired += len(names)
            after = runner.snapshot(ours)
            assert ([r.task_id for r in after.ready], [(t.task_id, t.due_at) for t in after.timers]) == (
                _reference_snapshot(theirs)
            )
    assert seen_ready, "the walk has ready tasks"
    assert seen_timers, "and waiting timers"
    assert fired, "and timers that fire"
