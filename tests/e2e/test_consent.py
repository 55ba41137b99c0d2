"""Consent in a real browser: a caseworker records a sharing consent (after a refused incomplete one), and
the DoSVY office then reads only the transferred parts of the case."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from engine.models.accounts import Role
from engine.security.consent import transfer_case
from engine.security.fields import parse_groups
from tests.conftest import NOW
from tests.e2e.test_caseworker import console_errors, sign_in


def test_caseworker_records_a_consent_and_the_office_reads_the_transferred_parts(
    page, live_url, factory, session, screenshot
):
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team, username="cw.consent")
    case = factory.case(worker, given_name_latin="Zyxbrowser", date_of_birth=dt.date(1990, 3, 3))
    office = factory.office()
    factory.officer(office, username="dosvy.browser")
    errors = console_errors(page)

    sign_in(page, live_url, "cw.consent")
    page.goto(f"{live_url}/cases/{case.code}")
    page.get_by_role("link", name="Consent and sharing").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent and sharing")
    page.get_by_label("Sharing data with an organisation").check()
    page.get_by_label("The survivor", exact=True).check()
    page.get_by_label("Thumbprint").check()
    page.get_by_label("Date given").fill(NOW.date().isoformat())
    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    screenshot("consent-refused")
    page.get_by_label("Shared with (organisation)").select_option(str(office.id))
    page.get_by_label("Purpose").fill("Type 2 follow-up")
    page.get_by_label("Identity", exact=True).check()
    page.get_by_label("Case plan", exact=True).check()
    page.get_by_role("button", name="Record the consent").click()
    expect(page.locator("#consents")).to_contain_text(office.name)
    expect(page.locator("#consents")).to_contain_text("valid")
    screenshot("consent-page")

    transfer_case(session=session, actor=worker, now=NOW, case=case, to_org_id=office.id,
                  groups=parse_groups("identity,plan"))  # fmt: skip
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_url, "dosvy.browser")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases transferred to your office")
    page.get_by_role("link", name=case.code).click()
    expect(page.locator("main")).to_contain_text("Zyxbrowser")
    expect(page.locator("main")).not_to_contain_text("Medical record")
    screenshot("dosvy-transferred-case")
    assert errors == []
