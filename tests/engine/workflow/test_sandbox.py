"""The script sandbox: escapes refused in every evaluation path, ordinary expressions and helpers work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.workflow import runner
from engine.workflow.registry import parse_files
from engine.workflow.runner import WorkflowFailed
from engine.workflow.sandbox import (
    HELPERS,
    SandboxEnvironment,
    SandboxScriptEngine,
    SandboxViolation,
    add_days,
    add_months,
    check_expression,
    days_between,
    iso_date,
)

NOW = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)

# Each source tries to escape; where it can, it would create the file at PATH.
ESCAPES = {
    "import": "import os; os.mkdir(PATH)",
    "dunder_import": "__import__('os').mkdir(PATH)",
    "open": "open(PATH, 'w')",
    "subclasses": "().__class__.__bases__[0].__subclasses__()",
    "getattr": "getattr(x, '__class__')",
    "eval": "eval(\"open(PATH, 'w')\")",
    "exec": "exec(\"open(PATH, 'w')\")",
    "underscore_attribute": "x._secret",
    "type": "type(x).mro()",
    "globals": "globals()",
    "generator_frame": "(i for i in ()).gi_frame.f_globals",
    "str_format": "'{0.__class__}'.format(x)",
    "print": "print(x)",
}


def sandbox() -> SandboxEnvironment:
    return SandboxEnvironment(dict(HELPERS))


def run(env: SandboxEnvironment, mode: str, source: str, context: dict[str, Any]) -> Any:
    return env.evaluate(source, context) if mode == "eval" else env.execute(source, context)


@pytest.mark.parametrize("mode", ["eval", "exec"])
@pytest.mark.parametrize("source", ESCAPES.values(), ids=ESCAPES.keys())
def test_escape_is_refused_without_side_effect(mode: str, source: str, tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    with pytest.raises(SandboxViolation):
        run(sandbox(), mode, source.replace("PATH", repr(str(target))), {"x": 1})
    assert not target.exists()


def test_attribute_write_on_a_non_container_is_refused() -> None:
    with pytest.raises(SandboxViolation, match="writing to int objects is not allowed"):
        sandbox().execute("x.real = 2", {"x": 1})


def test_violation_names_the_expression_but_not_task_data() -> None:
    with pytest.raises(SandboxViolation) as excinfo:
        sandbox().evaluate("open(survivor_name)", {"survivor_name": "Sok Dara"})
    assert "open(survivor_name)" in str(excinfo.value)
    assert "Sok Dara" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("x * 2 + 1", 7),
        ("x > 2 and x <= 3", True),
        ('risk in ("high", "medium")', True),
        ('{"a": [x, 2]}', {"a": [3, 2]}),
        ("len(items) + min(items) + max(items)", 3 + 1 + 3),
        ("sum(i * 2 for i in items)", 12),
        ("[i for i in items if i > 1]", [2, 3]),
        ("sorted(items, key=lambda i: -i)", [3, 2, 1]),
        ('f"{risk}-{x:03d}"', "high-003"),
        ('data.get("missing", "none")', "none"),
        ("add_days(start, 1)", "2026-11-02T03:00:00+00:00"),
        ("  x == 3\n", True),
    ],
)
def test_evaluate_computes_ordinary_expressions(expression: str, expected: object) -> None:
    context = {"x": 3, "risk": "high", "items": [1, 2, 3], "data": {}, "start": "2026-11-01T03:00:00Z"}
    assert sandbox().evaluate(expression, context) == expected


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("y = x * 2", {"y": 6}),
        ("x += 1", {"x": 4}),
        ('label = "n" \nlabel += "ok"', {"label": "nok"}),
        ("total = 0\nfor i in items:\n    total += i", {"total": 6}),
        ("first, *rest = items", {"first": 1, "rest": [2, 3]}),
        ("pairs = {k: v for k, v in zip('ab', items)}", {"pairs": {"a": 1, "b": 2}}),
        ('data["seen"] = True\nitems.append(4)', {"data": {"seen": True}, "items": [1, 2, 3, 4]}),
        ("due = add_months(start, 1)", {"due": "2026-12-01T03:00:00+00:00"}),
    ],
)
def test_execute_assignments_land_in_the_task_data(script: str, expected: dict[str, object]) -> None:
    context: dict[str, Any] = {"x": 3, "items": [1, 2, 3], "data": {}, "start": "2026-11-01T03:00:00Z"}
    assert sandbox().execute(script, context) is True
    assert {key: context[key] for key in expected} == expected


def test_execute_leaves_no_builtins_helpers_or_functions_in_the_task_data() -> None:
    context: dict[str, Any] = {"x": 1}
    sandbox().execute("double = lambda v: v * 2\ny = double(x)", context)
    assert context == {"x": 1, "y": 2}


def test_execute_cleans_the_task_data_when_the_script_fails() -> None:
    context: dict[str, Any] = {"x": 1}
    with pytest.raises(ZeroDivisionError):
        sandbox().execute("y = x\nz = x / 0", context)
    assert context == {"x": 1, "y": 1}


def test_execute_refuses_task_data_that_shadows_a_helper() -> None:
    with pytest.raises(ValueError, match="add_days"):
        sandbox().execute("y = 1", {"add_days": "2026-01-01"})


def test_add_days_returns_a_utc_instant_string() -> None:
    assert add_days("2026-11-01T03:00:00Z", 30) == "2026-12-01T03:00:00+00:00"


def test_add_days_converts_an_offset_to_utc() -> None:
    assert add_days("2026-01-01T07:00:00+07:00", 1.5) == "2026-01-02T12:00:00+00:00"


def test_add_days_treats_a_naive_instant_as_utc() -> None:
    assert add_days("2026-01-01T00:00:00", -1) == "2025-12-31T00:00:00+00:00"


def test_add_months_clamps_to_the_end_of_a_shorter_month() -> None:
    assert add_months("2026-01-31T03:00:00+00:00", 1) == "2026-02-28T03:00:00+00:00"


def test_add_months_crosses_years_both_ways() -> None:
    assert (add_months("2026-11-30T00:00:00Z", 3), add_months("2026-01-15T00:00:00Z", -2)) == (
        "2027-02-28T00:00:00+00:00",
        "2025-11-15T00:00:00+00:00",
    )


def test_add_months_refuses_fractional_months() -> None:
    with pytest.raises(TypeError):
        add_months("2026-01-31T00:00:00Z", 1.5)  # type: ignore[arg-type]


def test_days_between_counts_from_first_to_second_across_offsets() -> None:
    assert days_between("2026-01-01T00:00:00Z", "2026-01-02T19:00:00+07:00") == 1.5


def test_iso_date_is_the_utc_calendar_date() -> None:
    assert iso_date("2026-03-01T05:00:00+07:00") == "2026-02-28"


def test_check_expression_accepts_valid_source_without_running_it() -> None:
    assert check_expression("1 / 0 if y > 5 else add_days(start, 30)", "eval") is None


@pytest.mark.parametrize(
    ("source", "mode", "fragment"),
    [
        ("import os", "exec", "Imports are not allowed"),
        ("x.__class__", "eval", '"__class__" is an invalid attribute name'),
        ("open('/etc/passwd')", "eval", '"open" is not available'),
        ("y = ", "exec", "SyntaxError"),
    ],
)
def test_check_expression_reports_the_problem(source: str, mode: Literal["eval", "exec"], fragment: str) -> None:
    assert fragment in (check_expression(source, mode) or "")


def test_engine_now_is_the_given_instant_in_utc() -> None:
    assert SandboxScriptEngine(NOW).now == NOW
    assert SandboxScriptEngine(NOW).now.utcoffset() == dt.timedelta(0)


def test_engine_now_iso_is_in_utc() -> None:
    engine = SandboxScriptEngine(now=dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    assert engine.now_iso() == "2026-11-29T03:00:00+00:00"


def test_engine_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SandboxScriptEngine(NOW).now = dt.datetime(2026, 11, 29)  # the naive value is the point


def test_engine_evaluates_a_timer_expression() -> None:
    task = SimpleNamespace(data={"start": "2026-11-01T03:00:00Z"})
    assert SandboxScriptEngine(now=NOW).evaluate(task, "add_days(start, 30)") == "2026-12-01T03:00:00+00:00"


# --- Through SpiffWorkflow -------------------------------------------------------------------------

BPMN_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="definitions" targetNamespace="http://reintegra.test/sandbox">
"""

GATEWAY_BPMN = (
    BPMN_HEADER
    + """  <bpmn:process id="doubling" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>to_script</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="to_script" sourceRef="start" targetRef="double" />
    <bpmn:scriptTask id="double">
      <bpmn:incoming>to_script</bpmn:incoming><bpmn:outgoing>to_gateway</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="to_gateway" sourceRef="double" targetRef="is_big" />
    <bpmn:exclusiveGateway id="is_big" default="to_small">
      <bpmn:incoming>to_gateway</bpmn:incoming>
      <bpmn:outgoing>to_big</bpmn:outgoing><bpmn:outgoing>to_small</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="to_big" sourceRef="is_big" targetRef="end_big">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">y &gt; 5</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="is_big" targetRef="end_small" />
    <bpmn:endEvent id="end_big"><bpmn:incoming>to_big</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_small"><bpmn:incoming>to_small</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
)

DECISION_BPMN = (
    BPMN_HEADER
    + """  <bpmn:process id="interval" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>to_decide</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="to_decide" sourceRef="start" targetRef="decide" />
    <bpmn:businessRuleTask id="decide">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>visit_interval</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>to_decide</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="decide" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
)

INTERVAL_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="intervals" name="Intervals"
    namespace="http://reintegra.test/sandbox">
  <decision id="visit_interval" name="Visit interval">
    <decisionTable id="table" hitPolicy="UNIQUE">
      <input id="risk" label="Risk level">
        <inputExpression id="risk_expression" typeRef="string"><text>risk_level</text></inputExpression>
      </input>
      <output id="interval" name="interval_days" typeRef="integer" />
      <rule id="high">
        <inputEntry id="high_in"><text>HIGH_ENTRY</text></inputEntry>
        <outputEntry id="high_out"><text>14</text></outputEntry>
      </rule>
      <rule id="low">
        <inputEntry id="low_in"><text>"low"</text></inputEntry>
        <outputEntry id="low_out"><text>90</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""

TIMER_BPMN = (
    BPMN_HEADER
    + """  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>to_due</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="to_due" sourceRef="start" targetRef="due" />
    <bpmn:intermediateCatchEvent id="due">
      <bpmn:incoming>to_due</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">add_days(opened_at, 30)</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="to_end" sourceRef="due" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
)


def start_workflow(bpmn: str, process_id: str, data: dict[str, Any], dmn: str | None = None) -> BpmnWorkflow:
    """Deploy the diagram as the product does (clocked timers) and start it through the runner at NOW."""
    files = {f"{process_id}.bpmn": bpmn} | ({"table.dmn": dmn} if dmn is not None else {})
    return runner.start(parse_files(process_id, files), data, NOW)


def reached(workflow: BpmnWorkflow) -> set[str]:
    return {task.task_spec.bpmn_id for task in workflow.get_tasks(state=TaskState.COMPLETED)} & {"end_big", "end_small"}


def exception_chain(error: BaseException | None) -> Iterator[BaseException]:
    # SpiffWorkflow raises its WorkflowTaskException inside `except` without `from`: the original is __context__.
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


@pytest.mark.parametrize(("x", "end"), [(3, "end_big"), (2, "end_small")])
def test_script_and_gateway_condition_run_in_the_sandbox(x: int, end: str) -> None:
    workflow = start_workflow(GATEWAY_BPMN.replace("SCRIPT", "y = x * 2"), "doubling", {"x": x})
    assert (workflow.is_completed(), reached(workflow)) == (True, {end})


def test_script_task_import_fails_with_a_sandbox_violation() -> None:
    with pytest.raises(WorkflowFailed) as excinfo:
        start_workflow(GATEWAY_BPMN.replace("SCRIPT", "import os"), "doubling", {"x": 3})
    assert any(isinstance(error, SandboxViolation) for error in exception_chain(excinfo.value))


@pytest.mark.parametrize(("risk_level", "interval_days"), [("high", 14), ("low", 90)])
def test_decision_table_evaluates_in_the_sandbox(risk_level: str, interval_days: int) -> None:
    dmn = INTERVAL_DMN.replace("HIGH_ENTRY", '"high"')
    workflow = start_workflow(DECISION_BPMN, "interval", {"risk_level": risk_level}, dmn)
    assert workflow.data["interval_days"] == interval_days


def test_decision_table_entry_with_an_escape_fails_with_a_sandbox_violation() -> None:
    dmn = INTERVAL_DMN.replace("HIGH_ENTRY", "__import__(&quot;os&quot;)")
    with pytest.raises(WorkflowFailed) as excinfo:
        start_workflow(DECISION_BPMN, "interval", {"risk_level": "low"}, dmn)
    assert any(isinstance(error, SandboxViolation) for error in exception_chain(excinfo.value))


def test_timer_expression_runs_in_the_sandbox() -> None:
    workflow = start_workflow(TIMER_BPMN, "wait", {"opened_at": "2026-11-01T03:00:00Z"})
    [waiting] = workflow.get_tasks(state=TaskState.WAITING)
    assert waiting.internal_data["event_value"] == "2026-12-01T03:00:00+00:00"


def test_timer_fires_by_the_runners_clock_not_the_wall_clock() -> None:
    workflow = start_workflow(TIMER_BPMN, "wait", {"opened_at": "2026-11-01T03:00:00Z"})
    workflow.script_engine.now = dt.datetime(2026, 12, 1, 2, 59, tzinfo=dt.UTC)
    assert (runner.fire_timers(workflow), workflow.is_completed()) == ([], False)
    workflow.script_engine.now = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    assert (runner.fire_timers(workflow), workflow.is_completed()) == (["due"], True)
