"""Completing a step reads what it needs once: the step, its case and its workflow instance in one
statement, and each one-row section of the case file once, whether the step's form reads it, writes it or
both (the prefill check and the write share the row)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from engine.models.cases import History, Identity
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.workflow.service import Completion, complete_work_item, start_record_review
from tests.workflows.conftest import fill


def _statements_of(db_engine: Any, run: Any) -> list[str]:
    seen: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(db_engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(db_engine, "before_cursor_execute", listener)
    return [s for s in seen if s.upper().startswith("SELECT")]


def test_a_step_reads_its_case_and_each_section_it_reads_and_writes_once(walk, db_engine):
    item = walk.item("registration")  # reads the identity and the history for its checks, writes both
    raw = fill(walk.runtime.forms[item.form_key], walk.now.date(),
               {"place_of_birth": "Zyxplace", "narrative": "Zyx synthetic narrative"})  # fmt: skip
    walk.session.expire_all()  # as in a request: nothing of the case is loaded yet

    def complete() -> None:
        complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                           work_item_id=item.id, raw=raw)  # fmt: skip

    selects = _statements_of(db_engine, complete)
    step = [s for s in selects if " FROM work_items JOIN cases " in s]
    assert len(step) == 1
    assert " JOIN workflow_instances " in step[0]
    assert not [s for s in selects if " FROM cases " in s or " FROM workflow_instances " in s]
    assert len([s for s in selects if " FROM case_identities " in s]) == 1
    assert len([s for s in selects if " FROM case_histories " in s]) == 1
    walk.session.expire_all()
    identity = walk.session.scalar(select(Identity).where(Identity.case_id == walk.case.id))
    history = walk.session.scalar(select(History).where(History.case_id == walk.case.id))
    assert identity is not None
    assert identity.place_of_birth == "Zyxplace"
    assert history is not None
    assert history.narrative == "Zyx synthetic narrative"
    assert history.updated_by_id == identity.updated_by_id == walk.worker.id


def test_the_next_steps_told_are_the_cases_open_steps_after_it_read_once(walk, db_engine):
    """The "next" steps are every open step of the case as this step leaves it: here a record review's next
    step and the phase's own step waiting beside it (another workflow instance), not the step just done;
    the case's open steps are read in one statement, not again at the end."""
    start_record_review(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                        case=walk.refresh())  # fmt: skip
    item = walk.item("prepare_review")
    raw = fill(walk.runtime.forms[item.form_key], walk.now.date(), {"third_party_withheld": True,
               "withheld_items": "Synthetic item", "withholding_reasons": "Synthetic reason"})  # fmt: skip
    item_id, title = item.id, item.title
    walk.session.expire_all()
    done: list[Completion] = []

    def complete() -> None:
        done.append(complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                                       work_item_id=item_id, raw=raw))  # fmt: skip

    selects = _statements_of(db_engine, complete)
    walk.session.expire_all()
    in_the_database = walk.session.scalars(
        select(WorkItem.title).where(WorkItem.case_id == walk.case.id, WorkItem.status == WorkItemStatus.OPEN)
    ).all()  # fmt: skip
    assert sorted(done[0].next_steps) == sorted(in_the_database)
    assert len(in_the_database) == 2
    assert title not in done[0].next_steps
    assert {walk.item("approve_withholding").title, walk.item("registration").title} == set(done[0].next_steps)
    assert len([s for s in selects if " FROM work_items " in s and " JOIN cases " not in s]) == 1
