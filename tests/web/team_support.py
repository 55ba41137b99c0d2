"""Builders shared by the team-area web tests: a team with a supervisor, caseworkers and cases whose
workflows run, and a walk that drives a case to the step a test needs. Every value is synthetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from engine.models.accounts import Role, Team, User
from engine.models.cases import Case, CaseEvent
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.workflow.service import Runtime, start_case_workflow
from tests.conftest import csrf_from
from tests.factories import Factory
from tests.workflows.conftest import Walk

NO_INLINE = ("<script>", "<style", " style=", " onclick=", " onload=", "javascript:")


@dataclass
class World:
    """One team: its supervisor (signed in as ``sup.username``), two caseworkers and their first case."""

    team: Team
    supervisor: User
    worker: User
    colleague: User
    case: Case
    runtime: Runtime

    def walk(self, session: Session, factory: Factory, now: dt.datetime) -> Walk:
        """A walk of a fresh case of ``worker`` started at ``now``."""
        case = factory.case(self.worker)
        start_case_workflow(session=session, runtime=self.runtime, case=case, actor=self.worker, now=now)
        return Walk(session, self.runtime, case, self.worker, self.supervisor, _officer(session, factory), now)


def _officer(session: Session, factory: Factory) -> User:
    found = session.scalar(select(User).where(User.role == Role.DOSVY_OFFICER).limit(1))
    return found or factory.user(Role.DOSVY_OFFICER)


def build_world(app: Flask, session: Session, factory: Factory, *, prefix: str = "t", now: dt.datetime) -> World:
    """A team whose first case has just started (its registration step is with ``worker``)."""
    team = factory.team()
    supervisor = factory.user(Role.SUPERVISOR, team, username=f"sup.{prefix}")
    worker = factory.user(Role.CASEWORKER, team, username=f"cw.{prefix}")
    colleague = factory.user(Role.CASEWORKER, team, username=f"cw2.{prefix}")
    runtime: Runtime = app.extensions["reintegra"]["runtime"]
    case = factory.case(worker)
    start_case_workflow(session=session, runtime=runtime, case=case, actor=worker, now=now)
    return World(team, supervisor, worker, colleague, case, runtime)


def open_item(session: Session, case: Case, task_name: str | None = None) -> WorkItem:
    """The (first) open work item of ``case``, or the one for ``task_name``."""
    fresh(session)
    query = select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN)
    if task_name:
        query = query.where(WorkItem.task_name == task_name)
    item = session.scalar(query.order_by(WorkItem.id).limit(1))
    assert item is not None, f"no open item {task_name or ''} for the case"
    return item


def fresh(session: Session) -> None:
    """End the test's read snapshot and forget loaded rows, to see what the app committed meanwhile."""
    session.rollback()
    session.expire_all()


def token(client: FlaskClient, url: str = "/") -> str:
    """A CSRF token from a page the signed-in (or anonymous) user can load."""
    return csrf_from(client.get(url, follow_redirects=True).get_data(as_text=True))


def events(session: Session, kind: str) -> int:
    """How many case events of ``kind`` exist (to prove that nothing was written)."""
    fresh(session)
    return session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == kind)) or 0


def count_statements(app: Flask, client: FlaskClient, url: str) -> int:
    """How many SQL statements the app runs to answer GET ``url``."""
    seen: list[str] = []

    def listener(*args: object) -> None:
        seen.append(str(args[2]))

    engine = app.extensions["reintegra"]["engine"]
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)
