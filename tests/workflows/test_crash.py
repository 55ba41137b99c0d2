"""A crash at the worst moment (after the engine step, at the commit; in the middle of a scheduler
sweep) leaves nothing half-written, and running again completes each thing exactly once.

The crash is a real failure of the real commit on the test database: a ``before_commit`` hook raises,
as a killed process or a lost connection would stop the commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.models.cases import CaseEvent, CaseRecord
from engine.models.security import AuditEvent
from engine.models.workflow import WorkflowInstance, WorkflowTimer, WorkItem, WorkItemStatus
from engine.workflow import runner, service
from engine.workflow.service import complete_work_item, start_case_workflow
from tests.conftest import NOW
from tests.workflows.conftest import Walk


class Crash(RuntimeError):
    """The process died here."""


@contextmanager
def crash_at_commit(session: Session) -> Iterator[None]:
    """Fail the next commit (once)."""
    armed = [True]

    def before_commit(_session: Session) -> None:
        if armed[0]:
            armed[0] = False
            raise Crash("killed at the commit")

    event.listen(session, "before_commit", before_commit)
    try:
        yield
    finally:
        event.remove(session, "before_commit", before_commit)


@contextmanager
def crash_at_the_second_timer(session: Session) -> Iterator[None]:
    """Fail once the sweep has written the second case whose timers fired (once). The sweep may write its
    cases one statement each or several in one: the count is of the timer events sent to the database so
    far, whichever way they are written (unit of work or Core statement)."""
    seen = [0]
    engine = session.get_bind()

    def after_execute(_conn: object, _cursor: object, statement: str, parameters: object, _context: object,
                      executemany: bool) -> None:  # fmt: skip
        if not statement.lstrip().upper().startswith("INSERT INTO CASE_EVENTS"):
            return
        rows = parameters if executemany else [parameters]
        before = seen[0]
        seen[0] += sum(1 for row in rows if "timer" in (row.values() if isinstance(row, dict) else row))
        if before < 2 <= seen[0]:
            raise Crash("killed in the middle of the sweep")

    event.listen(engine, "after_cursor_execute", after_execute)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", after_execute)


def _snapshot(session: Session) -> dict[str, object]:
    session.rollback()
    return {
        "records": session.scalar(select(func.count()).select_from(CaseRecord)),
        "events": session.scalar(select(func.count()).select_from(CaseEvent)),
        "audit": session.scalar(select(func.count()).select_from(AuditEvent)),
        "items": sorted(tuple(r) for r in session.execute(select(WorkItem.id, WorkItem.status))),
        "states": sorted(tuple(r) for r in session.execute(select(WorkflowInstance.id, WorkflowInstance.state))),
        "timers": sorted(tuple(r) for r in session.execute(select(WorkflowTimer.id, WorkflowTimer.due_at))),
    }


def test_a_crash_at_the_commit_of_a_completion_leaves_nothing_and_a_rerun_completes_once(walk: Walk) -> None:
    first = walk.open_names()[0]
    before = _snapshot(walk.session)
    with crash_at_commit(walk.session), pytest.raises(Crash):
        walk.do(first)
    assert _snapshot(walk.session) == before  # no record, no event, no audit line, the step still open
    walk.do(first)
    after = _snapshot(walk.session)
    assert after["records"] == before["records"] + 1
    done = walk.session.scalars(select(WorkItem).where(WorkItem.task_name == first)).all()
    assert [w.status for w in done if w.status is WorkItemStatus.COMPLETED] == [WorkItemStatus.COMPLETED]
    with pytest.raises(InvalidInput, match="already completed"):  # a second try of the same step changes nothing
        complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                           work_item_id=done[0].id, raw={})  # fmt: skip
    assert _snapshot(walk.session) == after


def _another_walk(walk: Walk, factory) -> Walk:
    case = factory.case(walk.worker)
    factory.sharing_consent(
        walk.worker,
        case,
        walk.session.get(type(walk.officer).organisation.property.mapper.class_, walk.officer.organisation_id),
    )
    start_case_workflow(session=walk.session, runtime=walk.runtime, case=case, actor=walk.worker, now=NOW)
    return Walk(walk.session, walk.runtime, case, walk.worker, walk.supervisor, walk.officer)


def _three_cases_due(walk: Walk, factory) -> list[Walk]:
    """Three cases in Type 1 follow-up, their clocks an hour past the latest first visit's due date."""
    walks = [walk, _another_walk(walk, factory), _another_walk(walk, factory)]
    for w in walks:
        w.pre_reintegration()
        w.reintegration()
    due = max(w.item("conduct_visit").due_at for w in walks) + dt.timedelta(hours=1)
    for w in walks:
        w.now = due
    return walks


def test_a_crash_in_the_middle_of_a_timer_sweep_leaves_each_case_whole_and_a_rerun_fires_each_once(
    walk: Walk, factory
) -> None:
    walks = _three_cases_due(walk, factory)
    session = walk.session
    before = _snapshot(session)
    with crash_at_the_second_timer(session), pytest.raises(Crash):
        walk.fire()  # one batch: it crashed while writing its second case (the third may be written too)
    session.rollback()
    assert _snapshot(session) == before  # the batch is one transaction: nothing of it is kept
    assert walk.fire() == 3  # the rerun fires all three
    fired = session.scalars(select(CaseEvent.case_id).where(CaseEvent.kind == "timer")).all()
    assert sorted(fired) == sorted(w.case.id for w in walks)  # each case's timer fired exactly once
    assert walk.fire() == 0
    assert all(w.item("conduct_visit") for w in walks)  # every visit still open, on its overdue path


def test_an_instance_whose_diagram_fails_is_skipped_alone_and_the_rest_of_its_batch_fires(
    walk: Walk, factory, monkeypatch
) -> None:
    walks = _three_cases_due(walk, factory)
    session = walk.session
    middle = walks[1].item("conduct_visit").instance_id
    real_fire, real_load = runner.fire_timers, runner.load
    loaded: dict[int, str] = {}  # workflow object -> the state it was loaded from

    def remember(deployed, state, now):
        workflow = real_load(deployed, state, now)
        loaded[id(workflow)] = state
        return workflow

    middle_state = session.get(WorkflowInstance, middle).state

    def fail_if_middle(workflow):
        fired = real_fire(workflow)
        if loaded.get(id(workflow)) == middle_state:
            raise runner.WorkflowFailed("the next step", ZeroDivisionError("division by zero"))
        return fired

    monkeypatch.setattr(runner, "load", remember)
    monkeypatch.setattr(runner, "fire_timers", fail_if_middle)
    assert walk.fire() == 2  # the middle one of the batch failed; the two around it fired
    session.rollback()
    fired = session.scalars(select(CaseEvent.case_id).where(CaseEvent.kind == "timer")).all()
    assert sorted(fired) == sorted([walks[0].case.id, walks[2].case.id])  # nothing of the middle one written
    assert session.get(WorkflowInstance, middle).state == middle_state
    monkeypatch.setattr(runner, "fire_timers", real_fire)
    assert walk.fire() == 1  # its timer stayed due: fired on the next run, once


def test_a_failure_while_writing_an_instance_rolls_back_its_whole_batch_and_a_rerun_fires_each_once(
    walk: Walk, factory, monkeypatch
) -> None:
    walks = _three_cases_due(walk, factory)
    session = walk.session
    before = _snapshot(session)
    real_save = service._save

    def fail_the_middle_case_after_its_writes(session, runtime, instance, case, *args, **kwargs):
        if case.id == walks[1].case.id:
            session.flush()  # its timer event is written by now
            raise runner.WorkflowFailed("a write", ZeroDivisionError("division by zero"))
        return real_save(session, runtime, instance, case, *args, **kwargs)

    monkeypatch.setattr(service, "_save", fail_the_middle_case_after_its_writes)
    with pytest.raises(runner.WorkflowFailed):
        walk.fire()  # half an instance can never be committed: the batch goes back whole
    session.rollback()
    assert _snapshot(session) == before
    monkeypatch.setattr(service, "_save", real_save)
    assert walk.fire() == 3
    fired = session.scalars(select(CaseEvent.case_id).where(CaseEvent.kind == "timer")).all()
    assert sorted(fired) == sorted(w.case.id for w in walks)  # each case's timer fired exactly once
