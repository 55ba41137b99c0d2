"""The case page (header, phase timeline, diagram, case-file sections with their age, history), editing
sections and family members, and who may do any of it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from engine.cases.sections import EDITABLE
from engine.db import transaction
from engine.demo import PRE_AND_REINTEGRATION
from engine.models.accounts import Role, User
from engine.models.cases import CaseEvent, FamilyMember, History, Identity
from tests.conftest import csrf_from
from tests.web.casework_support import (
    NO_INLINE,
    Crew,
    admit,
    complete,
    crew,
    open_items,
    page_of,
    unlabelled_controls,
)


@pytest.fixture
def c(app, factory) -> Crew:
    return crew(app, factory)


@pytest.fixture
def case(session, c):
    return admit(session, c.runtime, c.worker, caseworker=c.worker, alias="Zyxalias")


def reach_reintegration(session, c: Crew, case) -> None:
    """Walk the case through every Pre-Reintegration step (approvals by the supervisor)."""
    for name, overrides in PRE_AND_REINTEGRATION[:12]:
        [item] = [i for i in open_items(session, case) if i.task_name == name]
        complete(session, c.runtime, c.supervisor if item.role is Role.SUPERVISOR else c.worker, item, **overrides)


def edit(client, url: str, **values: str):
    html = page_of(client, url)
    token = re.search(r'name="loaded_token" value="([^"]*)"', html)
    assert token
    return client.post(url, data={"csrf_token": csrf_from(html), "loaded_token": token.group(1), **values})


# --- The page -------------------------------------------------------------------------------------------


def test_header_shows_code_phase_status_risk_and_caseworker(client, c, case, login):
    login("cw.work")
    html = page_of(client, f"/cases/{case.code}")
    assert f"<h1>Case {case.code}</h1>" in html
    assert "<dt>Phase</dt><dd>Pre-Reintegration</dd>" in html
    assert "<dt>Status</dt><dd>Open</dd>" in html
    assert "<dt>Risk level</dt><dd>not assessed yet</dd>" in html
    assert f"<dt>Assigned caseworker</dt><dd>{c.worker.display_name}</dd>" in html


def test_timeline_marks_the_current_phase_and_the_ones_done(client, session, c, case, login):
    reach_reintegration(session, c, case)
    login("cw.work")
    html = page_of(client, f"/cases/{case.code}")
    phases = re.findall(r'<li class="phase phase-(\w+)"[^>]*>\s*<span class="phase-name">([^<]+)</span>', html)
    assert phases == [("done", "Pre-Reintegration"), ("current", "Reintegration"), ("ahead", "Type 1 Follow-up"),
                      ("ahead", "Type 2 Follow-up"), ("ahead", "Closure")]  # fmt: skip
    assert 'aria-current="step"' in html
    assert '<dt>Risk level</dt><dd><span class="risk risk-low">Low</span></dd>' in html


def test_diagram_holder_names_the_done_and_waiting_steps(client, session, c, case, login):
    complete(session, c.runtime, c.worker, open_items(session, case)[0])
    login("cw.work")
    html = page_of(client, f"/cases/{case.code}")
    assert f'data-xml-url="/cases/{case.code}/diagram.bpmn"' in html
    assert 'data-completed="registration"' in html
    assert 'data-current="consent"' in html
    assert '<script src="/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" defer></script>' in html
    assert '<script src="/static/js/case-page.js" defer></script>' in html


def test_diagram_xml_is_served_uncached_to_those_who_may_see_the_case(client, factory, c, case, login):
    login("cw.work")
    response = client.get(f"/cases/{case.code}/diagram.bpmn")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["Cache-Control"] == "no-store"
    assert 'id="registration"' in response.get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_from(page_of(client, "/work/"))})
    login("cw.colleague")
    assert client.get(f"/cases/{case.code}/diagram.bpmn").status_code == 404


def test_sections_show_their_age_and_warn_when_out_of_date(client, session, c, login):
    old = admit(session, c.runtime, c.worker, caseworker=c.worker, days_ago=100)
    fresh = admit(session, c.runtime, c.worker, caseworker=c.worker)
    login("cw.work")
    stale_html = page_of(client, f"/cases/{old.code}")
    assert '<span class="badge badge-warn">out of date: last updated 100 days ago</span>' in stale_html
    assert '<span class="badge badge-warn">not recorded yet</span>' in stale_html
    assert '<span class="badge ">last updated today</span>' in page_of(client, f"/cases/{fresh.code}")


def test_sections_show_their_values_to_the_caseworker(client, c, case, login):
    login("cw.work")
    html = page_of(client, f"/cases/{case.code}")
    assert "<dt>Alias</dt>" in html
    assert '<dd class="">Zyxalias</dd>' in html
    assert "<dt>Sex</dt>" in html
    assert '<dd class="">Female</dd>' in html
    for key in ("identity", "history", "family_members", "family_assessment", "case_plan", "medical", "psychological"):
        assert f'id="section-{key}"' in html


def test_history_lists_the_steps_newest_first_with_who_did_them(client, session, c, case, login):
    complete(session, c.runtime, c.worker, open_items(session, case)[0])
    login("cw.work")
    html = page_of(client, f"/cases/{case.code}")
    history = html[html.index('id="history"') :]
    assert history.index("Step done: Complete registration") < history.index("Case opened at admission")
    assert c.worker.display_name in history


def test_case_page_has_no_inline_code_a_title_and_landmarks(client, c, case, login):
    login("cw.work")
    html = page_of(client, f"/cases/{case.code}")
    assert not [bad for bad in NO_INLINE if bad in html]
    assert f"<title>Case {case.code} · Reintegra</title>" in html
    assert '<main id="main"' in html
    assert "<nav" in html
    assert "<footer" in html


def test_every_page_of_the_caseworker_area_is_labelled_titled_and_free_of_inline_code(client, session, c, case,
                                                                                    login):  # fmt: skip
    admit(session, c.runtime, c.supervisor)  # something in "My team, unassigned"
    item = open_items(session, case)[0]
    pages = ["/work/", "/work/?filter=team_unassigned", f"/work/{item.id}", "/cases/", "/cases/new",
             f"/cases/{case.code}", f"/cases/{case.code}/family/new",
             *(f"/cases/{case.code}/sections/{key}" for key in EDITABLE)]  # fmt: skip
    login("cw.work")
    for url in pages:
        html = page_of(client, url)
        assert not [bad for bad in NO_INLINE if bad in html], url
        assert re.search(r"<title>[^<]+ · Reintegra</title>", html), url
        assert all(landmark in html for landmark in ('<main id="main"', "<header", "<footer")), url
        assert html.count("<h1") == 1, url
        assert unlabelled_controls(html) == [], url


# --- Editing sections -----------------------------------------------------------------------------------


def test_editing_a_section_writes_it_stamps_it_and_records_the_change(client, session, c, case, login):
    login("cw.work")
    url = f"/cases/{case.code}/sections/history"
    response = edit(client, url, narrative="Synthetic narrative", referral_source="police", left_home_on="2020-01-02")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.code}#section-history"
    session.rollback()
    history = session.scalar(select(History).where(History.case_id == case.id))
    assert (history.narrative, history.referral_source, history.left_home_on.isoformat()) == (
        "Synthetic narrative", "police", "2020-01-02",
    )  # fmt: skip
    assert history.updated_by_id == c.worker.id
    assert session.scalar(select(CaseEvent.summary).where(CaseEvent.kind == "section_updated")) == (
        "Case file updated: history"
    )
    html = page_of(client, f"/cases/{case.code}")
    assert "Saved: History and narrative of case" in html
    assert "Case file updated: History and narrative" in html


def test_the_edit_form_is_prefilled_with_the_case_file(client, c, case, login):
    login("cw.work")
    html = page_of(client, f"/cases/{case.code}/sections/identity")
    assert 'name="alias" value="Zyxalias"' in html
    assert 'type="radio" name="sex" value="female" checked' in html


def test_bad_input_in_a_section_writes_nothing(client, session, c, case, login):
    login("cw.work")
    response = edit(client, f"/cases/{case.code}/sections/identity", given_name_latin="", given_name_km="",
                    alias="Zyxalias-changed", sex="female", date_of_birth="2099-01-01")  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a given name in Khmer or Latin script." in html
    assert "The date cannot be in the future" in html
    assert 'value="Zyxalias-changed"' in html
    session.rollback()
    assert session.scalar(select(Identity.alias).where(Identity.case_id == case.id)) == "Zyxalias"


def test_an_edit_that_crossed_another_is_refused_and_keeps_the_typing(client, session, c, case, login):
    login("cw.work")
    url = f"/cases/{case.code}/sections/medical"
    first = page_of(client, url)
    stale = re.search(r'name="loaded_token" value="([^"]*)"', first).group(1)
    assert edit(client, url, vaccinations="Synthetic first").status_code == 303
    response = client.post(url, data={"csrf_token": csrf_from(first), "loaded_token": stale,
                                      "vaccinations": "Synthetic second"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this section while you were editing." in html
    assert "Synthetic second</textarea>" in html
    page_of(client, url)  # the section keeps the first edit
    assert "Synthetic first" in page_of(client, f"/cases/{case.code}")


def test_an_unknown_section_is_not_found(client, c, case, login):
    login("cw.work")
    assert client.get(f"/cases/{case.code}/sections/secrets").status_code == 404


def test_family_members_are_added_and_edited(client, session, c, case, login):
    login("cw.work")
    response = edit(client, f"/cases/{case.code}/family/new", relationship="mother", name="Synthetic Parent",
                    occupation="Synthetic farmer")  # fmt: skip
    assert response.status_code == 303
    session.rollback()
    member = session.scalar(select(FamilyMember).where(FamilyMember.case_id == case.id))
    assert (member.relationship, member.name) == ("mother", "Synthetic Parent")
    html = page_of(client, f"/cases/{case.code}")
    assert "<td>Mother</td>" in html
    assert "<td>Synthetic Parent</td>" in html
    edit(client, f"/cases/{case.code}/family/{member.id}", relationship="mother", name="Synthetic Parent Renamed")
    session.rollback()
    assert session.get(FamilyMember, member.id).name == "Synthetic Parent Renamed"


def test_a_family_member_needs_a_name_and_a_relationship(client, session, c, case, login):
    login("cw.work")
    response = edit(client, f"/cases/{case.code}/family/new", occupation="Synthetic")
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Required field") >= 2
    session.rollback()
    assert session.scalar(select(FamilyMember).where(FamilyMember.case_id == case.id)) is None


def test_a_family_member_of_another_case_is_not_found(client, session, c, case, login):
    other = admit(session, c.runtime, c.worker, caseworker=c.worker)
    login("cw.work")
    edit(client, f"/cases/{other.code}/family/new", relationship="father", name="Synthetic")
    session.rollback()
    member = session.scalar(select(FamilyMember).where(FamilyMember.case_id == other.id))
    assert client.get(f"/cases/{case.code}/family/{member.id}").status_code == 404


# --- Who may --------------------------------------------------------------------------------------------

CASE_ROUTES = ("/cases/{code}", "/cases/{code}/diagram.bpmn", "/cases/{code}/sections/identity",
               "/cases/{code}/family/new")  # fmt: skip


@pytest.mark.parametrize("route", CASE_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"),
    [("caseworker", 200), ("supervisor", 200), ("colleague", 404), ("other_supervisor", 404), ("administrator", 403),
     ("reporting", 403), ("dosvy_officer", 403)],
)  # fmt: skip
def test_who_may_open_a_case(client, session, factory, c, case, login, route, who, status):
    usernames = {"caseworker": "cw.work", "supervisor": "sup.work", "colleague": "cw.colleague"}
    if who == "other_supervisor":
        factory.user(Role.SUPERVISOR, factory.team(), username="sup.other")
        usernames[who] = "sup.other"
    elif who not in usernames:
        factory.user(Role(who), username=f"x.{who}")
        usernames[who] = f"x.{who}"
    login(usernames[who])
    response = client.get(route.format(code=case.code))
    assert response.status_code == status
    if status != 200:
        assert "Zyxalias" not in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ["/cases/{code}/sections/medical", "/cases/{code}/family/new"])
def test_another_caseworker_cannot_write_the_case_file(client, session, c, case, login, route):
    login("cw.colleague")
    token = csrf_from(page_of(client, "/work/"))
    url = route.format(code=case.code)
    response = client.post(url, data={"csrf_token": token, "loaded_token": "", "vaccinations": "Synthetic",
                                      "relationship": "mother", "name": "Synthetic"})  # fmt: skip
    assert response.status_code == 404
    session.rollback()
    assert session.scalar(select(FamilyMember).where(FamilyMember.case_id == case.id)) is None
    assert session.scalar(select(CaseEvent).where(CaseEvent.kind == "section_updated")) is None


def test_the_teams_supervisor_may_edit_the_case_file(client, session, c, case, login):
    login("sup.work")
    assert edit(client, f"/cases/{case.code}/sections/psychological", notes="Synthetic note").status_code == 303


def test_the_diagram_xml_names_its_elements_in_khmer_for_a_khmer_reader(client, session, c, case, login):
    login("cw.work")
    english = client.get(f"/cases/{case.code}/diagram.bpmn").get_data(as_text=True)
    assert 'name="Complete registration"' in english  # an English reader gets the diagram as it is
    with transaction(session):
        session.get(User, c.worker.id).language = "km"
    khmer = client.get(f"/cases/{case.code}/diagram.bpmn").get_data(as_text=True)
    assert 'name="Complete registration"' not in khmer
    assert 'name="បំពេញការចុះឈ្មោះ"' in khmer
    parsed = [ET.fromstring(text) for text in (english, khmer)]  # noqa: S314 - the app's own diagram
    ids = [[e.get("id") for e in root.iter()] for root in parsed]
    assert ids[1] == ids[0]  # the same diagram, still well-formed XML
