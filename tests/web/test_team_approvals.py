"""The approvals inbox: plans, agreements and closures waiting; approve, or return with a comment."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models.cases import CaseRecord
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.workflow.service import complete_work_item
from tests.conftest import NOW
from tests.web.team_support import build_world, fresh, open_item, token


@pytest.fixture
def world(app, session, factory):
    return build_world(app, session, factory, now=NOW)


@pytest.fixture
def plan(world, session, factory):
    """A case whose case plan waits for the supervisor's approval."""
    walk = world.walk(session, factory, NOW)
    for step in ("registration", "consent"):
        walk.do(step)
    walk.do("risk_screen", risk_level="low")
    walk.do("needs_assessment")
    walk.do("case_plan")
    return walk


def _open_names(walk):
    fresh(walk.session)  # end the test's read snapshot to see the app's writes
    return walk.open_names()


def _decide(client, item_id, **data):
    return client.post(f"/team/approvals/{item_id}", data={"csrf_token": token(client), **data})


def test_inbox_lists_what_waits_for_approval(client, login, world, plan):
    login("sup.t")
    html = client.get("/team/approvals").get_data(as_text=True)
    assert plan.case.code in html
    assert "Case plan" in html
    assert "Approve case plan" in html
    assert world.case.code not in html  # its open step is a caseworker's
    assert f'href="/team/approvals/{plan.item("approve_case_plan").id}"' in html


def test_navigation_shows_how_many_approvals_wait(client, login, world, plan):
    login("sup.t")
    html = client.get("/team/queue").get_data(as_text=True)
    assert 'aria-label="Approvals: 1 waiting"' in html
    assert '<span class="badge">1</span>' in html


@pytest.mark.parametrize("url", ["/team/queue", "/team/queue?filter=overdue", "/team/dashboard", "/work/?filter=all"])
def test_every_supervisor_queue_counts_only_its_own_teams_approvals(app, client, login, world, plan, session,
                                                                     factory, url):  # fmt: skip
    # The queue pages read the count with their own; another team's waiting plan must not be in it.
    other = build_world(app, session, factory, prefix="other", now=NOW)
    walk = other.walk(session, factory, NOW)
    for step in ("registration", "consent"):
        walk.do(step)
    walk.do("risk_screen", risk_level="low")
    walk.do("needs_assessment")
    walk.do("case_plan")
    login("sup.t")
    html = client.get(url).get_data(as_text=True)
    assert 'aria-label="Approvals: 1 waiting"' in html
    assert '<span class="badge">1</span>' in html


def test_decision_page_links_the_case_file_and_has_both_choices(client, login, world, plan):
    login("sup.t")
    html = client.get(f"/team/approvals/{plan.item('approve_case_plan').id}").get_data(as_text=True)
    assert f'href="/cases/{plan.case.code}"' in html
    assert 'value="approve"' in html
    assert 'value="return"' in html
    assert "<legend>Decision</legend>" in html


def test_approving_a_plan_moves_the_case_on(client, login, world, plan, session):
    login("sup.t")
    item = plan.item("approve_case_plan")
    response = _decide(client, item.id, decision="approve", comment="")
    assert response.status_code == 303
    assert response.headers["Location"] == "/team/approvals"
    assert "family_tracing" in _open_names(plan)
    fresh(session)
    assert session.get(WorkItem, item.id).status is WorkItemStatus.COMPLETED
    html = client.get("/team/approvals").get_data(as_text=True)
    assert f"Approved: Case plan, case {plan.case.code}." in html
    assert "The case is in Pre-Reintegration. Next: Family tracing." in html
    assert "Nothing waits for your approval." in html


def test_returning_needs_a_comment(client, login, world, plan, session):
    login("sup.t")
    item = plan.item("approve_case_plan")
    response = _decide(client, item.id, decision="return", comment=" ")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="comment-error" class="field-error">Say what must change' in html
    assert _open_names(plan) == ["approve_case_plan"]


def test_a_decision_must_be_chosen(client, login, world, plan):
    login("sup.t")
    response = _decide(client, plan.item("approve_case_plan").id, comment="Synthetic")
    assert response.status_code == 422
    assert 'id="decision-error"' in response.get_data(as_text=True)
    assert _open_names(plan) == ["approve_case_plan"]


def test_returning_with_a_comment_sends_the_plan_back(client, login, world, plan, session):
    login("sup.t")
    response = _decide(client, plan.item("approve_case_plan").id, decision="return",
                       comment="Synthetic: add a schooling goal")  # fmt: skip
    assert response.status_code == 303
    assert _open_names(plan) == ["case_plan"]
    assert "Returned for changes: Case plan" in client.get("/team/approvals").get_data(as_text=True)
    record = session.scalar(select(CaseRecord).where(CaseRecord.form_key == "plan_approval"))
    assert "schooling goal" in record.data


def test_a_step_decided_meanwhile_gives_a_conflict_message(client, login, world, plan, session):
    login("sup.t")
    item = plan.item("approve_case_plan")
    assert client.get(f"/team/approvals/{item.id}").status_code == 200
    complete_work_item(session=session, runtime=world.runtime, actor=world.supervisor, now=NOW,
                       work_item_id=item.id, raw={"decision": "approve"})  # fmt: skip
    response = _decide(client, item.id, decision="return", comment="Synthetic")
    assert response.status_code == 303
    html = client.get("/team/approvals").get_data(as_text=True)
    assert "Someone has already decided on this step. Nothing was saved." in html
    assert "family_tracing" in _open_names(plan)


def test_a_caseworker_step_is_not_an_approval(client, login, world, session):
    login("sup.t")
    item = open_item(session, world.case)
    assert client.get(f"/team/approvals/{item.id}").status_code == 404
    assert _decide(client, item.id, decision="approve").status_code == 404
    assert open_item(session, world.case).id == item.id


def test_supervisor_of_another_team_cannot_approve_by_guessing_ids(client, login, app, world, plan, session, factory):
    build_world(app, session, factory, prefix="else", now=NOW)
    login("sup.else")
    item = plan.item("approve_case_plan")
    assert client.get(f"/team/approvals/{item.id}").status_code == 404
    assert _decide(client, item.id, decision="approve").status_code == 404
    assert plan.case.code not in client.get("/team/approvals").get_data(as_text=True)
    assert _open_names(plan) == ["approve_case_plan"]
