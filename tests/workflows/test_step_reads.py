"""Completing a step reads what it needs once: the step, its case and its workflow instance in one
statement, and each one-row section of the case file once, whether the step's form reads it, writes it or
both (the prefill check and the write share the row)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from engine.models.cases import History, Identity
from engine.workflow.service import complete_work_item
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
