"""Numbers no row or page can have, in paths, query strings and forms: a 404 or the first/last page,
never a 500 from a database driver that cannot hold them (SQLite overflows above 2^63, PostgreSQL's
INTEGER above 2^31)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.models.accounts import Role
from tests.conftest import csrf_from
from tests.factories import Factory
from tests.web.casework_support import admit, crew
from web.paging import MAX_PAGE, ROW_ID_MAX, parse_page, parse_row_id

HUGE = (ROW_ID_MAX + 1, 2**63, 10**30)


def _int_rules(app: Flask) -> list[tuple[str, set[str]]]:
    """Every route with an ``<int:...>`` part, as a path template with ``{n}`` for the number."""
    rules = []
    for rule in app.url_map.iter_rules():
        if "int" not in {converter for _, converter, _ in _parts(rule.rule)}:
            continue
        path = rule.rule
        for _, converter, name in _parts(rule.rule):
            path = path.replace(
                f"<{converter}:{name}>" if converter else f"<{name}>", "{n}" if converter == "int" else "RG-NOTHERE"
            )
        rules.append((path, set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    return rules


def _parts(rule: str) -> list[tuple[str, str, str]]:
    return [(m.group(0), m.group(1) or "", m.group(2)) for m in re.finditer(r"<(?:(\w+):)?(\w+)>", rule)]


def test_the_app_has_routes_with_ids(app: Flask) -> None:
    assert len(_int_rules(app)) >= 6


@pytest.mark.parametrize("number", HUGE)
def test_an_id_no_row_can_have_is_a_404_on_every_route(
    app: Flask, client: FlaskClient, factory: Factory, login, number: int
) -> None:
    team = factory.team()
    factory.user(Role.SUPERVISOR, team, username="sup.huge")
    login("sup.huge")
    token = csrf_from(client.get("/work/").get_data(as_text=True))
    for path, methods in _int_rules(app):
        url = path.format(n=number)
        for method in methods:
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 404, (method, path, response.status_code)


def test_the_largest_id_is_routed_and_simply_not_found(
    app: Flask, client: FlaskClient, factory: Factory, login
) -> None:
    crew(app, factory)
    login("cw.work")
    for url in (f"/work/{ROW_ID_MAX}", f"/work/{ROW_ID_MAX}/claim"):
        method = "GET" if url.endswith(str(ROW_ID_MAX)) else "POST"
        response = client.open(url, method=method)
        assert response.status_code in (400, 403, 404), (url, response.status_code)  # refused, never a 500


@pytest.mark.parametrize(
    "url",
    [
        "/work/?page={n}",
        "/cases/?page={n}",
        "/inbox/?page={n}",
        "/team/queue?page={n}&caseworker={n}",
        "/team/approvals?page={n}",
    ],
)
@pytest.mark.parametrize("number", [*HUGE, -1, 0])
def test_pages_and_filters_out_of_range_still_answer(
    app: Flask, client: FlaskClient, factory: Factory, login, url: str, number: int
) -> None:
    people = crew(app, factory)
    admit(factory.session, people.runtime, people.supervisor, caseworker=people.worker)
    login("sup.work")
    response = client.get(url.format(n=number))
    assert response.status_code in (200, 422), (url, number)  # the page, or "There is no such page."


def test_parsing_clamps_pages_and_refuses_impossible_ids() -> None:
    assert [parse_page(v) for v in (None, "", "x", "0", "-3", "7", str(10**30))] == [1, 1, 1, 1, 1, 7, MAX_PAGE]
    assert [parse_row_id(v) for v in (None, "", "x", "0", "-3", "7", str(ROW_ID_MAX), str(ROW_ID_MAX + 1))] == [
        None, None, None, None, None, 7, ROW_ID_MAX, None,
    ]  # fmt: skip


def test_only_the_digits_0_to_9_make_a_number() -> None:
    # "²" passes str.isdigit but not int(); "١٢" passes both (as 12); 5,000 digits are past int()'s limit.
    assert [parse_page(v) for v in ("²", "١٢", "𝟙", "9" * 5000)] == [1, 1, 1, MAX_PAGE]
    assert [parse_row_id(v) for v in ("²", "١٢", "٣")] == [None, None, None]


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 5000])
@pytest.mark.parametrize("url", ["/work/?page={v}", "/inbox/?page={v}", "/team/queue?page={v}&caseworker={v}",
                                 "/team/dashboard?visits_page={v}&stale_page={v}"])  # fmt: skip
def test_digits_of_other_scripts_in_a_page_number_still_answer(
    app: Flask, client: FlaskClient, factory: Factory, login, url: str, value: str
) -> None:
    crew(app, factory)
    login("sup.work")
    assert client.get(url.format(v=value)).status_code == 200


def test_a_search_for_a_caseworker_id_in_other_digits_is_refused_with_a_message(
    app: Flask, client: FlaskClient, factory: Factory, login
) -> None:
    crew(app, factory)
    login("cw.work")
    token = csrf_from(client.get("/cases/").get_data(as_text=True))
    response = client.post("/cases/search", data={"csrf_token": token, "caseworker": "²", "q": "Someone"})
    assert response.status_code == 422
    assert "Choose a caseworker of your team." in response.get_data(as_text=True)
    assert client.get("/cases/?caseworker=²").status_code == 422


@pytest.mark.parametrize("organisation", ["١٢", str(2**63), "9" * 40])
def test_an_organisation_no_row_can_have_in_the_user_filter_lists_nobody(
    client: FlaskClient, factory: Factory, login, organisation: str
) -> None:
    factory.user(Role.ADMINISTRATOR, username="admin.filter")
    login("admin.filter")
    response = client.get("/admin/users", query_string={"organisation": organisation})
    assert response.status_code == 200
