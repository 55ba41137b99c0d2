"""Workflow steps refuse implausible dates and unknown countries (issue 13 item 8): registration against
the date of birth on file, the first contact and the visits against the hand-over; nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidInput
from engine.models.cases import CaseRecord, Identity
from engine.workflow.service import complete_work_item
from tests.workflows.conftest import fill


def _refused(walk, task_name, lang="en", **values):
    item = walk.item(task_name)
    raw = fill(walk.runtime.forms[item.form_key], walk.now.date(), values)
    records = walk.session.scalar(select(func.count()).select_from(CaseRecord))
    with pytest.raises(InvalidInput) as refused:
        complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                           work_item_id=item.id, raw=raw, lang=lang)  # fmt: skip
    assert walk.item(task_name).id == item.id  # still open
    assert walk.session.scalar(select(func.count()).select_from(CaseRecord)) == records
    return refused.value.fields


def test_registration_refuses_country_zz_and_leaving_home_before_birth(walk):
    walk.session.execute(Identity.__table__.update().where(Identity.case_id == walk.case.id)
                         .values(date_of_birth=dt.date(2006, 1, 1)))  # fmt: skip
    fields = _refused(walk, "registration", lang="km", destination_country="ZZ", left_home_on="2005-12-31")
    assert fields["destination_country"].startswith("មិនមែនជាលេខកូដប្រទេសដែលស្គាល់")
    assert fields["left_home_on"] == "កាលបរិច្ឆេទចាកចេញពីផ្ទះមិនអាចមុនថ្ងៃខែឆ្នាំកំណើតបានទេ។"


def test_registration_refuses_the_year_1800(walk):
    fields = _refused(walk, "registration", left_home_on="1800-01-01")
    assert fields == {"left_home_on": "Not a plausible date: more than 100 years ago"}


def test_first_contact_before_the_hand_over_is_refused(walk):
    walk.pre_reintegration()
    walk.do("prepare_family")
    walk.do("handover", handover_date=walk.now.date().isoformat())
    day_before = (walk.now.date() - dt.timedelta(days=1)).isoformat()
    fields = _refused(walk, "first_contact", contact_date=day_before)
    assert fields == {"contact_date": "The first contact cannot be before the hand-over (the day of reintegration)."}
    walk.do("first_contact", contact_date=walk.now.date().isoformat())  # the day of the hand-over is fine
    assert "first_contact" in walk.done


def test_a_follow_up_visit_before_the_hand_over_is_refused(walk):
    walk.pre_reintegration()
    walk.reintegration()
    day_before = (walk.now.date() - dt.timedelta(days=2)).isoformat()
    fields = _refused(walk, "conduct_visit", lang="km", visit_date=day_before, contact_made=True, mode="home_visit",
                      seen_alone=True, visit_outcome="continue", risk_level="low")  # fmt: skip
    assert fields == {"visit_date": "កាលបរិច្ឆេទនេះមិនអាចមុនការប្រគល់ (ថ្ងៃសមាហរណកម្ម) បានទេ។"}
