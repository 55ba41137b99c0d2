"""Benchmark: the cost of one follow-up visit step as a case's history grows (target: flat).

Walks one synthetic case into Type 1 follow-up on SQLite, then completes VISITS visits through the
workflow service (load -> complete -> save -> materialise, one transaction each) and prints JSON with the
median milliseconds per visit for the first and the last 50 visits, and the saved state size.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.common import peak_rss_mb, write_result
from engine import migrate
from engine.accounts.passwords import make_hasher
from engine.accounts.service import create_user
from engine.cases.service import NewSurvivor, open_case
from engine.crypto import generate_keyring, install_keyring
from engine.db import make_engine, make_session_factory, transaction
from engine.demo import synthetic_submission
from engine.errors import InvalidInput
from engine.models.accounts import Organisation, OrganisationKind, Role, Team, User
from engine.models.cases import Sex
from engine.models.workflow import WorkflowInstance, WorkItem, WorkItemStatus
from engine.workflow.service import complete_work_item, load_runtime, start_case_workflow

VISITS = 340  # Type 1 ends after a year of visits; 340 daily visits stay inside it
STEPS: list[tuple[str, dict[str, str]]] = [
    ("registration", {"destination_country": "TH"}), ("consent", {}), ("risk_screen", {"risk_level": "high"}),
    ("needs_assessment", {}),
    ("case_plan", {}), ("approve_case_plan", {"decision": "approve"}), ("family_tracing", {"family_found": "no"}),
    ("case_conference", {"placement": "community"}), ("reintegration_plan", {"dosvy_notice_consent": "no"}),
    ("approve_agreement", {"decision": "approve"}), ("prepare_family", {}), ("handover", {}), ("first_contact", {}),
]  # fmt: skip


def main() -> None:
    install_keyring(generate_keyring())
    runtime = load_runtime()
    now = dt.datetime(2026, 1, 1, 3, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        migrate.upgrade(url)
        session = make_session_factory(make_engine(url))()
        with transaction(session):
            org = Organisation(name="Bench Shelter", kind=OrganisationKind.GOVERNMENT_SHELTER, province_code="12")
            session.add(org)
            session.flush()
            team = Team(organisation_id=org.id, name="Bench Team")
            session.add(team)
        hasher = make_hasher("fast")
        users = {
            role: session.get(User, create_user(
                session=session, hasher=hasher, now=now, username=f"bench.{role.value}", display_name="Bench",
                password="bench-password-123", role=role, team_id=team.id))
            for role in (Role.CASEWORKER, Role.SUPERVISOR)
        }  # fmt: skip
        worker = users[Role.CASEWORKER]
        assert worker is not None
        case = open_case(session=session, actor=worker, now=now, team_id=team.id,
                         survivor=NewSurvivor(sex=Sex.FEMALE, given_name_latin="Bench"))  # fmt: skip
        start_case_workflow(session=session, runtime=runtime, case=case, actor=worker, now=now)

        def step(name: str, overrides: dict[str, str]) -> float:
            item = session.scalar(
                select(WorkItem).where(WorkItem.task_name == name, WorkItem.status == WorkItemStatus.OPEN)
            )
            assert item is not None, name
            actor = users[item.role]
            assert actor is not None, item.role
            raw = synthetic_submission(runtime.forms[item.form_key], now.date(), dict(overrides))
            start = time.perf_counter()
            try:
                complete_work_item(
                    session=session, runtime=runtime, actor=actor, now=now, work_item_id=item.id, raw=raw
                )
            except InvalidInput as exc:
                raise SystemExit(f"{name}: {exc.fields}") from None
            return (time.perf_counter() - start) * 1000

        for name, overrides in STEPS:
            step(name, overrides)
        timings = []
        for _ in range(VISITS):
            now += dt.timedelta(days=1)
            visit = {"visit_date": now.date().isoformat(), "contact_made": "yes", "visit_outcome": "continue",
                     "risk_level": "high", "mode": "home_visit"}  # fmt: skip
            timings.append(step("conduct_visit", visit))
        last = session.scalar(select(WorkflowInstance).order_by(WorkflowInstance.id.desc()).limit(1))
        assert last is not None
        first, late = statistics.median(timings[:50]), statistics.median(timings[-50:])
        write_result("history", {
            "benchmark": "follow_up_visits", "visits": VISITS,
            "median_ms_first_50": round(first, 2), "median_ms_last_50": round(late, 2),
            "visit_1_ms": round(timings[0], 2), "visit_300_ms": round(timings[299], 2),
            "ratio_last_50_over_first_50": round(late / first, 2),
            "state_bytes_last_instance": len(last.state), "peak_rss_mb": peak_rss_mb(),
        })  # fmt: skip


if __name__ == "__main__":
    main()
