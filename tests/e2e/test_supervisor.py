"""A case supervisor in a real browser: team queue, reassigning a step, approving a case plan, dashboard."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import NOW
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD
from tests.web.team_support import World, build_world, open_item

LONG_AGO = NOW - dt.timedelta(days=120)


@pytest.fixture
def world(app, session, factory):
    """A team with a fresh case and a case whose follow-up visit is long overdue."""
    world = build_world(app, session, factory, prefix="e2e", now=NOW)
    late = world.walk(session, factory, LONG_AGO)
    late.pre_reintegration()
    late.reintegration()
    return world


@pytest.fixture
def plan_code(world, session, factory):
    """The code of a case whose case plan waits for the supervisor's approval."""
    plan = world.walk(session, factory, NOW)
    for step in ("registration", "consent"):
        plan.do(step)
    plan.do("risk_screen", risk_level="low")
    plan.do("needs_assessment")
    plan.do("case_plan")
    return plan.case.code


def _sign_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_supervisor_reassigns_a_step_and_approves_a_plan(page, live_url, world: World, plan_code, session, screenshot):
    errors: list[str] = []
    page.on(
        "console", lambda msg: errors.append(f"{page.url} {msg.location} {msg.text}") if msg.type == "error" else None
    )
    item = open_item(session, world.case)
    _sign_in(page, live_url, "sup.e2e")
    page.get_by_role("link", name="Team queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team queue")
    expect(page).to_have_title(re.compile("Team queue"))
    screenshot("team-queue")

    row = page.locator(f"#item-{item.id}")
    row.get_by_role("link", name=re.compile("^Reassign step")).click()
    expect(page.get_by_label("New assignee")).to_be_focused()  # htmx turned the row into the form
    page.get_by_label("New assignee").select_option(label=world.colleague.display_name)
    screenshot("team-queue-reassign-form")
    page.get_by_role("button", name="Reassign step").click()
    expect(row.locator(".field-error")).to_contain_text("Give a reason")  # the reason is required
    page.get_by_label("Reason").fill("Synthetic: caseworker on training this week")
    page.get_by_role("button", name="Reassign step").click()
    expect(row.get_by_role("status")).to_contain_text(f"is now assigned to {world.colleague.display_name}")
    screenshot("team-queue-reassigned")

    page.get_by_role("link", name=re.compile("^Approvals")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approvals")
    screenshot("approvals")
    code = plan_code
    page.get_by_role("link", name=f"Decide: Case plan, case {code}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve case plan")
    page.get_by_label("Return for changes").check()
    page.get_by_role("button", name="Submit decision").click()
    expect(page.locator("#comment-error")).to_contain_text("Say what must change")
    screenshot("approval-decision-error")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Submit decision").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Approved: Case plan, case {code}.")
    expect(page.get_by_role("status").first).to_contain_text("Next: Family tracing.")
    screenshot("approvals-after-decision")

    page.get_by_role("link", name="Team queue").click()
    page.get_by_label("By phase").select_option(label="Pre-Reintegration")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("tr", has_text=code)).to_contain_text("Family tracing")  # the case moved on


def test_no_console_errors_on_the_supervisor_pages(page, live_url, world: World, plan_code, session):
    # No screenshots here: Playwright hides the caret with an injected style, which the CSP rightly blocks.
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    _sign_in(page, live_url, "sup.e2e")
    item = open_item(session, world.case)
    page.goto(f"{live_url}/team/queue")
    page.locator(f"#item-{item.id}").get_by_role("link", name=re.compile("^Reassign step")).click()
    page.get_by_role("button", name="Reassign step").click()  # htmx: the form comes back with messages
    expect(page.locator(f"#item-{item.id} .field-error").first).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(f"#item-{item.id}")).to_contain_text("Complete registration")
    expect(page.locator(f"#item-{item.id}").get_by_role("link", name=re.compile("^Reassign step"))).to_be_focused()
    for path in ("/team/dashboard", "/team/approvals", f"/team/cases/{plan_code}/reassign"):
        page.goto(f"{live_url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert errors == [], errors


def test_dashboard_and_pages_at_phone_width(page, live_url, world: World, plan_code, session, screenshot):
    _sign_in(page, live_url, "sup.e2e")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team dashboard")
    expect(page.get_by_role("img", name=re.compile("Open steps per caseworker"))).to_be_visible()
    expect(page.get_by_role("heading", name="Overdue follow-up visits")).to_be_visible()
    screenshot("team-dashboard")
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot("team-dashboard-360px")
    page.goto(f"{live_url}/team/queue")
    screenshot("team-queue-360px")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page itself must not scroll sideways (only tables inside .overflow-auto)"
    page.goto(f"{live_url}/team/approvals")
    screenshot("approvals-360px")
    page.goto(f"{live_url}/team/items/{open_item(session, world.case).id}/reassign")
    screenshot("reassign-step-360px")


def test_reassign_page_works_without_javascript(browser, live_url, world: World, session):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in(page, live_url, "sup.e2e")
        page.goto(f"{live_url}/team/queue")
        item = open_item(session, world.case)
        page.locator(f"#item-{item.id}").get_by_role("link", name=re.compile("^Reassign step")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Reassign a step")
        page.get_by_label("New assignee").select_option(label=world.colleague.display_name)
        page.get_by_role("button", name="Reassign step").click()
        expect(page.locator(".field-error")).to_contain_text("Give a reason")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)  # the screenshot fixture draws the default page, not this one
        page.screenshot(path=str(ARTIFACTS / "reassign-step-error-no-js.png"), full_page=True)
        page.get_by_label("Reason").fill("Synthetic: leave")
        page.get_by_role("button", name="Reassign step").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Team queue")
        expect(page.get_by_role("status").first).to_contain_text(world.colleague.display_name)
    finally:
        context.close()
