"""The supervisor's dashboard: workload, cases by phase, overdue visits, stale files, and two SVG charts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import NOW
from tests.web.team_support import NO_INLINE, build_world

LONG_AGO = NOW - dt.timedelta(days=200)


@pytest.fixture
def world(app, session, factory):
    return build_world(app, session, factory, now=LONG_AGO)


@pytest.fixture
def in_follow_up(world, session, factory):
    """A case walked into Type 1 follow-up long ago: its first visit is long overdue."""
    walk = world.walk(session, factory, LONG_AGO)
    walk.pre_reintegration()
    walk.reintegration()
    assert walk.open_names() == ["conduct_visit"]
    return walk


def test_dashboard_shows_workload_per_caseworker(client, login, world, in_follow_up):
    login("sup.t")
    html = client.get("/team/dashboard").get_data(as_text=True)
    row = re.search(rf"{re.escape(world.worker.display_name)}</a></th>(.*?)</tr>", html, re.S)
    assert row, "the caseworker has a row in the workload table"
    cells = re.findall(r"<td>(?:<a [^>]*><strong [^>]*>)?(\d+)", row.group(1))
    assert cells == ["2", "2", "0", "2"]  # open, overdue, due this week (not overdue), cases
    assert world.colleague.display_name in html


def test_dashboard_counts_cases_by_phase_with_lost_contact(client, login, world, in_follow_up):
    login("sup.t")
    html = client.get("/team/dashboard").get_data(as_text=True)
    assert re.search(r"Type 1 Follow-up</a></th><td>1</td>", html)
    assert re.search(r"Pre-Reintegration</a></th><td>1</td>", html)
    assert re.search(r"Of these, lost contact</th><td>0</td>", html)


def test_dashboard_lists_overdue_follow_up_visits(client, login, world, in_follow_up):
    login("sup.t")
    html = client.get("/team/dashboard").get_data(as_text=True)
    section = html.split('id="visits-heading"')[1].split("</section>")[0]
    assert in_follow_up.case.code in section
    assert re.search(r'<strong class="team-overdue">\d+ days</strong>', section)
    assert world.worker.display_name in section
    assert f"/team/items/{in_follow_up.item('conduct_visit').id}/reassign" in section


def test_dashboard_lists_stale_case_files_with_their_sections(client, login, world):
    login("sup.t")
    html = client.get("/team/dashboard").get_data(as_text=True)
    section = html.split('id="stale-heading"')[1].split("</section>")[0]
    assert world.case.code in section
    assert "Medical record" in section  # never recorded


def test_charts_are_inline_svg_with_a_text_alternative_and_no_style(client, login, world, in_follow_up):
    login("sup.t")
    html = client.get("/team/dashboard").get_data(as_text=True)
    assert html.count('<svg class="chart"') == 2
    assert 'role="img"' in html
    assert '<title id="workload-chart-title">Open steps per caseworker</title>' in html
    assert '<title id="phase-chart-title">Open cases by phase</title>' in html
    assert 'class="bar-overdue" fill="url(#workload-chart-hatch)"' in html
    for forbidden in NO_INLINE:
        assert forbidden not in html, forbidden


def test_dashboard_summary_links_to_the_filtered_queue(client, login, world, in_follow_up):
    login("sup.t")
    html = client.get("/team/dashboard").get_data(as_text=True)
    assert re.search(r'href="/team/queue\?filter=overdue"><strong>2</strong> overdue', html)


def test_dashboard_says_how_many_overdue_visits_there_are_and_pages_them(client, login, world, in_follow_up):
    login("sup.t")
    first = client.get("/team/dashboard").get_data(as_text=True).split('id="visits-heading"')[1].split("</section>")[0]
    assert "1 overdue visit in all, most overdue first." in first
    assert in_follow_up.case.code in first
    beyond = client.get("/team/dashboard?visits_page=2").get_data(as_text=True)
    section = beyond.split('id="visits-heading"')[1].split("</section>")[0]
    assert in_follow_up.case.code not in section
    assert "Back to the first page" in section


def test_a_nonsense_dashboard_page_shows_the_first_page(client, login, world, in_follow_up):
    login("sup.t")
    html = client.get("/team/dashboard?visits_page=abc&stale_page=-3").get_data(as_text=True)
    section = html.split('id="visits-heading"')[1].split("</section>")[0]
    assert in_follow_up.case.code in section


def test_the_pager_links_keep_the_other_lists_page(app):
    with app.test_request_context("/team/dashboard"):
        links = app.jinja_env.get_template("team/_pager.html").module.links  # type: ignore[attr-defined]
        html = str(links(2, 3, "team.dashboard", {"visits_page": 4}, key="stale_page", label="Stale pages"))
    assert 'aria-label="Stale pages"' in html
    assert re.search(r'href="/team/dashboard\?(?=[^"]*visits_page=4)(?=[^"]*stale_page=1)[^"]*" rel="prev"', html)
    assert re.search(r'href="/team/dashboard\?(?=[^"]*visits_page=4)(?=[^"]*stale_page=3)[^"]*" rel="next"', html)
    assert "Page 2 of 3" in html
