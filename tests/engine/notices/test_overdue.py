"""Overdue tasks and follow-up visits: the caseworker at the due time, the supervisor after the grace
period, each once per cadence period, never again for the same period."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from sqlalchemy import select

from engine.jobs.reminders import remind_overdue_work
from engine.models.accounts import Role
from engine.models.notices import Channel, Delivery, DeliveryStatus
from engine.notices.rules import Rules
from tests.engine.notices.scenarios import RULES, in_follow_up, inbox_recipients, new_walk, notices


def remind(walk, now, rules=RULES):
    walk.now = now
    walk.fire()  # the scheduler fires due timers before it looks for overdue work
    return remind_overdue_work(session=walk.session, now=now, rules=rules)


def test_overdue_visit_tells_the_caseworker_once_then_the_supervisor_once(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    due = walk.item("conduct_visit").due_at

    remind(walk, due + dt.timedelta(hours=1))
    first = notices(session)
    assert [(n.kind, inbox_recipients(session, n)) for n in first] == [("overdue", [walk.worker.id])]
    remind(walk, due + dt.timedelta(hours=2))
    assert len(notices(session)) == 1  # running the job again sends nothing new

    remind(walk, due + RULES.grace + dt.timedelta(hours=1))
    after_grace = notices(session)
    assert [(n.kind, inbox_recipients(session, n)) for n in after_grace] == [
        ("overdue", [walk.worker.id]), ("overdue_supervisor", [walk.supervisor.id])]  # fmt: skip
    remind(walk, due + RULES.grace + dt.timedelta(hours=5))
    assert len(notices(session)) == 2


def test_nothing_is_sent_before_the_due_time(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    remind(walk, walk.item("conduct_visit").due_at - dt.timedelta(minutes=1))
    assert notices(session, "overdue") == []


def test_the_message_carries_case_code_step_and_due_date_only(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    visit = walk.item("conduct_visit")
    remind(walk, visit.due_at + dt.timedelta(hours=1))
    (notice,) = notices(session)
    payload = json.loads(notice.payload)
    assert payload == {"case_code": walk.case.code, "step": "Follow-up visit", "due_at": visit.due_at.isoformat(),
                       "grace_days": 3}  # fmt: skip
    assert notice.case_id == walk.case.id


def test_reminders_repeat_once_per_cadence_period(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    due = walk.item("conduct_visit").due_at
    for hours in (1, 24, 6 * 24):  # all inside the first period
        remind(walk, due + dt.timedelta(hours=hours))
    assert len(notices(session, "overdue")) == 1
    remind(walk, due + RULES.cadence + dt.timedelta(hours=1))
    remind(walk, due + RULES.cadence + dt.timedelta(hours=2))
    assert [n.period.rsplit("/", 1)[1] for n in notices(session, "overdue")] == ["0", "1"]


def test_a_scheduler_that_was_down_sends_one_reminder_for_the_current_period_only(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    due = walk.item("conduct_visit").due_at
    remind(walk, due + 3 * RULES.cadence + dt.timedelta(hours=1))
    assert [n.period.rsplit("/", 1)[1] for n in notices(session, "overdue")] == ["3"]
    assert len(notices(session, "overdue_supervisor")) == 1


def test_a_completed_visit_is_not_reminded_again(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    due = walk.item("conduct_visit").due_at
    remind(walk, due + dt.timedelta(hours=1))
    walk.visit(on_time=False)  # the visit is recorded; the next visit is due in the future
    remind(walk, due + RULES.cadence + dt.timedelta(hours=1))
    assert len(notices(session, "overdue")) == 1


def test_an_unassigned_task_goes_to_every_team_member_with_its_role(session, factory, runtime):
    walk = new_walk(session, factory, runtime)
    other = factory.user(Role.CASEWORKER, walk.worker.team)
    factory.user(Role.CASEWORKER, factory.team())  # another team: not told
    item = walk.item("registration")
    with session.begin_nested():
        item.assignee_id = None
    session.commit()
    remind(walk, item.due_at + dt.timedelta(hours=1))
    (notice,) = notices(session, "overdue")
    assert inbox_recipients(session, notice) == sorted([walk.worker.id, other.id])


def test_a_supervisor_task_is_escalated_to_nobody_else(session, factory, runtime):
    walk = new_walk(session, factory, runtime)
    for step in ("registration", "consent"):
        walk.do(step)
    walk.do("risk_screen", risk_level="low")
    walk.do("needs_assessment")
    walk.do("case_plan")
    approval = walk.item("approve_case_plan")
    remind(walk, approval.due_at + RULES.grace + dt.timedelta(hours=1))
    overdue = [n for n in notices(session) if n.subject == f"work_item:{approval.id}"]
    assert [(n.kind, inbox_recipients(session, n)) for n in overdue] == [("overdue", [walk.supervisor.id])]


def test_email_is_queued_when_configured_and_the_user_has_an_address(session, factory, runtime):
    walk = in_follow_up(session, factory, runtime)
    with session.begin_nested():
        walk.worker.email = "caseworker@example.org"
    session.commit()
    rules = dataclasses.replace(Rules(), channels=frozenset({"inbox", "email"}))
    remind(walk, walk.item("conduct_visit").due_at + dt.timedelta(hours=1), rules)
    deliveries = session.scalars(select(Delivery).order_by(Delivery.channel)).all()
    assert [(d.channel, d.status) for d in deliveries] == [
        (Channel.EMAIL, DeliveryStatus.PENDING), (Channel.INBOX, DeliveryStatus.SENT)]  # fmt: skip
