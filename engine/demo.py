"""Deterministic, obviously synthetic demo data for ``make run`` and manual testing.

Every name says "Demo" or ``សាកល្បង`` ("test"); no value looks like a real person, place of birth or
story. The same seed and ``now`` always give the same data. Cases are not written in their phase
directly: each one is walked through the real workflows (every step submitted through its form, with
a clock that starts when the case was opened), so work items, timers, history and overdue visits are
exactly what the product itself would have produced.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts.service import create_user
from engine.accounts.training import NewTraining, TrainingRules, record_training
from engine.cases.service import NewSurvivor, open_case
from engine.clock import local_today
from engine.db import transaction
from engine.models.accounts import Organisation, OrganisationKind, Role, Team, User
from engine.models.cases import Case, FamilyMember, Sex
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.security.consent import NewConsent, is_minor, record_consent
from engine.security.fields import parse_groups
from engine.workflow.assignments import warn_if_untrained
from engine.workflow.service import (
    Runtime,
    complete_work_item,
    fire_due_timers,
    start_case_workflow,
    start_record_review,
)
from workflows.forms import Form

DEMO_PASSWORD = "demo-password-2026"
SEED = 9009
CASES = 36
UNASSIGNED = (10, 28)  # just admitted by a supervisor, not yet given to anyone: the team's unassigned queue
REVIEWED = 6  # the survivor reviewed their record today and was distressed: urgent support is open


# user name, role, team ("A", "B", "dosvy" for the DoSVY office, None), display name, language
_ACCOUNTS: tuple[tuple[str, Role, str | None, str, str], ...] = (
    ("admin", Role.ADMINISTRATOR, None, "Demo Administrator", "en"),
    ("supervisor.a", Role.SUPERVISOR, "A", "Demo Supervisor A", "en"),
    ("supervisor.b", Role.SUPERVISOR, "B", "Demo Supervisor B", "km"),
    ("caseworker.a1", Role.CASEWORKER, "A", "Demo Caseworker A1", "en"),
    ("caseworker.a2", Role.CASEWORKER, "A", "Demo Caseworker A2", "km"),
    ("caseworker.b1", Role.CASEWORKER, "B", "Demo Caseworker B1", "en"),
    ("caseworker.b2", Role.CASEWORKER, "B", "Demo Caseworker B2", "en"),
    ("dosvy.officer", Role.DOSVY_OFFICER, "dosvy", "Demo DoSVY Officer", "en"),
    ("reporting", Role.REPORTING, None, "Demo Reporting Officer", "en"),
)
_TEAM_NAMES = {"A": "Demo Team A", "B": "Demo Team B", "dosvy": None, None: None}
# The training register: (user name, course, completed days ago, expires in days from today). Caseworker A2's
# Minimum Standards training expires within the warning period, Supervisor B's UDHR training has expired,
# and Caseworker B1 has none: the register page and the reminders have something to show.
_TRAININGS: tuple[tuple[str, str, int, int], ...] = (
    *((name, course, 400, 330) for name in ("supervisor.a", "caseworker.a1", "caseworker.b2", "dosvy.officer")
      for course in ("udhr", "minimum_standards")),
    ("caseworker.a2", "udhr", 200, 530), ("caseworker.a2", "minimum_standards", 700, 30),
    ("supervisor.b", "udhr", 740, -10), ("supervisor.b", "minimum_standards", 300, 430),
)  # fmt: skip
DEMO_USERS: tuple[tuple[str, Role, str | None], ...] = tuple(
    (username, role, _TEAM_NAMES[team]) for username, role, team, _display, _lang in _ACCOUNTS
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    team: str | None


def seed_demo(
    *, session: Session, hasher: PasswordHasher, runtime: Runtime, now: dt.datetime, code_prefix: str = "RG"
) -> list[DemoLogin] | None:
    """Fill an empty database with demo data; return the logins, or ``None`` if users already exist."""
    rng = random.Random(SEED)
    with transaction(session):
        if session.scalar(select(func.count()).select_from(User)):
            return None
        gov = Organisation(
            name="Demo Government Shelter (synthetic)", kind=OrganisationKind.GOVERNMENT_SHELTER, province_code="12"
        )
        ngo = Organisation(
            name="Demo NGO Shelter (synthetic)",
            kind=OrganisationKind.NGO_SHELTER,
            province_code="17",
            mosvy_agreement_date=dt.date(2020, 1, 15),
        )
        dosvy = Organisation(
            name="Demo DoSVY Office (synthetic)", kind=OrganisationKind.DOSVY_OFFICE, province_code="02"
        )
        session.add_all([gov, ngo, dosvy])
        session.flush()
        team_a, team_b = (
            Team(organisation_id=gov.id, name=_TEAM_NAMES["A"] or ""),
            Team(organisation_id=ngo.id, name=_TEAM_NAMES["B"] or ""),
        )
        session.add_all([team_a, team_b])
        session.flush()

        orgs = {"A": (gov, team_a), "B": (ngo, team_b), "dosvy": (dosvy, None), None: (None, None)}
        accounts: dict[str, User] = {}
        for username, role, team_key, display, language in _ACCOUNTS:
            org, team = orgs[team_key]
            uid = create_user(
                session=session, hasher=hasher, now=now, username=username, display_name=display,
                password=DEMO_PASSWORD, role=role, organisation_id=org.id if org else None,
                team_id=team.id if team else None, language=language,
            )  # fmt: skip
            found = session.get(User, uid)
            assert found is not None
            accounts[username] = found
        _record_trainings(session, accounts, now)
        supervisors = [accounts["supervisor.a"], accounts["supervisor.b"]]
        workers = [accounts[name] for name in ("caseworker.a1", "caseworker.a2", "caseworker.b1", "caseworker.b2")]

        for n in range(1, CASES + 1):
            worker = workers[(n - 1) % len(workers)]
            supervisor = supervisors[0] if worker.team_id == team_a.id else supervisors[1]
            plan = PLANS[(n - 1) % len(PLANS)]
            opened = now - dt.timedelta(days=plan.days_ago + rng.randint(0, 20), hours=rng.randint(0, 23))
            case = open_case(
                session=session, actor=supervisor, now=opened, team_id=worker.team_id or 0,
                survivor=NewSurvivor(
                    sex=rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE]),
                    given_name_latin=f"Demo Survivor {n:02d}", family_name_latin="Sample",
                    given_name_km=f"សាកល្បង {n:02d}", alias=f"Sample {n:02d}",
                    date_of_birth=dt.date(2000 + rng.randint(0, 10), rng.randint(1, 12), rng.randint(1, 28)),
                ),
                caseworker_id=None if n in UNASSIGNED else worker.id, code_prefix=code_prefix, rng=rng,
            )  # fmt: skip
            if case.caseworker_id is not None:  # as admission does when a supervisor chooses the caseworker
                warn_if_untrained(session=session, assignee=worker, case=case, step=None, now=opened,
                                  rules=runtime.rules)  # fmt: skip
            parent = FamilyMember(case_id=case.id, updated_by_id=worker.id, updated_at=opened, relationship="mother",
                                  name=f"Demo Parent {n:02d}", occupation="Demo occupation")  # fmt: skip
            session.add(parent)
            start_case_workflow(session=session, runtime=runtime, case=case, actor=worker, now=opened)
            actors = {
                Role.CASEWORKER: worker,
                Role.SUPERVISOR: supervisor,
                Role.DOSVY_OFFICER: accounts["dosvy.officer"],
            }
            walk_plan(session, runtime, case, actors, plan, opened, now, rng)
            if n == REVIEWED:
                _review_with_distress(session, runtime, case, actors, now)
        fire_due_timers(session=session, runtime=runtime, now=now, limit=CASES * 4)
        return [DemoLogin(username, role, team) for username, role, team in DEMO_USERS]


def _record_trainings(session: Session, accounts: dict[str, User], now: dt.datetime) -> None:
    today = local_today(now)
    for username, course, done_ago, expires_in in _TRAININGS:
        new = NewTraining(user_id=accounts[username].id, course=course,
                          completed_on=today - dt.timedelta(days=done_ago), trainer="Demo Trainer (synthetic)",
                          expires_on=today + dt.timedelta(days=expires_in))  # fmt: skip
        record_training(session=session, actor=accounts["admin"], now=now, new=new, rules=TrainingRules())


@dataclass(frozen=True)
class Plan:
    """How far a demo case gets: the steps to walk and how long ago it was opened."""

    days_ago: int
    steps: int  # how many of PRE_AND_REINTEGRATION to complete (15 = all)
    visits: tuple[dict[str, object], ...] = ()
    then: tuple[tuple[str, dict[str, object]], ...] = ()


_CONTINUE: dict[str, object] = {}
_MISSED: dict[str, object] = {"contact_made": False, "mode": "not_reached", "seen_alone": ""}
_CLOSE: dict[str, object] = {"visit_outcome": "ready_to_close"}
PLANS = (
    Plan(days_ago=0, steps=0),  # just admitted: registration due today
    Plan(days_ago=12, steps=3),  # needs assessment under way
    Plan(days_ago=40, steps=5, then=(("approve_case_plan", {"decision": "return",  # returned: back with a comment
                                                             "comment": "Synthetic demo: add the education goal"}),)),
    Plan(days_ago=75, steps=11),  # reintegration agreement waiting for approval
    Plan(days_ago=95, steps=13),  # reintegration: hand-over overdue
    Plan(days_ago=160, steps=15, visits=(_CONTINUE,)),  # Type 1 follow-up; next visit overdue
    Plan(days_ago=150, steps=15, visits=(_MISSED, _MISSED)),  # lost contact, tracing
    Plan(days_ago=520, steps=15, visits=(_CONTINUE,) * 7,
         then=(("case_transfer", {}), ("accept_transfer", {"accepted": True}))),
    # closed: Type 1 visits until the follow-up schedule lets a visit mark the case ready to close
    Plan(days_ago=300, steps=15, visits=(*(_CONTINUE,) * 4, _CLOSE),
         then=(("final_assessment", {}), ("closure_record", {"reason": "goals_met", "survivor_informed": True}),
               ("approve_closure", {"decision": "approve"}))),
)  # fmt: skip
PRE_AND_REINTEGRATION: tuple[tuple[str, dict[str, object]], ...] = (
    ("registration", {"destination_country": "TH"}), ("consent", {}), ("risk_screen", {"risk_level": "low"}),
    ("needs_assessment", {}), ("case_plan", {}), ("approve_case_plan", {"decision": "approve"}),
    ("family_tracing", {"family_found": True}), ("family_assessment", {"safety_rating": "safe_with_support"}),
    ("return_risk", {"risk_level": "low"}), ("case_conference", {"placement": "family_of_origin"}),
    ("reintegration_plan", {"dosvy_notice_consent": False}), ("approve_agreement", {"decision": "approve"}),
    ("prepare_family", {}), ("handover", {}), ("first_contact", {}),
)  # fmt: skip


def synthetic_submission(form: Form, today: dt.date, overrides: dict[str, object]) -> dict[str, object]:
    """A valid, obviously synthetic submission of every field of ``form``, with ``overrides`` (a reason to
    override a missing consent is left empty unless given: overriding is never the default)."""
    raw: dict[str, object] = {}
    for f in form.fields:
        if f.name == "override_reason":
            continue
        if f.type in ("text", "long_text"):
            raw[f.name] = "Synthetic demo entry"
        elif f.type == "date":
            raw[f.name] = today.isoformat()
        elif f.type == "choice":
            raw[f.name] = f.choices[0].value
        elif f.type == "multi_choice":
            raw[f.name] = [f.choices[0].value]
        elif f.type == "yes_no":
            raw[f.name] = "yes"
        elif f.type == "number":
            raw[f.name] = str(f.min if f.min is not None else 1)
        elif f.type == "country":
            raw[f.name] = "TH"
    raw.update({k: ("yes" if v is True else "no" if v is False else v) for k, v in overrides.items()})
    return raw


def _transfer(session: Session, case: Case, actors: dict[Role, User], when: dt.datetime) -> dict[str, object]:
    """The case-transfer step's values: to the demo office, with the survivor's consent on every other case
    and, on the rest, with an override (so the supervisors' "consent overridden" notice shows too)."""
    office_id = actors[Role.DOSVY_OFFICER].organisation_id
    assert office_id is not None, "the demo DoSVY officer belongs to the demo office"
    groups = ["identity", "addresses", "plan", "family"]
    if case.id % 2:
        return {"to_office": str(office_id), "shared_groups": groups,
                "override_reason": "Synthetic demo: consent to be recorded at the next visit"}  # fmt: skip
    minor = is_minor(session, case, when.date())
    consent = NewConsent(kind="data_sharing", given_by="guardian" if minor else "survivor", method="signature",
                         given_on=when.date(), recipient_org_id=office_id, purpose="Type 2 follow-up (demo)",
                         groups=parse_groups(",".join(groups)))  # fmt: skip
    record_consent(session=session, actor=actors[Role.CASEWORKER], now=when, case=case, consent=consent)
    return {"to_office": str(office_id), "shared_groups": groups}


def _review_with_distress(session: Session, runtime: Runtime, case: Case, actors: dict[Role, User],
                          now: dt.datetime) -> None:  # fmt: skip
    """A record review during which the survivor was distressed: urgent support due within the day."""
    clock = now - dt.timedelta(hours=8)
    start_record_review(session=session, runtime=runtime, actor=actors[Role.CASEWORKER], now=clock, case=case)
    steps: tuple[tuple[str, dict[str, object]], ...] = (
        ("prepare_review", {"third_party_withheld": False}), ("approve_withholding", {"decision": "approve"}),
        ("review_session", {"distress": True}),
    )  # fmt: skip
    for name, overrides in steps:
        clock += dt.timedelta(hours=2)
        item = session.scalar(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.task_name == name,
                                                     WorkItem.status == WorkItemStatus.OPEN))  # fmt: skip
        assert item is not None, f"the record review waits at {name}"
        raw = synthetic_submission(runtime.forms[item.form_key], clock.date(), overrides)
        complete_work_item(session=session, runtime=runtime, actor=actors[item.role], now=clock, work_item_id=item.id,
                           raw=raw)  # fmt: skip


def walk_plan(session: Session, runtime: Runtime, case: Case, actors: dict[Role, User], plan: Plan,
              clock: dt.datetime, now: dt.datetime, rng: random.Random) -> None:  # fmt: skip
    """Submit ``plan``'s steps of ``case`` through their forms, each a few days after the last, until ``now``
    (the benchmark dataset walks its template cases with it too)."""
    steps = list(PRE_AND_REINTEGRATION[: plan.steps])
    steps += [("conduct_visit", {"visit_outcome": "continue", "risk_level": "low", "contact_made": True,
                                 "mode": "home_visit", **v}) for v in plan.visits]  # fmt: skip
    steps += list(plan.then)
    for name, overrides in steps:
        open_item = (WorkItem.case_id == case.id, WorkItem.task_name == name, WorkItem.status == WorkItemStatus.OPEN)
        item = session.scalar(select(WorkItem).where(*open_item))
        if item is None:
            return
        visit_due = item.due_at if name == "conduct_visit" else None
        clock = visit_due or clock + dt.timedelta(days=rng.randint(1, 3))
        if clock >= now:
            return  # the rest of this case lies in the future
        values = dict(overrides)
        if name == "conduct_visit":
            values.setdefault("visit_date", clock.date().isoformat())
        if name == "case_transfer":
            values.update(_transfer(session, case, actors, clock))
        raw = synthetic_submission(runtime.forms[item.form_key], clock.date(), values)
        complete_work_item(session=session, runtime=runtime, actor=actors[item.role], now=clock, work_item_id=item.id,
                           raw=raw)  # fmt: skip
