"""Finding a case by a Khmer name in a real browser: the navigation's search box posts, the name stays out
of the address bar, the Khmer name typed in another order of characters finds the case, and another team's
supervisor finds nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engine.models.accounts import Role
from tests.e2e.test_caseworker import console_errors, sign_in

KHMER_GIVEN = "ស្រីពៅ"
KHMER_FAMILY = "គំរូ"
# ស ី ្ រ ព ៅ: the subscript RO typed after the vowel, as some keyboards let it be; it looks the same.
KHMER_GIVEN_TYPED_OTHERWISE = "\u179f\u17b8\u17d2\u179a\u1796\u17c5"


@pytest.fixture
def cases(factory):
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team, username="cw.search.browser", language="km")
    factory.user(Role.SUPERVISOR, factory.team(), username="sup.elsewhere.browser")
    found = factory.case(worker, given_name_km=KHMER_GIVEN, family_name_km=KHMER_FAMILY,
                         given_name_latin="Demo Survivor 05", family_name_latin="Sample")  # fmt: skip
    other = factory.case(worker, given_name_km="សាកល្បង", given_name_latin="Demo Survivor 06")
    return found, other


def test_caseworker_finds_a_case_by_its_khmer_name(page, live_url, cases, screenshot):
    found, other = cases
    errors = console_errors(page)
    sign_in(page, live_url, "cw.search.browser")
    page.get_by_role("link", name="ករណី", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ករណី")
    expect(page.locator("#results")).to_contain_text(other.code)

    box = page.get_by_label("ឈ្មោះ ឬលេខកូដករណី", exact=True)
    box.fill(f"{KHMER_FAMILY} {KHMER_GIVEN_TYPED_OTHERWISE}")
    page.locator("#case-search").get_by_role("button", name="ស្វែងរក").click()

    results = page.locator("#results")
    expect(results).to_contain_text("រកឃើញ 1 ករណី")
    expect(results).to_contain_text(found.code)
    expect(results).not_to_contain_text(other.code)
    expect(page.get_by_label("ឈ្មោះ ឬលេខកូដករណី", exact=True)).to_have_value(
        f"{KHMER_FAMILY} {KHMER_GIVEN_TYPED_OTHERWISE}"
    )
    assert page.url == f"{live_url}/cases/search"  # the name went in the body of a POST, not the address
    screenshot("case-search-khmer")

    results.get_by_role("link", name=found.code).click()
    expect(page).to_have_url(re.compile(rf"/cases/{found.code}$"))
    assert errors == []


def test_another_teams_supervisor_finds_nothing_from_the_navigation(page, live_url, cases, screenshot):
    found, _other = cases
    sign_in(page, live_url, "sup.elsewhere.browser")
    nav_box = page.get_by_role("search", name="Find a case").get_by_role("searchbox")
    nav_box.fill(KHMER_GIVEN)
    nav_box.press("Enter")
    expect(page.locator("#results")).to_contain_text("0 cases found")
    expect(page.locator("body")).not_to_contain_text(found.code)
    screenshot("case-search-out-of-scope")
