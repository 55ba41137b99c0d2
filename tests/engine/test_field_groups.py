"""The field-group matrix is enforced by the case-file services: a DoSVY officer reads only the groups
their office's transfer carries (never medical, psychological, narrative or legal data) and writes
nothing; case staff read and write every group; every view names the groups it showed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases.sections import EDITABLE, case_file_values, people, read_section, update_section, view_case_file
from engine.db import transaction
from engine.errors import Forbidden, NotFound
from engine.models.accounts import Role, Team
from engine.models.cases import FamilyMember, MedicalRecord, PsychologicalRecord
from engine.models.security import AuditEvent
from engine.security.consent import transfer_case
from engine.security.fields import READ, SECTION_GROUPS, TRANSFERABLE, WRITE, FieldGroup, parse_groups, target_group
from engine.security.policy import readable_groups, step_groups
from tests.conftest import NOW


@pytest.fixture
def world(session, factory):
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team)
    factory.user(Role.SUPERVISOR, team)
    case = factory.case(worker, given_name_latin="Zyxgiven", alias="Zyxalias")
    office = factory.office()
    officer = factory.officer(office)
    with transaction(session):
        session.add(MedicalRecord(case_id=case.id, vaccinations="Zyxvaccine", updated_at=NOW, updated_by_id=worker.id))
        session.add(PsychologicalRecord(case_id=case.id, notes="Zyxnotes", updated_at=NOW, updated_by_id=worker.id))
        session.add(FamilyMember(case_id=case.id, relationship="mother", name="Zyxmother", updated_at=NOW,
                                 updated_by_id=worker.id))  # fmt: skip
    return worker, case, office, officer


def _transfer(session, worker, case, office, groups):
    factory_groups = parse_groups(groups)
    transfer_case(session=session, actor=worker, now=NOW, case=case, to_org_id=office.id, groups=factory_groups,
                  override_reason="Synthetic test override")  # fmt: skip


def test_every_column_of_every_section_has_a_group_and_the_matrix_never_lets_dosvy_write():
    assert set(SECTION_GROUPS) >= {*EDITABLE, "family_members"}
    assert WRITE[Role.DOSVY_OFFICER] == frozenset()
    assert READ[Role.ADMINISTRATOR] == READ[Role.REPORTING] == frozenset()
    never = {FieldGroup.MEDICAL, FieldGroup.PSYCHOLOGICAL, FieldGroup.NARRATIVE, FieldGroup.LEGAL, FieldGroup.PHOTO}
    assert not (TRANSFERABLE | READ[Role.DOSVY_OFFICER]) & never
    assert target_group("case_plan_goal.education.goal") is FieldGroup.PLAN
    assert target_group("history.narrative") is FieldGroup.NARRATIVE
    assert target_group("identity.photo_ref") is FieldGroup.PHOTO


def test_case_staff_see_every_section(session, world):
    worker, case, _office, _officer = world
    file = view_case_file(session=session, actor=worker, now=NOW, code=case.code)
    assert set(file.sections) == set(EDITABLE)
    assert [m.values["name"] for m in file.family] == ["Zyxmother"]
    detail = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "case_file_viewed"))
    assert detail == ""


def test_an_officer_sees_only_the_transferred_groups(session, world):
    worker, case, office, officer = world
    _transfer(session, worker, case, office, "identity,plan")
    file = view_case_file(session=session, actor=officer, now=NOW, code=case.code)
    assert set(file.sections) == {"identity", "case_plan"}
    identity = file.sections["identity"]
    assert identity.values["given_name_latin"] == "Zyxgiven"
    assert "place_of_birth" not in identity.values  # an address: not transferred
    assert "place_of_birth" not in {f.name for f in identity.form.fields}
    assert "family_communication_plan" not in {f.name for f in file.sections["case_plan"].form.fields}
    assert file.family == []
    shown = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "case_file_viewed")).all()
    assert shown == ["groups=identity,plan"]


def test_family_and_addresses_when_transferred_but_never_health(session, world):
    worker, case, office, officer = world
    _transfer(session, worker, case, office, "identity,addresses,plan,family")
    file = view_case_file(session=session, actor=officer, now=NOW, code=case.code)
    assert set(file.sections) == {"identity", "history", "family_assessment", "case_plan"}
    assert "narrative" not in {f.name for f in file.sections["history"].form.fields}
    assert [m.values["name"] for m in file.family] == ["Zyxmother"]
    assert readable_groups(officer, case) == {FieldGroup.IDENTITY, FieldGroup.ADDRESSES, FieldGroup.PLAN,
                                              FieldGroup.FAMILY}  # fmt: skip


def test_an_officer_writes_nothing(session, world):
    worker, case, office, officer = world
    _transfer(session, worker, case, office, "identity,plan")
    with pytest.raises(Forbidden):
        update_section(session=session, actor=officer, now=NOW, code=case.code, key="identity",
                       raw={"given_name_latin": "Zyxchanged", "sex": "female"}, token="")  # fmt: skip
    with pytest.raises(Forbidden):
        read_section(session=session, actor=officer, code=case.code, key="identity")


def test_without_a_transfer_an_officer_sees_no_case(session, world):
    _worker, case, _office, officer = world
    with pytest.raises(NotFound):
        view_case_file(session=session, actor=officer, now=NOW, code=case.code)


def test_administrators_and_reporting_never_read_a_case_file(session, world, factory):
    _worker, case, _office, _officer = world
    for role in (Role.ADMINISTRATOR, Role.REPORTING):
        with pytest.raises(Forbidden):
            view_case_file(session=session, actor=factory.user(role), now=NOW, code=case.code)


def test_a_steps_prefill_leaves_out_what_the_officer_may_not_read(session, world):
    worker, case, office, officer = world
    _transfer(session, worker, case, office, "identity")
    targets = ["identity.given_name_latin", "medical.vaccinations", "psychological.notes"]
    values = case_file_values(session=session, case=case, targets=targets, actor=officer)
    assert values["identity.given_name_latin"] == "Zyxgiven"
    assert not [k for k in values if k.startswith(("medical.", "psychological.")) or k == "identity.place_of_birth"]
    full = case_file_values(session=session, case=case, targets=targets, actor=worker)
    assert full["medical.vaccinations"] == "Zyxvaccine"


def test_a_colleague_answering_a_team_step_gets_nothing_prefilled_from_a_case_not_theirs(session, world, factory):
    worker, case, _office, _officer = world
    colleague = factory.user(Role.CASEWORKER, factory.session.get(Team, worker.team_id))
    targets = ["identity.given_name_latin", "history.narrative", "medical.vaccinations"]
    assert case_file_values(session=session, case=case, targets=targets, actor=colleague) == {}
    assert step_groups(colleague, case) == (frozenset(), WRITE[Role.CASEWORKER])


def test_health_and_mental_health_goals_of_the_plan_are_not_plan_data(session, world):
    worker, case, office, officer = world
    assert target_group("case_plan_goal.health.goal") is FieldGroup.MEDICAL
    assert target_group("case_plan_goal.mental_health.action") is FieldGroup.PSYCHOLOGICAL
    assert target_group("case_plan_goal.education.goal") is FieldGroup.PLAN
    _transfer(session, worker, case, office, "plan")
    plan = view_case_file(session=session, actor=officer, now=NOW, code=case.code).sections["case_plan"]
    names = {f.name for f in plan.form.fields}
    assert "education_goal" in names
    assert not [n for n in names if n.startswith(("health_", "mental_health_"))]


def test_family_names_in_a_steps_person_list_need_the_family_group(session, world):
    worker, case, office, officer = world
    _transfer(session, worker, case, office, "identity")
    assert [p.name for p in people(session=session, actor=officer, case=case)] == [None]
    assert [p.name for p in people(session=session, actor=worker, case=case)] == ["Zyxmother"]


def test_a_group_the_matrix_does_not_let_a_role_write_is_refused_by_the_services(session, world, monkeypatch):
    worker, case, _office, _officer = world
    monkeypatch.setitem(WRITE, Role.CASEWORKER, WRITE[Role.CASEWORKER] - {FieldGroup.MEDICAL})
    with pytest.raises(Forbidden):
        update_section(session=session, actor=worker, now=NOW, code=case.code, key="medical",
                       raw={"vaccinations": "Zyxchanged"}, token="")  # fmt: skip
    with pytest.raises(Forbidden):  # the case plan holds health goals: medical data
        update_section(session=session, actor=worker, now=NOW, code=case.code, key="case_plan",
                       raw={"education_goal": "Synthetic goal"}, token="")  # fmt: skip
    token = f"{session.scalar(select(PsychologicalRecord.id))}@{NOW.isoformat()}"
    update_section(session=session, actor=worker, now=NOW, code=case.code, key="psychological",
                   raw={"notes": "Synthetic note"}, token=token)  # fmt: skip
