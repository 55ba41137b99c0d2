"""Digests: daily "due tomorrow and overdue" per caseworker, weekly overdue summary per supervisor; each
once per period, not before its local time (Asia/Phnom_Penh), never empty."""

from __future__ import annotations

import dataclasses
import json

from engine.jobs.digests import queue_daily_digests, queue_weekly_digests
from engine.models.accounts import Role
from engine.notices.preferences import Preferences, set_preferences
from engine.notices.rules import Rules
from tests.engine.notices.scenarios import RULES, at, inbox_recipients, new_walk, notices

# NOW is Sunday 29 November 2026, 10:00 in Phnom Penh. A new case's registration is due a day later.
TUESDAY_0730 = dataclasses.replace(Rules(), weekly_digest_weekday=1)


def daily(session, now, rules=RULES):
    return queue_daily_digests(session=session, now=now, rules=rules)


def weekly(session, now, rules=TUESDAY_0730):
    return queue_weekly_digests(session=session, now=now, rules=rules)


def steps(notice, part):
    return [(t["case_code"], t["step"]) for t in json.loads(notice.payload)[part]]


def test_daily_digest_lists_work_due_by_tomorrow_once_a_day_after_its_time(session, factory, runtime):
    walk = new_walk(session, factory, runtime)
    code, title = walk.case.code, walk.item("registration").title
    daily(session, at(hours=-4))  # 06:00 in Phnom Penh: before the 07:00 digest
    assert notices(session) == []

    daily(session, at(0))
    daily(session, at(hours=1))
    (sunday,) = notices(session, "daily_digest")
    assert (sunday.subject, sunday.period) == (f"user:{walk.worker.id}", "2026-11-29")
    assert inbox_recipients(session, sunday) == [walk.worker.id]
    assert steps(sunday, "overdue") == []
    assert (code, title) in steps(sunday, "due_soon")

    daily(session, at(2))  # Tuesday: registration is now overdue
    tuesday = notices(session, "daily_digest")[-1]
    assert tuesday.period == "2026-12-01"
    assert (code, title) in steps(tuesday, "overdue")


def test_no_daily_digest_without_work_or_when_switched_off(session, factory, runtime):
    walk = new_walk(session, factory, runtime)
    idle = factory.user(Role.CASEWORKER, walk.worker.team)
    set_preferences(session=session, actor=walk.worker, now=at(0), preferences=Preferences(daily_digest=False))
    daily(session, at(0))
    assert notices(session, "daily_digest") == []  # the worker switched it off; the idle colleague has no work
    assert idle.id not in [r for n in notices(session) for r in inbox_recipients(session, n)]


def test_weekly_summary_goes_to_each_supervisor_for_their_own_team_once_a_week(session, factory, runtime):
    walk = new_walk(session, factory, runtime)
    elsewhere = new_walk(session, factory, runtime)  # another team, its own supervisor
    weekly(session, at(1, hours=21))  # Tuesday 07:00 in Phnom Penh: before the 07:30 summary
    assert notices(session) == []

    weekly(session, at(1, hours=22))
    weekly(session, at(3))
    summaries = notices(session, "weekly_overdue")
    assert [(n.subject, n.period) for n in summaries] == [
        (f"user:{walk.supervisor.id}", "2026-W49"), (f"user:{elsewhere.supervisor.id}", "2026-W49")]  # fmt: skip
    payload = json.loads(summaries[0].payload)
    (row,) = payload["caseworkers"]
    assert (row["caseworker"], row["count"]) == (walk.worker.display_name, payload["overdue_count"])
    assert {t["case_code"] for t in row["items"]} == {walk.case.code}


def test_weekly_summary_is_not_sent_when_nothing_is_overdue(session, factory, runtime):
    new_walk(session, factory, runtime)
    weekly(
        session, at(0, hours=1), dataclasses.replace(Rules(), weekly_digest_weekday=6, weekly_digest_at=at(0).time())
    )
    assert notices(session) == []  # Sunday: the registration is not due before Monday
