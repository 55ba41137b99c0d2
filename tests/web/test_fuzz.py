"""Property tests: whatever the values of its query parameters and form fields, no route answers 500.

Every route of the route matrix (``RULES``), as each actor who gets past its authorisation, receives fuzzed
values: text with NUL characters, digits of other scripts (``١٢``, ``²``), numbers no column holds, empty
strings, repeated fields, Khmer and other Unicode, random bytes as uploads. The fields fuzzed are those a
real page offers: the module signs in as every actor, opens every page it may open and reads every form
(and every link's query string) it finds there, mapped to the route that receives it; the query
parameters the code reads (``request.args.get("...")``) are added to every page; and every WTForms form
class of the app must have been found on some page, so a form no page shows fails here. A form carries a
valid CSRF token, so that its values reach the view.

Bounded (a few examples per cell, no deadline) so that the module runs in well under two minutes.
"""

from __future__ import annotations

import importlib
import io
import os
import pkgutil
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.test import TestResponse

import web
from engine.models.accounts import Role, Team
from tests.conftest import csrf_from
from tests.factories import Factory
from tests.web import test_route_matrix as route_matrix
from tests.web.test_route_matrix import ACTORS, ANONYMOUS, RULES, World, Worlds, half_sign_in, sign_in, url_of

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5")),  # more when hunting: FUZZ_EXAMPLES=50
    deadline=None,
    database=None,  # nothing written next to the sources
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Values that broke a route once, or could: they come up in every cell, besides random text.
NASTY = (
    "", "\x00", "1\x00", "a\x00b", "١٢", "٣", "²", "𝟙", "0", "-1", "+1", " 7 ", "1.5", "1e9", "NaN",
    str(2**31), str(2**63), "9" * 40, "9" * 5000, "2026-02-30", "0001-01-01", "9999-12-31", "31/12/2026",
    "ខ្មែរ", "\u202eevil", "\ufeff", "<script>x</script>", "' OR 1=1 --", "%00", "../../etc/passwd",
    "x" * 3000, "on", "true", "None",
)  # fmt: skip
FIELD_SKIP = {"csrf_token"}
SOURCES = Path(web.__file__).parent

# The route matrix's app and world (module fixtures), with its actors and who may reach each route.
matrix_app = route_matrix.matrix_app
worlds = route_matrix.worlds


class Forms(HTMLParser):
    """The forms of one page (action, method, fields with the values they offer) and its links."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[tuple[str, str, dict[str, set[str]], set[str]]] = []  # action, method, fields, files
        self.links: list[str] = []
        self._open: tuple[str, str, dict[str, set[str]], set[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._open = (a.get("action") or self.page_url, (a.get("method") or "get").upper(), defaultdict(set), set())
            self.forms.append(self._open)
        elif tag == "a" and "?" in a.get("href", ""):
            self.links.append(a["href"])
        elif self._open is not None and a.get("name"):
            fields, files = self._open[2], self._open[3]
            if tag == "input" and a.get("type") == "file":
                files.add(a["name"])
            elif tag in ("input", "textarea", "select", "button"):
                fields[a["name"]].add(a.get("value", ""))
                self._select = a["name"] if tag == "select" else None
        if tag == "option" and self._open is not None and self._select:
            self._open[2][self._select].add(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None
        elif tag == "select":
            self._select = None


class Catalogue:
    """For each route (endpoint, method): the fields its forms send, with the values pages offer, and uploads."""

    def __init__(self) -> None:
        self.fields: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.files: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, app: Flask, url: str, method: str, fields: dict[str, set[str]], files: set[str] = frozenset()
            ) -> None:  # fmt: skip
        endpoint = _endpoint(app, url, method)
        if endpoint is None:
            return
        for name, values in fields.items():
            self.fields[endpoint, method][name] |= values
        for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            self.fields[endpoint, method][name].add(value)
        self.files[endpoint, method] |= files

    def names(self) -> set[str]:
        return {name for fields in self.fields.values() for name in fields} | {
            name for files in self.files.values() for name in files
        }


def _endpoint(app: Flask, url: str, method: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _values = adapter.match(urlsplit(url).path, method=method)
    except (NotFound, MethodNotAllowed):
        return None
    return str(endpoint)


def _query_names_read_by_the_code() -> set[str]:
    """Every query parameter the views read by name (``request.args.get("page")``, ``page_arg("page")``)."""
    names: set[str] = set()
    pattern = re.compile(r"""(?:request\.args\.get|request\.values\.get|page_arg|args\.get)\(\s*["'](\w+)["']""")
    for path in SOURCES.rglob("*.py"):
        names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def _client(app: Flask, world: World, actor: str, endpoint: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, world, actor)
    if endpoint == "auth.second_factor" and actor == ANONYMOUS:
        half_sign_in(client, world)
    return client


@pytest.fixture(scope="module")
def catalogue(matrix_app: Flask, worlds: Worlds) -> Catalogue:
    """Open every page each actor may open and note every form and link found there."""
    found = Catalogue()
    world = worlds.current()
    for actor in ACTORS:
        for endpoint, method in sorted(RULES):
            if method != "GET" or actor not in RULES[endpoint, method]:
                continue
            client = _client(matrix_app, world, actor, endpoint)
            url = url_of(matrix_app, world, endpoint, actor)
            response = client.get(url)
            if not response.content_type.startswith("text/html"):
                continue
            page = Forms(url)
            page.feed(response.get_data(as_text=True))
            for action, form_method, fields, files in page.forms:
                found.add(matrix_app, action, form_method, fields, files)
            for link in page.links:
                found.add(matrix_app, link, "GET", {})
    return found


def _wtforms_classes() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(web.__path__, "web."):
        importlib.import_module(module.name)

    def every(cls: type[FlaskForm]) -> Iterator[type[FlaskForm]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    return sorted({c for c in every(FlaskForm) if c.__module__.startswith("web.")}, key=lambda c: c.__qualname__)


def _field_names(form_class: type[FlaskForm]) -> set[str]:
    return {name for name, value in vars(form_class).items() if hasattr(value, "field_class")} - FIELD_SKIP


def test_every_wtforms_form_of_the_app_was_found_on_a_page(catalogue: Catalogue) -> None:
    classes = _wtforms_classes()
    assert len(classes) >= 10, "the form classes were not found"
    names = catalogue.names()
    unseen = {c.__qualname__: sorted(_field_names(c) - names) for c in classes if _field_names(c) - names}
    assert not unseen, f"form fields no page showed (so they are not fuzzed): {unseen}"


def test_the_code_reads_query_parameters_the_catalogue_fuzzes() -> None:
    assert {"page", "next", "filter"} <= _query_names_read_by_the_code()


def value(offered: set[str]) -> st.SearchStrategy[str]:
    """A value for one field: one the page offers, a nasty one, random text or a number of any size."""
    choices = [st.sampled_from(NASTY), st.text(max_size=30), st.integers().map(str)]
    if offered - {""}:
        choices.insert(0, st.sampled_from(sorted(offered)))
    return st.one_of(choices)


def values_for(fields: dict[str, set[str]], files: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the fields (each absent, one value or repeated), and the uploads as random bytes."""
    optional: dict[str, st.SearchStrategy[Any]] = {
        name: st.one_of(value(offered), st.lists(value(offered), min_size=2, max_size=3))
        for name, offered in sorted(fields.items())
        if name not in FIELD_SKIP
    }
    for name in sorted(files):
        optional[name] = st.binary(max_size=256).map(lambda data: (io.BytesIO(data), "upload.jpg"))
    return st.fixed_dictionaries({}, optional=optional)


def _cells() -> list[object]:
    return [
        pytest.param(endpoint, method, actor, id=f"{endpoint}-{method}-{actor}")
        for (endpoint, method), allowed in sorted(RULES.items())
        for actor in ACTORS
        if actor in allowed and endpoint != "health.healthz"
    ]


def _token(client: FlaskClient) -> str:
    """A CSRF token of the client's session (from a page with a form, signed in or out by now)."""
    for page in ("/inbox/", "/auth/login"):
        html = client.get(page).get_data(as_text=True)
        if 'name="csrf_token"' in html:
            return csrf_from(html)
    raise AssertionError("no page with a CSRF token")


def send(client: FlaskClient, method: str, url: str, data: dict[str, Any]) -> TestResponse:
    if method == "GET":
        return client.get(url, query_string=data)
    token = _token(client)
    return client.open(url, method=method, data={**data, "csrf_token": token}, content_type="multipart/form-data")


@pytest.mark.parametrize(("endpoint", "method", "actor"), _cells())
def test_no_value_of_any_field_makes_a_route_fail(
    matrix_app: Flask, worlds: Worlds, catalogue: Catalogue, endpoint: str, method: str, actor: str
) -> None:
    world = worlds.current()
    client = _client(matrix_app, world, actor, endpoint)
    url = url_of(matrix_app, world, endpoint, actor)
    fields = dict(catalogue.fields.get((endpoint, method), {}))
    if method == "GET":
        for name in _query_names_read_by_the_code():
            fields.setdefault(name, set())

    @FUZZ
    @given(data=values_for(fields, catalogue.files.get((endpoint, method), set())))
    def probe(data: dict[str, Any]) -> None:
        for upload in data.values():
            if isinstance(upload, tuple):
                upload[0].seek(0)  # hypothesis may replay an example
        response = send(client, method, url, data)
        shown = {k: (v if not isinstance(v, tuple) else "<upload>") for k, v in data.items()}
        assert response.status_code < 500, f"{endpoint} ({method}) as {actor} failed with {shown!r}"

    try:
        probe()
    finally:
        if method != "GET":
            worlds.spoil()


NUL_MESSAGE = "The form contained a character that cannot be saved (a NUL character)."


def test_a_nul_character_in_a_form_is_refused_with_a_message_and_nothing_saved(
    client: FlaskClient, factory: Factory, login: Callable[[str], object], session: Session
) -> None:
    team = factory.team()
    factory.user(Role.ADMINISTRATOR, username="admin.nul")
    login("admin.nul")
    token = csrf_from(client.get("/inbox/").get_data(as_text=True))
    response = client.post(f"/admin/teams/{team.id}/edit", data={"csrf_token": token, "name": "Team\x00B"})
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Team, team.id).name != "Team\x00B"


@pytest.mark.parametrize("url", ["/cases/RG-A%00B", "/work/?filter=mine%00", "/auth/login?next=/%00"])
def test_a_nul_character_in_a_path_or_query_string_is_a_bad_request(
    client: FlaskClient, factory: Factory, login: Callable[[str], object], url: str
) -> None:
    factory.user(Role.CASEWORKER, factory.team(), username="cw.nul")
    login("cw.nul")
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_a_nul_character_in_the_user_name_at_sign_in_is_a_bad_request(client: FlaskClient) -> None:
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"csrf_token": token, "username": "a\x00b", "password": "x" * 12})
    assert response.status_code == 400
