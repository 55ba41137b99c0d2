"""The team area: who may enter it, and the team queue (filters, counts, paging, one query per page)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from engine.models.accounts import Role
from engine.models.cases import Phase
from engine.models.workflow import WorkItem
from engine.workflow.service import start_case_workflow
from tests.conftest import NOW
from tests.web.casework_support import counted, selects, tell
from tests.web.team_support import NO_INLINE, build_world, count_statements, events, open_item, token

GET_ROUTES = ["/team/", "/team/queue", "/team/dashboard", "/team/approvals", "/team/approvals/{item}",
              "/team/items/{item}/reassign", "/team/items/{item}/row", "/team/cases/{code}/reassign"]  # fmt: skip
POST_ROUTES = ["/team/approvals/{item}", "/team/items/{item}/reassign", "/team/cases/{code}/reassign"]
OTHER_ROLES = [Role.CASEWORKER, Role.ADMINISTRATOR, Role.DOSVY_OFFICER, Role.REPORTING]


@pytest.fixture
def world(app, session, factory):
    return build_world(app, session, factory, now=NOW)


def _urls(routes, world, session):
    item = open_item(session, world.case)
    return [r.format(item=item.id, code=world.case.code) for r in routes]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_team_page_refuses_other_roles(client, login, factory, world, session, role):
    factory.user(role, world.team if role is Role.CASEWORKER else None, username=f"other.{role.value}")
    login(f"other.{role.value}")
    for url in _urls(GET_ROUTES, world, session):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_no_other_role_can_reassign_or_approve(client, login, factory, world, session, role):
    factory.user(role, world.team if role is Role.CASEWORKER else None, username=f"other.{role.value}")
    login(f"other.{role.value}")
    csrf = token(client)
    data = {"csrf_token": csrf, "assignee_id": world.colleague.id, "reason": "Synthetic reason",
            "decision": "approve", "comment": ""}  # fmt: skip
    for url in _urls(POST_ROUTES, world, session):
        assert client.post(url, data=data).status_code == 403, url
    assert events(session, "reassigned") == 0
    assert open_item(session, world.case).assignee_id == world.worker.id


def test_anonymous_visitors_are_sent_to_sign_in(client, world, session):
    for url in _urls(GET_ROUTES, world, session):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/auth/login"), url
    csrf = token(client, "/auth/login")
    for url in _urls(POST_ROUTES, world, session):
        response = client.post(url, data={"csrf_token": csrf, "assignee_id": world.colleague.id, "reason": "x"})
        assert response.status_code == 302, url
    assert events(session, "reassigned") == 0


def test_supervisor_pages_have_titles_landmarks_and_no_inline_code(client, login, world, session):
    login("sup.t")
    pages = ["/team/queue", "/team/dashboard", "/team/approvals", "/team/items/{item}/reassign",
             "/team/cases/{code}/reassign"]  # fmt: skip
    for url in _urls(pages, world, session):
        html = client.get(url).get_data(as_text=True)
        for forbidden in NO_INLINE:
            assert forbidden not in html, (url, forbidden)
        assert re.search(r"<title>\S.* · Reintegra</title>", html), url
        for landmark in ('<main id="main"', "<nav", "<header", "<footer", "<h1"):
            assert landmark in html, (url, landmark)


def test_queue_shows_the_teams_open_steps_with_counts(client, login, world, session, factory):
    login("sup.t")
    html = client.get("/team/queue").get_data(as_text=True)
    assert world.case.code in html
    assert f'href="/cases/{world.case.code}"' in html
    assert "Complete registration" in html
    assert world.worker.display_name in html
    assert re.search(r'aria-current="true">All <span class="team-count">1</span>', html)
    assert 'Team, unassigned <span class="team-count">0</span>' in html


def test_queue_hides_other_teams_work(client, login, world, app, session, factory):
    other = build_world(app, session, factory, prefix="other", now=NOW)
    login("sup.t")
    html = client.get("/team/queue").get_data(as_text=True)
    assert world.case.code in html
    assert other.case.code not in html


def test_queue_filters_by_caseworker(client, login, world, session, factory):
    theirs = factory.case(world.colleague)
    start_case_workflow(session=session, runtime=world.runtime, case=theirs, actor=world.colleague, now=NOW)
    login("sup.t")
    html = client.get(f"/team/queue?caseworker={world.colleague.id}").get_data(as_text=True)
    assert theirs.code in html
    assert world.case.code not in html
    assert f'<option value="{world.colleague.id}" selected>' in html


def test_queue_filters_by_phase(client, login, world, session):
    login("sup.t")
    assert world.case.code in client.get("/team/queue?phase=pre_reintegration").get_data(as_text=True)
    html = client.get(f"/team/queue?phase={Phase.FOLLOW_UP_1.value}").get_data(as_text=True)
    assert world.case.code not in html
    assert "No open steps match." in html


def test_overdue_steps_are_marked_in_words(client, login, app, session, factory):
    past = NOW - dt.timedelta(days=10)
    world = build_world(app, session, factory, prefix="late", now=past)
    login("sup.late")
    html = client.get("/team/queue?filter=overdue").get_data(as_text=True)
    assert world.case.code in html
    assert '<strong class="team-overdue">Overdue</strong>' in html
    assert 'aria-current="true">Overdue <span class="team-count">1</span>' in html


def test_queue_lists_the_earliest_due_step_first(client, login, world, session, factory):
    earlier = factory.case(world.colleague)
    start_case_workflow(session=session, runtime=world.runtime, case=earlier, actor=world.colleague,
                        now=NOW - dt.timedelta(days=5))  # fmt: skip
    login("sup.t")
    html = client.get("/team/queue").get_data(as_text=True)
    assert html.index(earlier.code) < html.index(world.case.code)


def test_unknown_filter_values_fall_back_to_the_whole_queue(client, login, world):
    login("sup.t")
    response = client.get("/team/queue?filter=bogus&phase=nowhere&caseworker=x&page=-3")
    assert response.status_code == 200
    assert world.case.code in response.get_data(as_text=True)


def test_queue_is_paged(client, login, world, session, factory):
    for _ in range(26):
        case = factory.case(world.worker)
        start_case_workflow(session=session, runtime=world.runtime, case=case, actor=world.worker, now=NOW)
    login("sup.t")
    first = client.get("/team/queue").get_data(as_text=True)
    second = client.get("/team/queue?page=2").get_data(as_text=True)
    assert first.count('<tr id="item-') == 25
    assert second.count('<tr id="item-') == 2
    assert "Page 1 of 2" in first
    assert 'href="/team/queue?page=2"' in first


def test_queue_costs_the_same_number_of_statements_for_few_or_many_rows(client, login, app, world, session, factory):
    login("sup.t")
    few = count_statements(app, client, "/team/queue")
    for _ in range(20):
        case = factory.case(world.colleague)
        start_case_workflow(session=session, runtime=world.runtime, case=case, actor=world.colleague, now=NOW)
    assert session.query(WorkItem).count() == 21
    many = count_statements(app, client, "/team/queue")
    assert few == many
    assert many <= 8


@pytest.mark.parametrize("url", ["/team/queue", "/team/queue?filter=overdue", "/team/queue?phase=pre_reintegration"])
def test_queue_reads_the_user_counts_rows_and_members_in_four_statements(client, login, app, world, session, url):
    # The signed-in user, the filter counts with the menu's unread messages and approvals waiting, the rows
    # and the team's caseworkers for the filter: the menu sends no statement of its own.
    login("sup.t")
    with counted(app) as seen:
        assert client.get(url).status_code == 200
    assert len(selects(seen)) <= 4, seen
    assert not [s for s in selects(seen) if s.lstrip().startswith("SELECT count(*)")]


def test_queue_menu_counts_the_supervisors_unread_messages(client, login, world, session):
    tell(session, world.supervisor, n=3)
    tell(session, world.worker)
    login("sup.t")
    html = client.get("/team/queue").get_data(as_text=True)
    assert 'aria-label="Inbox, 3 unread"' in html


def test_each_queue_row_shows_its_step_due_state_and_links_and_no_other_team(client, login, app, world, session,
                                                                           factory):  # fmt: skip
    other = build_world(app, session, factory, prefix="other", now=NOW)
    item = open_item(session, world.case)
    item.due_at = NOW - dt.timedelta(days=2)
    session.commit()
    login("sup.t")
    html = client.get("/team/queue?filter=overdue").get_data(as_text=True)
    match = re.search(rf'<tr id="item-{item.id}" class="team-late">(.*?)</tr>', html, re.S)
    assert match
    row = match.group(1)
    code = world.case.code
    assert f'<a href="/cases/{code}"><code>{code}</code></a>' in row
    assert "<span>Complete registration</span>" in row
    assert f"<span>{world.worker.display_name}" in row
    assert '<strong class="team-overdue">Overdue</strong>' in row
    assert f'href="/team/items/{item.id}/reassign?next=/team/queue?filter%3Doverdue"' in row
    assert f'hx-get="/team/items/{item.id}/reassign" hx-target="#item-{item.id}"' in row
    assert f'aria-label="Reassign step: Complete registration, case {code}">Reassign step</a>' in row
    assert f'href="/team/cases/{code}/reassign?next=/team/queue?filter%3Doverdue"' in row
    assert f'aria-label="Reassign case {code}">Reassign case</a>' in row
    for url in ("/team/queue", "/team/queue?filter=overdue", "/team/queue?filter=team_unassigned"):
        assert other.case.code not in client.get(url).get_data(as_text=True), url


def test_navigation_counts_waiting_approvals(client, login, world, session):
    login("sup.t")
    html = client.get("/team/queue").get_data(as_text=True)
    assert 'href="/team/approvals"' in html
    assert 'href="/team/dashboard"' in html
    assert "Approvals: " not in html  # nothing waits yet
