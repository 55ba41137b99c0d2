"""My work (filters, counts, rows, names only where allowed, SQL paging) and claim/unclaim, through the
routes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from engine.models.accounts import Role
from engine.workflow.assignments import claim_work_item
from tests.conftest import csrf_from
from tests.web import casework_support as support
from tests.web.casework_support import CLOCK, Crew, admit, counted, crew, filter_count, first_item, page_of


@pytest.fixture
def c(app, factory) -> Crew:
    return crew(app, factory)


def mine(session, c: Crew, **kwargs):
    """A case of the signed-in caseworker ``cw.work``."""
    return admit(session, c.runtime, c.worker, caseworker=c.worker, **kwargs)


@pytest.fixture
def own_case(session, c):
    return admit(session, c.runtime, c.worker, caseworker=c.worker, alias="Zyxalias-own")


@pytest.fixture
def team_case(session, c):
    """Admitted by the supervisor without a caseworker: its first step is the team's, unassigned."""
    return admit(session, c.runtime, c.supervisor, alias="Zyxalias-team")


# --- My work ---------------------------------------------------------------------------------------------


def test_a_caseworker_lands_on_my_work(client, c, own_case, login):
    login("cw.work")
    html = page_of(client, "/")
    assert "<h1>My work</h1>" in html
    assert own_case.code in html


def test_my_work_shows_my_steps_and_counts_on_every_filter(client, c, own_case, team_case, login):
    login("cw.work")
    html = page_of(client, "/work/")
    assert own_case.code in html
    assert team_case.code not in html  # "Assigned to me" is the default filter
    assert "Complete registration" in html
    assert filter_count(html, "Assigned to me") == 1
    assert filter_count(html, "My team, unassigned") == 1
    assert filter_count(html, "Overdue") == 0
    assert filter_count(html, "Due this week") == 2
    assert filter_count(html, "All") == 2


def test_team_unassigned_filter_lists_the_teams_open_steps(client, c, own_case, team_case, login):
    login("cw.work")
    html = page_of(client, "/work/?filter=team_unassigned")
    assert team_case.code in html
    assert own_case.code not in html
    assert 'aria-current="page">My team, unassigned' in html
    assert ">Claim</button>" in html


def test_overdue_step_says_so_in_words_not_only_colour(client, session, c, login):
    late = mine(session, c, days_ago=4)  # registration was due one day after admission
    login("cw.work")
    html = page_of(client, "/work/?filter=overdue")
    assert late.code in html
    assert "Overdue by 3 days" in html
    assert 'class="overdue"' in html


def test_rows_are_sorted_by_due_date(client, session, c, login):
    newer = mine(session, c, days_ago=0)
    older = mine(session, c, days_ago=2)
    login("cw.work")
    html = page_of(client, "/work/")
    assert html.index(older.code) < html.index(newer.code)


def test_my_work_is_paged(client, session, c, login):
    for _ in range(27):
        mine(session, c)
    login("cw.work")
    first = page_of(client, "/work/")
    second = page_of(client, "/work/?page=2")
    assert first.count('<tr id="item-') == 25
    assert second.count('<tr id="item-') == 2
    assert "Page 2 of 2" in second
    assert 'href="/work/?filter=mine&amp;page=2"' in first


def test_unknown_filter_and_bad_page_fall_back_to_defaults(client, c, own_case, login):
    login("cw.work")
    html = page_of(client, "/work/?filter=everything&page=-3")
    assert own_case.code in html


def test_survivor_name_shows_only_where_the_identity_may_be_seen(client, c, own_case, team_case, login):
    login("cw.work")
    html = page_of(client, "/work/?filter=all")
    assert "Zyxalias-own" in html  # the caseworker's own case
    assert "Zyxalias-team" not in html  # a team case: the step is theirs to take, the identity is not


def test_each_caseworker_sees_the_names_of_their_own_cases_only(client, session, c, login):
    admit(session, c.runtime, c.worker, caseworker=c.worker, alias="Zyxalias-mine")
    theirs = admit(session, c.runtime, c.supervisor, caseworker=c.colleague, alias="Zyxalias-theirs")
    admit(session, c.runtime, c.supervisor, caseworker=c.colleague, alias="Zyxalias-colleague")
    handed = first_item(session, theirs)
    handed.assignee_id = c.worker.id  # a step of the colleague's case given to this caseworker
    session.commit()
    login("cw.work")
    html = page_of(client, "/work/?filter=all")
    assert "Zyxalias-mine" in html
    assert theirs.code in _row(html, handed.id)  # the step is theirs to do, by case code
    assert "Zyxalias-theirs" not in html  # the case's identity is not
    client.post("/auth/logout", data={"csrf_token": csrf_from(html)})
    login("cw.colleague")  # the same statement, with the colleague's own values
    html = page_of(client, "/work/?filter=all")
    assert "Zyxalias-colleague" in html
    assert "Zyxalias-mine" not in html
    assert "Zyxalias-theirs" not in html  # its one step is with the other caseworker now


def test_a_supervisor_sees_the_names_of_the_team_s_cases_in_my_work(client, session, c, login):
    case = admit(session, c.runtime, c.supervisor, caseworker=c.colleague, alias="Zyxalias-team-case")
    item = first_item(session, case)
    item.role, item.assignee_id = Role.SUPERVISOR, c.supervisor.id  # a step of the supervisor's own
    session.commit()
    login("sup.work")
    html = page_of(client, "/work/?filter=mine")
    assert case.code in _row(html, item.id)
    assert "Zyxalias-team-case" in _row(html, item.id)


def _row(html: str, item_id: int) -> str:
    match = re.search(rf'<tr id="item-{item_id}"(.*?)</tr>', html, re.S)
    assert match, item_id
    return match.group(1)


def test_each_row_shows_its_step_due_state_links_and_action(client, session, factory, c, login):
    late = mine(session, c, days_ago=4, alias="Zyxalias-late")  # registration was due one day after admission
    unassigned = admit(session, c.runtime, c.supervisor, alias="Zyxalias-team")
    stranger = factory.user(Role.CASEWORKER, factory.team(), username="cw.stranger")
    elsewhere = admit(session, c.runtime, stranger, caseworker=stranger, alias="Zyxalias-other")
    own_item, team_item = first_item(session, late), first_item(session, unassigned)
    login("cw.work")
    html = page_of(client, "/work/?filter=all")
    own = _row(html, own_item.id)
    assert own.startswith(' class="overdue">')
    assert f'<a href="/cases/{late.code}"><code class="case-code">{late.code}</code></a>' in own
    assert '<small class="survivor">Zyxalias-late</small>' in own
    assert f'<a href="/work/{own_item.id}">Complete registration</a>' in own
    assert '<span class="badge badge-overdue">Overdue by 3 days</span>' in own
    assert f'action="/work/{own_item.id}/unclaim" hx-post="/work/{own_item.id}/unclaim"' in own
    assert '<span class="assignee">You</span>' in own
    assert f'aria-label="Give back “Complete registration” of case {late.code}">Give back</button>' in own
    team = _row(html, team_item.id)
    assert not team.startswith(' class="overdue"')
    assert f'<code class="case-code">{unassigned.code}</code>' in team
    assert "/cases/" not in team  # the step is theirs to take, the case file is not
    assert "Zyxalias" not in team
    assert f'<a href="/work/{team_item.id}">Complete registration</a>' in team
    assert f'action="/work/{team_item.id}/claim"' in team
    assert '<span class="assignee">Unassigned</span>' in team
    assert f'aria-label="Claim “Complete registration” of case {unassigned.code}">Claim</button>' in team
    for chosen in ("mine", "all", "team_unassigned", "overdue", "due_today", "due_this_week"):
        page = page_of(client, f"/work/?filter={chosen}")
        assert elsewhere.code not in page, chosen
        assert "Zyxalias-other" not in page, chosen


def test_a_row_due_today_says_so_and_a_row_without_due_date_too(client, session, c, login):
    today, undated = first_item(session, mine(session, c)), first_item(session, mine(session, c))
    today.due_at, undated.due_at = CLOCK + dt.timedelta(hours=2), None  # 12:00 in Phnom Penh, the same day
    session.commit()
    login("cw.work")
    html = page_of(client, "/work/")
    row = _row(html, today.id)
    assert '<span class="badge badge-today">Due today</span>' in row
    assert "Overdue" not in row
    assert '<span class="muted">no due date</span>' in _row(html, undated.id)


def test_no_name_in_any_url_of_my_work(client, c, own_case, login):
    login("cw.work")
    html = page_of(client, "/work/?filter=all")
    urls = re.findall(r'(?:href|action|hx-post)="([^"]*)"', html)
    assert urls
    assert not [u for u in urls if "Zyx" in u or "Testperson" in u]


def test_my_work_costs_the_same_queries_for_2_or_20_rows(app, client, session, c, login):
    def statements() -> int:
        with counted(app) as seen:
            assert client.get("/work/?filter=all").status_code == 200
        return len(seen)

    login("cw.work")
    for _ in range(2):
        mine(session, c)
    few = statements()
    for _ in range(18):
        mine(session, c)
    many = statements()
    assert page_of(client, "/work/?filter=all").count('<tr id="item-') == 20
    assert few == many


@pytest.mark.parametrize("chosen", ["mine", "all", "overdue", "team_unassigned"])
def test_my_work_reads_the_user_counts_rows_and_names_in_three_statements(app, client, session, c, own_case,
                                                                          team_case, login, chosen):  # fmt: skip
    # The signed-in user (checked on every request), the filter counts with the menu's unread messages, the
    # rows with the names the user may see: a statement more is a round trip more on PostgreSQL.
    login("cw.work")
    with counted(app) as seen:
        html = page_of(client, f"/work/?filter={chosen}")
    assert len(support.selects(seen)) <= 3, seen
    assert ("Zyxalias-own" in html) is (chosen in ("mine", "all"))  # listed (not overdue), with its name
    assert not [s for s in support.selects(seen) if s.lstrip().startswith("SELECT count(*)")]  # no count of its own


def test_my_work_menu_counts_the_users_own_unread_messages(client, session, c, own_case, login):
    support.tell(session, c.worker, n=2)
    support.tell(session, c.colleague, n=3)  # someone else's messages are not counted
    login("cw.work")
    html = page_of(client, "/work/?filter=all")
    assert 'aria-label="Inbox, 2 unread"' in html
    assert '<mark class="unread-count">2</mark>' in html
    assert 'aria-label="Inbox, 2 unread"' in page_of(client, "/inbox/preferences")  # a page without a queue


def test_my_work_menu_has_no_unread_count_when_everything_is_read(client, session, c, own_case, login):
    login("cw.work")
    html = page_of(client, "/work/")
    assert "unread" not in html
    assert ">Inbox</a>" in html


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REPORTING])
def test_roles_without_work_queues_are_refused(client, factory, login, role):
    factory.user(role, username=f"nowork.{role.value}")
    login(f"nowork.{role.value}")
    assert client.get("/work/").status_code == 403


def test_a_supervisor_has_my_work_too(client, session, c, login):
    admit(session, c.runtime, c.supervisor, alias="Zyxalias-sup")
    login("sup.work")
    html = page_of(client, "/work/?filter=all")
    assert "My work" in html  # the page works for supervisors (their steps are approvals)


# --- Claim and give back --------------------------------------------------------------------------------


def htmx_post(client, url: str, token: str, **data: str):
    return client.post(url, data=data, headers={"HX-Request": "true", "X-CSRFToken": token})


def test_claim_with_htmx_swaps_the_row_and_the_counts(client, session, c, team_case, login):
    login("cw.work")
    token = csrf_from(page_of(client, "/work/?filter=team_unassigned"))
    item = first_item(session, team_case)
    response = htmx_post(client, f"/work/{item.id}/claim", token, filter="team_unassigned", page="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="item-{item.id}"')
    assert ">Give back</button>" in html
    assert 'id="work-filters" class="filters" aria-label="Filters" hx-swap-oob="true"' in html
    assert filter_count(html, "Assigned to me") == 1
    assert filter_count(html, "My team, unassigned") == 0
    assert "You took “Complete registration” of case" in html
    assert "<html" not in html
    assert first_item(session, team_case).assignee_id == c.worker.id


def test_give_back_with_htmx_returns_the_step_to_the_team(client, session, c, team_case, login):
    claim_work_item(session=session, actor=c.worker, now=CLOCK, work_item_id=first_item(session, team_case).id)
    login("cw.work")
    token = csrf_from(page_of(client, "/work/"))
    item = first_item(session, team_case)
    html = htmx_post(client, f"/work/{item.id}/unclaim", token).get_data(as_text=True)
    assert ">Claim</button>" in html
    assert "back to the team" in html
    assert first_item(session, team_case).assignee_id is None


def test_claim_without_javascript_is_a_form_post_and_a_redirect(client, session, c, team_case, login):
    login("cw.work")
    token = csrf_from(page_of(client, "/work/?filter=team_unassigned"))
    item = first_item(session, team_case)
    response = client.post(
        f"/work/{item.id}/claim", data={"csrf_token": token, "filter": "team_unassigned", "page": "1"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/work/?filter=team_unassigned&page=1"
    assert "You took “Complete registration”" in page_of(client, "/work/")
    assert first_item(session, team_case).assignee_id == c.worker.id


def test_htmx_claim_without_the_csrf_header_is_refused(client, session, c, team_case, login):
    login("cw.work")
    item = first_item(session, team_case)
    response = client.post(f"/work/{item.id}/claim", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert first_item(session, team_case).assignee_id is None


def test_my_work_carries_the_csrf_token_for_htmx_in_a_meta_tag(client, c, login):
    login("cw.work")
    html = page_of(client, "/work/")
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
    assert '<script src="/static/js/htmx-setup.js" defer></script>' in html


def test_a_step_taken_by_someone_else_meanwhile_says_so_in_the_row(client, session, c, team_case, login):
    colleague = c.colleague
    login("cw.work")
    token = csrf_from(page_of(client, "/work/?filter=team_unassigned"))
    item = first_item(session, team_case)
    claim_work_item(session=session, actor=colleague, now=CLOCK, work_item_id=item.id)
    html = htmx_post(client, f"/work/{item.id}/claim", token).get_data(as_text=True)
    assert "Someone else has claimed this task in the meantime." in html
    assert html.lstrip().startswith(f'<tr id="item-{item.id}" class="row-gone">')
    assert first_item(session, team_case).assignee_id == colleague.id


def test_the_engine_s_refusal_is_shown_in_the_reader_s_language(client, session, c, team_case, login):
    """The engine's messages are English message ids (``N_``); a Khmer reader gets them in Khmer."""
    c.worker.language = "km"
    session.commit()
    login("cw.work")
    token = csrf_from(page_of(client, "/work/?filter=team_unassigned"))
    item = first_item(session, team_case)
    claim_work_item(session=session, actor=c.colleague, now=CLOCK, work_item_id=item.id)
    html = htmx_post(client, f"/work/{item.id}/claim", token).get_data(as_text=True)
    assert "មានអ្នកផ្សេងបានទទួលយកជំហាននេះក្នុងពេលនេះ។" in html
    assert "Someone else has claimed" not in html


def test_a_caseworker_cannot_claim_another_teams_step(client, session, factory, c, login):
    elsewhere = factory.user(Role.SUPERVISOR, factory.team())
    foreign = admit(session, c.runtime, elsewhere)
    login("cw.work")
    token = csrf_from(page_of(client, "/work/"))
    item = first_item(session, foreign)
    assert htmx_post(client, f"/work/{item.id}/claim", token).status_code == 404
    assert client.post(f"/work/{item.id}/claim", data={"csrf_token": token}).status_code == 404
    assert first_item(session, foreign).assignee_id is None


def test_a_caseworker_cannot_give_back_a_colleagues_step(client, session, c, team_case, login):
    colleague = c.colleague
    claim_work_item(session=session, actor=colleague, now=CLOCK, work_item_id=first_item(session, team_case).id)
    login("cw.work")
    token = csrf_from(page_of(client, "/work/"))
    item = first_item(session, team_case)
    assert client.post(f"/work/{item.id}/unclaim", data={"csrf_token": token}).status_code == 404
    assert first_item(session, team_case).assignee_id == colleague.id
