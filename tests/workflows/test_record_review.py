"""Seed item 9: the survivor reviews their own record; distress brings urgent support within 24 hours."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from engine.errors import Forbidden, InvalidInput
from engine.models.cases import CaseEvent, Phase
from engine.models.notices import Delivery, Notice
from engine.models.workflow import InstanceStatus, WorkflowInstance
from engine.workflow.service import case_diagram, start_record_review


def _start(walk):
    start_record_review(
        session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now, case=walk.refresh()
    )


def test_distress_during_the_review_opens_an_urgent_support_task_and_tells_the_supervisor(walk):
    _start(walk)
    assert sorted(walk.open_names()) == ["prepare_review", "registration"]  # beside the phase, not instead of it
    walk.do("prepare_review", third_party_withheld=True, withheld_items="Synthetic: a relative's statement",
            withholding_reasons="Synthetic: third-party information")  # fmt: skip
    walk.do("approve_withholding", decision="approve")
    walk.do("review_session", distress=True)
    support = walk.item("urgent_support")
    assert support.priority == 1
    assert support.due_at == walk.now + dt.timedelta(hours=24)
    urgent = walk.session.scalars(select(CaseEvent.summary).where(CaseEvent.kind == "urgent")).all()
    assert urgent == ["Urgent: Urgent psychological support"]
    notice = walk.session.scalar(select(Notice).where(Notice.kind == "urgent"))  # the supervisors hear at once
    assert notice is not None
    assert json.loads(notice.payload) == {"case_code": walk.case.code, "step": "Urgent psychological support",
                                          "due_at": support.due_at.isoformat()}  # fmt: skip
    told = walk.session.scalars(select(Delivery.recipient_id).where(Delivery.notice_id == notice.id)).all()
    assert told == [walk.supervisor.id]
    walk.do("urgent_support")
    review = walk.session.scalar(select(WorkflowInstance).where(WorkflowInstance.process_id == "record_review"))
    assert review.status is InstanceStatus.COMPLETED
    assert review.outcome == "supported"
    assert walk.refresh().phase is Phase.PRE_REINTEGRATION
    assert walk.open_names() == ["registration"]


def test_a_calm_review_ends_without_a_support_task(walk):
    _start(walk)
    walk.do("prepare_review", third_party_withheld=False)
    walk.do("approve_withholding", decision="approve")
    walk.do("review_session", distress=False)
    assert walk.session.scalar(select(Notice).where(Notice.kind == "urgent")) is None
    assert walk.open_names() == ["registration"]


def test_withholding_returned_by_the_supervisor_goes_back_to_preparation(walk):
    _start(walk)
    walk.do("prepare_review", third_party_withheld=True, withheld_items="Synthetic", withholding_reasons="Synthetic")
    walk.do("approve_withholding", decision="return", comment="Synthetic: give a reason per item")
    assert "prepare_review" in walk.open_names()


def test_withholding_needs_a_reason(walk, session):
    from engine.workflow.service import complete_work_item
    from tests.workflows.conftest import fill

    _start(walk)
    item = walk.item("prepare_review")
    raw = fill(walk.runtime.forms["record_review_preparation"], walk.now.date(), {"third_party_withheld": True})
    raw["withholding_reasons"] = ""
    with pytest.raises(InvalidInput) as refused:
        complete_work_item(session=session, runtime=walk.runtime, actor=walk.worker, now=walk.now, work_item_id=item.id,
                           raw=raw)  # fmt: skip
    assert "withholding_reasons" in refused.value.fields


def test_one_review_at_a_time_and_only_by_case_staff(walk, factory):
    from engine.models.accounts import Role

    _start(walk)
    with pytest.raises(InvalidInput, match="already under way"):
        _start(walk)
    stranger = factory.user(Role.CASEWORKER, factory.team())
    with pytest.raises(Forbidden):
        start_record_review(
            session=walk.session, runtime=walk.runtime, actor=stranger, now=walk.now, case=walk.refresh()
        )


def test_the_case_diagram_stays_on_the_phase_during_a_review(walk):
    _start(walk)
    assert (
        case_diagram(session=walk.session, runtime=walk.runtime, case=walk.refresh()).process_id == "pre_reintegration"
    )
