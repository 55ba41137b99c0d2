"""Load -> act -> save is one transaction: failures and races write nothing; closed cases re-open."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from engine.db import make_session_factory, transaction
from engine.errors import ConcurrentChange, Forbidden, InvalidInput
from engine.models.accounts import Role
from engine.models.cases import CaseEvent, CaseRecord, CaseStatus, Phase
from engine.models.workflow import WorkflowInstance, WorkItem, WorkItemStatus
from engine.workflow import service
from engine.workflow.registry import load_registry
from engine.workflow.runner import WorkflowFailed
from engine.workflow.service import Runtime, complete_work_item, reopen_case, start_case_workflow
from tests.workflows.conftest import fill
from workflows import BPMN_DIR, DMN_DIR


def _counts(session):
    session.rollback()
    return (
        session.scalar(select(func.count()).select_from(CaseRecord)),
        session.scalar(select(func.count()).select_from(CaseEvent)),
    )


def test_an_error_inside_the_engine_writes_nothing(walk, tmp_path):
    for step in ("registration", "consent", "risk_screen", "needs_assessment", "case_plan"):
        walk.do(step)
    bpmn = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, bpmn)
    path = bpmn / "pre_reintegration.bpmn"
    # A gateway condition that fails: SpiffWorkflow stops half-way through the supervisor's step.
    path.write_text(path.read_text().replace('plan_decision == "approve"', "1 / 0 == 0"))
    broken = load_registry(list(walk.runtime.chain.processes), bpmn, DMN_DIR)
    key = broken.current("pre_reintegration").key
    instance = walk.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == walk.case.id))
    with transaction(walk.session):
        broken.deploy(walk.session, walk.now)
        walk.session.flush()
        instance.spec_key = key  # this case now runs on the broken version
    state_before, rev_before = instance.state, instance.rev
    walk.runtime = Runtime(broken, walk.runtime.chain, walk.runtime.forms)
    before = _counts(walk.session)
    item = walk.item("approve_case_plan")
    raw = fill(walk.runtime.forms["plan_approval"], walk.now.date(), {"decision": "approve"})
    with pytest.raises(WorkflowFailed, match="could not continue after 'Approve case plan'"):
        complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.supervisor, now=walk.now,
                           work_item_id=item.id, raw=raw)  # fmt: skip
    assert _counts(walk.session) == before
    assert walk.open_names() == ["approve_case_plan"]
    instance = walk.session.get(WorkflowInstance, instance.id)
    assert (instance.state, instance.rev) == (state_before, rev_before)


def test_two_people_completing_the_same_step_at_once_one_wins_and_the_other_is_told(walk, db_engine):
    item = walk.item("registration")
    raw = fill(walk.runtime.forms["registration"], walk.now.date(), {})
    other = make_session_factory(db_engine)()
    try:
        # The second session loads everything before the first one saves.
        other_item_id = item.id
        other.get(WorkflowInstance, item.instance_id)
        complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                           work_item_id=item.id, raw=raw)  # fmt: skip
        worker = other.get(type(walk.worker), walk.worker.id)
        with pytest.raises((ConcurrentChange, InvalidInput)):
            complete_work_item(session=other, runtime=walk.runtime, actor=worker, now=walk.now,
                               work_item_id=other_item_id, raw=raw)  # fmt: skip
    finally:
        other.close()
    assert walk.open_names() == ["consent"]
    assert walk.session.scalar(select(func.count()).select_from(CaseRecord)) == 1


def test_a_step_closed_in_the_database_after_it_was_read_is_not_completed_over_it(walk, db_engine):
    """The step is marked completed only where it is still open in the database, not where this session
    last saw it open: here another connection cancels it after the session read it (and its instance is
    untouched, so no revision check would notice)."""
    item = walk.item("registration")
    raw = fill(walk.runtime.forms["registration"], walk.now.date(), {})
    walk.session.commit()  # the session keeps the step as it read it: open
    with db_engine.begin() as other:
        other.execute(update(WorkItem).where(WorkItem.id == item.id).values(status=WorkItemStatus.CANCELLED))
    before = _counts(walk.session)
    walk.session.get(WorkItem, item.id)  # still the stale copy, open
    with pytest.raises(InvalidInput, match="already completed or cancelled by someone else"):
        complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                           work_item_id=item.id, raw=raw)  # fmt: skip
    assert _counts(walk.session) == before
    walk.session.expire_all()
    assert walk.session.get(WorkItem, item.id).status is WorkItemStatus.CANCELLED
    assert walk.session.get(WorkflowInstance, item.instance_id).rev == 1


def test_a_workflow_advanced_by_another_transaction_after_it_was_read_refuses_the_step(walk, db_engine):
    """The instance's new state is written only against the revision it was read at: here another
    transaction moved the instance on after this session read it (the step itself still open), so the
    step is refused with the "someone else changed" message and nothing of it is written."""
    item = walk.item("registration")
    raw = fill(walk.runtime.forms["registration"], walk.now.date(), {})
    instance = walk.session.get(WorkflowInstance, item.instance_id)
    walk.session.commit()  # the session keeps the instance as it read it
    with db_engine.begin() as other:
        other.execute(update(WorkflowInstance).where(WorkflowInstance.id == instance.id)
                      .values(rev=WorkflowInstance.rev + 1))  # fmt: skip
    before = _counts(walk.session)
    walk.session.get(WorkflowInstance, instance.id)  # the stale copy
    with pytest.raises(ConcurrentChange):
        complete_work_item(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                           work_item_id=item.id, raw=raw)  # fmt: skip
    assert _counts(walk.session) == before
    walk.session.expire_all()
    assert walk.session.get(WorkItem, item.id).status is WorkItemStatus.OPEN
    assert walk.open_names() == ["registration"]


@pytest.mark.parametrize("stale", [0, 1])
def test_a_batch_of_new_states_is_refused_whole_when_one_instance_changed_meanwhile(walk, factory, stale):
    """The sweep writes a batch's states in one statement; one instance at another revision refuses them all
    (the first or the second of the batch), and nothing of the batch is written."""
    cases = [walk.case, factory.case(walk.worker)]
    instances = []
    for case in cases[1:]:
        start_case_workflow(session=walk.session, runtime=walk.runtime, case=case, actor=walk.worker, now=walk.now)
    for case in cases:
        instances.append(walk.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id)))
    states = [{"b_id": i.id, "b_rev": i.rev + (1 if n == stale else 0), "rev": i.rev + 1, "state": i.state,
               "status": i.status, "completed_at": None, "outcome": None, "next_process": None}
              for n, i in enumerate(instances)]  # fmt: skip
    ids, revs = [i.id for i in instances], [i.rev for i in instances]
    walk.session.rollback()
    with pytest.raises(ConcurrentChange), transaction(walk.session):  # the user's "someone else changed" message
        service._write_states(walk.session.connection(), states)
    stored = walk.session.execute(select(WorkflowInstance.id, WorkflowInstance.rev)
                                  .where(WorkflowInstance.id.in_(ids)).order_by(WorkflowInstance.id)).all()  # fmt: skip
    assert [tuple(r) for r in stored] == sorted(zip(ids, revs, strict=True))  # the other instance's state not written


def test_a_supervisor_reopens_a_closed_case(walk):
    walk.pre_reintegration()
    walk.reintegration()
    walk.visits_until_closure_allowed()
    walk.visit(visit_outcome="ready_to_close")
    walk.do("final_assessment")
    walk.do("closure_record", reason="goals_met", survivor_informed=True)
    walk.do("approve_closure", decision="approve")
    case = walk.refresh()
    assert case.status is CaseStatus.CLOSED
    reopen_case(session=walk.session, runtime=walk.runtime, actor=walk.supervisor, now=walk.now, case=case)
    case = walk.refresh()
    assert case.status is CaseStatus.OPEN
    assert case.closed_at is None
    assert case.phase is Phase.PRE_REINTEGRATION
    assert walk.open_names() == ["risk_screen"]


def test_only_the_teams_supervisor_reopens(walk, factory):
    walk.pre_reintegration()
    with pytest.raises(Forbidden):
        reopen_case(session=walk.session, runtime=walk.runtime, actor=walk.worker, now=walk.now, case=walk.refresh())
    stranger = factory.user(Role.SUPERVISOR, factory.team())
    with pytest.raises(Forbidden):
        reopen_case(session=walk.session, runtime=walk.runtime, actor=stranger, now=walk.now, case=walk.refresh())


def test_an_open_case_cannot_be_reopened(walk):
    with pytest.raises(InvalidInput, match="Only a closed case"):
        reopen_case(
            session=walk.session, runtime=walk.runtime, actor=walk.supervisor, now=walk.now, case=walk.refresh()
        )


def test_a_case_in_follow_up_can_be_moved_to_lost_contact_and_resumes_where_it_was(walk):
    from engine.workflow.service import start_lost_contact

    walk.pre_reintegration()
    walk.reintegration()
    walk.visit()
    start_lost_contact(session=walk.session, runtime=walk.runtime, case=walk.refresh(), now=walk.now,
                       reason="No recorded contact for 90 days")  # fmt: skip
    case = walk.refresh()
    assert case.status is CaseStatus.LOST_CONTACT
    assert walk.open_names() == ["tracing"]
    walk.do("tracing", outcome="found")
    walk.do("renewed_contact")
    assert walk.refresh().status is CaseStatus.OPEN
    assert walk.open_names() == ["conduct_visit"]


def test_only_a_case_in_follow_up_can_be_moved_to_lost_contact(walk):
    from engine.workflow.service import start_lost_contact

    with pytest.raises(InvalidInput):
        start_lost_contact(session=walk.session, runtime=walk.runtime, case=walk.refresh(), now=walk.now, reason="x")
    assert walk.open_names() == ["registration"]


def test_admission_opens_the_case_and_starts_pre_reintegration_in_one_step(walk, session):
    from engine.cases.service import NewSurvivor
    from engine.models.cases import Sex
    from engine.workflow.service import admit_case, case_diagram

    survivor = NewSurvivor(sex=Sex.FEMALE, given_name_latin="Synthetic")
    case = admit_case(session=session, runtime=walk.runtime, actor=walk.worker, now=walk.now,
                      team_id=walk.worker.team_id, survivor=survivor)  # fmt: skip
    diagram = case_diagram(session=session, runtime=walk.runtime, case=case)
    assert diagram.process_id == "pre_reintegration"
    assert diagram.current == ("registration",)
    assert diagram.completed == ()
    assert 'id="registration"' in diagram.xml


def test_the_case_diagram_marks_completed_and_current_steps(walk, session):
    from engine.workflow.service import case_diagram

    walk.do("registration")
    walk.do("consent")
    diagram = case_diagram(session=session, runtime=walk.runtime, case=walk.refresh())
    assert diagram.completed == ("consent", "registration")
    assert diagram.current == ("risk_screen",)


def test_a_failing_instance_does_not_hold_up_other_timers(walk, session, factory, tmp_path):
    from engine.workflow.service import fire_due_timers, start_case_workflow

    walk.pre_reintegration()
    walk.reintegration()
    first_due = walk.item("conduct_visit").due_at
    other = factory.case(walk.worker)
    start_case_workflow(session=session, runtime=walk.runtime, case=other, actor=walk.worker, now=walk.now)
    bpmn = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, bpmn)
    path = bpmn / "follow_up_1.bpmn"
    path.write_text(
        path.read_text().replace("<bpmn:script>overdue = True</bpmn:script>", "<bpmn:script>1 / 0</bpmn:script>")
    )
    broken = load_registry(list(walk.runtime.chain.processes), bpmn, DMN_DIR)
    visit = session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == walk.case.id,
                                                          WorkflowInstance.process_id == "follow_up_1"))  # fmt: skip
    with transaction(session):
        broken.deploy(session, walk.now)
        visit.spec_key = broken.current("follow_up_1").key
    advanced = fire_due_timers(session=session, runtime=walk.runtime, now=first_due + timedelta(days=30))
    assert advanced == 0  # the broken one is skipped, not fatal, and its timer stays due for a later run
    from engine.models.workflow import WorkflowTimer

    session.rollback()
    assert (
        session.scalar(select(func.count()).select_from(WorkflowTimer).where(WorkflowTimer.instance_id == visit.id))
        == 1
    )
