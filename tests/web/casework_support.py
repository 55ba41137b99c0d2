"""Builders shared by the caseworker-side web tests (My work, task page, admission, case page). The app's
clock stands at ``tests.conftest.NOW``, so cases are admitted relative to it. Every value is obviously synthetic."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from engine.cases.service import NewSurvivor
from engine.db import transaction
from engine.demo import synthetic_submission
from engine.models.accounts import Role, Team, User
from engine.models.cases import Case, Sex
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.notices.outbox import add_notice
from engine.notices.rules import Rules
from engine.workflow.service import Runtime, admit_case, complete_work_item
from tests.conftest import NOW
from tests.factories import Factory

CLOCK = NOW  # the app's clock in tests (the ``clock`` fixture)
NO_INLINE = ("<script>", "<style", " style=", " onclick=", " onload=", "javascript:")


@dataclass
class Crew:
    """A team with a caseworker (``cw.work``), a colleague (``cw.colleague``) and a supervisor (``sup.work``)."""

    team: Team
    worker: User
    colleague: User
    supervisor: User
    runtime: Runtime


def crew(app: Flask, factory: Factory) -> Crew:
    team = factory.team()
    return Crew(
        team,
        factory.user(Role.CASEWORKER, team, username="cw.work"),
        factory.user(Role.CASEWORKER, team, username="cw.colleague"),
        factory.user(Role.SUPERVISOR, team, username="sup.work"),
        app.extensions["reintegra"]["runtime"],
    )


def admit(
    session: Session,
    runtime: Runtime,
    actor: User,
    *,
    caseworker: User | None = None,
    days_ago: float = 0,
    **names: Any,
) -> Case:
    """Admit a synthetic survivor through the real use case (its first steps become work items)."""
    survivor = NewSurvivor(**{"sex": Sex.FEMALE, "given_name_latin": "Testperson", **names})
    assert actor.team_id is not None
    return admit_case(
        session=session,
        runtime=runtime,
        actor=actor,
        now=CLOCK - dt.timedelta(days=days_ago),
        team_id=actor.team_id,
        survivor=survivor,
        caseworker_id=caseworker.id if caseworker else None,
    )


def open_items(session: Session, case: Case) -> list[WorkItem]:
    """The case's open steps, as the app wrote them (the test's read snapshot is ended first)."""
    session.rollback()
    return list(
        session.scalars(
            select(WorkItem)
            .where(WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN)
            .order_by(WorkItem.id)
        )
    )


def first_item(session: Session, case: Case) -> WorkItem:
    items = open_items(session, case)
    assert items, "the case has no open step"
    return items[0]


def complete(session: Session, runtime: Runtime, actor: User, item: WorkItem, **overrides: Any) -> None:
    """Complete ``item`` with a valid synthetic submission (overriding some values)."""
    raw = synthetic_submission(runtime.forms[item.form_key], CLOCK.date(), {"destination_country": "TH", **overrides})
    complete_work_item(session=session, runtime=runtime, actor=actor, now=CLOCK, work_item_id=item.id, raw=raw)


def page_of(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def filter_count(html: str, label: str) -> int:
    match = re.search(re.escape(label) + r' <span class="count">(\d+)</span>', html)
    assert match, label
    return int(match.group(1))


def tell(session: Session, user: User, n: int = 1) -> None:
    """Queue ``n`` synthetic overdue notices for ``user`` (each an unread inbox message)."""
    with transaction(session):
        for i in range(n):
            payload = {"case_code": "RG-7KQ3MX", "step": "Follow-up visit", "due_at": "2026-11-29T03:00:00+00:00",
                       "grace_days": 3}  # fmt: skip
            add_notice(session, key=("overdue", f"work_item:{user.id}{i}", "p/0"), case_id=None, recipients=[user],
                       payload=payload, rules=Rules(), now=NOW)  # fmt: skip


def selects(statements: list[str]) -> list[str]:
    """The statements that read (without the transaction's BEGIN)."""
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block."""
    seen: list[str] = []
    engine = app.extensions["reintegra"]["engine"]

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


class _Controls(HTMLParser):
    """Collects form controls and what labels them (label[for], a wrapping label, aria-label)."""

    def __init__(self) -> None:
        super().__init__()
        self.label_for: set[str] = set()
        self.inside_label = 0
        self.controls: list[tuple[str, bool]] = []  # (id or name, labelled without label[for])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label":
            self.inside_label += 1
            if found.get("for"):
                self.label_for.add(found["for"] or "")
        elif tag in ("input", "select", "textarea") and found.get("type") not in ("hidden", "submit"):
            ident = found.get("id") or found.get("name") or "?"
            self.controls.append((ident, bool(self.inside_label or found.get("aria-label"))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.inside_label -= 1


def unlabelled_controls(html: str) -> list[str]:
    """The form controls of a page that no label names (every input must have one)."""
    parser = _Controls()
    parser.feed(html)
    return [ident for ident, labelled in parser.controls if not labelled and ident not in parser.label_for]
