"""Timer events that read the runner's clock instead of the wall clock.

SpiffWorkflow's timers compare against the machine's wall clock; ours compare against the script engine's
``now``, which the runner sets from the ``now`` every service receives. So a test (or the scheduler)
decides what time it is, and a timer never fires behind the runner's back. Specs are re-parsed from
their stored XML and never serialized (engine.workflow.serializer), so swapping the event definition
classes after parsing is all it takes. Pinned to SpiffWorkflow 3.2 (``_get_internal_data`` is the
subclass hook the library's own timers use); tests/engine/workflow cover it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)


def _now(my_task: Any) -> datetime:
    now: datetime = my_task.workflow.script_engine.now
    return now


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    instant: datetime = TimerEventDefinition.get_datetime(str(value))
    return instant


class ClockedTimeDate(TimeDateEventDefinition):  # type: ignore[misc]  # SpiffWorkflow is untyped
    """A timer at an instant given by an expression (e.g. ``visit_due``)."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = _instant(my_task.workflow.script_engine.evaluate(my_task, self.expression)).isoformat()
            my_task._set_internal_data(event_value=event_value)
        if _instant(event_value) <= _now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedDuration(DurationTimerEventDefinition):  # type: ignore[misc]  # SpiffWorkflow is untyped
    """A timer a duration (e.g. ``"P3D"``) after the moment it started waiting."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            parsed = TimerEventDefinition.parse_iso_duration(expression)
            start = _now(my_task)
            event_value = (start + TimerEventDefinition.get_timedelta_from_start(parsed, start)).isoformat()
            my_task._set_internal_data(event_value=event_value)
        if _instant(event_value) <= _now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


def use_runner_clock(specs: list[Any]) -> None:
    """Replace the timer definitions of every task spec in ``specs`` by their clocked versions."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition: Any = getattr(task_spec, "event_definition", None)
            if isinstance(definition, CycleTimerEventDefinition):
                raise ValueError(f"{spec.name}: cycle timers are not supported ({task_spec.bpmn_id})")
            for old, new in (
                (TimeDateEventDefinition, ClockedTimeDate),
                (DurationTimerEventDefinition, ClockedDuration),
            ):
                if type(definition) is old:
                    task_spec.event_definition = new(
                        definition.name, definition.expression, description=definition.description
                    )
