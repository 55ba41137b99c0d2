"""Write BPMN 2.0 files with lanes and diagram interchange from a compact description.

An authoring aid: ``tools/diagrams.py`` describes the first version of every phase diagram and this
module lays it out (left to right, one band per lane) so that it renders in bpmn-js and opens in any
standard modeler. Once an administrator edits a diagram in a modeler, the ``.bpmn`` file is the source
of truth; regenerate only on purpose (``python -m tools.diagrams``), and review the diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

SIZES = {"task": (110, 80), "event": (36, 36), "gateway": (50, 50)}
TASK_KINDS = {"user": "userTask", "script": "scriptTask", "rule": "businessRuleTask"}
COL_W, ROW_H, LANE_PAD, LEFT = 160, 120, 30, 100


@dataclass
class Node:
    id: str
    kind: str  # start | end | user | script | rule | xor | timer | boundary
    name: str = ""
    lane: str = ""
    props: dict[str, str] = field(default_factory=dict)
    script: str = ""
    decision: str = ""
    timer: tuple[str, str] | None = None  # ("timeDate" | "timeDuration", expression)
    attached_to: str = ""
    terminate: bool = False
    default: str = ""

    @property
    def shape(self) -> str:
        if self.kind in TASK_KINDS:
            return "task"
        return "gateway" if self.kind == "xor" else "event"


@dataclass
class Flow:
    source: str
    target: str
    condition: str = ""
    name: str = ""
    id: str = ""


@dataclass
class Process:
    id: str
    name: str
    lanes: list[str]
    nodes: list[Node]
    flows: list[Flow]
    documentation: str = ""


def _layout(p: Process) -> tuple[dict[str, tuple[int, int, int, int]], dict[str, tuple[int, int]], set[int]]:
    nodes = {n.id: n for n in p.nodes}
    out: dict[str, list[Flow]] = {n.id: [] for n in p.nodes}
    for f in p.flows:
        out[f.source].append(f)
    # Back edges by DFS from the start events (boundary events hang off their task).
    back: set[int] = set()
    state: dict[str, int] = {}

    def successors(nid: str) -> list[tuple[int, str]]:
        result = [(id(f), f.target) for f in out[nid]]
        result += [(0, b.id) for b in p.nodes if b.attached_to == nid]
        return result

    def dfs(nid: str) -> None:
        state[nid] = 1
        for fid, tgt in successors(nid):
            if state.get(tgt) == 1:
                back.add(fid)
            elif tgt not in state:
                dfs(tgt)
        state[nid] = 2

    for n in p.nodes:
        if n.kind == "start":
            dfs(n.id)
    col: dict[str, int] = {}
    order = [n.id for n in p.nodes]
    for _ in range(len(order) + 1):
        changed = False
        for nid in order:
            node = nodes[nid]
            if node.kind == "start":
                base = 0
            elif node.kind == "boundary":
                base = col.get(node.attached_to, 0)
            else:
                preds = [col.get(f.source, 0) + 1 for f in p.flows if f.target == nid and id(f) not in back]
                base = max(preds, default=0)
            if col.get(nid) != base:
                col[nid], changed = base, True
        if not changed:
            break
    # Rows: stack nodes sharing a lane and column.
    slot: dict[tuple[str, int], int] = {}
    row: dict[str, int] = {}
    for n in p.nodes:
        if n.kind == "boundary":
            continue
        key = (n.lane, col[n.id])
        row[n.id] = slot.get(key, 0)
        slot[key] = row[n.id] + 1
    lane_rows = {
        lane: max([row[n.id] + 1 for n in p.nodes if n.lane == lane and n.id in row], default=1) for lane in p.lanes
    }
    lane_top: dict[str, int] = {}
    y = 40
    for lane in p.lanes:
        lane_top[lane] = y
        y += lane_rows[lane] * ROW_H + 2 * LANE_PAD
    bounds: dict[str, tuple[int, int, int, int]] = {}
    for n in p.nodes:
        if n.kind == "boundary":
            continue
        w, h = SIZES[n.shape]
        cx = LEFT + 60 + col[n.id] * COL_W + 55
        cy = lane_top[n.lane] + LANE_PAD + row[n.id] * ROW_H + 40
        bounds[n.id] = (cx - w // 2, cy - h // 2, w, h)
    for n in p.nodes:
        if n.kind == "boundary":
            tx, ty, tw, th = bounds[n.attached_to]
            bounds[n.id] = (tx + tw - 36 - 8, ty + th - 18, 36, 36)
    lanes = {lane: (lane_top[lane], lane_rows[lane] * ROW_H + 2 * LANE_PAD) for lane in p.lanes}
    return bounds, lanes, back


def _waypoints(f: Flow, bounds: dict[str, tuple[int, int, int, int]], is_back: bool, k: int) -> list[tuple[int, int]]:
    sx, sy, sw, sh = bounds[f.source]
    tx, ty, tw, th = bounds[f.target]
    if is_back:
        below = max(sy + sh, ty + th) + 18 + 6 * k
        return [(sx + sw // 2, sy + sh), (sx + sw // 2, below), (tx + tw // 2, below), (tx + tw // 2, ty + th)]
    start = (sx + sw, sy + sh // 2)
    end = (tx, ty + th // 2)
    if start[1] == end[1] and tx - (sx + sw) > COL_W:  # skips a column: pass above the nodes in between
        above = min(sy, ty) - 14 - 4 * k
        return [(sx + sw // 2, sy), (sx + sw // 2, above), (tx + tw // 2, above), (tx + tw // 2, ty)]
    if start[1] == end[1]:
        return [start, end]
    if sh == 36 and sw == 36 and sy + sh > ty + th:  # from a boundary event: leave downwards
        start = (sx + sw // 2, sy + sh)
        return [start, (start[0], end[1]), end]
    mid = (start[0] + end[0]) // 2
    return [start, (mid, start[1]), (mid, end[1]), end]


def _props(props: dict[str, str]) -> str:
    if not props:
        return ""
    items = "".join(f"<spiffworkflow:property name={quoteattr(k)} value={quoteattr(v)} />" for k, v in props.items())
    return f"<spiffworkflow:properties>{items}</spiffworkflow:properties>"


def render(p: Process) -> str:
    """The BPMN XML of ``p`` with a pool, lanes and laid-out shapes and edges."""
    for i, f in enumerate(p.flows):
        f.id = f.id or f"Flow_{p.id}_{i + 1}"
    for n in p.nodes:
        if n.kind == "xor" and n.default and not n.default.startswith("Flow_"):
            n.default = next(f.id for f in p.flows if f.source == n.id and f.target == n.default)
    bounds, lanes, back = _layout(p)
    incoming: dict[str, list[str]] = {n.id: [] for n in p.nodes}
    outgoing: dict[str, list[str]] = {n.id: [] for n in p.nodes}
    for f in p.flows:
        outgoing[f.source].append(f.id)
        incoming[f.target].append(f.id)
    x: list[str] = []
    x.append('<?xml version="1.0" encoding="UTF-8"?>')
    x.append(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        f'id="Definitions_{p.id}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="reintegra tools/bpmn_gen.py">'
    )
    x.append(f'  <bpmn:collaboration id="Collaboration_{p.id}">')
    x.append(f'    <bpmn:participant id="Participant_{p.id}" name={quoteattr(p.name)} processRef="{p.id}" />')
    x.append("  </bpmn:collaboration>")
    x.append(f'  <bpmn:process id="{p.id}" name={quoteattr(p.name)} isExecutable="true">')
    if p.documentation:
        x.append(f"    <bpmn:documentation>{escape(p.documentation)}</bpmn:documentation>")
    x.append(f'    <bpmn:laneSet id="LaneSet_{p.id}">')
    for i, lane in enumerate(p.lanes):
        x.append(f'      <bpmn:lane id="Lane_{p.id}_{i}" name={quoteattr(lane)}>')
        for n in p.nodes:
            if n.lane == lane or (n.kind == "boundary" and _lane_of(p, n.attached_to) == lane):
                x.append(f"        <bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>")
        x.append("      </bpmn:lane>")
    x.append("    </bpmn:laneSet>")
    for n in p.nodes:
        x.extend("    " + line for line in _node_xml(n, incoming[n.id], outgoing[n.id]))
    for f in p.flows:
        name = f" name={quoteattr(f.name)}" if f.name else ""
        head = f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}"'
        if f.condition:
            x.append(head + ">")
            x.append(f"      <bpmn:conditionExpression>{escape(f.condition)}</bpmn:conditionExpression>")
            x.append("    </bpmn:sequenceFlow>")
        else:
            x.append(head + " />")
    x.append("  </bpmn:process>")
    # Diagram interchange
    width = max(bx + bw for bx, _, bw, _ in bounds.values()) + 80
    height = sum(h for _, h in lanes.values())
    x.append(f'  <bpmndi:BPMNDiagram id="Diagram_{p.id}">')
    x.append(f'    <bpmndi:BPMNPlane id="Plane_{p.id}" bpmnElement="Collaboration_{p.id}">')
    x.append(
        f'      <bpmndi:BPMNShape id="Participant_{p.id}_di" bpmnElement="Participant_{p.id}" isHorizontal="true">'
    )
    x.append(f'        <dc:Bounds x="{LEFT - 30}" y="40" width="{width - LEFT + 30}" height="{height}" />')
    x.append("      </bpmndi:BPMNShape>")
    for i, lane in enumerate(p.lanes):
        top, h = lanes[lane]
        x.append(f'      <bpmndi:BPMNShape id="Lane_{p.id}_{i}_di" bpmnElement="Lane_{p.id}_{i}" isHorizontal="true">')
        x.append(f'        <dc:Bounds x="{LEFT}" y="{top}" width="{width - LEFT}" height="{h}" />')
        x.append("      </bpmndi:BPMNShape>")
    for n in p.nodes:
        bx, by, bw, bh = bounds[n.id]
        extra = ' isMarkerVisible="true"' if n.kind == "xor" else ""
        x.append(f'      <bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"{extra}>')
        x.append(f'        <dc:Bounds x="{bx}" y="{by}" width="{bw}" height="{bh}" />')
        if n.shape != "task" and n.name:
            label = f'<dc:Bounds x="{bx - 30}" y="{by + bh + 4}" width="{bw + 60}" height="27" />'
            x.append(f"        <bpmndi:BPMNLabel>{label}</bpmndi:BPMNLabel>")
        x.append("      </bpmndi:BPMNShape>")
    for k, f in enumerate(p.flows):
        x.append(f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">')
        for wx, wy in _waypoints(f, bounds, id(f) in back, k % 5):
            x.append(f'        <di:waypoint x="{wx}" y="{wy}" />')
        x.append("      </bpmndi:BPMNEdge>")
    x.append("    </bpmndi:BPMNPlane>")
    x.append("  </bpmndi:BPMNDiagram>")
    x.append("</bpmn:definitions>")
    return "\n".join(x) + "\n"


def _lane_of(p: Process, node_id: str) -> str:
    return next(n.lane for n in p.nodes if n.id == node_id)


def _node_xml(n: Node, incoming: list[str], outgoing: list[str]) -> list[str]:
    tag = {"start": "startEvent", "end": "endEvent", "xor": "exclusiveGateway", "timer": "intermediateCatchEvent",
           "boundary": "boundaryEvent", **TASK_KINDS}[n.kind]  # fmt: skip
    attrs = f'id="{n.id}"' + (f" name={quoteattr(n.name)}" if n.name else "")
    if n.kind == "xor" and n.default:
        attrs += f' default="{n.default}"'
    if n.kind == "boundary":
        attrs += f' cancelActivity="false" attachedToRef="{n.attached_to}"'
    body: list[str] = []
    ext = _props(n.props)
    if n.kind == "rule":
        ext += f"<spiffworkflow:calledDecisionId>{escape(n.decision)}</spiffworkflow:calledDecisionId>"
    if ext:
        body.append(f"  <bpmn:extensionElements>{ext}</bpmn:extensionElements>")
    body += [f"  <bpmn:incoming>{i}</bpmn:incoming>" for i in incoming]
    body += [f"  <bpmn:outgoing>{o}</bpmn:outgoing>" for o in outgoing]
    if n.timer:
        kind, expr = n.timer
        body.append(
            f"  <bpmn:timerEventDefinition><bpmn:{kind}>{escape(expr)}</bpmn:{kind}></bpmn:timerEventDefinition>"
        )
    if n.terminate:
        body.append("  <bpmn:terminateEventDefinition />")
    if n.kind == "script":
        body.append(f"  <bpmn:script>{escape(n.script)}</bpmn:script>")
    return [f"<bpmn:{tag} {attrs}>", *body, f"</bpmn:{tag}>"]
