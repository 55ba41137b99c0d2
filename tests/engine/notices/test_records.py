"""Record-update reminders: a stale case-file section gets a reminder to the caseworker, repeated once per
record cadence; updating the section stops them; supervisors can list their team's stale sections."""

from __future__ import annotations

import dataclasses
import json

from engine.cases.case_file import apply_targets
from engine.db import transaction
from engine.jobs.reminders import find_stale_sections, remind_stale_records
from engine.models.accounts import Role
from engine.notices.rules import Rules
from tests.engine.notices.scenarios import RULES, at, inbox_recipients, notices

IDENTITY_30 = dataclasses.replace(Rules(), section_max_age_days=(("identity", 30),))


def remind(session, now, rules=IDENTITY_30):
    return remind_stale_records(session=session, now=now, rules=rules)


def update_identity(session, case, worker, now):
    with transaction(session):
        apply_targets(session=session, case=case, actor=worker, now=now, targets={"identity.place_of_birth": "—"})


def test_a_stale_section_gets_one_reminder_and_updating_it_stops_them(session, factory):
    worker = factory.user(Role.CASEWORKER, factory.team())
    case = factory.case(worker)  # the identity section is written at admission, at NOW
    remind(session, at(30))
    assert notices(session) == []  # 30 days old is not yet older than 30 days

    remind(session, at(31))
    remind(session, at(32))
    (reminder,) = notices(session)
    assert (reminder.kind, reminder.subject) == ("stale_record", f"case:{case.id}:identity")
    assert inbox_recipients(session, reminder) == [worker.id]
    assert json.loads(reminder.payload) == {"case_code": case.code, "section": "identity", "max_age_days": 30,
                                            "updated_at": at(0).isoformat()}  # fmt: skip

    update_identity(session, case, worker, at(33))
    for day in (40, 62, 63):  # past the record cadence, but the section is fresh again
        remind(session, at(day))
    assert len(notices(session)) == 1


def test_reminders_repeat_once_per_record_cadence_while_the_section_stays_stale(session, factory):
    worker = factory.user(Role.CASEWORKER, factory.team())
    factory.case(worker)
    for day in (31, 45, 60):  # stale since day 30: one record cadence (30 days) ends on day 60
        remind(session, at(day))
    assert [n.period.rsplit("/", 1)[1] for n in notices(session)] == ["0", "1"]


def test_each_section_has_its_own_maximum_age(session, factory):
    worker = factory.user(Role.CASEWORKER, factory.team())
    factory.case(worker)
    remind(session, at(31), RULES)  # default: 90 days for every section
    assert notices(session) == []
    remind(session, at(91), RULES)
    assert [n.subject.rsplit(":", 1)[1] for n in notices(session)] == ["identity"]


def test_a_section_never_written_is_not_reminded(session, factory):
    worker = factory.user(Role.CASEWORKER, factory.team())
    factory.case(worker)  # no medical record, no family assessment, ...
    remind(session, at(400), RULES)
    assert {n.subject.rsplit(":", 1)[1] for n in notices(session)} == {"identity"}


def test_a_case_without_caseworker_reminds_the_supervisors(session, factory):
    team = factory.team()
    supervisor = factory.user(Role.SUPERVISOR, team)
    worker = factory.user(Role.CASEWORKER, team)
    case = factory.case(worker)
    with session.begin_nested():
        case.caseworker_id = None
    session.commit()
    remind(session, at(31))
    (reminder,) = notices(session)
    assert inbox_recipients(session, reminder) == [supervisor.id]


def test_supervisors_see_the_stale_sections_of_their_own_team(session, factory):
    mine, other = factory.team(), factory.team()
    stale = factory.case(factory.user(Role.CASEWORKER, mine))
    factory.case(factory.user(Role.CASEWORKER, other))
    found = find_stale_sections(session=session, now=at(31), rules=IDENTITY_30, team_id=mine.id)
    assert [(s.case_code, s.section, s.max_age_days) for s in found] == [(stale.code, "identity", 30)]
