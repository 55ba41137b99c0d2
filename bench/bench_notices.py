"""Benchmark: the reminder scans and the outbox on SQLite in a temp folder.

N cases each have one overdue work item. Prints JSON: the first overdue scan (writes N notices), the
same scan again (finds every key already written), the stale-record scan, and delivering N e-mails
through a sender that does nothing (the database side of delivery).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from engine import migrate
from engine.crypto import generate_keyring, install_keyring
from engine.db import make_engine, make_session_factory, transaction
from engine.jobs.reminders import remind_overdue_work, remind_stale_records
from engine.models.accounts import Organisation, OrganisationKind, Role, Team, User
from engine.models.cases import Case, CaseStatus, Identity, Phase, Sex
from engine.models.workflow import InstanceStatus, WorkflowInstance, WorkflowSpec, WorkItem, WorkItemStatus
from engine.notices.delivery import deliver_due_notices
from engine.notices.outbox import Report
from engine.notices.rules import Rules

N = 2000


def _seed(session: Session, now: dt.datetime) -> None:
    with transaction(session):
        org = Organisation(name="Bench Shelter", kind=OrganisationKind.GOVERNMENT_SHELTER, province_code="12")
        session.add(org)
        session.flush()
        team = Team(organisation_id=org.id, name="Bench Team")
        session.add(team)
        session.flush()
        users = [User(username=f"bench.{role.value}", display_name="Bench", password_hash="-", role=role,
                      team_id=team.id, email="bench@example.org", created_at=now, language="en")
                 for role in (Role.CASEWORKER, Role.SUPERVISOR)]  # fmt: skip
        session.add_all(users)
        session.add(WorkflowSpec(key="bench@0", process_id="bench", files="{}", deployed_at=now))
        session.flush()
        long_ago = now - dt.timedelta(days=200)
        for n in range(N):
            case = Case(code=f"BN-{n:06d}", phase=Phase.FOLLOW_UP_1, status=CaseStatus.OPEN, team_id=team.id,
                        caseworker_id=users[0].id, opened_at=long_ago)  # fmt: skip
            session.add(case)
            session.flush()
            session.add(Identity(case_id=case.id, given_name_latin="Bench", sex=Sex.FEMALE, updated_at=long_ago))
            instance = WorkflowInstance(case_id=case.id, process_id="bench", spec_key="bench@0", state="{}",
                                        status=InstanceStatus.RUNNING, started_at=long_ago)  # fmt: skip
            session.add(instance)
            session.flush()
            session.add(WorkItem(case_id=case.id, instance_id=instance.id, task_id=str(n), task_name="visit",
                                 title="Follow-up visit", form_key="follow_up_visit", process_id="bench",
                                 role=Role.CASEWORKER, team_id=team.id, assignee_id=users[0].id,
                                 status=WorkItemStatus.OPEN, due_at=now - dt.timedelta(days=5),
                                 created_at=long_ago))  # fmt: skip


def _timed(run: Callable[[], Report]) -> tuple[Report, float]:
    start = time.perf_counter()
    result = run()
    return result, round(time.perf_counter() - start, 3)


def main() -> None:
    now = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)  # a fixed instant: the data, not the timing
    install_keyring(generate_keyring())
    rules = dataclasses.replace(Rules(), channels=frozenset({"inbox", "email"}))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        migrate.upgrade(url)
        session = make_session_factory(make_engine(url))()
        _seed(session, now)
        first, first_s = _timed(lambda: remind_overdue_work(session=session, now=now, rules=rules))
        again, again_s = _timed(lambda: remind_overdue_work(session=session, now=now, rules=rules))
        stale, stale_s = _timed(lambda: remind_stale_records(session=session, now=now, rules=rules))
        sent = 0
        start = time.perf_counter()
        while (report := deliver_due_notices(session=session, now=now, rules=rules, send=lambda _out: None)).created:
            sent += report.created
        deliver_s = round(time.perf_counter() - start, 3)
    print(json.dumps({
        "benchmark": "notices", "overdue_items": N, "overdue_scan_first_s": first_s, "notices_written": first.created,
        "overdue_scan_again_s": again_s, "notices_written_again": again.created, "stale_scan_s": stale_s,
        "stale_reminders": stale.created, "emails_delivered": sent, "deliveries_per_s": round(sent / deliver_s, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
