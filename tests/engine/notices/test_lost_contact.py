"""Lost contact by time: no recorded contact for the configured period (with the visit overdue past the
grace period) moves the case onto the lost-contact path and tells the caseworker and the supervisor."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from engine.jobs.lost_contact import detect_lost_contact, last_contact
from engine.models.cases import CaseStatus
from engine.models.workflow import InstanceStatus, WorkflowInstance
from engine.notices.rules import Rules
from tests.engine.notices.scenarios import RULES, at, in_follow_up, inbox_recipients, notices


def detect(walk, now, rules=RULES):
    walk.now = now
    return detect_lost_contact(session=walk.session, runtime=walk.runtime, now=now, rules=rules)


def running(walk):
    walk.session.expire_all()
    return walk.session.scalars(select(WorkflowInstance.process_id).where(
        WorkflowInstance.case_id == walk.case.id, WorkflowInstance.status == InstanceStatus.RUNNING)).all()  # fmt: skip


def test_no_contact_for_90_days_starts_the_lost_contact_path_once(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)  # handed over and first contact at NOW; visit due a month later
    assert detect(walk, at(89)).created == 0
    assert running(walk) == ["follow_up_1"]

    assert detect(walk, at(91)).created == 1
    assert walk.refresh().status is CaseStatus.LOST_CONTACT
    assert running(walk) == ["lost_contact"]
    (notice,) = notices(session, "lost_contact")
    assert inbox_recipients(session, notice) == sorted([walk.worker.id, walk.supervisor.id])
    assert detect(walk, at(92)).created == 0


def test_a_missed_visit_is_not_contact(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    walk.visit(contact_made=False, mode="not_reached")  # one miss; the diagram waits for a second
    assert last_contact(session, walk.refresh()) == at(0).replace(hour=0)
    detect(walk, at(91))
    assert walk.refresh().status is CaseStatus.LOST_CONTACT


def test_recent_contact_keeps_the_case_in_follow_up(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    walk.visit()  # contact made on the visit's due date, a month after hand-over
    detect(walk, at(100))
    assert walk.refresh().status is CaseStatus.OPEN


def test_a_long_visit_interval_does_not_count_as_lost_contact(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    visit = walk.item("conduct_visit")
    with session.begin_nested():  # as in Type 2 follow-up, where a visit may be six months away
        visit.due_at = at(180)
    session.commit()
    detect(walk, at(120))
    assert walk.refresh().status is CaseStatus.OPEN


def test_the_period_is_configurable(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    due = walk.item("conduct_visit").due_at
    detect(walk, due + dt.timedelta(days=4), dataclasses.replace(Rules(), lost_contact=dt.timedelta(days=30)))
    assert walk.refresh().status is CaseStatus.LOST_CONTACT
