"""Hand-overs in a real browser (issue 13): a supervisor reads the plan on the approval page and returns it;
the caseworker sees the comment and the earlier answers; a DoSVY officer completes a Type 2 visit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import NOW
from tests.factories import PASSWORD
from tests.web.team_support import build_world
from tests.workflows.conftest import Walk

PLAN_TEXT = "Synthetic plan: a weekly phone call with the aunt"
COMMENT = "Synthetic comment: add the education goal"


@pytest.fixture
def world(app, session, factory):
    return build_world(app, session, factory, prefix="ho", now=NOW)


@pytest.fixture
def plan(world, session, factory):
    walk = world.walk(session, factory, NOW)
    for step in ("registration", "consent", "risk_screen", "needs_assessment"):
        walk.do(step)
    walk.do("case_plan", family_communication_plan=PLAN_TEXT)
    return walk


@pytest.fixture
def type2_visit(world, session, factory):
    office = factory.office()
    officer = factory.officer(office, username="dosvy.ho")
    case = factory.case(world.worker)
    factory.sharing_consent(world.worker, case, office, "identity,addresses,plan")
    from engine.workflow.service import start_case_workflow

    carried = {"reintegrated_on": "2026-01-05", "last_visit_on": NOW.date().isoformat(), "visit_number": 9,
               "risk_level": "low"}  # fmt: skip
    start_case_workflow(session=session, runtime=world.runtime, case=case, actor=world.worker, now=NOW,
                        process_id="follow_up_2", carried=carried)  # fmt: skip
    walk = Walk(session, world.runtime, case, world.worker, world.supervisor, officer, NOW)
    walk.do("case_transfer", transfer_date=NOW.date().isoformat())
    walk.do("accept_transfer", accepted=True)
    return walk


def _sign_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_supervisor_sees_the_plan_returns_it_and_the_caseworker_sees_comment_and_answers(
    page, live_url, plan, screenshot
):
    approval = plan.item("approve_case_plan")
    _sign_in(page, live_url, "sup.ho")
    page.goto(f"{live_url}/team/approvals/{approval.id}")
    content = page.locator("section.approval-content")
    expect(content.get_by_role("heading", name="What you are asked to approve")).to_be_visible()
    expect(content).to_contain_text("Plan for communicating with family or friends")
    expect(content).to_contain_text(PLAN_TEXT)
    expect(content).to_contain_text("last updated today")
    screenshot("approval-shows-plan")

    page.get_by_label("Return for changes").check()
    page.get_by_label("Comment").fill(COMMENT)
    page.get_by_role("button", name="Submit decision").click()
    expect(page.locator(".flash, [role=status], .notice").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_url, "cw.ho")
    page.goto(f"{live_url}/inbox/")
    expect(page.get_by_text(f"Comment: {COMMENT}")).to_be_visible()
    screenshot("inbox-returned-step")
    page.get_by_role("link", name="Open the returned task").click()
    expect(page.get_by_role("heading", name="Returned for changes")).to_be_visible()
    expect(page.locator("blockquote.returned-comment")).to_have_text(COMMENT)
    expect(page.get_by_label("Plan for communicating with family or friends")).to_have_value(PLAN_TEXT)
    screenshot("returned-step-prefilled")


def test_dosvy_officer_completes_a_type2_visit(page, live_url, type2_visit, screenshot):
    _sign_in(page, live_url, "dosvy.ho")
    page.goto(f"{live_url}/work/")
    link = page.get_by_role("link", name="Follow-up visit")
    expect(link).to_be_visible()  # under "Assigned to me", the default
    screenshot("dosvy-my-work-type2-visit")
    link.click()
    form = page.locator("#task-form")
    form.get_by_label("Visit date").fill(NOW.date().isoformat())
    # First the contradiction of the issue: no contact, yet a home visit seeing the survivor alone.
    form.locator("fieldset", has_text="Contact made with the survivor").get_by_label("No").check()
    form.get_by_label("Home visit").check()
    form.locator("fieldset", has_text="Survivor seen alone").get_by_label("Yes").check()
    form.locator("fieldset", has_text="Risk level now").get_by_label("Low").check()
    form.get_by_label("Continue follow-up").check()
    form.get_by_role("button", name="Submit").click()
    expect(page.locator(".error-summary")).to_contain_text("No contact was made")
    screenshot("dosvy-visit-contradiction-refused")

    form = page.locator("#task-form")
    form.locator("fieldset", has_text="Contact made with the survivor").get_by_label("Yes").check()
    form.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Done: “Follow-up visit”")).to_be_visible()
    screenshot("dosvy-visit-done")
