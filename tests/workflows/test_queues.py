"""Work queues, claiming, reassignment, drafts and the supervisor's dashboard (engine services)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from engine.cases.service import NewSurvivor, open_case
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role
from engine.models.cases import CaseEvent, CaseRecord, Phase
from engine.models.workflow import WorkItem
from engine.workflow.assignments import (
    claim_work_item,
    load_draft,
    reassign_case,
    reassign_work_item,
    save_draft,
    unclaim_work_item,
)
from engine.workflow.dashboard import team_dashboard
from engine.workflow.queues import Filter, day_bounds, my_work, team_queue
from engine.workflow.service import start_case_workflow
from tests.conftest import NOW


@pytest.fixture
def unassigned(walk, session):
    """A second case of the team admitted by the supervisor without a caseworker: its steps are unassigned."""
    from engine.models.cases import Sex

    case = open_case(session=session, actor=walk.supervisor, now=NOW, team_id=walk.supervisor.team_id,
                     survivor=NewSurvivor(sex=Sex.FEMALE, given_name_latin="Synthetic"))  # fmt: skip
    start_case_workflow(session=session, runtime=walk.runtime, case=case, actor=walk.supervisor, now=NOW)
    return session.scalar(select(WorkItem).where(WorkItem.case_id == case.id))


def test_my_work_shows_my_items_with_counts_per_filter(walk, unassigned, session):
    page = my_work(session=session, actor=walk.worker, now=NOW)
    assert [r.title for r in page.rows] == ["Complete registration"]
    assert page.rows[0].case_code == walk.case.code
    assert page.counts[Filter.MINE] == 1
    assert page.counts[Filter.TEAM_UNASSIGNED] == 1
    assert page.counts[Filter.ALL] == 2
    assert page.counts[Filter.DUE_TODAY] == 0  # due tomorrow (P1D)
    assert page.counts[Filter.DUE_THIS_WEEK] == 2


def test_overdue_filter_counts_items_past_their_due_date(walk, unassigned, session):
    later = NOW + dt.timedelta(days=2)
    page = my_work(session=session, actor=walk.worker, now=later, chosen=Filter.OVERDUE)
    assert page.total == 2
    assert all(r.overdue for r in page.rows)


def test_due_today_uses_phnom_penh_days(session):
    now = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.UTC)  # already 30 November in Phnom Penh
    today, tomorrow, _ = day_bounds(now)
    assert today == dt.datetime(2026, 11, 29, 17, 0, tzinfo=dt.UTC)
    assert tomorrow == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)


def test_queue_is_sorted_by_due_date_then_priority_and_paged(walk, session, factory):
    for _ in range(4):
        case = factory.case(walk.worker)
        start_case_workflow(session=session, runtime=walk.runtime, case=case, actor=walk.worker, now=NOW)
    walk.do("registration")
    walk.do("consent")  # now the first case's open step is the risk screen, due P3D from admission
    first = my_work(session=session, actor=walk.worker, now=NOW, per_page=2)
    second = my_work(session=session, actor=walk.worker, now=NOW, per_page=2, page=3)
    assert first.total == 5
    assert first.pages == 3
    assert [r.title for r in first.rows] == ["Complete registration", "Complete registration"]
    assert [r.title for r in second.rows] == ["Initial safety and risk screen"]


def test_listing_costs_the_same_number_of_queries_for_3_or_30_items(walk, session, factory, db_engine):
    def statements(n_cases: int) -> int:
        for _ in range(n_cases):
            case = factory.case(walk.worker)
            start_case_workflow(session=session, runtime=walk.runtime, case=case, actor=walk.worker, now=NOW)
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db_engine, "before_cursor_execute", listener)
        try:
            my_work(session=session, actor=walk.worker, now=NOW, per_page=50)
            team_queue(session=session, actor=walk.supervisor, now=NOW, per_page=50)
        finally:
            event.remove(db_engine, "before_cursor_execute", listener)
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    assert statements(2) == statements(28)


def test_reused_queue_statements_take_each_callers_own_values(walk, session, factory):
    """The queue statements are built once and reused with bound values: one caseworker's, team's, phase's or
    instant's values must never carry over to the next call."""
    other_team = factory.team()
    stranger = factory.user(Role.CASEWORKER, other_team)
    theirs = factory.case(stranger)
    start_case_workflow(session=session, runtime=walk.runtime, case=theirs, actor=stranger, now=NOW)
    mine = my_work(session=session, actor=walk.worker, now=NOW, chosen=Filter.ALL)
    other = my_work(session=session, actor=stranger, now=NOW, chosen=Filter.ALL)
    assert [r.case_code for r in mine.rows] == [walk.case.code]
    assert [r.case_code for r in other.rows] == [theirs.code]
    later = NOW + dt.timedelta(days=2)
    assert my_work(session=session, actor=walk.worker, now=later, chosen=Filter.OVERDUE).total == 1
    assert my_work(session=session, actor=walk.worker, now=NOW, chosen=Filter.OVERDUE).total == 0
    by_worker = team_queue(session=session, actor=walk.supervisor, now=NOW, caseworker_id=walk.worker.id)
    assert by_worker.total == 1
    assert team_queue(session=session, actor=walk.supervisor, now=NOW, caseworker_id=stranger.id).total == 0
    assert team_queue(session=session, actor=walk.supervisor, now=NOW, phase=Phase.PRE_REINTEGRATION).total == 1
    assert team_queue(session=session, actor=walk.supervisor, now=NOW, phase=Phase.REINTEGRATION).total == 0


def test_a_caseworker_claims_and_unclaims_a_team_item(walk, unassigned, session):
    claim_work_item(session=session, actor=walk.worker, now=NOW, work_item_id=unassigned.id)
    page = my_work(session=session, actor=walk.worker, now=NOW)
    assert page.counts[Filter.MINE] == 2
    assert page.counts[Filter.TEAM_UNASSIGNED] == 0
    unclaim_work_item(session=session, actor=walk.worker, now=NOW, work_item_id=unassigned.id)
    assert my_work(session=session, actor=walk.worker, now=NOW).counts[Filter.TEAM_UNASSIGNED] == 1


def test_another_team_cannot_claim(walk, unassigned, session, factory):
    stranger = factory.user(Role.CASEWORKER, factory.team())
    with pytest.raises(NotFound):
        claim_work_item(session=session, actor=stranger, now=NOW, work_item_id=unassigned.id)


def test_an_item_claimed_by_someone_else_cannot_be_claimed(walk, unassigned, session, factory):
    colleague = factory.user(Role.CASEWORKER, session.get(type(walk.worker), walk.worker.id).team)
    claim_work_item(session=session, actor=colleague, now=NOW, work_item_id=unassigned.id)
    with pytest.raises(InvalidInput, match="Someone else has claimed"):
        claim_work_item(session=session, actor=walk.worker, now=NOW, work_item_id=unassigned.id)


def test_only_the_assignee_gives_an_item_back(walk, session):
    item = walk.item("registration")
    with pytest.raises(Forbidden):
        unclaim_work_item(session=session, actor=walk.supervisor, now=NOW, work_item_id=item.id)


def test_supervisor_reassigns_an_item_with_a_reason_kept_encrypted(walk, session, factory):
    colleague = factory.user(Role.CASEWORKER, walk.worker.team)
    item = walk.item("registration")
    reassign_work_item(session=session, actor=walk.supervisor, now=NOW, work_item_id=item.id,
                       assignee_id=colleague.id, reason="Synthetic: caseworker on leave")  # fmt: skip
    assert walk.item("registration").assignee_id == colleague.id
    summaries = session.scalars(select(CaseEvent.summary).where(CaseEvent.kind == "reassigned")).all()
    assert summaries == [
        f"Task 'Complete registration' reassigned from {walk.worker.display_name} to {colleague.display_name}"
    ]
    record = session.scalar(select(CaseRecord).where(CaseRecord.form_key == "reassignment"))
    assert "caseworker on leave" in record.data
    raw = session.connection().exec_driver_sql("SELECT data FROM case_records WHERE form_key = 'reassignment'").scalar()
    assert "leave" not in raw


def test_reassignment_needs_a_reason_and_a_team_member(walk, session, factory):
    item = walk.item("registration")
    with pytest.raises(InvalidInput):
        reassign_work_item(session=session, actor=walk.supervisor, now=NOW, work_item_id=item.id,
                           assignee_id=walk.worker.id, reason="  ")  # fmt: skip
    outsider = factory.user(Role.CASEWORKER, factory.team())
    with pytest.raises(InvalidInput):
        reassign_work_item(session=session, actor=walk.supervisor, now=NOW, work_item_id=item.id,
                           assignee_id=outsider.id, reason="Synthetic")  # fmt: skip
    with pytest.raises(Forbidden):
        reassign_work_item(session=session, actor=walk.worker, now=NOW, work_item_id=item.id,
                           assignee_id=walk.worker.id, reason="Synthetic")  # fmt: skip


def test_supervisor_reassigns_a_whole_case(walk, session, factory):
    colleague = factory.user(Role.CASEWORKER, walk.worker.team)
    reassign_case(session=session, actor=walk.supervisor, now=NOW, case_id=walk.case.id, caseworker_id=colleague.id,
                  reason="Synthetic: workload")  # fmt: skip
    assert walk.refresh().caseworker_id == colleague.id
    assert walk.item("registration").assignee_id == colleague.id
    walk.worker = colleague
    walk.do("registration")
    assert walk.item("consent").assignee_id == colleague.id  # new steps go to the new caseworker


def test_a_draft_is_kept_encrypted_and_returned(walk, session):
    item = walk.item("registration")
    save_draft(session=session, actor=walk.worker, now=NOW, work_item_id=item.id,
               raw={"narrative": "Synthetic draft Zyx", "csrf_token": "t"})  # fmt: skip
    session.expire_all()
    assert load_draft(walk.item("registration")) == {"narrative": "Synthetic draft Zyx"}
    raw = session.connection().exec_driver_sql("SELECT draft FROM work_items WHERE draft IS NOT NULL").scalar()
    assert "Synthetic draft" not in raw  # not "Zyx" alone: random base64 holds any three letters now and then


def test_approvals_inbox_lists_only_approvals_of_the_team(walk, session):
    for step in ("registration", "consent", "risk_screen", "needs_assessment", "case_plan"):
        walk.do(step)
    page = team_queue(session=session, actor=walk.supervisor, now=NOW, approvals_only=True)
    assert [r.title for r in page.rows] == ["Approve case plan"]
    assert team_queue(session=session, actor=walk.supervisor, now=NOW, phase=Phase.CLOSURE).total == 0


def test_caseworkers_have_no_team_queue(walk, session):
    with pytest.raises(Forbidden):
        team_queue(session=session, actor=walk.worker, now=NOW)


def test_dashboard_shows_workload_phases_overdue_visits_and_stale_files(walk, session):
    walk.pre_reintegration()
    walk.reintegration()
    later = walk.item("conduct_visit").due_at + dt.timedelta(days=5)
    board = team_dashboard(session=session, actor=walk.supervisor, now=later)
    mine = next(w for w in board.workload if w.caseworker_id == walk.worker.id)
    assert (mine.open, mine.overdue, mine.cases) == (1, 1, 1)
    assert board.cases_by_phase[Phase.FOLLOW_UP_1] == 1
    assert [v.case_code for v in board.overdue_visits] == [walk.case.code]
    assert board.overdue_visits[0].days_overdue == 5
    stale = {f.case_code: f.sections for f in board.stale_files}
    assert "medical" in stale[walk.case.code]  # never recorded
    assert "history" not in stale[walk.case.code]  # written at registration, a few weeks ago


def test_per_section_ages_decide_what_is_stale(walk, session):
    walk.pre_reintegration()  # the history section is written at registration
    later = NOW + dt.timedelta(days=40)
    strict = team_dashboard(session=session, actor=walk.supervisor, now=later, section_ages={"history": 30})
    relaxed = team_dashboard(session=session, actor=walk.supervisor, now=later, section_ages={"history": 60})
    assert "history" in {s for f in strict.stale_files for s in f.sections}
    assert "history" not in {s for f in relaxed.stale_files for s in f.sections}


def test_dashboard_lists_are_paged_with_their_totals(walk, unassigned, session):
    walk.pre_reintegration()
    walk.reintegration()
    later = walk.item("conduct_visit").due_at + dt.timedelta(days=5)
    pages = [team_dashboard(session=session, actor=walk.supervisor, now=later, per_page=1, stale_page=n,
                            visits_page=n) for n in (1, 2, 3)]  # fmt: skip
    assert [b.stale_files_total for b in pages] == [2, 2, 2]
    assert [len(b.stale_files) for b in pages] == [1, 1, 0]
    assert {b.stale_files[0].case_code for b in pages[:2]} == {walk.case.code, unassigned.case.code}
    assert pages[0].stale_pages == 2
    assert [b.overdue_visits_total for b in pages] == [1, 1, 1]
    assert [[v.case_code for v in b.overdue_visits] for b in pages] == [[walk.case.code], [], []]


@pytest.mark.parametrize("args", [{"visits_page": 0}, {"stale_page": -1}, {"per_page": 0}, {"per_page": 201}])
def test_dashboard_refuses_a_page_that_cannot_be(walk, session, args):
    with pytest.raises(InvalidInput):
        team_dashboard(session=session, actor=walk.supervisor, now=NOW, **args)
