"""No untranslated English on the casework pages in Khmer (issue 13).

Every demo account is switched to Khmer; each signs in and walks its own pages: the navigation's links
and, one level down, the links found there (a case page with its history, a task, a reassignment, a
transfer, an organisation, a training record, the inbox, the reports, the administrator's status page,
...), except downloads and sign-out. What is left of each page after taking away the markup, the scripts,
code (field names, commands), names cited in English (``<span lang="en">``), the people's and places'
names, case codes, user names and e-mail addresses must have no run of three or more Latin letters, but
for the few codes listed in ``ALLOWED`` with their reason.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.accounts.passwords import make_hasher
from engine.db import transaction
from engine.demo import DEMO_PASSWORD, seed_demo
from engine.models.accounts import Organisation, Team, TrainingRecord, User
from engine.models.cases import FamilyMember, Identity
from tests.conftest import NOW, csrf_from

ROLES = ("caseworker.a1", "supervisor.a", "dosvy.officer", "admin", "reporting")
ALLOWED = {
    "English",  # the language switch names each language in that language
    "Reintegra",  # the product's name
    "JavaScript",  # "the diagram needs JavaScript": the technology's name
    "PDF", "CSV", "XLSX",  # file formats, named as such in Khmer text too
    "TOTP",  # the standard's name next to the Khmer explanation of two-factor sign-in
    "ISO",  # ISO 3166 country codes
    "UTC",  # the time zone's name beside a time
    "IOM", "CTDC",  # the source of the report's privacy rule, cited by name
    "HTCDS",  # the data standard the reports follow, by its name
    "BPMN",  # the diagram standard the scheduler's timer job names
}  # fmt: skip
# Free text the demo's staff wrote (in English, as staff may): content, not the interface.
WRITTEN_BY_STAFF = ("Synthetic demo: add the education goal",)
SKIP = re.compile(r"/auth/logout|\.(csv|xlsx|pdf|bpmn|png|jpg)(\?|$)|/static/|/photo|/healthz")
LATIN_RUN = re.compile(r"[A-Za-z]{3,}")


def _visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style|code|kbd|samp)\b.*?</\1>", " ", page)
    page = re.sub(r'(?is)<span lang="en">.*?</span>', " ", page)  # a name cited in its own language
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return html.unescape(page)


def _names(session: Session) -> list[str]:
    """Every name the pages may show as it was written: people, teams, organisations, user names."""
    found: list[str] = []
    for user in session.scalars(select(User)):
        found += [user.display_name, user.username, user.email or ""]
    found += [t.name for t in session.scalars(select(Team))]
    found += [o.name for o in session.scalars(select(Organisation))]
    for identity in session.scalars(select(Identity)):
        found += [str(v) for v in vars(identity).values() if isinstance(v, str)]
    for member in session.scalars(select(FamilyMember)):
        found += [str(v) for v in (member.name, member.occupation) if v]
    found += [str(t.trainer) for t in session.scalars(select(TrainingRecord)) if t.trainer]
    found += list(WRITTEN_BY_STAFF)
    return sorted({n for n in found if n}, key=len, reverse=True)


def _leftovers(text: str, names: list[str]) -> set[str]:
    for name in names:
        text = text.replace(name, " ")
    text = re.sub(r"\b[A-Z]{2}-[A-Z0-9]{4,}\b", " ", text)  # case codes
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses
    return {run for run in LATIN_RUN.findall(text) if run not in ALLOWED}


def _sign_in(client: FlaskClient, username: str) -> None:
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    answer = client.post("/auth/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    assert answer.status_code in (302, 303), username


def _links(page: str) -> list[str]:
    out = []
    for href in re.findall(r'href="([^"#]+)"', page):
        href = html.unescape(href)
        parts = urlsplit(href)
        if not parts.netloc and href.startswith("/") and not SKIP.search(href):
            out.append(href)
    return out


def _walk(client: FlaskClient, names: list[str], limit: int = 40) -> dict[str, set[str]]:
    home = client.get("/", follow_redirects=True)
    queue, seen, found = _links(home.get_data(as_text=True)), {"/"}, {}
    found["/"] = _leftovers(_visible_text(home.get_data(as_text=True)), names)
    depth = {href: 1 for href in queue}
    while queue and len(seen) < limit:
        href = queue.pop(0)
        key = urlsplit(href).path
        if key in seen:
            continue
        seen.add(key)
        answer = client.get(href, follow_redirects=True)
        if answer.status_code != 200 or answer.mimetype != "text/html":
            continue
        page = answer.get_data(as_text=True)
        found[href] = _leftovers(_visible_text(page), names)
        if depth[href] < 2:
            for link in _links(page):
                if link not in depth:
                    depth[link] = depth[href] + 1
                    queue.append(link)
    return {href: runs for href, runs in found.items() if runs}


def test_the_main_pages_in_khmer_have_no_english_left(app: Flask, session: Session) -> None:
    seed_demo(session=session, hasher=make_hasher("fast"), now=NOW, runtime=app.extensions["reintegra"]["runtime"])
    with transaction(session):
        session.execute(update(User).values(language="km"))
    names = _names(session)
    untranslated: dict[str, dict[str, set[str]]] = {}
    for username in ROLES:
        client = app.test_client()
        _sign_in(client, username)
        left = _walk(client, names)
        if left:
            untranslated[username] = left
    anonymous = app.test_client()
    login_page = anonymous.get("/auth/login", headers={"Accept-Language": "km"}).get_data(as_text=True)
    login_left = _leftovers(_visible_text(login_page), names)
    if login_left:
        untranslated["(signed out)"] = {"/auth/login": login_left}
    assert untranslated == {}, repr(untranslated)


def test_the_sign_in_reminder_is_in_the_visitors_language(app: Flask) -> None:
    for language, expected in (("en", "Please sign in to see this page."), ("km", "សូមចូលដើម្បីមើលទំព័រនេះ។")):
        page = app.test_client().get("/cases/", headers={"Accept-Language": language}, follow_redirects=True)
        text = _visible_text(page.get_data(as_text=True))
        assert expected in text
        if language == "km":
            assert _leftovers(text, []) == set()
