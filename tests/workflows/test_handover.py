"""Hand-overs between people (issue 13): the follow-up visit's cross-field rules and the earliest closure
from the schedule table; Type 2 visits done by the DoSVY officer who accepted the transfer; a returned
step keeps the comment and its answers; approvals show what they decide on; the agreement's consent to
notify DoSVY is a consent record."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engine.errors import Forbidden, InvalidInput
from engine.models.accounts import Role
from engine.models.cases import CaseRecord, Phase, RiskLevel
from engine.models.notices import Delivery, Notice
from engine.models.security import AuditEvent, ConsentRecord
from engine.workflow.approvals import approval_content
from engine.workflow.queues import Filter, my_work
from engine.workflow.returns import earlier_answers, return_note, return_note_of
from engine.workflow.service import complete_work_item, start_case_workflow
from tests.workflows.conftest import fill


def _visit_raw(walk, **values):
    item = walk.item("conduct_visit")
    base = {"visit_date": walk.now.date().isoformat(), "contact_made": True, "mode": "home_visit",
            "seen_alone": True, "visit_outcome": "continue", "risk_level": "low"}  # fmt: skip
    return item, fill(walk.runtime.forms["follow_up_visit"], walk.now.date(), {**base, **values})


def _refused(walk, lang="en", **values):
    item, raw = _visit_raw(walk, **values)
    records = walk.session.scalar(select(func.count()).select_from(CaseRecord))
    with pytest.raises(InvalidInput) as refused:
        complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                           work_item_id=item.id, raw=raw, lang=lang)  # fmt: skip
    assert walk.item("conduct_visit").id == item.id  # still open: nothing was written
    assert walk.session.scalar(select(func.count()).select_from(CaseRecord)) == records
    return refused.value.fields


@pytest.fixture
def type1(walk):
    walk.pre_reintegration()
    walk.reintegration()
    return walk


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"contact_made": False, "mode": "home_visit", "seen_alone": ""}, "mode", "Not reached"),
        ({"contact_made": False, "mode": "not_reached", "seen_alone": True}, "seen_alone", "leave this empty"),
        ({"contact_made": True, "mode": "not_reached", "seen_alone": ""}, "contact_made", "answer No"),
        ({"contact_made": False, "mode": "not_reached", "seen_alone": "", "visit_outcome": "ready_to_close"},
         "visit_outcome", "without contact"),
    ],
)  # fmt: skip
def test_a_visit_that_contradicts_itself_is_refused(type1, values, field, words):
    fields = _refused(type1, **values)
    assert words in fields[field]


def test_the_issues_contradictory_visit_gets_every_message_at_once_in_khmer(type1):
    fields = _refused(type1, lang="km", contact_made=False, mode="home_visit", seen_alone=True,
                      visit_outcome="ready_to_close")  # fmt: skip
    assert set(fields) >= {"mode", "seen_alone", "visit_outcome"}
    assert fields["mode"] == "មិនបានទាក់ទង៖ មធ្យោបាយគឺ «មិនអាចទាក់ទងបាន»។"


def test_a_missed_visit_that_is_consistent_goes_through(type1):
    type1.visit(contact_made=False, mode="not_reached")
    assert type1.open_names() == ["conduct_visit"]
    assert type1.refresh().phase is Phase.FOLLOW_UP_1


def test_ready_to_close_on_hand_over_day_is_refused_with_the_schedules_minimum(type1):
    fields = _refused(type1, visit_outcome="ready_to_close")
    assert "at least 3 months" in fields["visit_outcome"]  # min_months_before_close of the schedule table
    assert type1.refresh().phase is Phase.FOLLOW_UP_1


def test_ready_to_close_goes_through_once_the_schedule_allows_it(type1):
    type1.visits_until_closure_allowed()
    assert type1.done.count("conduct_visit") >= 3
    type1.visit(visit_outcome="ready_to_close")
    assert type1.refresh().phase is Phase.CLOSURE


# ---- Type 2: the DoSVY officer of the receiving office does the visits --------------------------------


@pytest.fixture
def accepted(walk):
    carried = {"reintegrated_on": "2026-01-05", "last_visit_on": walk.now.date().isoformat(), "visit_number": 9,
               "risk_level": "low"}  # fmt: skip
    start_case_workflow(session=walk.session, runtime=walk.runtime, case=walk.case, actor=walk.worker, now=walk.now,
                        process_id="follow_up_2", carried=carried)  # fmt: skip
    walk.do("case_transfer", transfer_date=walk.now.date().isoformat())
    walk.do("accept_transfer", accepted=True)
    return walk


def test_after_the_office_accepts_the_visit_is_assigned_to_the_officer_who_accepted(accepted):
    visit = accepted.item("conduct_visit")
    assert visit.role is Role.DOSVY_OFFICER
    assert visit.assignee_id == accepted.officer.id
    assert visit.team_id is None
    mine = my_work(session=accepted.session, actor=accepted.officer, now=accepted.now)
    assert [row.id for row in mine.rows] == [visit.id]
    worker_queue = my_work(session=accepted.session, actor=accepted.worker, now=accepted.now)
    assert visit.id not in [row.id for row in worker_queue.rows]


def test_the_officer_completes_the_type2_visit_and_the_next_one_is_theirs_too(accepted):
    accepted.visit(risk_level="medium")
    case = accepted.refresh()
    assert case.risk_level is RiskLevel.MEDIUM  # the officer's re-rating reaches the case
    assert case.phase is Phase.FOLLOW_UP_2
    following = accepted.item("conduct_visit")
    assert following.role is Role.DOSVY_OFFICER
    assert following.assignee_id == accepted.officer.id
    assert following.due_at > accepted.now


def test_the_shelter_caseworker_cannot_complete_a_type2_visit(accepted):
    item, raw = _visit_raw(accepted)
    with pytest.raises(Forbidden):
        complete_work_item(session=accepted.session, runtime=accepted.runtime, actor=accepted.worker,
                           now=accepted.now, work_item_id=item.id, raw=raw)  # fmt: skip
    assert accepted.item("conduct_visit").id == item.id


def test_an_officer_of_another_office_cannot_complete_it(accepted, factory):
    stranger = factory.officer(factory.office())
    item, raw = _visit_raw(accepted)
    with pytest.raises(Forbidden):
        complete_work_item(session=accepted.session, runtime=accepted.runtime, actor=stranger, now=accepted.now,
                           work_item_id=item.id, raw=raw)  # fmt: skip


def test_assigned_to_me_does_not_count_the_offices_unassigned_step(walk):
    start_case_workflow(session=walk.session, runtime=walk.runtime, case=walk.case, actor=walk.worker, now=walk.now,
                        process_id="follow_up_2")  # fmt: skip
    walk.do("case_transfer", transfer_date=walk.now.date().isoformat())
    page = my_work(session=walk.session, actor=walk.officer, now=walk.now)
    assert page.counts[Filter.MINE] == 0  # the acceptance step is nobody's yet
    assert page.counts[Filter.TEAM_UNASSIGNED] == 1
    assert page.rows == []
    unassigned = my_work(session=walk.session, actor=walk.officer, now=walk.now, chosen=Filter.TEAM_UNASSIGNED)
    assert [row.title for row in unassigned.rows] == ["Accept case transfer"]


# ---- Return for changes ------------------------------------------------------------------------------


def _to_plan_approval(walk):
    for step in ("registration", "consent", "risk_screen", "needs_assessment"):
        walk.do(step)
    walk.do("case_plan", family_communication_plan="Synthetic: weekly phone call with the aunt")


def test_a_returned_plan_keeps_the_comment_and_the_earlier_answers(walk):
    _to_plan_approval(walk)
    walk.do("approve_case_plan", decision="return", comment="Synthetic: add the education goal")
    reopened = walk.item("case_plan")
    note = return_note(session=walk.session, item=reopened)
    assert note is not None
    assert note.comment == "Synthetic: add the education goal"
    assert note.by == walk.supervisor.display_name
    answers = earlier_answers(session=walk.session, item=reopened)
    assert answers["family_communication_plan"] == "Synthetic: weekly phone call with the aunt"


def test_the_caseworker_is_told_in_the_inbox_without_the_comment_in_the_notice(walk):
    _to_plan_approval(walk)
    walk.do("approve_case_plan", decision="return", comment="Synthetic: Zyxcomment")
    notice = walk.session.scalar(select(Notice).where(Notice.kind == "returned"))
    assert notice is not None
    payload = json.loads(notice.payload)
    assert payload["case_code"] == walk.case.code
    assert "Zyxcomment" not in notice.payload  # free text stays in the encrypted step record
    recipients = walk.session.scalars(select(Delivery.recipient_id).where(Delivery.notice_id == notice.id)).all()
    assert set(recipients) == {walk.worker.id}
    note = return_note_of(session=walk.session, actor=walk.worker, work_item_id=payload["work_item_id"])
    assert note is not None
    assert note.comment == "Synthetic: Zyxcomment"


def test_someone_who_may_not_see_the_step_reads_no_comment(walk, factory):
    _to_plan_approval(walk)
    walk.do("approve_case_plan", decision="return", comment="Synthetic: Zyxcomment")
    item = walk.item("case_plan")
    stranger = factory.user(Role.CASEWORKER, factory.team())
    assert return_note_of(session=walk.session, actor=stranger, work_item_id=item.id) is None
    assert return_note_of(session=walk.session, actor=walk.officer, work_item_id=item.id) is None


def test_an_approved_plan_reopens_nothing_and_tells_nobody(walk):
    _to_plan_approval(walk)
    walk.do("approve_case_plan", decision="approve")
    assert walk.session.scalar(select(Notice).where(Notice.kind == "returned")) is None


def test_a_returned_closure_reopens_the_final_assessment_with_its_answers(type1):
    type1.visits_until_closure_allowed()
    type1.visit(visit_outcome="ready_to_close")
    type1.do("final_assessment")
    type1.do("closure_record", reason="goals_met", survivor_informed=True)
    type1.do("approve_closure", decision="return", comment="Synthetic: say how the survivor was told")
    reopened = type1.item("final_assessment")
    assert return_note(session=type1.session, item=reopened).comment == "Synthetic: say how the survivor was told"
    assert earlier_answers(session=type1.session, item=reopened) is not None


# ---- What an approval shows ------------------------------------------------------------------------


def test_the_plan_approval_shows_the_submitted_plan_and_the_section_ages(walk):
    _to_plan_approval(walk)
    item = walk.item("approve_case_plan")
    content = approval_content(session=walk.session, actor=walk.supervisor, now=walk.now, item=item,
                               forms=walk.runtime.forms)  # fmt: skip
    assert [s.form.key for s in content.steps] == ["case_plan"]
    assert content.steps[0].values["family_communication_plan"] == "Synthetic: weekly phone call with the aunt"
    assert content.steps[0].recorded_by == walk.worker.display_name
    ages = {s.key: s for s in content.sections}
    assert ages["case_plan"].days_ago == 0
    assert ages["medical"].updated_at is None
    viewed = walk.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "case_file_viewed")).all()
    assert f"approval={item.id} forms=case_plan" in viewed


def test_the_closure_approval_shows_both_steps_it_decides_on(type1):
    type1.visits_until_closure_allowed()
    type1.visit(visit_outcome="ready_to_close")
    type1.do("final_assessment")
    type1.do("closure_record", reason="goals_met", survivor_informed=True)
    item = type1.item("approve_closure")
    content = approval_content(session=type1.session, actor=type1.supervisor, now=type1.now, item=item,
                               forms=type1.runtime.forms)  # fmt: skip
    assert [s.form.key for s in content.steps] == ["final_assessment", "closure"]
    assert content.steps[1].values["reason"] == "goals_met"


# ---- The agreement's consent to notify DoSVY -------------------------------------------------------


@pytest.fixture
def without_consent(session, factory, runtime):
    """A walk whose case has no consent on file (the usual walk has one to the office)."""
    from tests.workflows.conftest import Walk

    team = factory.team()
    worker, supervisor = factory.user(Role.CASEWORKER, team), factory.user(Role.SUPERVISOR, team)
    officer = factory.officer(factory.office())
    case = factory.case(worker)
    walk = Walk(session, runtime, case, worker, supervisor, officer)
    start_case_workflow(session=session, runtime=runtime, case=case, actor=worker, now=walk.now)
    for step in ("registration", "consent", "risk_screen", "needs_assessment", "case_plan"):
        walk.do(step)
    walk.do("approve_case_plan", decision="approve")
    walk.do("family_tracing", family_found=False)
    walk.do("case_conference", placement="community")
    return walk


def _notice_consents(walk):
    return walk.session.scalars(select(ConsentRecord).where(ConsentRecord.case_id == walk.case.id,
                                                            ConsentRecord.kind == "data_sharing")).all()  # fmt: skip


def test_the_agreements_consent_is_recorded_and_lets_the_notice_go_through(without_consent):
    walk = without_consent
    walk.do("reintegration_plan", dosvy_notice_consent=True, dosvy_consent_method="thumbprint")
    [consent] = _notice_consents(walk)
    assert (consent.recipient_org_id, consent.scope, consent.method) == (
        walk.officer.organisation_id, "addresses,identity", "thumbprint")  # fmt: skip
    walk.do("approve_agreement", decision="approve")
    walk.do("prepare_family")
    walk.do("notify_dosvy")  # no override reason: the agreement's consent covers it
    actions = walk.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == walk.case.id)).all()
    assert "share" in actions
    assert "consent_override" not in actions


def test_a_resubmitted_agreement_records_the_consent_once(without_consent):
    walk = without_consent
    walk.do("reintegration_plan", dosvy_notice_consent=True)
    walk.do("approve_agreement", decision="return", comment="Synthetic: missing signature")
    walk.do("reintegration_plan", dosvy_notice_consent=True)
    assert len(_notice_consents(walk)) == 1


def test_consent_without_an_office_or_an_office_without_consent_is_refused(without_consent):
    walk = without_consent
    form = walk.runtime.forms["reintegration_plan"]
    item = walk.item("reintegration_plan")
    for values, field in (({"dosvy_notice_consent": True}, "dosvy_office"),
                          ({"dosvy_notice_consent": False, "dosvy_office": str(walk.officer.organisation_id)},
                           "dosvy_office")):  # fmt: skip
        raw = fill(form, walk.now.date(), values)
        if "dosvy_office" not in values:
            raw.pop("dosvy_office", None)
        with pytest.raises(InvalidInput) as refused:
            complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                               work_item_id=item.id, raw=raw)  # fmt: skip
        assert field in refused.value.fields
    assert _notice_consents(walk) == []
    assert walk.item("reintegration_plan").id == item.id


def test_no_consent_in_the_agreement_records_none(without_consent):
    walk = without_consent
    walk.do("reintegration_plan", dosvy_notice_consent=False)
    assert _notice_consents(walk) == []
