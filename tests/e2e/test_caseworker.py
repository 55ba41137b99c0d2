"""A caseworker in a real browser: My work, claim with htmx, the task form with a validation error and then
correctly, the case moving on, the case page's diagram with the current step highlighted, Khmer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.models.accounts import Role, User
from tests.factories import PASSWORD
from tests.web.casework_support import admit, complete, first_item


@pytest.fixture
def team_case(app, session, factory):
    """A case admitted by the supervisor without a caseworker: its first step waits for the team."""
    team = factory.team()
    factory.user(Role.CASEWORKER, team, username="cw.browser")
    supervisor = factory.user(Role.SUPERVISOR, team, username="sup.browser")
    factory.user(Role.CASEWORKER, team, username="cw.khmer", language="km")
    return admit(session, app.extensions["reintegra"]["runtime"], supervisor, alias="Zyxalias")


def sign_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def console_errors(page) -> list[str]:
    """Script errors and CSP violations (a 422 answer to a form with mistakes is expected, not an error)."""
    errors: list[str] = []
    expected = "the server responded with a status of 422"
    page.on(
        "console", lambda msg: errors.append(msg.text) if msg.type == "error" and expected not in msg.text else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_caseworker_claims_fixes_and_submits_a_step(page, live_url, team_case, screenshot):
    errors = console_errors(page)
    sign_in(page, live_url, "cw.browser")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    screenshot("caseworker-my-work-empty")

    page.get_by_role("link", name=re.compile("My team, unassigned")).click()
    row = page.locator("tr", has_text=team_case.code)
    expect(row).to_contain_text("Complete registration")
    expect(row).to_contain_text("Unassigned")
    screenshot("caseworker-my-work-team")

    page.evaluate("window.reintegraNoReload = true")
    row.get_by_role("button", name=re.compile("^Claim")).click()
    expect(row).to_contain_text("You")
    expect(row.get_by_role("button", name=re.compile("^Give back"))).to_be_focused()  # focus survives the swap
    expect(page.get_by_role("status")).to_contain_text("You took “Complete registration”")
    expect(page.locator("#work-filters")).to_contain_text("Assigned to me 1")
    assert page.evaluate("window.reintegraNoReload") is True  # htmx swapped the row: no page load
    screenshot("caseworker-my-work-claimed")

    row.get_by_role("link", name="Complete registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complete registration")
    screenshot("caseworker-task")
    page.get_by_label("Date left home").fill("2099-01-01")
    page.get_by_label("Case narrative").fill("Synthetic narrative typed in the browser")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert").first).to_contain_text("Please correct the marked fields")
    expect(page.locator("#f-left_home_on-error")).to_have_text("The date cannot be in the future")
    expect(page.get_by_label("Case narrative")).to_have_value("Synthetic narrative typed in the browser")
    screenshot("caseworker-task-errors")

    page.get_by_label("Date left home").fill("2020-01-15")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.locator(".flash-success")).to_contain_text(
        f"Done: “Complete registration” for case {team_case.code}. The case stays in Pre-Reintegration. "
        "Next: Explain rights and record informed consent."
    )
    screenshot("caseworker-submitted")
    page.get_by_role("link", name=re.compile("My team, unassigned")).click()
    expect(page.locator("tr", has_text=team_case.code)).to_contain_text("Explain rights and record informed consent")
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot("caseworker-my-work-360px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing runs off the side of a phone
    assert errors == []


def test_the_case_page_highlights_the_current_step_in_the_diagram(page, live_url, app, session, team_case,
                                                                   screenshot):  # fmt: skip
    caseworker = session.scalar(select(User).where(User.username == "cw.browser"))
    complete(session, app.extensions["reintegra"]["runtime"], caseworker, first_item(session, team_case))
    errors = console_errors(page)
    sign_in(page, live_url, "sup.browser")
    page.goto(f"{live_url}/cases/{team_case.code}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {team_case.code}")
    current = page.locator('#case-diagram [data-element-id="consent"]')
    expect(current).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator('#case-diagram [data-element-id="registration"]')).to_have_class(re.compile(r"\bcompleted\b"))
    expect(page.locator("#case-diagram .bjs-powered-by")).to_be_visible()  # bpmn-js's licence: keep the watermark
    expect(page.locator("li.phase-current")).to_contain_text("Pre-Reintegration")
    screenshot("case-page-diagram")
    page.locator("#section-identity > summary").click()
    expect(page.locator("#section-identity")).to_contain_text("Zyxalias")
    screenshot("case-page-identity-open")
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot("case-page-diagram-360px")
    assert errors == []


def test_caseworker_opens_a_case_and_lands_on_its_page(page, live_url, team_case, screenshot):
    errors = console_errors(page)
    sign_in(page, live_url, "cw.browser")
    page.get_by_role("link", name="Open a case").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a case")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator("#f-given_name_latin-error")).to_contain_text("Enter a given name")
    screenshot("caseworker-admission-errors")
    page.get_by_label("Given name (Latin script)").fill("Testperson")
    page.get_by_label("Alias").fill("Zyxbrowser")
    page.get_by_label("Female").check()
    page.get_by_label("Date of birth").fill("2005-03-04")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Case RG-"))
    expect(page.locator(".flash-success")).to_contain_text("Its first steps are waiting in My work.")
    expect(page.locator('#case-diagram [data-element-id="registration"]')).to_have_class(re.compile(r"\bcurrent\b"))
    assert "Zyx" not in page.url
    screenshot("caseworker-new-case-page")
    assert errors == []


def test_claim_works_without_javascript(browser, live_url, team_case):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_url, "cw.browser")
        page.goto(f"{live_url}/work/?filter=team_unassigned")
        page.locator("tr", has_text=team_case.code).get_by_role("button", name=re.compile("^Claim")).click()
        expect(page.locator(".flash-success")).to_contain_text("You took “Complete registration”")
        assert page.url.endswith("/work/?filter=team_unassigned&page=1")
    finally:
        context.close()


def test_khmer_task_page(page, live_url, team_case, session, screenshot):
    item = first_item(session, team_case)
    sign_in(page, live_url, "cw.khmer")
    page.goto(f"{live_url}/work/{item.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("បំពេញការចុះឈ្មោះ")
    page.get_by_label("កាលបរិច្ឆេទចេញពីផ្ទះ").fill("2099-01-01")
    page.locator('button[value="submit"]').click()
    expect(page.locator("#f-left_home_on-error")).to_have_text("កាលបរិច្ឆេទមិនអាចនៅថ្ងៃអនាគតបានទេ")
    screenshot("caseworker-task-khmer")
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot("caseworker-task-khmer-360px")


def test_a_refused_claim_says_so_instead_of_failing_silently(page, live_url, team_case):
    sign_in(page, live_url, "cw.browser")
    page.goto(f"{live_url}/work/?filter=team_unassigned")
    other_tab = page.context.new_page()
    other_tab.goto(f"{live_url}/work/")
    other_tab.get_by_role("button", name="Sign out").click()  # the session ends while this page stays open
    expect(other_tab).to_have_title(re.compile("Sign in"))
    page.locator("tr", has_text=team_case.code).get_by_role("button", name=re.compile("^Claim")).click()
    expect(page.get_by_role("status")).to_have_text(
        "That did not work and nothing was changed. Reload the page and try again."
    )
    expect(page.locator("tr", has_text=team_case.code)).to_contain_text("Unassigned")
