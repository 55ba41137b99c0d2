"""Reporting staff in a real browser: the reports page, its charts, and the CSV download."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from tests.engine.reports.world import SECRET_NAMES, build
from tests.factories import PASSWORD


def test_the_national_secretariat_opens_the_report_and_downloads_the_csv(page, live_url, session, factory, screenshot):
    build(session, factory)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("User name").fill("rep.national")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page).to_have_title(re.compile("Reports"))
    page.get_by_label("Scope").select_option(label="Province: Phnom Penh")
    page.get_by_role("button", name="Show").first.click()
    expect(page.locator("#admissions_by_age_and_sex tfoot")).to_contain_text("16")
    expect(page.locator("svg.chart").first).to_be_visible()
    screenshot("reports-province")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert re.fullmatch(r"reintegra-report-province-12-2026-Q3\.csv", download.suggested_filename)
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Admissions by age band and sex"] in rows
    assert ["Total", "8", "8", "0", "0", "16"] in rows
    assert not any(name in text for name in SECRET_NAMES)
    assert errors == []
