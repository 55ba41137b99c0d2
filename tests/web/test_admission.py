"""Opening a case (admission) through the web: the case starts Pre-Reintegration; bad input writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models.accounts import Role
from engine.models.cases import Case, Identity, Phase
from tests.conftest import csrf_from
from tests.web.casework_support import NO_INLINE, Crew, crew, open_items, page_of

GOOD = {"given_name_latin": "Testperson", "family_name_latin": "Synthetic", "given_name_km": "សាកល្បង",
        "alias": "Zyxalias", "sex": "female", "date_of_birth": "2004-05-06"}  # fmt: skip


@pytest.fixture
def c(app, factory) -> Crew:
    return crew(app, factory)


def admit_form(client, **values: str):
    token = csrf_from(page_of(client, "/cases/new"))
    return client.post("/cases/new", data={"csrf_token": token, **values})


def cases(session) -> list[Case]:
    session.rollback()
    return list(session.scalars(select(Case)))


def test_a_caseworker_opens_a_case_and_becomes_its_caseworker(client, session, c, login):
    login("cw.work")
    response = admit_form(client, **GOOD)
    [case] = cases(session)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.code}"
    assert case.caseworker_id == c.worker.id
    assert case.team_id == c.team.id
    assert case.phase is Phase.PRE_REINTEGRATION
    assert [(i.task_name, i.assignee_id) for i in open_items(session, case)] == [("registration", c.worker.id)]
    identity = session.scalar(select(Identity).where(Identity.case_id == case.id))
    assert (identity.alias, identity.given_name_km, identity.date_of_birth.isoformat()) == (
        "Zyxalias", "សាកល្បង", "2004-05-06",
    )  # fmt: skip
    assert "Zyx" not in response.headers["Location"]
    assert f"Case {case.code} is open." in page_of(client, f"/cases/{case.code}")


def test_a_supervisor_chooses_the_caseworker(client, session, c, login):
    login("sup.work")
    html = page_of(client, "/cases/new")
    assert f'<option value="{c.colleague.id}">{c.colleague.display_name}</option>' in html
    admit_form(client, **GOOD, caseworker_id=str(c.colleague.id))
    [case] = cases(session)
    assert case.caseworker_id == c.colleague.id
    assert open_items(session, case)[0].assignee_id == c.colleague.id


def test_a_supervisor_may_leave_the_case_to_the_team(client, session, c, login):
    login("sup.work")
    admit_form(client, **GOOD, caseworker_id="")
    [case] = cases(session)
    assert case.caseworker_id is None
    assert open_items(session, case)[0].assignee_id is None  # the first step waits in "My team, unassigned"


def test_a_caseworker_is_not_offered_a_caseworker_choice(client, c, login):
    login("cw.work")
    html = page_of(client, "/cases/new")
    assert 'name="caseworker_id"' not in html
    assert "You will be the caseworker of this case." in html


def test_bad_input_is_shown_next_to_the_fields_and_nothing_is_written(client, session, c, login):
    login("cw.work")
    response = admit_form(client, alias="Zyxalias-typed", date_of_birth="2099-01-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        '<small id="f-given_name_latin-error" class="field-error">Enter a given name in Khmer or Latin script.' in html
    )
    assert '<small id="f-date_of_birth-error" class="field-error">The date cannot be in the future</small>' in html
    assert '<small id="f-sex-error" class="field-error">Required field</small>' in html
    assert 'value="Zyxalias-typed"' in html  # what was typed stays
    assert cases(session) == []


def test_a_caseworker_of_another_team_cannot_be_chosen(client, session, factory, c, login):
    stranger = factory.user(Role.CASEWORKER, factory.team())
    login("sup.work")
    response = admit_form(client, **GOOD, caseworker_id=str(stranger.id))
    assert response.status_code == 422
    assert 'id="f-caseworker_id-error"' in response.get_data(as_text=True)
    assert cases(session) == []


def test_the_admission_form_speaks_khmer(client, factory, c, login):
    factory.user(Role.CASEWORKER, c.team, username="cw.km", language="km")
    login("cw.km")
    html = page_of(client, "/cases/new")
    assert "ថ្ងៃខែឆ្នាំកំណើត" in html  # "Date of birth"
    assert "ឈ្មោះហៅក្រៅ" in html  # "Alias"


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REPORTING, Role.DOSVY_OFFICER])
def test_roles_without_case_files_cannot_open_a_case(client, session, factory, login, role):
    factory.user(role, username=f"noadmit.{role.value}")
    login(f"noadmit.{role.value}")
    assert client.get("/cases/new").status_code == 403
    token = csrf_from(page_of(client, "/"))
    assert client.post("/cases/new", data={"csrf_token": token, **GOOD}).status_code == 403
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_the_admission_page_has_no_inline_script_or_style(client, c, login):
    login("cw.work")
    html = page_of(client, "/cases/new")
    assert not [bad for bad in NO_INLINE if bad in html]
    assert "<title>Open a case · Reintegra</title>" in html
