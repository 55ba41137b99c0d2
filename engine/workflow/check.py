"""``reintegra check`` for workflows: every diagram, decision table and form, and the phase chain.

A broken file gives a message naming the file and the element; the app refuses to start with one.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from engine.workflow.registry import SpecError, parse_files, read_files
from engine.workflow.runner import due_from_duration
from engine.workflow.sandbox import check_expression
from workflows import BPMN_DIR, DMN_DIR
from workflows.forms import FormDefinitionError, load_forms
from workflows.processes import CLOSED, END, ChainDefinitionError, load_chain

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
}
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
LANES = {"Caseworker", "Supervisor", "DoSVY officer"}


def check_workflows(bpmn_dir: Path = BPMN_DIR, dmn_dir: Path = DMN_DIR, forms_dir: Path | None = None) -> list[str]:
    """Every problem found, as ``file: element: message`` lines (empty when all is well)."""
    problems: list[str] = []
    try:
        chain = load_chain()
    except ChainDefinitionError as exc:
        return [str(exc)]
    try:
        forms = load_forms(forms_dir) if forms_dir else load_forms()
    except FormDefinitionError as exc:
        problems.append(str(exc))
        forms = {}
    for dmn in sorted(dmn_dir.glob("*.dmn")):
        problems += _check_dmn(dmn)
    nexts: dict[str, set[str]] = {}
    for pid in chain.processes:
        path = bpmn_dir / f"{pid}.bpmn"
        try:
            found, nexts[pid] = _check_bpmn(path, set(forms))
        except (OSError, etree.XMLSyntaxError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        problems += found
        try:
            parse_files(pid, read_files(pid, bpmn_dir, dmn_dir))
        except SpecError as exc:
            if not found:  # the parser's message is vaguer than ours; show it only when we found nothing
                problems.append(str(exc))
    for pid, targets in nexts.items():
        side = chain.processes[pid].side
        if side and targets - {END}:
            problems.append(f"{pid}.bpmn: a side process must end with next='end', not {sorted(targets - {END})}")
        if not side and END in targets:
            problems.append(f"{pid}.bpmn: next='end' is for side processes; name the next phase or 'closed'")
        for target in targets - {CLOSED, END}:
            if target not in chain.processes:
                problems.append(f"{pid}.bpmn: an end event names next process {target!r}, which processes.json lacks")
            elif chain.processes[target].side:
                problems.append(f"{pid}.bpmn: an end event names the side process {target!r} as the next phase")
    reachable, todo = {chain.start}, [chain.start]
    while todo:
        for target in nexts.get(todo.pop(), set()):
            if target != CLOSED and target not in reachable:
                reachable.add(target)
                todo.append(target)
    for pid in chain.processes:
        if pid not in reachable and pid in nexts and not chain.processes[pid].side:
            problems.append(f"processes.json: process {pid!r} is never reached from {chain.start!r}")
    if nexts and not any(CLOSED in t for t in nexts.values()):
        problems.append("processes.json: no process ever closes the case (no end event with next='closed')")
    return problems


def _check_bpmn(path: Path, forms: set[str]) -> tuple[list[str], set[str]]:
    name = path.name
    problems: list[str] = []
    nexts: set[str] = set()
    root = etree.parse(str(path)).getroot()
    for process in root.iter(f"{{{NS['bpmn']}}}process"):
        lane_of = {}
        for lane in process.iterfind(".//bpmn:lane", NS):
            if lane.get("name") not in LANES:
                problems.append(
                    f"{name}: lane {lane.get('id')}: {lane.get('name')!r} maps to no role ({', '.join(sorted(LANES))})"
                )
            for ref in lane.iterfind("bpmn:flowNodeRef", NS):
                lane_of[ref.text] = lane.get("name")
        for task in process.iterfind(".//bpmn:userTask", NS):
            tid, props = task.get("id"), _props(task)
            if tid not in lane_of:
                problems.append(f"{name}: user task {tid}: not in a lane")
            form = props.get("form")
            if not form:
                problems.append(f"{name}: user task {tid}: no 'form' property")
            elif forms and form not in forms:
                problems.append(f"{name}: user task {tid}: form {form!r} does not exist in workflows/forms")
            if props.get("priority", "2") not in ("1", "2", "3"):
                problems.append(f"{name}: user task {tid}: priority must be 1, 2 or 3")
            if props.get("due_from", "ready") not in ("ready", "start"):
                problems.append(f"{name}: user task {tid}: due_from must be 'ready' or 'start'")
            if props.get("due"):
                problems += _duration_problem(name, tid, props["due"])
            if props.get("notify") not in (None, "supervisor"):
                problems.append(f"{name}: user task {tid}: notify must be 'supervisor'")
        for gateway in process.iterfind(".//bpmn:exclusiveGateway", NS):
            outgoing = [f for f in process.iterfind("bpmn:sequenceFlow", NS) if f.get("sourceRef") == gateway.get("id")]
            if len(outgoing) > 1 and not gateway.get("default"):
                problems.append(f"{name}: gateway {gateway.get('id')}: needs a default flow")
        for flow in process.iterfind("bpmn:sequenceFlow", NS):
            cond = flow.find("bpmn:conditionExpression", NS)
            if cond is not None and (error := check_expression(cond.text or "", "eval")):
                problems.append(f"{name}: sequence flow {flow.get('id')}: {error}")
        for script in process.iterfind(".//bpmn:scriptTask", NS):
            body = script.find("bpmn:script", NS)
            if body is not None and (error := check_expression(body.text or "", "exec")):
                problems.append(f"{name}: script task {script.get('id')}: {error}")
        for timer in process.iterfind(".//bpmn:timerEventDefinition", NS):
            owner = timer.getparent().get("id")
            for expr in timer:
                if expr.tag.endswith("timeCycle"):
                    problems.append(f"{name}: event {owner}: cycle timers are not supported")
                elif error := check_expression(expr.text or "", "eval"):
                    problems.append(f"{name}: event {owner}: {error}")
        for end in process.iterfind(".//bpmn:endEvent", NS):
            props = _props(end)
            if props.get("next"):
                nexts.add(props["next"])
            elif props.get("branch") != "true":
                problems.append(f"{name}: end event {end.get('id')}: needs a 'next' property (a process or 'closed')")
        shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
        edges = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNEdge", NS)}
        for element in process:
            eid, tag = element.get("id"), etree.QName(element).localname
            if tag == "sequenceFlow" and eid not in edges:
                problems.append(f"{name}: sequence flow {eid}: no diagram edge (BPMNDI)")
            elif tag not in ("sequenceFlow", "laneSet", "documentation", "extensionElements") and eid not in shapes:
                problems.append(f"{name}: {tag} {eid}: no diagram shape (BPMNDI)")
    return problems, nexts


def _props(element: etree._Element) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in element.iterfind(".//spiff:property", NS)}


def _duration_problem(name: str, tid: str, duration: str) -> list[str]:
    import datetime as dt

    try:
        due_from_duration(duration, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception for a bad duration
        return [f"{name}: user task {tid}: due {duration!r} is not an ISO 8601 duration such as P14D"]
    return []


def _check_dmn(path: Path) -> list[str]:
    problems: list[str] = []
    root = etree.parse(str(path)).getroot()
    for text in root.iter(f"{{{DMN_NS}}}text"):
        source = (text.text or "").strip()
        parent = text.getparent()
        kind, eid = etree.QName(parent).localname, parent.get("id")
        if not source or source == "-":
            continue
        error = _dmn_entry_problem(source) if kind == "inputEntry" else check_expression(source, "eval")
        if error:
            problems.append(f"{path.name}: {kind} {eid}: {error}")
    return problems


def _dmn_entry_problem(entry: str) -> str | None:
    # SpiffWorkflow's DMN engine turns an entry into an expression: '?' is the input, an entry that is a
    # full expression is compared with ==, and a fragment such as '< 3' is appended to the input.
    if "?" in entry:
        return check_expression(re.sub(r"\?", "dmn_input", entry), "eval")
    if check_expression(entry, "eval") is None:
        return None
    return check_expression(f"dmn_input {entry}", "eval")
