"""The task page: the step's declarative form in the user's language, prefilled, with errors next to the
fields; save a draft; submit and say where the case went; nothing lost when someone else got there first."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from engine.cases.sections import update_section
from engine.errors import ConcurrentChange
from engine.models.accounts import Role
from engine.models.cases import CaseRecord
from engine.models.workflow import WorkItemStatus
from engine.workflow.assignments import claim_work_item, load_draft, save_draft
from tests.conftest import csrf_from
from tests.web.casework_support import CLOCK, NO_INLINE, Crew, admit, complete, crew, first_item, open_items, page_of
from tests.workflows.test_forms import SAMPLE_FIELDS, write_form
from workflows.forms import load_form


@pytest.fixture
def c(app, factory) -> Crew:
    return crew(app, factory)


@pytest.fixture
def case(session, c):
    return admit(session, c.runtime, c.worker, caseworker=c.worker, alias="Zyxalias")


@pytest.fixture
def item(session, case):
    return first_item(session, case)  # "Complete registration"


def post(client, url: str, token: str, **data):
    return client.post(url, data={"csrf_token": token, **data})


def test_task_page_renders_the_steps_form_with_labels_and_help(client, c, item, login):
    login("cw.work")
    html = page_of(client, f"/work/{item.id}")
    assert "<h1>Complete registration</h1>" in html
    assert '<label for="f-narrative">Case narrative</label>' in html
    assert '<textarea id="f-narrative" name="narrative"' in html
    assert 'aria-describedby="f-narrative-help"' in html
    assert '<input type="date" id="f-left_home_on" name="left_home_on"' in html
    assert '<select id="f-origin_province_code" name="origin_province_code"' in html  # 25 choices: a list
    assert 'type="radio" name="form_of_exploitation" value="labour"' in html  # 5 choices: radio buttons
    assert 'name="action" value="draft"' in html
    assert 'name="action" value="submit"' in html
    assert "Zyxalias" in html  # the assigned caseworker may see the survivor's name
    assert f"/work/{item.id}" in html
    assert "Zyxalias" not in "".join(re.findall(r'(?:href|action)="([^"]*)"', html))


def test_task_page_in_khmer_shows_the_forms_khmer_labels(client, session, factory, c, login):
    factory.user(Role.CASEWORKER, c.team, username="cw.khmer", language="km")
    team_case = admit(session, c.runtime, c.supervisor)
    login("cw.khmer")
    html = page_of(client, f"/work/{first_item(session, team_case).id}")
    assert "<h1>បំពេញការចុះឈ្មោះ</h1>" in html  # the form's Khmer title
    assert "សាច់រឿងរបស់អតិថិជន" in html  # "Case narrative"
    assert '<html lang="km"' in html


def test_every_field_type_renders_as_an_accessible_control(app, tmp_path):
    form = load_form(write_form(tmp_path, SAMPLE_FIELDS))
    values = {"name": "Synthetic", "colour": "blue", "tags": ["a", "b"], "agreed": "yes", "count": "3",
              "relative": "7", "born_on": "2001-02-03", "story": "Line one"}  # fmt: skip
    with app.test_request_context():
        html = render_template_string(
            '{% from "_partials/forms.html" import decl_fields %}{{ decl_fields(form, lang, values, errors, people) }}',
            form=form, lang="km", values=values, errors={"count": "ត្រូវតែយ៉ាងច្រើន 10"}, people=[("7", "ម្តាយ")],
        )  # fmt: skip
    assert '<input type="text" id="f-name" name="name" value="Synthetic" aria-required="true">' in html  # text
    assert '<textarea id="f-story" name="story"' in html
    assert "Line one</textarea>" in html
    assert '<input type="date" id="f-born_on" name="born_on" value="2001-02-03">' in html  # date
    assert 'type="radio" name="colour" value="blue" checked' in html  # choice (few options: radios)
    assert 'type="checkbox" name="tags" value="a" checked' in html  # multi_choice
    assert 'type="checkbox" name="tags" value="b" checked' in html
    assert 'type="radio" name="agreed" value="yes" checked' in html  # yes_no
    assert 'inputmode="decimal" id="f-count" name="count" value="3"' in html  # number
    assert '<option value="7" selected>ម្តាយ</option>' in html  # person
    assert "<legend>ពណ៌</legend>" in html  # labels in the user's language
    assert 'aria-describedby="f-count-error" aria-invalid="true"' in html
    assert '<small id="f-count-error" class="field-error">ត្រូវតែយ៉ាងច្រើន 10</small>' in html


def test_the_form_is_prefilled_from_the_case_file(client, session, c, case, item, login):
    update_section(session=session, actor=c.worker, now=CLOCK, code=case.code, key="history", token="",
                   raw={"narrative": "Synthetic narrative on file", "referral_source": "ngo"})  # fmt: skip
    login("cw.work")
    html = page_of(client, f"/work/{item.id}")
    assert "Synthetic narrative on file</textarea>" in html
    assert '<option value="ngo" selected>NGO</option>' in html


def test_a_saved_draft_comes_back_instead_of_the_case_file(client, session, c, item, login):
    login("cw.work")
    token = csrf_from(page_of(client, f"/work/{item.id}"))
    response = post(client, f"/work/{item.id}", token, action="draft", narrative="Synthetic draft text",
                    left_home_on="2099-01-01")  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == "/work/"
    assert "Draft of “Complete registration” for case" in page_of(client, "/work/")
    html = page_of(client, f"/work/{item.id}")
    assert "Your saved draft is filled in below." in html
    assert "Synthetic draft text</textarea>" in html
    assert 'value="2099-01-01"' in html  # a draft is not validated
    assert first_item(session, item.case).status is WorkItemStatus.OPEN


def test_errors_come_back_next_to_the_fields_with_what_was_typed(client, session, c, case, item, login):
    login("cw.work")
    token = csrf_from(page_of(client, f"/work/{item.id}"))
    response = post(client, f"/work/{item.id}", token, action="submit", narrative="Synthetic typed narrative",
                    left_home_on="2099-01-01", destination_country="THA")  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<small id="f-left_home_on-error" class="field-error">The date cannot be in the future</small>' in html
    assert "Not a known country code (ISO 3166, two letters)" in html
    assert 'aria-invalid="true"' in html
    assert "Synthetic typed narrative</textarea>" in html
    assert 'href="#f-left_home_on"' in html  # the summary links to the field
    assert [i.task_name for i in open_items(session, case)] == ["registration"]  # nothing advanced


def test_errors_are_in_khmer_for_a_khmer_user(client, session, factory, c, login):
    factory.user(Role.CASEWORKER, c.team, username="cw.km", language="km")
    case = admit(session, c.runtime, c.supervisor)
    login("cw.km")
    item = first_item(session, case)
    token = csrf_from(page_of(client, f"/work/{item.id}"))
    html = post(client, f"/work/{item.id}", token, action="submit", left_home_on="2099-01-01").get_data(as_text=True)
    assert "កាលបរិច្ឆេទមិនអាចនៅថ្ងៃអនាគតបានទេ" in html


def test_submit_advances_the_case_and_says_where_it_went(client, session, c, case, item, login):
    login("cw.work")
    token = csrf_from(page_of(client, f"/work/{item.id}"))
    response = post(client, f"/work/{item.id}", token, action="submit", narrative="Synthetic", destination_country="TH")
    assert response.status_code == 303
    assert response.headers["Location"] == "/work/"
    html = page_of(client, "/work/")
    assert (
        f"Done: “Complete registration” for case {case.code}. The case stays in Pre-Reintegration. "
        "Next: Explain rights and record informed consent." in html
    )
    assert [i.task_name for i in open_items(session, case)] == ["consent"]
    assert session.query(CaseRecord).filter_by(case_id=case.id, form_key="registration").count() == 1


def test_submit_goes_back_to_the_page_it_came_from(client, c, item, login):
    login("cw.work")
    token = csrf_from(page_of(client, f"/work/{item.id}?next=/cases/"))
    response = post(client, f"/work/{item.id}", token, action="submit", next="/cases/")
    assert response.headers["Location"] == "/cases/"
    token = csrf_from(page_of(client, "/work/"))
    assert post(client, "/work/999999", token, action="submit", next="//evil.example").status_code == 404


def test_completed_meanwhile_shows_a_conflict_and_keeps_the_typing(client, session, c, login):
    team_case = admit(session, c.runtime, c.supervisor)
    item = first_item(session, team_case)
    login("cw.work")
    token = csrf_from(page_of(client, f"/work/{item.id}"))
    complete(session, c.runtime, c.colleague, item)  # a colleague submits first
    response = post(client, f"/work/{item.id}", token, action="submit", narrative="Synthetic typed, not lost")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "completed or taken by someone else in the meantime" in html
    assert "Synthetic typed, not lost</textarea>" in html
    assert 'value="submit"' not in html  # nothing to send again


def test_a_change_crossing_the_submit_keeps_the_typing_as_a_draft(client, session, c, item, login, monkeypatch):
    def crossed(**_kwargs):
        raise ConcurrentChange("Someone else changed this record in the meantime.")

    monkeypatch.setattr("web.work.task.complete_work_item", crossed)
    login("cw.work")
    token = csrf_from(page_of(client, f"/work/{item.id}"))
    response = post(client, f"/work/{item.id}", token, action="submit", narrative="Synthetic kept as draft")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/work/{item.id}"
    html = page_of(client, f"/work/{item.id}")
    assert "what you typed is kept as a draft" in html
    assert "Synthetic kept as draft</textarea>" in html
    assert load_draft(first_item(session, item.case)) == {"narrative": "Synthetic kept as draft"}


def test_taken_by_a_colleague_meanwhile_shows_the_typing_back(client, session, c, login):
    team_case = admit(session, c.runtime, c.supervisor)
    item = first_item(session, team_case)
    login("cw.work")
    token = csrf_from(page_of(client, f"/work/{item.id}"))
    claim_work_item(session=session, actor=c.colleague, now=CLOCK, work_item_id=item.id)
    response = post(client, f"/work/{item.id}", token, action="draft", form_key="registration",
                    narrative="Synthetic typed before the claim")  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "no longer open to you" in html
    assert "Synthetic typed before the claim</textarea>" in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>")[0]  # shown back, not sent again
    assert first_item(session, team_case).draft is None


def test_a_caseworker_of_another_team_cannot_open_or_complete_the_step(client, session, factory, c, item, login):
    factory.user(Role.CASEWORKER, factory.team(), username="cw.stranger")
    login("cw.stranger")
    assert client.get(f"/work/{item.id}").status_code == 404
    token = csrf_from(page_of(client, "/work/"))
    assert post(client, f"/work/{item.id}", token, action="submit").status_code == 404
    assert post(client, f"/work/{item.id}", token, action="draft", narrative="Synthetic").status_code == 404
    assert first_item(session, item.case).status is WorkItemStatus.OPEN
    assert first_item(session, item.case).draft is None


def test_a_supervisor_sees_a_caseworkers_step_without_its_form(client, session, c, item, login):
    login("sup.work")
    html = page_of(client, f"/work/{item.id}")
    assert "not yours to fill in" in html
    assert 'name="action"' not in html
    token = csrf_from(html)
    assert post(client, f"/work/{item.id}", token, action="submit").status_code == 403
    assert first_item(session, item.case).status is WorkItemStatus.OPEN


def test_a_done_step_has_no_form(client, session, c, item, login):
    complete(session, c.runtime, c.worker, item)
    login("cw.work")
    html = page_of(client, f"/work/{item.id}")
    assert "This step is done." in html
    assert 'name="action"' not in html


def test_a_draft_saved_by_the_service_is_shown(client, session, c, item, login):
    save_draft(session=session, actor=c.worker, now=CLOCK, work_item_id=item.id, raw={"identifying_authority": "Zyx"})
    login("cw.work")
    assert 'value="Zyx"' in page_of(client, f"/work/{item.id}")


def test_task_pages_have_no_inline_script_or_style(client, c, item, login):
    login("cw.work")
    html = page_of(client, f"/work/{item.id}")
    assert not [bad for bad in NO_INLINE if bad in html]
    assert "<title>Complete registration · " in html
    assert '<main id="main"' in html
