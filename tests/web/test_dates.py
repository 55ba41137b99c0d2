"""One date format per language (issue 13 item 10): "29 Nov 2026" in English, the Khmer month name in
Khmer, through web/dates.py's filters only; templates and the web code format dates nowhere else."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string, session

from engine.models.accounts import Role
from tests.web.casework_support import admit, crew, page_of

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*(ROOT / "web" / "templates").rglob("*.html"), *(ROOT / "notifications" / "templates").rglob("*")])
OTHER_FORMATTING = re.compile(r"strftime|isoformat|format_date|format_datetime|format_time|babel\.dates")
WEB_CODE = sorted(p for p in (ROOT / "web").rglob("*.py") if p.name != "dates.py")
PY_FORMATTING = re.compile(r"strftime|format_date|format_datetime|format_time|babel\.dates")
MOMENT = dt.datetime(2026, 11, 29, 20, 30, tzinfo=dt.UTC)  # 30 November, 03:30 in Phnom Penh


def render(app: Flask, source: str, lang: str, **values: object) -> str:
    with app.test_request_context(headers={"Accept-Language": lang}):
        session["lang"] = lang
        return render_template_string(source, **values)


def _lines_matching(paths: list[Path], pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in paths:
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            found += [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(lines, 1) if pattern.search(line)]
    return found


def test_templates_format_dates_only_through_the_filters() -> None:
    assert len(TEMPLATES) > 40
    assert _lines_matching(TEMPLATES, OTHER_FORMATTING) == []


def test_the_web_code_formats_dates_only_in_web_dates() -> None:
    assert _lines_matching(WEB_CODE, PY_FORMATTING) == []


def test_the_grep_would_see_a_stray_format() -> None:
    assert OTHER_FORMATTING.search("{{ case.opened_at.strftime('%d/%m/%Y') }}")
    assert OTHER_FORMATTING.search('<time datetime="{{ row.due_at.isoformat() }}">')


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "29 Nov 2026|30 Nov 2026, 03:30|29 Nov 2026|30 Nov 2026"),
     ("km", "29 វិច្ឆិកា 2026|30 វិច្ឆិកា 2026 03:30|29 វិច្ឆិកា 2026|30 វិច្ឆិកា 2026")],
)  # fmt: skip
def test_one_format_per_language(app, lang, expected) -> None:
    source = "{{ d|dateformat }}|{{ m|datetimeformat }}|{{ '2026-11-29'|isodateformat }}|{{ m|dateformat }}"
    assert render(app, source, lang, d=dt.date(2026, 11, 29), m=MOMENT) == expected


def test_machines_get_iso_8601(app) -> None:
    source = "{{ d|isodate }} {{ m|isodate }} [{{ none|isodate }}] [{{ none|dateformat }}] [{{ 'x'|isodateformat }}]"
    assert render(app, source, "en", d=dt.date(2026, 11, 29), m=MOMENT, none=None) == (
        "2026-11-29 2026-11-29T20:30:00+00:00 [] [] [x]"
    )


def test_the_case_page_shows_the_opening_day_in_each_language(app, client, session, factory, login) -> None:
    c = crew(app, factory)
    factory.user(Role.SUPERVISOR, c.team, username="sup.kmdates", language="km")
    case = admit(session, c.runtime, c.worker, caseworker=c.worker)
    login("cw.work")
    assert "<dd>29 Nov 2026</dd>" in page_of(client, f"/cases/{case.code}")
    client.post("/auth/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                               page_of(client, "/work/")).group(1)})  # fmt: skip
    login("sup.kmdates")
    assert "<dd>29 វិច្ឆិកា 2026</dd>" in page_of(client, f"/cases/{case.code}")
