"""The "Record case transfer" step transfers the case through consent; the DoSVY office that receives it
(and only that office) answers the acceptance step; a declined transfer ends the office's access."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.cases.service import get_case
from engine.db import transaction
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.jobs.reminders import remind_overdue_work
from engine.models.accounts import Role, Team
from engine.models.cases import Case, CaseStatus
from engine.models.notices import Notice
from engine.models.security import AuditEvent, CaseTransfer
from engine.models.workflow import WorkItem
from engine.notices.rules import Rules
from engine.security.fields import FieldGroup
from engine.security.policy import active_transfer_groups
from engine.workflow.assignments import claim_work_item, get_work_item
from engine.workflow.queues import Filter, my_work
from engine.workflow.service import complete_work_item, start_case_workflow


@pytest.fixture
def type2(walk):
    start_case_workflow(session=walk.session, runtime=walk.runtime, case=walk.case, actor=walk.worker, now=walk.now,
                        process_id="follow_up_2")  # fmt: skip
    return walk


def _transfer(walk, **values):
    item = walk.item("case_transfer")
    raw = {"to_office": str(walk.officer.organisation_id), "transfer_date": walk.now.date().isoformat(),
           "shared_groups": ["identity", "plan"], **values}  # fmt: skip
    return complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                              work_item_id=item.id, raw=raw)  # fmt: skip


def test_a_consented_transfer_hands_the_office_only_the_chosen_groups(type2):
    _transfer(type2)
    office = type2.officer.organisation_id
    assert active_transfer_groups(type2.session, type2.case.id, office) == {FieldGroup.IDENTITY, FieldGroup.PLAN}
    transfer = type2.session.scalar(select(CaseTransfer))
    assert transfer.consent_id is not None
    assert transfer.override_reason is None
    assert "accept_transfer" in type2.open_names()


def test_without_a_covering_consent_the_step_is_refused_and_nothing_is_written(type2):
    with pytest.raises(InvalidInput) as refused:
        _transfer(type2, shared_groups=["identity", "family"])  # the consent covers identity and plan only
    assert "consent" in refused.value.fields["override_reason"]
    assert type2.session.scalar(select(CaseTransfer)) is None
    assert "case_transfer" in type2.open_names()


def test_the_refusal_is_in_khmer_for_a_khmer_form(type2):
    item = type2.item("case_transfer")
    raw = {"to_office": str(type2.officer.organisation_id), "transfer_date": type2.now.date().isoformat(),
           "shared_groups": ["family"]}  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        complete_work_item(session=type2.session, runtime=type2.runtime, actor=type2.worker, now=type2.now,
                           work_item_id=item.id, raw=raw, lang="km")  # fmt: skip
    assert "ការយល់ព្រម" in refused.value.fields["override_reason"]


def test_medical_data_cannot_even_be_chosen(type2):
    with pytest.raises(InvalidInput) as refused:
        _transfer(type2, shared_groups=["medical"])
    assert "shared_groups" in refused.value.fields


def test_an_override_with_a_reason_transfers_audits_and_tells_the_supervisor(type2):
    _transfer(type2, shared_groups=["identity", "family"], override_reason="Synthetic: consent visit planned")
    transfer = type2.session.scalar(select(CaseTransfer))
    assert transfer.consent_id is None
    assert transfer.override_reason == "Synthetic: consent visit planned"
    actions = type2.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == type2.case.id)).all()
    assert "consent_override" in actions
    assert type2.session.scalar(select(Notice).where(Notice.kind == "consent_override")) is not None


def test_only_the_receiving_office_sees_and_answers_the_acceptance(type2, factory):
    _transfer(type2)
    other = factory.officer(factory.office(), username="dosvy.elsewhere")
    item = type2.item("accept_transfer")
    mine = my_work(session=type2.session, actor=type2.officer, now=type2.now, chosen=Filter.ALL)
    theirs = my_work(session=type2.session, actor=other, now=type2.now, chosen=Filter.ALL)
    assert [row.id for row in mine.rows] == [item.id]
    assert theirs.rows == []
    with pytest.raises(Forbidden):
        complete_work_item(session=type2.session, runtime=type2.runtime, actor=other, now=type2.now,
                           work_item_id=item.id, raw={"accepted": "yes", "accepted_by": "Synthetic"})  # fmt: skip


def test_an_overdue_acceptance_reminds_the_receiving_office_only(type2, factory):
    _transfer(type2)
    other = factory.officer(factory.office(), username="dosvy.elsewhere")
    item = type2.item("accept_transfer")
    remind_overdue_work(session=type2.session, now=item.due_at + Rules().grace, rules=Rules())
    notices = type2.session.scalars(select(Notice).where(Notice.kind == "overdue")).all()
    (notice,) = [n for n in notices if json.loads(n.payload)["step"] == item.title]
    told = {d.recipient_id for d in notice.deliveries}
    assert type2.officer.id in told
    assert other.id not in told


def test_a_declined_transfer_ends_the_offices_access(type2):
    _transfer(type2)
    type2.do("accept_transfer", accepted=False)
    assert active_transfer_groups(type2.session, type2.case.id, type2.officer.organisation_id) == frozenset()
    assert type2.session.scalar(select(CaseTransfer)).ended_at is not None
    assert "case_transfer" in type2.open_names()


def _to_notice(walk):
    start_case_workflow(session=walk.session, runtime=walk.runtime, case=walk.case, actor=walk.worker, now=walk.now,
                        process_id="reintegration", carried={"dosvy_notice_consent": True})  # fmt: skip
    return walk


def test_a_dosvy_notice_needs_a_consent_to_that_office_or_an_override(walk, factory):
    office = factory.office()  # the walk's consent names another office
    _to_notice(walk)
    walk.do("prepare_family")
    assert "notify_dosvy" in walk.open_names()
    with pytest.raises(InvalidInput) as refused:
        walk.do("notify_dosvy", office=str(office.id))
    assert "consent" in refused.value.fields["override_reason"]
    assert "notify_dosvy" in walk.open_names()  # nothing was written
    walk.do("notify_dosvy", office=str(office.id), override_reason="Synthetic: the survivor asked us to")
    actions = walk.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == walk.case.id)).all()
    assert "consent_override" in actions
    assert walk.session.scalar(select(Notice).where(Notice.kind == "consent_override")) is not None


def test_an_officer_of_another_office_cannot_claim_or_open_the_acceptance(type2, factory):
    _transfer(type2)
    other = factory.officer(factory.office(), username="dosvy.claimer")
    item = type2.item("accept_transfer")
    with pytest.raises(NotFound):
        claim_work_item(session=type2.session, actor=other, now=type2.now, work_item_id=item.id)
    with pytest.raises(NotFound):
        get_work_item(session=type2.session, actor=other, work_item_id=item.id)
    claim_work_item(session=type2.session, actor=type2.officer, now=type2.now, work_item_id=item.id)


def test_closing_the_case_ends_its_transfer(type2):
    _transfer(type2)
    start_case_workflow(session=type2.session, runtime=type2.runtime, case=type2.case, actor=type2.worker,
                        now=type2.now, process_id="closure")  # fmt: skip
    type2.do("final_assessment")
    type2.do("closure_record", reason="goals_met", survivor_informed=True)
    type2.do("approve_closure", decision="approve")
    assert type2.refresh().status is CaseStatus.CLOSED
    assert type2.session.scalar(select(CaseTransfer)).ended_at is not None
    with pytest.raises(NotFound):
        get_case(session=type2.session, actor=type2.officer, code=type2.case.code)


def test_a_colleague_answering_the_team_step_of_a_case_without_a_caseworker_can_transfer(type2, factory):
    item = type2.item("case_transfer")
    with transaction(type2.session):  # the caseworker left: the case and its step wait for the team
        type2.session.get(Case, type2.case.id).caseworker_id = None
        type2.session.get(WorkItem, item.id).assignee_id = None
    colleague = factory.user(Role.CASEWORKER, type2.session.get(Team, type2.worker.team_id))
    raw = {"to_office": str(type2.officer.organisation_id), "transfer_date": type2.now.date().isoformat(),
           "shared_groups": ["identity"]}  # fmt: skip
    complete_work_item(session=type2.session, runtime=type2.runtime, actor=colleague, now=type2.now,
                       work_item_id=item.id, raw=raw)  # fmt: skip
    assert type2.session.scalar(select(CaseTransfer)).transferred_by_id == colleague.id
