"""A caseworker signs in with a real browser, sees their cases and opens one; pages in both languages."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from engine.models.accounts import Role
from tests.factories import PASSWORD


def test_caseworker_signs_in_and_opens_a_case(page, live_url, factory, screenshot):
    worker = factory.user(Role.CASEWORKER, factory.team(), username="cw.browser")
    case = factory.case(worker)
    page.goto(f"{live_url}/")
    expect(page).to_have_title(re.compile("Sign in"))
    screenshot("login")
    page.get_by_label("User name").fill("cw.browser")
    page.get_by_label("Password").fill("wrong-password-00")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The user name or password is wrong.")
    screenshot("login-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    screenshot("caseworker-home")
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name=case.code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.code}")
    screenshot("case-page")
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot("case-page-360px")


def test_khmer_interface_renders(page, live_url, factory, screenshot):
    worker = factory.user(Role.CASEWORKER, team := factory.team())
    factory.case(worker)
    factory.user(Role.SUPERVISOR, team, username="sup.khmer", language="km")
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("User name").fill("sup.khmer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="ចេញពីប្រព័ន្ធ")).to_be_visible()
    screenshot("supervisor-home-khmer")


def test_no_console_errors_under_the_content_security_policy(page, live_url, factory):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    factory.user(Role.CASEWORKER, factory.team(), username="cw.console")
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("User name").fill("cw.console")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    assert errors == []
