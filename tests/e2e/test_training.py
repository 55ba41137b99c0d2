"""The training register in a real browser: a supervisor hands a step to an untrained caseworker and is warned,
finds the gap in the register, is refused an incomplete record, records both trainings, and the gap is gone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.models.accounts import TrainingRecord
from tests.conftest import NOW
from tests.factories import PASSWORD
from tests.web.team_support import World, build_world, fresh, open_item

COURSES = ("Universal Declaration of Human Rights",
           "Policy and Minimum Standards on Protection of the Rights of Victims of Human Trafficking")  # fmt: skip


@pytest.fixture
def world(app, session, factory) -> World:
    return build_world(app, session, factory, prefix="train", now=NOW)


def _sign_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _record(page, course: str, day: str, trainer: str) -> None:
    page.get_by_label("Course").select_option(label=course)
    page.get_by_label("Date of the training").fill(day)
    page.get_by_label("Trainer").fill(trainer)
    page.get_by_role("button", name="Record the training").click()


def test_a_supervisor_is_warned_and_closes_the_training_gap(page, live_url, world: World, session, screenshot):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    item = open_item(session, world.case)
    colleague = world.colleague.display_name
    _sign_in(page, live_url, "sup.train")

    page.get_by_role("link", name="Team queue").click()
    row = page.locator(f"#item-{item.id}")
    row.get_by_role("link", name=re.compile("^Reassign step")).click()
    page.get_by_label("New assignee").select_option(label=colleague)
    page.get_by_label("Reason").fill("Synthetic: covering this week")
    page.get_by_role("button", name="Reassign step").click()
    status = row.get_by_role("status")
    expect(status).to_contain_text(f"is now assigned to {colleague}")  # the assignment was made ...
    warning = row.get_by_role("alert")  # ... with a warning beside it, styled as one
    expect(warning).to_contain_text(f"Warning: {colleague} does not hold every required training")
    screenshot("training-assignment-warning")

    page.get_by_role("link", name="Training", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training register")
    gaps = page.locator("tbody tr", has_text=colleague)
    expect(gaps).to_have_count(2)  # both required courses
    expect(gaps.first).to_contain_text("Not trained")
    screenshot("training-register-gaps")

    gaps.first.get_by_role("link", name="Record a training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a training")
    expect(page.get_by_label("Staff member")).to_have_value(str(world.colleague.id))  # chosen from the row
    _record(page, COURSES[0], "2026-11-20", "")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.locator("#trainer-error")).to_be_visible()
    screenshot("training-record-refused")
    fresh(session)
    assert session.scalars(select(TrainingRecord)).all() == []  # the refused form wrote nothing

    page.get_by_label("Trainer").fill("Synthetic Trainer")
    page.get_by_role("button", name="Record the training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Trainings of {colleague}")
    recorded = re.compile(f"Training recorded: {COURSES[0]} for {colleague}, valid until")
    expect(page.get_by_text(recorded)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("20 Nov 2026")

    page.get_by_role("button", name="Record a training").click()  # a link styled as a button
    _record(page, COURSES[1], "2026-11-21", "Synthetic Trainer")
    expect(page.locator("tbody tr")).to_have_count(2)
    screenshot("training-staff-page")

    page.get_by_role("link", name="Training register").click()
    expect(page.locator("tbody tr", has_text=colleague)).to_have_count(0)  # no gap left for them
    screenshot("training-register-closed")
    assert [e for e in errors if "status of 422" not in e] == []  # the refusal's 422 is the only error
