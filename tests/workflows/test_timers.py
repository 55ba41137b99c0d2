"""Timers with an injected clock, flat cost over hundreds of visits, and spec versions."""

from __future__ import annotations

import datetime as dt
import json
import shutil

from sqlalchemy import func, select

from engine.models.cases import CaseEvent, Phase
from engine.models.workflow import WorkflowInstance, WorkflowSpec, WorkflowTimer, WorkItem, WorkItemStatus
from engine.workflow.registry import Registry, load_registry
from engine.workflow.service import Runtime, start_case_workflow
from tests.factories import Factory
from workflows import BPMN_DIR, DMN_DIR


def _to_follow_up(walk):
    walk.pre_reintegration()
    walk.reintegration()
    assert walk.refresh().phase is Phase.FOLLOW_UP_1


def test_a_visit_has_a_due_date_from_the_schedule_table_and_a_timer_row(walk):
    _to_follow_up(walk)
    visit = walk.item("conduct_visit")
    handed_over = walk.now.date()
    assert visit.due_at == dt.datetime.combine(
        handed_over + dt.timedelta(days=30), dt.time(), dt.UTC
    )  # low risk, month 1
    timer = walk.session.scalar(select(WorkflowTimer).where(WorkflowTimer.case_id == walk.case.id))
    assert timer.due_at == visit.due_at
    assert timer.name == "Visit overdue"


def test_nothing_fires_before_the_due_time(walk):
    _to_follow_up(walk)
    walk.now = walk.item("conduct_visit").due_at - dt.timedelta(minutes=1)
    assert walk.fire() == 0
    assert walk.open_names() == ["conduct_visit"]


def test_an_overdue_visit_takes_the_overdue_path_and_stays_open(walk):
    _to_follow_up(walk)
    visit = walk.item("conduct_visit")
    walk.now = visit.due_at + dt.timedelta(hours=1)
    assert walk.fire() == 1
    assert walk.open_names() == ["conduct_visit"]
    assert walk.item("conduct_visit").id == visit.id  # the same visit, not a new one
    events = walk.session.scalars(select(CaseEvent.summary).where(CaseEvent.kind == "timer")).all()
    assert events == ["Visit overdue"]
    walk.advance(days=3)
    assert walk.fire() == 1
    assert sorted(walk.open_names()) == ["conduct_visit", "overdue_escalation"]
    escalation = walk.item("overdue_escalation")
    assert escalation.role.value == "supervisor"
    assert escalation.priority == 1


def test_firing_again_does_nothing_new(walk):
    _to_follow_up(walk)
    walk.now = walk.item("conduct_visit").due_at + dt.timedelta(hours=1)
    walk.fire()
    assert walk.fire() == 0
    timer_events = walk.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "timer"))
    assert timer_events == 1


def test_a_case_keeps_advancing_after_300_visits_at_flat_state_size(walk):
    _to_follow_up(walk)
    sizes = []
    for n in range(305):
        walk.advance(days=1)
        walk.visit(on_time=False, risk_level="high")
        if n in (0, 299):
            latest = walk.session.scalar(
                select(WorkflowInstance).where(WorkflowInstance.case_id == walk.case.id)
                .order_by(WorkflowInstance.id.desc()).limit(1)
            )  # fmt: skip
            sizes.append(len(latest.state))
    assert walk.refresh().phase is Phase.FOLLOW_UP_1
    assert walk.open_names() == ["conduct_visit"]
    assert sizes[1] <= sizes[0] * 1.1  # the 300th visit's state is as small as the first's
    visits = walk.session.scalar(select(func.count()).select_from(WorkItem).where(
        WorkItem.task_name == "conduct_visit", WorkItem.status == WorkItemStatus.COMPLETED))  # fmt: skip
    assert visits == 305


def test_a_running_case_keeps_its_version_after_a_new_one_is_deployed(walk, session, tmp_path):
    old_key = walk.session.scalar(select(WorkflowInstance.spec_key).where(WorkflowInstance.case_id == walk.case.id))
    bpmn = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, bpmn)
    path = bpmn / "pre_reintegration.bpmn"
    path.write_text(path.read_text().replace('name="Complete registration"', 'name="Complete registration (v2)"'))
    current = load_registry(list(walk.runtime.chain.processes), bpmn, DMN_DIR)
    walk.runtime = Runtime(Registry({pid: current.current(pid) for pid in current.process_ids}), walk.runtime.chain,
                           walk.runtime.forms)  # fmt: skip
    new_key = walk.runtime.registry.current("pre_reintegration").key
    assert new_key != old_key
    walk.do("registration")  # the old instance runs on version 1, loaded from the stored files
    assert walk.open_names() == ["consent"]
    stored = session.get(WorkflowSpec, old_key)
    assert "Complete registration (v2)" not in json.loads(stored.files)["pre_reintegration.bpmn"]
    case2 = Factory(session, walk.now).case(walk.worker)  # a new case starts on version 2
    instance = start_case_workflow(session=session, runtime=walk.runtime, case=case2, actor=walk.worker, now=walk.now)
    assert instance.spec_key == new_key
    item = session.scalar(select(WorkItem).where(WorkItem.case_id == case2.id))
    assert item.title == "Complete registration (v2)"
