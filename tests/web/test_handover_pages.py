"""The hand-over pages (issue 13): an approval shows what it decides on, read-only and in the reader's
language; a returned step shows the supervisor's comment and the earlier answers, and so does the
caseworker's inbox; a DoSVY officer finds and completes a Type 2 visit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.models.accounts import Role, User
from engine.models.cases import CaseRecord
from engine.workflow.service import start_case_workflow
from tests.conftest import NOW
from tests.web.team_support import build_world, fresh, token
from tests.workflows.conftest import Walk

PLAN_TEXT = "Zyxplan: weekly phone call with the aunt"


@pytest.fixture
def world(app, session, factory):
    return build_world(app, session, factory, now=NOW)


@pytest.fixture
def plan(world, session, factory):
    """A case whose case plan waits for the supervisor's approval."""
    walk = world.walk(session, factory, NOW)
    for step in ("registration", "consent", "risk_screen", "needs_assessment"):
        walk.do(step)
    walk.do("case_plan", family_communication_plan=PLAN_TEXT)
    return walk


def test_the_approval_page_shows_the_submitted_plan_read_only_with_section_ages(client, login, plan):
    login("sup.t")
    html = client.get(f"/team/approvals/{plan.item('approve_case_plan').id}").get_data(as_text=True)
    assert "What you are asked to approve" in html
    assert PLAN_TEXT in html
    assert "Plan for communicating with family or friends" in html
    assert "last updated today" in html  # the case plan section
    assert "not recorded yet" in html  # e.g. the medical record
    assert 'name="family_communication_plan"' not in html  # read-only: no input of the plan


def test_the_approval_page_is_in_khmer_for_a_khmer_supervisor(client, login, plan, session):
    with transaction(session):
        session.get(User, plan.supervisor.id).language = "km"
    login("sup.t")
    html = client.get(f"/team/approvals/{plan.item('approve_case_plan').id}").get_data(as_text=True)
    assert PLAN_TEXT in html
    assert plan.runtime.forms["case_plan"].title.km in html


def test_a_supervisor_of_another_team_gets_no_content(client, login, plan, factory):
    other = factory.user(Role.SUPERVISOR, factory.team(), username="sup.other")
    assert other.team_id != plan.supervisor.team_id
    login("sup.other")
    response = client.get(f"/team/approvals/{plan.item('approve_case_plan').id}")
    assert response.status_code == 404
    assert PLAN_TEXT not in response.get_data(as_text=True)


def _as(client, login, username):
    client.post("/auth/logout", data={"csrf_token": token(client)})
    login(username)


def _return(client, plan, comment):
    item = plan.item("approve_case_plan")
    response = client.post(f"/team/approvals/{item.id}", data={"csrf_token": token(client), "decision": "return",
                                                               "comment": comment})  # fmt: skip
    assert response.status_code == 303
    fresh(plan.session)
    return plan.item("case_plan")


def test_a_returned_step_shows_the_comment_and_is_prefilled_with_the_earlier_answers(client, login, plan):
    login("sup.t")
    reopened = _return(client, plan, "Zyxcomment: add the education goal")
    _as(client, login, "cw.t")
    html = client.get(f"/work/{reopened.id}").get_data(as_text=True)
    assert "Returned for changes" in html
    assert "Zyxcomment: add the education goal" in html
    assert "The answers sent before are filled in below" in html
    assert PLAN_TEXT in html  # in the family-communication field, ready to edit


def test_the_caseworkers_inbox_shows_the_return_with_its_comment(client, login, plan):
    login("sup.t")
    reopened = _return(client, plan, "Zyxcomment: add the education goal")
    _as(client, login, "cw.t")
    html = client.get("/inbox/").get_data(as_text=True)
    assert f"Returned for changes: Individual case plan (case {plan.case.code})" in html
    assert "Comment: Zyxcomment: add the education goal" in html
    assert f'href="/work/{reopened.id}"' in html


def test_a_returned_step_with_a_draft_shows_the_draft_not_the_earlier_answers(client, login, plan):
    login("sup.t")
    reopened = _return(client, plan, "Zyxcomment")
    _as(client, login, "cw.t")
    client.post(f"/work/{reopened.id}", data={"csrf_token": token(client), "action": "draft",
                                              "family_communication_plan": "Zyxdraft"})  # fmt: skip
    html = client.get(f"/work/{reopened.id}").get_data(as_text=True)
    assert "Zyxdraft" in html
    assert "Your saved draft is filled in below" in html
    assert "Zyxcomment" in html  # the comment stays in view


@pytest.fixture
def type2_visit(world, session, factory):
    """A case in Type 2 follow-up whose transfer the officer ``dosvy.t`` accepted."""
    office = factory.office()
    officer = factory.officer(office, username="dosvy.t")
    case = factory.case(world.worker)
    factory.sharing_consent(world.worker, case, office, "identity,addresses,plan")
    carried = {"reintegrated_on": "2026-01-05", "last_visit_on": NOW.date().isoformat(), "visit_number": 9,
               "risk_level": "low"}  # fmt: skip
    start_case_workflow(session=session, runtime=world.runtime, case=case, actor=world.worker, now=NOW,
                        process_id="follow_up_2", carried=carried)  # fmt: skip
    walk = Walk(session, world.runtime, case, world.worker, world.supervisor, officer, NOW)
    walk.do("case_transfer", transfer_date=NOW.date().isoformat())
    walk.do("accept_transfer", accepted=True)
    return walk


def test_the_officer_finds_the_type2_visit_assigned_and_completes_it(client, login, type2_visit):
    visit = type2_visit.item("conduct_visit")
    login("dosvy.t")
    html = client.get("/work/").get_data(as_text=True)
    assert f'href="/work/{visit.id}' in html  # under "Assigned to me", the default filter
    data = {"csrf_token": token(client), "action": "submit", "visit_date": NOW.date().isoformat(),
            "contact_made": "yes", "mode": "home_visit", "seen_alone": "yes", "risk_level": "low",
            "visit_outcome": "continue", "progress": "Synthetic progress"}  # fmt: skip
    response = client.post(f"/work/{visit.id}", data=data)
    assert response.status_code == 303
    fresh(type2_visit.session)
    records = type2_visit.session.scalars(select(CaseRecord.recorded_by_id).where(
        CaseRecord.case_id == type2_visit.case.id, CaseRecord.form_key == "follow_up_visit")).all()  # fmt: skip
    assert records == [type2_visit.officer.id]


def test_a_contradictory_type2_visit_is_refused_with_the_messages_next_to_the_fields(client, login, type2_visit):
    visit = type2_visit.item("conduct_visit")
    login("dosvy.t")
    data = {"csrf_token": token(client), "action": "submit", "visit_date": NOW.date().isoformat(),
            "contact_made": "no", "mode": "home_visit", "seen_alone": "yes", "risk_level": "low",
            "visit_outcome": "continue"}  # fmt: skip
    response = client.post(f"/work/{visit.id}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "No contact was made: the mode is" in html
    assert "the survivor was not seen: leave this empty" in html
    fresh(type2_visit.session)
    assert type2_visit.item("conduct_visit").id == visit.id
