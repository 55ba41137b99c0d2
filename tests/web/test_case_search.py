"""The case list's search box and filters: names are posted (never in a URL or a log), codes and filters
work, the scope is the case list's, and bad values come back as messages next to the fields."""

from __future__ import annotations

import logging
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.models.accounts import Role, Team, User
from engine.models.cases import Case, Phase
from engine.models.security import AuditEvent
from tests.conftest import csrf_from
from tests.factories import Factory

KHMER_GIVEN = "ស្រីពៅ"
KHMER_GIVEN_TYPED_OTHERWISE = "\u179f\u17b8\u17d2\u179a\u1796\u17c5"  # the subscript typed after the vowel


@pytest.fixture
def team(factory: Factory) -> Team:
    return factory.team()


@pytest.fixture
def worker(factory: Factory, team: Team) -> User:
    return factory.user(Role.CASEWORKER, team, username="cw.search")


@pytest.fixture
def demo(factory: Factory, worker: User) -> Case:
    return factory.case(worker, given_name_latin="Demo Survivor 03", family_name_latin="Sample",
                        given_name_km=KHMER_GIVEN, alias="Zedalias")  # fmt: skip


def post_search(client: FlaskClient, query: str, **fields: str):
    token = csrf_from(client.get("/cases/").get_data(as_text=True))
    return client.post("/cases/search", data={"q": query, "csrf_token": token, **fields})


def test_a_khmer_name_typed_in_another_order_finds_the_case(client, login, demo: Case) -> None:
    login("cw.search")
    response = post_search(client, KHMER_GIVEN_TYPED_OTHERWISE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert demo.code in html
    assert "1 case found" in html
    assert "Zedalias" in html  # the name column of search results (the alias first)
    assert response.headers["Cache-Control"] == "no-store"


def test_latin_words_find_the_case_and_the_query_is_shown_back_only_in_the_box(client, login, demo: Case) -> None:
    login("cw.search")
    html = post_search(client, "Sample 03").get_data(as_text=True)
    assert demo.code in html
    assert re.search(r'<input type="search" id="q" name="q" value="Sample 03"', html)


def test_a_code_prefix_finds_the_case(client, login, demo: Case) -> None:
    login("cw.search")
    assert demo.code in post_search(client, demo.code[:5].lower()).get_data(as_text=True)


def test_nothing_found_says_so(client, login, demo: Case) -> None:
    login("cw.search")
    html = post_search(client, "Nobody").get_data(as_text=True)
    assert "0 cases found" in html
    assert "No cases to show." in html
    assert demo.code not in html


def test_a_name_in_another_team_is_not_found(client, login, factory: Factory, demo: Case) -> None:
    factory.user(Role.SUPERVISOR, factory.team(), username="sup.elsewhere")
    login("sup.elsewhere")
    html = post_search(client, "Demo Sample").get_data(as_text=True)
    assert demo.code not in html
    assert "Zedalias" not in html
    assert "0 cases found" in html


def test_every_search_form_posts_so_no_name_reaches_a_url(client, login, demo: Case) -> None:
    login("cw.search")
    html = client.get("/cases/").get_data(as_text=True)
    forms = re.findall(r"<form [^>]*>", html)
    searching = [f for f in forms if "/cases/search" in f]
    assert len(searching) == 2  # the case list's and the navigation's
    assert all('method="post"' in f for f in searching)
    assert 'name="q"' in html
    assert "Zedalias" not in html


def test_a_name_in_the_query_string_is_ignored(client, login, demo: Case) -> None:
    login("cw.search")
    html = client.get("/cases/?q=Nobody").get_data(as_text=True)
    assert demo.code in html  # the plain list: q is not read from a URL
    assert "Nobody" not in html


def test_search_needs_the_csrf_token(client, login, demo: Case) -> None:
    login("cw.search")
    assert client.post("/cases/search", data={"q": "Sample"}).status_code == 400


def test_filters_alone_redirect_to_the_bookmarkable_list(client, login, demo: Case) -> None:
    login("cw.search")
    response = post_search(client, "  ", phase="pre_reintegration", overdue="")
    assert response.status_code == 303
    assert response.headers["Location"] == "/cases/?phase=pre_reintegration"


def test_filters_by_phase_in_the_list(client, login, session: Session, factory: Factory, worker: User,
                                      demo: Case) -> None:  # fmt: skip
    later = factory.case(worker, given_name_latin="Demo Later")
    with transaction(session):
        later.phase = Phase.REINTEGRATION
    login("cw.search")
    html = client.get("/cases/?phase=reintegration").get_data(as_text=True)
    assert later.code in html
    assert demo.code not in html
    both = post_search(client, "Demo", phase="reintegration").get_data(as_text=True)
    assert later.code in both
    assert demo.code not in both


def test_a_bad_filter_value_is_a_message_next_to_the_field(client, login, demo: Case) -> None:
    login("cw.search")
    response = client.get("/cases/?status=vanished")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<small id="status-error" class="field-error">Choose a status from the list.</small>' in html
    assert demo.code not in html


def test_a_bad_page_is_a_message(client, login, demo: Case) -> None:
    login("cw.search")
    response = client.get("/cases/?page=abc")
    assert response.status_code == 422
    assert "There is no such page." in response.get_data(as_text=True)


def test_a_too_long_search_is_refused_with_a_message(client, login, demo: Case) -> None:
    login("cw.search")
    response = post_search(client, "a b c d e f g h i")
    assert response.status_code == 422
    assert "at most 200 characters and 8 words" in response.get_data(as_text=True)


def test_the_supervisor_filters_by_caseworker(client, login, factory: Factory, team: Team, worker: User,
                                              demo: Case) -> None:  # fmt: skip
    other = factory.user(Role.CASEWORKER, team)
    theirs = factory.case(other, given_name_latin="Demo Theirs", family_name_latin="Sample")
    factory.user(Role.SUPERVISOR, team, username="sup.search")
    login("sup.search")
    html = client.get(f"/cases/?caseworker={worker.id}").get_data(as_text=True)
    assert f'<option value="{worker.id}" selected>' in html
    assert demo.code in html
    assert theirs.code not in html
    stranger = factory.user(Role.CASEWORKER, factory.team())
    refused = client.get(f"/cases/?caseworker={stranger.id}")
    assert refused.status_code == 422
    assert "Choose a caseworker of your team." in refused.get_data(as_text=True)


def test_a_caseworker_gets_no_caseworker_filter(client, login, demo: Case) -> None:
    login("cw.search")
    assert 'name="caseworker"' not in client.get("/cases/").get_data(as_text=True)


def test_later_pages_of_a_name_search_are_posted(client, login, factory: Factory, worker: User) -> None:
    codes = {factory.case(worker, given_name_latin=f"Paged {n}", family_name_latin="Sample").code for n in range(27)}
    login("cw.search")
    first = post_search(client, "Sample").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "/cases/?page=2" not in first
    assert '<input type="hidden" name="page" value="2">' in first
    second = post_search(client, "Sample", page="2").get_data(as_text=True)
    shown = set(re.findall(r"<code>([A-Z]+-[A-Z0-9]+)</code>", first)) | set(
        re.findall(r"<code>([A-Z]+-[A-Z0-9]+)</code>", second)
    )
    assert shown == codes


def test_the_query_is_neither_logged_nor_audited(client, login, session: Session, demo: Case, caplog) -> None:
    login("cw.search")
    with caplog.at_level(logging.DEBUG):
        post_search(client, "Zedalias Sample")
    assert "Zedalias" not in caplog.text
    details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "case_search")).all()
    assert details == ["words=2; filters=; found=1"]


def test_the_search_page_is_in_khmer(client, login, factory: Factory, team: Team) -> None:
    factory.user(Role.CASEWORKER, team, username="cw.search.km", language="km")
    login("cw.search.km")
    html = client.get("/cases/").get_data(as_text=True)
    assert "ឈ្មោះ ឬលេខកូដករណី" in html  # "Name or case code"


def test_every_search_message_is_marked_for_translation(app) -> None:
    from engine.cases.search import MESSAGES
    from web.cases.search import ENGINE_MESSAGES

    with app.test_request_context():
        assert {str(message) for message in ENGINE_MESSAGES} == set(MESSAGES.values())
