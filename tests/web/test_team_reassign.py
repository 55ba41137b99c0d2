"""Reassigning a step or a whole case: plain form and htmx, a required reason, the team's members only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.models.accounts import Role, TrainingRecord
from engine.models.cases import Case, CaseEvent
from engine.models.workflow import WorkItem, WorkItemStatus
from tests.conftest import NOW
from tests.web.team_support import build_world, events, fresh, open_item, token

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(app, session, factory):
    return build_world(app, session, factory, now=NOW)


@pytest.fixture
def signed_in(client, login, world):
    login("sup.t")
    return world


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": token(client), **data})


def test_reassign_page_offers_the_other_caseworkers_of_the_team(client, signed_in, session, factory):
    stranger = factory.user(Role.CASEWORKER, factory.team())
    item = open_item(session, signed_in.case)
    html = client.get(f"/team/items/{item.id}/reassign").get_data(as_text=True)
    assert f'<option value="{signed_in.colleague.id}">' in html
    assert f'<option value="{signed_in.worker.id}">' not in html  # already theirs
    assert f'<option value="{stranger.id}">' not in html
    assert f'<option value="{signed_in.supervisor.id}">' not in html  # a caseworker's step


def test_supervisor_reassigns_a_step_with_a_reason(client, signed_in, session):
    item = open_item(session, signed_in.case)
    response = _post(client, f"/team/items/{item.id}/reassign", assignee_id=signed_in.colleague.id,
                     reason="Synthetic: caseworker on training", next="/team/queue?filter=overdue")  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == "/team/queue?filter=overdue"
    assert open_item(session, signed_in.case).assignee_id == signed_in.colleague.id
    summary = session.scalar(select(CaseEvent.summary).where(CaseEvent.kind == "reassigned"))
    assert summary == (f"Task 'Complete registration' reassigned from {signed_in.worker.display_name} "
                       f"to {signed_in.colleague.display_name}")  # fmt: skip
    html = client.get("/team/queue").get_data(as_text=True)
    assert f"“Complete registration” is now assigned to {signed_in.colleague.display_name}" in html


def test_a_reason_is_required(client, signed_in, session):
    item = open_item(session, signed_in.case)
    response = _post(client, f"/team/items/{item.id}/reassign", assignee_id=signed_in.colleague.id, reason="  ")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="reassign-{item.id}-reason-error" class="field-error">Give a reason' in html
    assert 'aria-invalid="true"' in html
    assert open_item(session, signed_in.case).assignee_id == signed_in.worker.id
    assert events(session, "reassigned") == 0


def test_someone_outside_the_team_is_refused_next_to_the_field(client, signed_in, session, factory):
    stranger = factory.user(Role.CASEWORKER, factory.team())
    item = open_item(session, signed_in.case)
    response = _post(client, f"/team/items/{item.id}/reassign", assignee_id=stranger.id, reason="Synthetic reason")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="field-error">Choose a member of your team.' in html
    assert open_item(session, signed_in.case).assignee_id == signed_in.worker.id
    assert events(session, "reassigned") == 0


def test_a_step_cannot_go_to_someone_of_another_role(client, signed_in, session, factory):
    other_supervisor = factory.user(Role.SUPERVISOR, signed_in.team)
    item = open_item(session, signed_in.case)
    response = _post(client, f"/team/items/{item.id}/reassign", assignee_id=other_supervisor.id, reason="Synthetic")
    assert response.status_code == 422
    assert events(session, "reassigned") == 0


def test_a_redirect_target_outside_the_team_area_is_ignored(client, signed_in, session):
    item = open_item(session, signed_in.case)
    response = _post(client, f"/team/items/{item.id}/reassign", assignee_id=signed_in.colleague.id,
                     reason="Synthetic reason", next="//elsewhere.example/team/")  # fmt: skip
    assert response.headers["Location"] == "/team/queue"


def test_a_foreign_return_address_never_reaches_the_page(client, signed_in, session):
    item = open_item(session, signed_in.case)
    html = client.get(f"/team/items/{item.id}/reassign?next=https://elsewhere.example/").get_data(as_text=True)
    assert "elsewhere.example" not in html


def test_supervisor_of_another_team_cannot_reassign_by_guessing_ids(client, login, world, app, session, factory):
    build_world(app, session, factory, prefix="else", now=NOW)
    login("sup.else")
    item = open_item(session, world.case)
    assert client.get(f"/team/items/{item.id}/reassign").status_code == 404
    assert client.get(f"/team/items/{item.id}/row").status_code == 404
    response = _post(client, f"/team/items/{item.id}/reassign", assignee_id=world.colleague.id, reason="Synthetic")
    assert response.status_code == 404
    assert client.get(f"/team/cases/{world.case.code}/reassign").status_code == 404
    response = _post(client, f"/team/cases/{world.case.code}/reassign", assignee_id=world.colleague.id,
                     reason="Synthetic")  # fmt: skip
    assert response.status_code == 404
    assert open_item(session, world.case).assignee_id == world.worker.id
    assert events(session, "reassigned") == 0


def test_a_finished_step_cannot_be_reassigned(client, signed_in, session):
    item = open_item(session, signed_in.case)
    session.execute(WorkItem.__table__.update().where(WorkItem.id == item.id).values(status="cancelled"))
    session.commit()
    response = client.get(f"/team/items/{item.id}/reassign")
    assert response.status_code == 303
    assert "already completed or cancelled" in client.get("/team/queue").get_data(as_text=True)


def test_htmx_turns_the_row_into_a_form_and_back_into_the_updated_row(client, signed_in, session):
    item = open_item(session, signed_in.case)
    form = client.get(f"/team/items/{item.id}/reassign", headers=HTMX).get_data(as_text=True)
    assert form.lstrip().startswith("<tr")
    assert "<html" not in form
    assert f'hx-post="/team/items/{item.id}/reassign"' in form
    refused = client.post(
        f"/team/items/{item.id}/reassign",
        headers=HTMX,
        data={"csrf_token": token(client), "assignee_id": signed_in.colleague.id, "reason": ""},
    )
    assert refused.status_code == 200  # htmx swaps 2xx only: the form comes back with its message
    assert "Give a reason" in refused.get_data(as_text=True)
    done = client.post(f"/team/items/{item.id}/reassign", headers=HTMX, data={
        "csrf_token": token(client), "assignee_id": signed_in.colleague.id, "reason": "Synthetic reason"})  # fmt: skip
    row = done.get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr id="item-{item.id}"')
    assert f'<td data-label="Assigned to"><span>{signed_in.colleague.display_name}' in row
    assert 'role="status"' in row
    back = client.get(f"/team/items/{item.id}/row").get_data(as_text=True)
    assert back.lstrip().startswith(f'<tr id="item-{item.id}"')


def test_htmx_conflict_sends_the_browser_back_to_the_queue(client, signed_in, session):
    item = open_item(session, signed_in.case)
    session.execute(WorkItem.__table__.update().where(WorkItem.id == item.id).values(status="completed"))
    session.commit()
    response = client.get(f"/team/items/{item.id}/reassign", headers=HTMX)
    assert response.headers["HX-Redirect"] == "/team/queue"


def test_supervisor_reassigns_a_whole_case(client, signed_in, session):
    response = _post(client, f"/team/cases/{signed_in.case.code}/reassign", assignee_id=signed_in.colleague.id,
                     reason="Synthetic: workload balance")  # fmt: skip
    assert response.status_code == 303
    fresh(session)
    assert session.get(Case, signed_in.case.id).caseworker_id == signed_in.colleague.id
    assert open_item(session, signed_in.case).assignee_id == signed_in.colleague.id
    assert events(session, "reassigned") == 1
    html = client.get("/team/queue").get_data(as_text=True)
    assert f"Case {signed_in.case.code} is now assigned to {signed_in.colleague.display_name}" in html


def test_case_reassignment_needs_a_reason_and_a_team_member(client, signed_in, session, factory):
    stranger = factory.user(Role.CASEWORKER, factory.team())
    url = f"/team/cases/{signed_in.case.code}/reassign"
    no_reason = _post(client, url, assignee_id=signed_in.colleague.id, reason="")
    assert no_reason.status_code == 422
    assert "Give a reason" in no_reason.get_data(as_text=True)
    outsider = _post(client, url, assignee_id=stranger.id, reason="Synthetic")
    assert outsider.status_code == 422
    assert "Choose a member of your team." in outsider.get_data(as_text=True)
    nobody = _post(client, url, assignee_id="", reason="Synthetic")
    assert nobody.status_code == 422
    fresh(session)
    assert session.get(Case, signed_in.case.id).caseworker_id == signed_in.worker.id
    assert events(session, "reassigned") == 0


def test_the_reason_stays_out_of_the_page_and_url(client, signed_in, session):
    item = open_item(session, signed_in.case)
    response = _post(client, f"/team/items/{item.id}/reassign", assignee_id=signed_in.colleague.id,
                     reason="Zqxsecret synthetic reason")  # fmt: skip
    assert "Zqxsecret" not in response.headers["Location"]
    assert "Zqxsecret" not in client.get("/team/queue").get_data(as_text=True)
    fresh(session)
    assert session.scalar(select(WorkItem.status).where(WorkItem.id == item.id)) is WorkItemStatus.OPEN


def test_reassigning_a_case_to_an_untrained_caseworker_shows_a_warning_and_still_assigns(client, signed_in, session):
    case = signed_in.case
    response = _post(client, f"/team/cases/{case.code}/reassign", assignee_id=signed_in.colleague.id,
                     reason="Synthetic: workload")  # fmt: skip
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Warning: {signed_in.colleague.display_name} does not hold every required training" in html
    assert "Universal Declaration of Human Rights" in html
    assert 'class="flash flash-warning" role="alert"' in html
    session.expire_all()
    assert session.get(Case, case.id).caseworker_id == signed_in.colleague.id
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert f"Assigned to a caseworker without required training: case {case.code}" in inbox


def test_reassigning_a_step_to_a_trained_caseworker_shows_no_warning(client, signed_in, session):
    for course in ("udhr", "minimum_standards"):
        session.add(TrainingRecord(user_id=signed_in.colleague.id, course=course, completed_on=NOW.date(),
                                   expires_on=NOW.date() + dt.timedelta(days=365)))  # fmt: skip
    session.commit()
    item = open_item(session, signed_in.case)
    response = _post(client, f"/team/items/{item.id}/reassign", assignee_id=signed_in.colleague.id,
                     reason="Synthetic: workload")  # fmt: skip
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is now assigned to" in html
    assert "does not hold every required training" not in html


def test_the_htmx_row_carries_the_training_warning(client, signed_in, session):
    item = open_item(session, signed_in.case)
    data = {"csrf_token": token(client), "assignee_id": signed_in.colleague.id, "reason": "Synthetic: workload"}
    response = client.post(f"/team/items/{item.id}/reassign", headers=HTMX, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="team-note team-warning" role="alert">Warning:' in html  # a warning, apart from the status
    assert "does not hold every required training" in html
