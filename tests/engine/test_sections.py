"""Case-file sections: the editor forms, reading and writing sections in one transaction, family members,
the history, survivor names for lists, and who may do any of it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Date, event, func, select

from engine.audit import verify
from engine.cases.sections import (
    EDITABLE,
    case_file_values,
    case_history,
    parse_admission,
    read_case_file,
    read_family_member,
    read_section,
    save_family_member,
    section_forms,
    survivor_names,
    update_section,
    view_case_file,
)
from engine.cases.service import find_by_name
from engine.db import EncryptedDate
from engine.errors import ConcurrentChange, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role
from engine.models.cases import (
    CaseEvent,
    CasePlan,
    CasePlanGoal,
    FamilyAssessment,
    FamilyMember,
    Identity,
    MedicalRecord,
    RiskLevel,
    SafetyRating,
    Sex,
)
from engine.models.security import AuditEvent
from tests.conftest import NOW
from tests.workflows.test_forms import (
    KHMER,
    KHMER_MISTAKES,
    VOWEL_BEFORE_SUBSCRIPT,
    _column,
    all_texts,
)
from workflows.forms import TARGET_COLUMNS, target_problem

LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def team(factory):
    return factory.team()


@pytest.fixture
def worker(factory, team):
    return factory.user(Role.CASEWORKER, team)


@pytest.fixture
def supervisor(factory, team):
    return factory.user(Role.SUPERVISOR, team)


@pytest.fixture
def case(factory, worker):
    return factory.case(worker, alias="Zyxalias", given_name_latin="Zyxgiven")


def save(session, actor, case, key, token="", now=LATER, lang="en", **raw):
    return update_section(session=session, actor=actor, now=now, code=case.code, key=key, raw=raw, token=token,
                          lang=lang)  # fmt: skip


# --- The editor forms ------------------------------------------------------------------------------------


def test_every_section_has_an_editor_and_the_extra_forms_exist():
    assert set(section_forms()) == {f"section_{k}" for k in (*EDITABLE, "family_member", "admission")}


def test_section_editors_write_only_allowed_columns_of_their_own_section():
    for key in EDITABLE:
        form = section_forms()[f"section_{key}"]
        for f in form.fields:
            assert f.target is not None, (key, f.name)
            assert target_problem(f.target) is None
            assert f.target.split(".")[0] in ({key, "case_plan_goal"} if key == "case_plan" else {key})
            assert f.workflow is None  # editing the file never drives a workflow


def test_section_editors_cover_every_column_forms_may_write():
    for key in EDITABLE:
        written = {f.target.split(".")[-1] for f in section_forms()[f"section_{key}"].fields if f.target}
        expected = set(TARGET_COLUMNS[key]) | (set(TARGET_COLUMNS["case_plan_goal"]) if key == "case_plan" else set())
        assert written == expected, key


def test_section_editors_fit_their_columns():
    for key in EDITABLE:
        for f in section_forms()[f"section_{key}"].fields:
            column = _column(f.target)
            assert (f.type == "date") == isinstance(column.type, Date | EncryptedDate), (key, f.name)
            if getattr(column.type, "enums", None):
                assert set(f.choice_values) == set(column.type.enums), (key, f.name)


def test_family_member_editor_matches_the_table():
    columns = set(FamilyMember.__table__.columns.keys())
    assert {f.name for f in section_forms()["section_family_member"].fields} <= columns
    assert {f.name for f in section_forms()["section_admission"].fields} <= set(Identity.__table__.columns.keys())


def test_section_editors_speak_khmer_without_the_known_misspellings():
    for form in section_forms().values():
        for where, en, km in all_texts(form):
            assert en.strip(), (form.key, where)
            assert km.strip(), (form.key, where)
            assert KHMER.search(km) or where.startswith("origin_province_code choice"), (form.key, where)
            assert not any(m in km for m in KHMER_MISTAKES), (form.key, where)
            assert not VOWEL_BEFORE_SUBSCRIPT.search(km), (form.key, where)


# --- Reading and writing ---------------------------------------------------------------------------------


def test_a_section_is_read_as_form_strings(session, worker, case):
    view = read_section(session=session, actor=worker, code=case.code, key="identity")
    assert view.values["alias"] == "Zyxalias"
    assert view.values["sex"] == "female"
    assert view.updated_at == NOW
    assert view.token


def test_saving_writes_every_column_clears_emptied_ones_and_stamps_the_section(session, worker, case):
    save(session, worker, case, "medical", vaccinations="Synthetic vaccine", prescriptions="Synthetic tablets")
    token = read_section(session=session, actor=worker, code=case.code, key="medical").token
    save(session, worker, case, "medical", token=token, now=LATER + dt.timedelta(hours=1),
         vaccinations="Synthetic vaccine", prescriptions="")  # fmt: skip
    record = session.scalar(select(MedicalRecord).where(MedicalRecord.case_id == case.id))
    assert (record.vaccinations, record.prescriptions) == ("Synthetic vaccine", None)
    assert record.updated_at == LATER + dt.timedelta(hours=1)
    assert record.updated_by_id == worker.id
    assert session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "section_updated")) == 2


def test_editing_the_identity_keeps_the_name_lookup_right(session, worker, case):
    token = read_section(session=session, actor=worker, code=case.code, key="identity").token
    save(session, worker, case, "identity", token=token, given_name_latin="Zyxnew", family_name_latin="Synthetic",
         sex="male")  # fmt: skip
    identity = session.scalar(select(Identity).where(Identity.case_id == case.id))
    assert identity.sex is Sex.MALE
    assert identity.alias is None  # emptied
    assert find_by_name(session=session, actor=worker, full_latin_name="Zyxnew Synthetic") == [case]
    assert find_by_name(session=session, actor=worker, full_latin_name="Zyxgiven Synthetic") == []


def test_invalid_input_writes_nothing_and_says_which_fields(session, worker, case):
    token = read_section(session=session, actor=worker, code=case.code, key="identity").token
    with pytest.raises(InvalidInput) as caught:
        save(session, worker, case, "identity", token=token, lang="km", date_of_birth="2999-01-01", sex="female")
    assert caught.value.fields["given_name_latin"] == "សូមបញ្ចូលនាមខ្លួនជាអក្សរខ្មែរ ឬអក្សរឡាតាំង។"
    assert "date_of_birth" in caught.value.fields
    session.rollback()
    assert session.scalar(select(Identity.alias).where(Identity.case_id == case.id)) == "Zyxalias"


def test_a_save_from_an_older_version_is_refused(session, worker, supervisor, case):
    old = read_section(session=session, actor=worker, code=case.code, key="identity").token
    save(session, supervisor, case, "identity", token=old, given_name_latin="Zyxsupervisor", sex="female")
    with pytest.raises(ConcurrentChange):
        save(session, worker, case, "identity", token=old, given_name_latin="Zyxworker", sex="female")
    assert session.scalar(select(Identity.given_name_latin).where(Identity.case_id == case.id)) == "Zyxsupervisor"


def test_a_new_section_row_is_refused_when_someone_created_it_first(session, worker, supervisor, case):
    save(session, supervisor, case, "psychological", notes="Synthetic first")
    with pytest.raises(ConcurrentChange):
        save(session, worker, case, "psychological", notes="Synthetic second")


def test_case_plan_lines_are_added_changed_and_removed(session, worker, case):
    save(session, worker, case, "case_plan", family_communication_plan="Synthetic plan", health_goal="Synthetic goal",
         health_due_on="2027-01-01", education_goal="Synthetic school")  # fmt: skip
    plan = session.scalar(select(CasePlan).where(CasePlan.case_id == case.id))
    assert sorted(g.domain for g in plan.goals) == ["education", "health"]
    token = read_section(session=session, actor=worker, code=case.code, key="case_plan").token
    save(session, worker, case, "case_plan", token=token, family_communication_plan="Synthetic plan",
         health_goal="Synthetic goal changed")  # fmt: skip
    session.expire_all()
    goals = session.scalars(select(CasePlanGoal).where(CasePlanGoal.plan_id == plan.id)).all()
    assert [(g.domain, g.goal, g.due_on) for g in goals] == [("health", "Synthetic goal changed", None)]


def test_a_case_plan_line_without_its_goal_is_refused(session, worker, case):
    with pytest.raises(InvalidInput) as caught:
        save(session, worker, case, "case_plan", family_communication_plan="Synthetic", safety_action="Synthetic")
    assert set(caught.value.fields) == {"safety_goal"}


def test_the_family_assessment_section_edits_the_latest_assessment(session, worker, case):
    save(session, worker, case, "family_assessment", assessed_on="2026-11-01", safety_rating="unsafe")
    token = read_section(session=session, actor=worker, code=case.code, key="family_assessment").token
    save(session, worker, case, "family_assessment", token=token, assessed_on="2026-11-02", safety_rating="safe")
    [assessment] = session.scalars(select(FamilyAssessment).where(FamilyAssessment.case_id == case.id)).all()
    assert (assessment.assessed_on, assessment.safety_rating) == (dt.date(2026, 11, 2), SafetyRating.SAFE)


def test_the_whole_case_file_is_read_at_once(session, worker, case):
    save_family_member(session=session, actor=worker, now=LATER, code=case.code, member_id=None, token="",
                       raw={"relationship": "father", "name": "Synthetic Father"})  # fmt: skip
    file = read_case_file(session=session, actor=worker, code=case.code)
    assert set(file.sections) == set(EDITABLE)
    assert file.sections["medical"].values == {}
    assert [m.values["name"] for m in file.family] == ["Synthetic Father"]


# --- Family members --------------------------------------------------------------------------------------


def test_family_members_are_added_and_changed_with_the_version_check(session, worker, case):
    added = save_family_member(session=session, actor=worker, now=LATER, code=case.code, member_id=None, token="",
                               raw={"relationship": "sibling", "name": "Synthetic Sibling"})  # fmt: skip
    view = read_family_member(session=session, actor=worker, code=case.code, member_id=added.item_id)
    save_family_member(session=session, actor=worker, now=LATER + dt.timedelta(minutes=1), code=case.code,
                       member_id=added.item_id, token=view.token,
                       raw={"relationship": "sibling", "name": "Synthetic Renamed"})  # fmt: skip
    with pytest.raises(ConcurrentChange):
        save_family_member(session=session, actor=worker, now=LATER + dt.timedelta(minutes=2), code=case.code,
                           member_id=added.item_id,
                           token=view.token, raw={"relationship": "sibling", "name": "Synthetic Late"})  # fmt: skip
    assert session.get(FamilyMember, added.item_id).name == "Synthetic Renamed"


def test_a_family_member_of_another_case_is_not_found(session, factory, worker, case):
    other = factory.case(worker)
    added = save_family_member(session=session, actor=worker, now=LATER, code=other.code, member_id=None, token="",
                               raw={"relationship": "mother", "name": "Synthetic"})  # fmt: skip
    with pytest.raises(NotFound):
        read_family_member(session=session, actor=worker, code=case.code, member_id=added.item_id)


# --- Who may ---------------------------------------------------------------------------------------------


def test_another_caseworker_cannot_read_or_write_the_case_file(session, factory, team, case):
    colleague = factory.user(Role.CASEWORKER, team)
    with pytest.raises(NotFound):
        read_case_file(session=session, actor=colleague, code=case.code)
    with pytest.raises(NotFound):
        save(session, colleague, case, "medical", vaccinations="Synthetic")
    assert session.scalar(select(MedicalRecord)) is None


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REPORTING, Role.DOSVY_OFFICER])
def test_roles_without_case_files_are_refused(session, factory, case, role):
    outsider = factory.user(role)
    with pytest.raises(Forbidden):
        read_section(session=session, actor=outsider, code=case.code, key="identity")
    with pytest.raises(Forbidden):
        save(session, outsider, case, "medical", vaccinations="Synthetic")


def test_the_teams_supervisor_may_edit(session, supervisor, case):
    save(session, supervisor, case, "medical", vaccinations="Synthetic")
    assert session.scalar(select(MedicalRecord.updated_by_id)) == supervisor.id


# --- Names for lists, history, prefill, admission ---------------------------------------------------------


def test_survivor_names_only_for_cases_in_scope_in_one_query(session, factory, team, worker, supervisor, case,
                                                             db_engine):  # fmt: skip
    other_worker = factory.user(Role.CASEWORKER, team)
    theirs = factory.case(other_worker, alias="Zyxtheirs")
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db_engine, "before_cursor_execute", listener)
    try:
        mine = survivor_names(session=session, actor=worker, case_ids=[case.id, theirs.id])
    finally:
        event.remove(db_engine, "before_cursor_execute", listener)
    assert mine == {case.id: "Zyxalias"}
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1
    assert survivor_names(session=session, actor=supervisor, case_ids=[case.id, theirs.id]) == {
        case.id: "Zyxalias", theirs.id: "Zyxtheirs",
    }  # fmt: skip
    assert survivor_names(session=session, actor=factory.user(Role.ADMINISTRATOR), case_ids=[case.id]) == {}


def test_survivor_names_take_the_alias_then_the_latin_then_the_khmer_given_name(session, factory, worker):
    both = factory.case(worker, alias="Zyxalias", given_name_latin="Zyxgiven")
    latin = factory.case(worker, given_name_latin="Zyxlatin", given_name_km="ស៊ីសាកល្បង")
    khmer = factory.case(worker, given_name_latin=None, given_name_km="ស៊ីសាកល្បង")
    empty_alias = factory.case(worker, alias="", given_name_latin="Zyxafterempty")
    names = survivor_names(session=session, actor=worker, case_ids=[both.id, latin.id, khmer.id, empty_alias.id])
    assert names == {both.id: "Zyxalias", latin.id: "Zyxlatin", khmer.id: "ស៊ីសាកល្បង",
                     empty_alias.id: "Zyxafterempty"}  # fmt: skip


def test_history_is_newest_first_with_who_did_it(session, worker, case):
    save(session, worker, case, "medical", vaccinations="Synthetic")
    lines = case_history(session=session, actor=worker, code=case.code)
    assert [(line.kind, line.section) for line in lines] == [("section_updated", "medical"), ("opened", None)]
    assert lines[0].actor_name == worker.display_name
    assert "Synthetic" not in lines[0].summary  # the section's name, never its content


def test_case_file_values_feed_a_steps_form(session, worker, case):
    save(session, worker, case, "history", narrative="Synthetic story")
    case.risk_level = RiskLevel.HIGH
    values = case_file_values(session=session, case=case, targets=["history.narrative", "case.risk_level",
                                                                    "case_plan_goal.health.goal"])  # fmt: skip
    assert values["history.narrative"] == "Synthetic story"
    assert values["case.risk_level"] is RiskLevel.HIGH
    session.rollback()


def test_admission_input_becomes_a_new_survivor(session):
    survivor = parse_admission(raw={"given_name_km": "សាកល្បង", "sex": "other", "date_of_birth": "2001-02-03"},
                               lang="en", now=NOW)  # fmt: skip
    assert (survivor.given_name_km, survivor.sex, survivor.date_of_birth) == ("សាកល្បង", Sex.OTHER, dt.date(2001, 2, 3))
    with pytest.raises(InvalidInput) as caught:
        parse_admission(raw={"alias": "Synthetic"}, lang="en", now=NOW)
    assert set(caught.value.fields) == {"given_name_latin", "sex"}


def test_changes_and_views_are_audited_by_section_never_by_value(session, worker, case):
    save(session, worker, case, "medical", vaccinations="Synthetic Zyxvaccine")
    view_case_file(session=session, actor=worker, now=LATER, code=case.code)
    lines = session.execute(
        select(AuditEvent.action, AuditEvent.detail, AuditEvent.case_id)
        .where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.id)
    )
    assert [tuple(line) for line in lines] == [
        ("case_file_changed", "section=medical; fields=vaccinations,prescriptions,doctor_advice,forensic_assessment",
         case.id),
        ("case_file_viewed", "", case.id),
    ]  # fmt: skip
    assert verify(session=session).ok
