"""Fixtures to walk the diagrams through the workflow services (no web): a runtime, a case, actors,
and helpers that fill a step's form with valid synthetic values and complete it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.demo import synthetic_submission
from engine.models.accounts import Role, User
from engine.models.cases import Case
from engine.models.workflow import WorkflowInstance, WorkItem, WorkItemStatus
from engine.workflow import runner
from engine.workflow.service import Runtime, complete_work_item, fire_due_timers, load_runtime, start_case_workflow
from tests.conftest import NOW
from workflows.forms import Form


@pytest.fixture(scope="session")
def runtime() -> Runtime:
    return load_runtime()


def fill(form: Form, today: dt.date, overrides: dict[str, Any]) -> dict[str, Any]:
    """A valid submission for every field of ``form`` (obviously synthetic), with ``overrides``."""
    return synthetic_submission(form, today, {"destination_country": "TH", **overrides})


@dataclass
class Walk:
    """One case walking through the diagrams, with a clock the test moves."""

    session: Session
    runtime: Runtime
    case: Case
    worker: User
    supervisor: User
    officer: User
    now: dt.datetime = NOW
    done: list[str] = field(default_factory=list)

    def open_items(self) -> list[WorkItem]:
        self.session.expire_all()
        return list(self.session.scalars(
            select(WorkItem).where(WorkItem.case_id == self.case.id, WorkItem.status == WorkItemStatus.OPEN)
            .order_by(WorkItem.id)
        ))  # fmt: skip

    def open_names(self) -> list[str]:
        return [w.task_name for w in self.open_items()]

    def item(self, task_name: str) -> WorkItem:
        items = [w for w in self.open_items() if w.task_name == task_name]
        assert items, f"{task_name} is not open; open: {self.open_names()}"
        return items[0]

    def do(self, task_name: str, **values: Any) -> None:
        item = self.item(task_name)
        actor = {Role.CASEWORKER: self.worker, Role.SUPERVISOR: self.supervisor, Role.DOSVY_OFFICER: self.officer}[
            item.role
        ]
        if task_name == "case_transfer":  # the office of the walk's officer, the parts the consent covers
            values = {"to_office": str(self.officer.organisation_id), "shared_groups": ["identity", "plan"], **values}
        if task_name == "notify_dosvy":
            values = {"office": str(self.officer.organisation_id), **values}
        if task_name == "reintegration_plan" and values.get("dosvy_notice_consent") is not False:
            values = {"dosvy_office": str(self.officer.organisation_id), **values}
        raw = fill(self.runtime.forms[item.form_key], self.now.date(), values)
        complete_work_item(session=self.session, runtime=self.runtime, actor=actor, now=self.now,
                           work_item_id=item.id, raw=raw)  # fmt: skip
        self.done.append(task_name)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    def fire(self) -> int:
        return fire_due_timers(session=self.session, runtime=self.runtime, now=self.now)

    def refresh(self) -> Case:
        self.session.expire_all()
        case = self.session.get(Case, self.case.id)
        assert case is not None
        return case

    # Whole stretches of the chain, used by several paths.
    def pre_reintegration(self, *, placement: str = "family_of_origin", safety: str = "safe") -> None:
        for step in ("registration", "consent"):
            self.do(step)
        self.do("risk_screen", risk_level="low")
        self.do("needs_assessment")
        self.do("case_plan")
        self.do("approve_case_plan", decision="approve")
        self.do("family_tracing", family_found=True)
        self.do("family_assessment", safety_rating=safety)
        self.do("return_risk", risk_level="low")
        self.do("case_conference", placement=placement)
        self.do("reintegration_plan", dosvy_notice_consent=False)
        self.do("approve_agreement", decision="approve")

    def reintegration(self) -> None:
        self.do("prepare_family")
        self.do("handover", handover_date=self.now.date().isoformat())
        self.do("first_contact")

    def visit(self, *, on_time: bool = True, **values: Any) -> None:
        item = self.item("conduct_visit")
        if on_time and item.due_at is not None and item.due_at > self.now:
            self.now = item.due_at
        defaults = {"visit_date": self.now.date().isoformat(), "contact_made": True, "visit_outcome": "continue",
                    "risk_level": "low", "mode": "home_visit"}  # fmt: skip
        if values.get("contact_made") is False:  # no contact: nobody was seen (the form's rules say so)
            defaults["seen_alone"] = ""
        defaults.update(values)
        self.do("conduct_visit", **defaults)

    def visits_until_closure_allowed(self) -> None:
        """Type 1 visits (continue) until the follow-up schedule allows a visit to mark the case ready to close."""
        for _ in range(20):
            if self._closure_allowed():
                return
            self.visit()
        raise AssertionError("twenty visits and the follow-up schedule still does not allow closing")

    def _closure_allowed(self) -> bool:
        item = self.item("conduct_visit")
        instance = self.session.get(WorkflowInstance, item.instance_id)
        assert instance is not None
        workflow = runner.load(self.runtime.registry.by_key(self.session, instance.spec_key), instance.state, self.now)
        return bool(runner.task_data(workflow, item.task_id).get("closure_allowed"))


@pytest.fixture
def walk(session: Session, factory: Any, runtime: Runtime) -> Walk:
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team)
    supervisor = factory.user(Role.SUPERVISOR, team)
    office = factory.office()
    officer = factory.officer(office)
    case = factory.case(worker)
    factory.sharing_consent(worker, case, office, "identity,addresses,plan")
    start_case_workflow(session=session, runtime=runtime, case=case, actor=worker, now=NOW)
    return Walk(session, runtime, case, worker, supervisor, officer)
