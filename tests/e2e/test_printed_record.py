"""A caseworker writes a long Khmer narrative in the browser and prints the record: the paragraph is all on
the page, inside its margins (issue 13: Khmer has no spaces, and the PDF did not wrap it)."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter

import pytest
from playwright.sync_api import expect

from engine.models.accounts import Role
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_caseworker import console_errors, sign_in
from tests.web.test_review import KHMER_AUTHORITY, KHMER_PARAGRAPH, PAGE_MARGIN_PT, _letters, _text, _words

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")


def test_a_khmer_paragraph_written_in_the_browser_survives_in_the_printed_record(
    page, live_url, factory, tmp_path, screenshot
):
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team, username="cw.printer")
    case = factory.case(worker, given_name_latin="Zyxprint")
    errors = console_errors(page)
    sign_in(page, live_url, "cw.printer")
    page.goto(f"{live_url}/cases/{case.code}")
    page.locator("#section-history summary").click()
    page.get_by_role("link", name="Edit History and narrative").click()
    page.get_by_label("Identifying authority").fill(KHMER_AUTHORITY)
    page.get_by_label("Case narrative").fill(KHMER_PARAGRAPH)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[role=alert], .flash").first).to_be_visible()

    page.goto(f"{live_url}/cases/{case.code}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Print the record (Khmer)").click()
    pdf = info.value.path().read_bytes()
    assert not _letters(KHMER_PARAGRAPH) - Counter(
        _text(pdf, tmp_path)
    )  # see tests/web/test_review.py for why not the string
    width, words = _words(pdf, tmp_path)
    assert [w for w in words if w[1] > width - PAGE_MARGIN_PT + 1] == []
    # The first page as a picture beside the other screenshots, to look at.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",  # noqa: S603, S607
                    str(tmp_path / "record.pdf"),
                    str(ARTIFACTS / "printed-record-khmer")], check=True)  # fmt: skip
    screenshot("printed-record-case-page")
    assert errors == []
