"""Drive one in-memory workflow: start, complete a user task, fire due timers, and take a snapshot.

Nothing here touches the database; ``engine.workflow.service`` wraps every call in load -> act -> save
inside one transaction and discards the in-memory workflow on any exception. The script engine is the
sandbox, and its clock is the ``now`` the caller passes in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.errors import DomainError
from engine.workflow import serializer
from engine.workflow.registry import Deployed
from engine.workflow.sandbox import SandboxScriptEngine, SandboxViolation


class TaskNotReady(Exception):
    """The user task is not waiting for input any more (completed or cancelled meanwhile)."""


class WorkflowFailed(DomainError):
    """The diagram failed while the engine ran it (a bad expression, a missing value); nothing was saved."""

    status = 500

    def __init__(self, where: str, exc: Exception) -> None:
        # SpiffWorkflow's messages name expressions and elements, never task data values.
        super().__init__(
            f"The workflow could not continue after '{where}': {exc}. Nothing was saved; an administrator "
            "must check the diagram."
        )


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for someone, with what the work-item table needs."""

    task_id: str
    name: str
    title: str
    lane: str
    form: str
    priority: int
    due: str | None  # ISO duration, counted from ``due_from``
    due_from: str  # "ready" or "start"
    due_at: dt.datetime | None  # from ``due_var``, when the diagram computes the instant itself
    notify: str | None = None  # "supervisor": tell the team's supervisors at once when the task appears


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    name: str
    due_at: dt.datetime


@dataclass(frozen=True)
class Snapshot:
    """Where a workflow stands after a step."""

    ready: tuple[ReadyTask, ...]
    timers: tuple[WaitingTimer, ...]
    completed: bool
    outcome: str | None = None
    next_process: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    fired: tuple[str, ...] = ()  # names of the timer events that fired in this step


def _engine(now: dt.datetime) -> SandboxScriptEngine:
    engine = SandboxScriptEngine(now)
    engine.environment.globals["now"] = engine.now_iso
    return engine


def start(deployed: Deployed, data: dict[str, Any], now: dt.datetime) -> BpmnWorkflow:
    """A new workflow of ``deployed`` with ``data``, advanced to its first wait."""
    workflow = BpmnWorkflow(deployed.spec, deployed.subprocess_specs, script_engine=_engine(now))
    workflow.task_tree.data.update(data)
    try:
        workflow.do_engine_steps()
    except (SpiffWorkflowException, SandboxViolation) as exc:
        raise WorkflowFailed(f"the start of {deployed.process_id}", exc) from exc
    return workflow


def load(deployed: Deployed, state: str, now: dt.datetime) -> BpmnWorkflow:
    """Rebuild a saved workflow; its clock is ``now``."""
    workflow = serializer.loads(state, deployed.spec, deployed.subprocess_specs)
    workflow.script_engine = _engine(now)
    return workflow


def complete(workflow: BpmnWorkflow, task_id: str, values: dict[str, Any]) -> None:
    """Complete the READY user task ``task_id`` with ``values`` and run the engine to its next wait."""
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(task_id)
    task.data.update(values)
    try:
        task.run()
        workflow.do_engine_steps()
    except (SpiffWorkflowException, SandboxViolation) as exc:
        raise WorkflowFailed(task.task_spec.bpmn_name or task.task_spec.bpmn_id, exc) from exc


def task_data(workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
    """The workflow values a user task sees (what the diagram computed before it), for the form's rules;
    empty when the task is not there."""
    task = workflow.get_task_from_id(UUID(task_id))
    return dict(task.data) if task is not None else {}


def fire_timers(workflow: BpmnWorkflow) -> list[str]:
    """Fire the timers due at the workflow's clock; return their names."""
    waiting = workflow.get_tasks(state=TaskState.WAITING)
    try:
        workflow.refresh_timers()
        workflow.do_engine_steps()
    except (SpiffWorkflowException, SandboxViolation) as exc:
        raise WorkflowFailed("a timer", exc) from exc
    # The tasks that were waiting and have finished since; looked up by id (a dict), not by walking the
    # task tree again: a walk is ~4 % of a sweep's engine time (issue 12).
    fired = []
    for before in waiting:
        task = workflow.get_task_from_id(before.id)
        if task is not None and task.has_state(TaskState.FINISHED_MASK):
            fired.append(task.task_spec.bpmn_name or task.task_spec.bpmn_id)
    return sorted(fired)


def snapshot(workflow: BpmnWorkflow, fired: list[str] | None = None) -> Snapshot:
    """The ready user tasks, waiting timers and (when finished) the end reached."""
    ready: list[ReadyTask] = []
    timers: list[WaitingTimer] = []
    # One walk of the task tree for both (SpiffWorkflow walks the same tasks in the same order for READY,
    # WAITING or both: it prunes only by the kind of state asked for, definite here).
    for task in workflow.get_tasks_iterator(state=TaskState.READY | TaskState.WAITING):
        if task.state == TaskState.READY:
            if task.task_spec.manual:
                ready.append(_ready(task))
        elif (timer := _waiting_timer(task)) is not None:
            timers.append(timer)
    if not workflow.is_completed():
        return Snapshot(tuple(ready), tuple(timers), False, fired=tuple(fired or ()))
    end = _end_reached(workflow)
    props = end.task_spec.extensions.get("properties", {}) if end else {}
    return Snapshot(
        tuple(ready), tuple(timers), True, outcome=props.get("outcome"), next_process=props.get("next"),
        data=dict(end.data) if end else dict(workflow.data), fired=tuple(fired or ()),
    )  # fmt: skip


def current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The data of the most recently changed task (what a diversion carries to the next process)."""
    tasks = [t for t in workflow.get_tasks() if t.has_state(TaskState.FINISHED_MASK | TaskState.READY)]
    latest = max(tasks, key=lambda t: t.last_state_change) if tasks else workflow.task_tree
    return dict(latest.data)


def dumps(workflow: BpmnWorkflow) -> str:
    return serializer.dumps(workflow)


def _waiting_timer(task: Any) -> WaitingTimer | None:
    if not isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
        return None
    value = task.internal_data.get("event_value")
    return (
        WaitingTimer(str(task.id), task.task_spec.bpmn_name or task.task_spec.bpmn_id, _instant(value))
        if value
        else None
    )


def _ready(task: Any) -> ReadyTask:
    props = task.task_spec.extensions.get("properties", {})
    due_at = None
    if props.get("due_var"):
        value = task.data.get(props["due_var"])
        due_at = _instant(value) if value else None
    return ReadyTask(
        task_id=str(task.id),
        name=task.task_spec.bpmn_id,
        title=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
        lane=task.task_spec.lane or "",
        form=props.get("form", ""),
        priority=int(props.get("priority", 2)),
        due=props.get("due"),
        due_from=props.get("due_from", "ready"),
        due_at=due_at,
        notify=props.get("notify"),
    )


def _end_reached(workflow: BpmnWorkflow) -> Any:
    ends = [
        t
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if isinstance(t.task_spec, EndEvent) and t.task_spec.extensions.get("properties", {}).get("next")
    ]
    return max(ends, key=lambda t: t.last_state_change) if ends else None


def _instant(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    instant: dt.datetime = TimerEventDefinition.get_datetime(str(value))
    return instant


def due_from_duration(duration: str, start: dt.datetime) -> dt.datetime:
    """``start`` plus an ISO 8601 duration (calendar-aware, as SpiffWorkflow computes timers)."""
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    delta: dt.timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, start)
    return start + delta
