"""Workflow use cases: start a case's workflow, complete a work item, fire due timers, re-open.

Each is one transaction: load the instance -> act on the in-memory workflow -> save its state (with an
optimistic revision), materialise work items and timers, write the case event, and chain to the next
process when a phase ends. On any exception nothing is written and the in-memory workflow is dropped.

Design for long-lived cases: one workflow instance per phase and one per follow-up visit (see
``workflows/processes.json`` and the visit-cycle diagrams). SpiffWorkflow's task tree grows with every
loop iteration and breaks near 200 visits (ENGINE-NOTES.md); a fresh instance per visit keeps every
step's cost flat whatever the history, with public API only, and the chain carries forward just the few
values the next visit needs (risk level, last visit date, visit count, missed visits).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine.cases.case_file import apply_targets, record_step
from engine.cases.countries import country_codes
from engine.cases.sections import case_file_values
from engine.cases.service import NewSurvivor, open_case
from engine.clock import local_today
from engine.db import transaction
from engine.errors import N_, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role, User
from engine.models.cases import Case, CaseEvent, CaseStatus, FamilyMember, Phase
from engine.models.security import CaseTransfer
from engine.models.workflow import InstanceStatus, WorkflowInstance, WorkflowTimer, WorkItem, WorkItemStatus
from engine.notices.outbox import add_notice, team_members
from engine.notices.rules import Rules
from engine.security.consent import end_transfers
from engine.security.fields import target_group
from engine.security.policy import can_see_case, can_work_on, step_groups
from engine.workflow import returns, runner, step_actions
from engine.workflow.assignments import warn_if_untrained
from engine.workflow.registry import Registry, load_registry
from workflows.forms import Form, load_forms, validate_submission
from workflows.processes import CLOSED, END, Chain, load_chain

log = logging.getLogger(__name__)
# Written as Core statements (``_Rows``, ``_complete_item``): a step's own rows are not unit-of-work objects.
WORK_ITEMS, TIMERS = cast(Table, WorkItem.__table__), cast(Table, WorkflowTimer.__table__)
INSTANCES, EVENTS = cast(Table, WorkflowInstance.__table__), cast(Table, CaseEvent.__table__)
LANE_ROLES = {"Caseworker": Role.CASEWORKER, "Supervisor": Role.SUPERVISOR, "DoSVY officer": Role.DOSVY_OFFICER}


@dataclass(frozen=True)
class Runtime:
    """Everything the workflow services need, loaded and checked once per process; ``rules`` say how the
    notices a step raises at once (urgent support, a consent override) are delivered."""

    registry: Registry
    chain: Chain
    forms: dict[str, Form]
    rules: Rules = field(default_factory=Rules)


def load_runtime(rules: Rules | None = None) -> Runtime:
    """Parse the chain, every diagram and every form (raises on the first broken file)."""
    chain = load_chain()
    return Runtime(load_registry(list(chain.processes)), chain, load_forms(), rules or Rules())


@dataclass(frozen=True)
class Completion:
    """What happened to the case after a step: for the flashed message."""

    case_code: str
    step: str
    phase: Phase
    status: CaseStatus
    next_steps: tuple[str, ...]
    phase_changed: bool


def start_case_workflow(
    *, session: Session, runtime: Runtime, case: Case, actor: User | None, now: dt.datetime,
    process_id: str | None = None, carried: dict[str, Any] | None = None,
) -> WorkflowInstance:  # fmt: skip
    """Start ``process_id`` (default: the chain's first) for ``case``."""
    with transaction(session):
        runtime.registry.deploy(session, now)
        return _start(session, runtime, case, actor, now, process_id or runtime.chain.start, carried or {}, None)


def admit_case(
    *, session: Session, runtime: Runtime, actor: User, now: dt.datetime, team_id: int, survivor: NewSurvivor,
    caseworker_id: int | None = None, code_prefix: str = "RG",
) -> Case:  # fmt: skip
    """Open a case at admission and start its first phase, in one transaction."""
    with transaction(session):
        case = open_case(session=session, actor=actor, now=now, team_id=team_id, survivor=survivor,
                         caseworker_id=caseworker_id, code_prefix=code_prefix)  # fmt: skip
        if case.caseworker is not None and case.caseworker_id != actor.id:  # a supervisor chose the caseworker
            warn_if_untrained(session=session, assignee=case.caseworker, case=case, step=None, now=now,
                              rules=runtime.rules)  # fmt: skip
        runtime.registry.deploy(session, now)
        _start(session, runtime, case, actor, now, runtime.chain.start, {}, None)
        return case


@dataclass(frozen=True)
class CaseDiagram:
    """The diagram a case is in now, with its completed and current user tasks (BPMN element ids)."""

    process_id: str
    xml: str
    completed: tuple[str, ...]
    current: tuple[str, ...]


def case_diagram(*, session: Session, runtime: Runtime, case: Case) -> CaseDiagram | None:
    """The running (or last) instance's diagram, marked from the work-item table (no deserialising)."""
    side = [pid for pid, p in runtime.chain.processes.items() if p.side]
    instance = session.scalar(
        select(WorkflowInstance).where(WorkflowInstance.case_id == case.id, WorkflowInstance.process_id.not_in(side))
        .order_by(WorkflowInstance.status != InstanceStatus.RUNNING, WorkflowInstance.id.desc()).limit(1)
    )  # fmt: skip
    if instance is None:
        return None
    deployed = runtime.registry.by_key(session, instance.spec_key)
    items = session.execute(
        select(WorkItem.task_name, WorkItem.status).where(WorkItem.instance_id == instance.id)
    ).all()  # fmt: skip
    completed = tuple(sorted({n for n, st in items if st is WorkItemStatus.COMPLETED}))
    current = tuple(sorted({n for n, st in items if st is WorkItemStatus.OPEN}))
    return CaseDiagram(instance.process_id, deployed.files[f"{instance.process_id}.bpmn"], completed, current)


def complete_work_item(
    *, session: Session, runtime: Runtime, actor: User, now: dt.datetime, work_item_id: int,
    raw: dict[str, Any], lang: str = "en",
) -> Completion:  # fmt: skip
    """Validate the form of a work item, write the case file, complete the task and advance the case."""
    with transaction(session):
        # The step, its case and its instance in one statement (the case is then in the session for ``item.case``).
        found = session.execute(
            select(WorkItem, Case, WorkflowInstance).join(Case, Case.id == WorkItem.case_id)
            .join(WorkflowInstance, WorkflowInstance.id == WorkItem.instance_id).where(WorkItem.id == work_item_id)
        ).first()  # fmt: skip
        if found is None:
            raise NotFound(N_("There is no such task."))
        item, case, instance = found
        if not can_work_on(actor, item):
            raise Forbidden(N_("This task is not yours to complete."))
        if item.status is not WorkItemStatus.OPEN:
            raise InvalidInput(N_("This task was already completed or cancelled by someone else. Nothing was saved."))
        form = runtime.forms[item.form_key]
        people = {  # ids and relationships only: the members' names stay encrypted
            str(member_id): relationship
            for member_id, relationship in session.execute(
                select(FamilyMember.id, FamilyMember.relationship).where(FamilyMember.case_id == case.id)
            )
        } if any(f.type == "person" for f in form.fields) else {}  # fmt: skip
        offices = step_actions.offices(session) if any(f.type == "office" for f in form.fields) else {}
        deployed = runtime.registry.by_key(session, instance.spec_key)
        workflow = runner.load(deployed, instance.state, now)
        countries = country_codes() if any(f.type == "country" for f in form.fields) else {}
        readable, writable = step_groups(actor, case)
        loaded: dict[str, Any] = {}  # the one-row sections read for the form, written below without reading again
        on_file = case_file_values(session=session, case=case, targets=form.record_refs, actor=actor,
                                   readable=readable, loaded=loaded)  # fmt: skip
        submission = validate_submission(form, raw, lang=lang, today=local_today(now), people=people, offices=offices,
                                         countries=countries, context=runner.task_data(workflow, item.task_id),
                                         record=on_file)  # fmt: skip
        if not submission.ok:
            raise InvalidInput(N_("Please correct the marked fields."), submission.errors)
        if any(target_group(t) not in writable for t in submission.targets()):
            raise Forbidden(N_("This step writes parts of the case file you may not change."))
        try:
            runner.complete(workflow, item.task_id, submission.workflow_values())
        except runner.TaskNotReady:
            raise InvalidInput(
                N_("This task is no longer waiting for input. Nothing was saved; reload the page.")
            ) from None
        advance = _advance(runtime, _settle(workflow), now)  # the engine's work, before anything is written
        step_actions.perform(session=session, rules=runtime.rules, actor=actor, now=now, case=case, form_key=form.key,
                             values=submission.values, lang=lang)  # fmt: skip
        apply_targets(session=session, case=case, actor=actor, now=now, targets=submission.targets(), loaded=loaded)
        record = record_step(session=session, case=case, actor=actor, now=now, form_key=form.key, step=item.title,
                             values=submission.record())  # fmt: skip
        _complete_item(session, item, actor, now)
        decisions = {k: v for k, v in submission.workflow_values().items() if k.endswith(("decision", "outcome"))}
        summary = item.title + "".join(f" ({v})" for v in decisions.values())
        rows = _Rows()
        rows.event(case.id, now, actor, "step_completed", summary)
        phase_before = case.phase
        # The case's other open steps, read once: the instance's are what ``_save`` brings in line with the
        # engine, and all of them, as this step leaves them, are the "next" steps the user is told of.
        with session.no_autoflush:
            case_open = list(session.scalars(
                select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN)
            ))  # fmt: skip
        _save(session, runtime, instance, case, advance, actor, now, rows=rows,
              open_items=[w for w in case_open if w.instance_id == instance.id])  # fmt: skip
        next_steps = [w.title for w in case_open if w.status is WorkItemStatus.OPEN]
        next_steps += [new["title"] for new in rows.work_items]
        rows.write(session)
        if form.approves and submission.values.get("decision") == "return":
            returns.reopened(session=session, rules=runtime.rules, actor=actor, now=now, case=case,
                             instance_id=instance.id, decision=record)  # fmt: skip
        return Completion(case.code, item.title, case.phase, case.status, tuple(next_steps), case.phase != phase_before)


def fire_due_timers(*, session: Session, runtime: Runtime, now: dt.datetime, limit: int = 100) -> int:
    """Fire the timers of up to ``limit`` instances due by ``now`` in one transaction; return the instances
    advanced.

    One commit per batch, not per instance (a commit cost as much as the rest of an instance's writes): a
    crash anywhere in the batch leaves the whole batch due, and the next run fires each of its instances
    exactly once. On PostgreSQL each instance row is locked ``FOR UPDATE SKIP LOCKED``, so two schedulers
    never fire the same instance. An instance whose diagram fails is skipped (its error is logged by type
    only, its timer stays due), so that it cannot hold up every other case's timers. No savepoint is needed
    for that (it cost two statements an instance, two round trips on PostgreSQL): a diagram fails only while
    the engine runs, and every write of the instance comes after (``_advance`` before ``_save``). A failure
    while writing rolls back the whole batch. The batch is read in three statements and written in a few more
    whatever its size, as Core statements (``_Rows``): all the instances' new states (each checked against
    its revision), their cancelled and new work items, their timers and their case events.
    """
    due = session.execute(
        select(WorkflowTimer.instance_id).where(WorkflowTimer.due_at <= now).group_by(WorkflowTimer.instance_id)
        .order_by(WorkflowTimer.instance_id).limit(limit)
    ).scalars().all()  # fmt: skip
    if not due:
        return 0
    nested = session.info.get("tx_depth", 0) > 0
    advanced = 0
    with transaction(session):
        # The batch read in three statements, not three an instance: its running instances (locked, lowest id
        # first, skipping those another scheduler holds), their cases and their open work items. Held here,
        # as the session keeps only weak references.
        instances = session.scalars(
            select(WorkflowInstance)
            .where(WorkflowInstance.id.in_(due), WorkflowInstance.status == InstanceStatus.RUNNING)
            .order_by(WorkflowInstance.id).with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).all()  # fmt: skip
        cases = session.scalars(select(Case).where(Case.id.in_({i.case_id for i in instances}))).all()
        open_items: dict[int, list[WorkItem]] = {i.id: [] for i in instances}
        for item in session.scalars(
            select(WorkItem).where(WorkItem.instance_id.in_(list(open_items)), WorkItem.status == WorkItemStatus.OPEN)
            .execution_options(populate_existing=True)
        ):  # fmt: skip
            open_items[item.instance_id].append(item)
        rows = _Rows()
        for instance in instances:
            advanced += _fire_instance(session, runtime, instance, open_items[instance.id], rows, now,
                                       skip_failed=not nested)  # fmt: skip
        rows.write(session)  # the batch's new work items and timers: three statements
        del cases
    return advanced


def _fire_instance(session: Session, runtime: Runtime, instance: WorkflowInstance, open_items: list[WorkItem],
                   rows: _Rows, now: dt.datetime, *, skip_failed: bool) -> int:  # fmt: skip
    try:  # the engine's work: nothing of this instance is written before it succeeds
        workflow = runner.load(runtime.registry.by_key(session, instance.spec_key), instance.state, now)
        fired = runner.fire_timers(workflow)
        advance = _advance(runtime, _settle(workflow, fired), now)
    except runner.WorkflowFailed as exc:
        if not skip_failed:  # inside a caller's transaction nothing can be skipped safely
            raise
        log.warning("timers of workflow instance %s could not fire: %s", instance.id, type(exc.__cause__).__name__)
        return 0
    for name in fired:
        rows.event(instance.case_id, now, None, "timer", name)
    _save(session, runtime, instance, instance.case, advance, None, now, open_items=open_items, rows=rows)
    return 1


def start_lost_contact(
    *, session: Session, runtime: Runtime, case: Case, now: dt.datetime, reason: str
) -> WorkflowInstance:
    """Move a case in follow-up onto the lost-contact path (e.g. no recorded contact for too long).

    The running visit cycle is cancelled (its open work items with it) and the lost-contact process
    starts with the values the visit cycle carried, so tracing can resume the same follow-up.
    ``reason`` is a short, non-identifying text for the case history.
    """
    with transaction(session):
        running = session.scalars(
            select(WorkflowInstance).where(WorkflowInstance.case_id == case.id,
                                           WorkflowInstance.status == InstanceStatus.RUNNING)
        ).all()  # fmt: skip
        current = [i for i in running if i.process_id in ("follow_up_1", "follow_up_2")]
        if case.status is not CaseStatus.OPEN or not current:
            raise InvalidInput(N_("Only an open case in follow-up can be moved to the lost-contact path."))
        instance = current[0]
        workflow = runner.load(runtime.registry.by_key(session, instance.spec_key), instance.state, now)
        carried = {**runner.current_data(workflow), "resume_process": instance.process_id}
        for item in session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id,
                                                          WorkItem.status == WorkItemStatus.OPEN)):  # fmt: skip
            item.status = WorkItemStatus.CANCELLED
        session.execute(delete(WorkflowTimer).where(WorkflowTimer.instance_id == instance.id))
        instance.status, instance.completed_at, instance.outcome = InstanceStatus.CANCELLED, now, "lost_contact"
        instance.next_process = "lost_contact"
        session.add(CaseEvent(case_id=case.id, at=now, actor_id=None, kind="lost_contact", summary=reason[:200]))
        return _start(session, runtime, case, None, now, "lost_contact", carried, instance)


def start_record_review(
    *, session: Session, runtime: Runtime, actor: User, now: dt.datetime, case: Case
) -> WorkflowInstance:
    """The survivor asked to see their own record (seed item 9): start the supervised review."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR) or not can_see_case(actor, case):
        raise Forbidden(N_("Only the case's caseworker or supervisor starts a record review."))
    with transaction(session):
        running = session.scalar(select(WorkflowInstance.id).where(
            WorkflowInstance.case_id == case.id, WorkflowInstance.process_id == "record_review",
            WorkflowInstance.status == InstanceStatus.RUNNING))  # fmt: skip
        if running is not None:
            raise InvalidInput(N_("A review of this record is already under way."))
        runtime.registry.deploy(session, now)
        session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind="record_review",
                              summary="The survivor asked to review their record"))  # fmt: skip
        return _start(session, runtime, case, actor, now, "record_review", {}, None)


def reopen_case(*, session: Session, runtime: Runtime, actor: User, now: dt.datetime, case: Case,
                process_id: str = "pre_reintegration") -> WorkflowInstance:  # fmt: skip
    """Re-open a closed case (supervisors only) by starting ``process_id`` again."""
    if actor.role is not Role.SUPERVISOR or actor.team_id != case.team_id:
        raise Forbidden(N_("Only a supervisor of the case's team can re-open it."))
    if case.status is not CaseStatus.CLOSED:
        raise InvalidInput(N_("Only a closed case can be re-opened."))
    with transaction(session):
        case.closed_at = None
        case.status = CaseStatus.OPEN
        session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind="reopened", summary="Case re-opened"))
        carried = {"is_readmission": True, "risk_level": case.risk_level.value if case.risk_level else None}
        return _start(session, runtime, case, actor, now, process_id, carried, None)


@dataclass(frozen=True)
class _Settled:
    """One workflow after the engine ran: where it stands and its serialized state."""

    snap: runner.Snapshot
    state: str


@dataclass(frozen=True)
class _Started:
    """A process the chain starts, already run to its first wait in memory."""

    process_id: str
    spec_key: str
    settled: _Settled


@dataclass(frozen=True)
class _Advance:
    """All the engine work of one step, done before anything is written: the instance's new state and the
    processes its end starts (none, or one per phase the chain passes through at once). Only building this
    can raise ``WorkflowFailed``; writing it (``_save``) never runs a diagram, so a failing diagram leaves
    nothing of its step in the session."""

    settled: _Settled
    following: tuple[_Started, ...]


_SET_STATE = update(INSTANCES).where(INSTANCES.c.id == bindparam("b_id"), INSTANCES.c.rev == bindparam("b_rev"))
_SET_STATUS = update(WORK_ITEMS).where(WORK_ITEMS.c.id == bindparam("b_id"))
_STATE_COLUMNS = ("state", "status", "completed_at", "outcome", "next_process")


@dataclass
class _Rows:
    """What a step (or a sweep batch) writes to the workflow's own tables, written together by ``write`` as
    one Core statement per kind, whatever the number of rows: the existing instances' new states (each
    checked against the revision it was read at), the work items it cancels, its new work items, the
    instances whose timers it replaces and their new timers, and its case events. The ORM objects already
    loaded are kept in step with what is written (``set_committed_value``), so nothing of it is flushed twice.

    The ORM's unit of work did the same writes in about the time of the whole engine step (2.2-2.9 ms a
    step on SQLite, BENCHMARKS.md); what is left to it is what only some steps change (the case, its
    sections, a notice)."""

    states: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[dict[str, Any]] = field(default_factory=list)
    work_items: list[dict[str, Any]] = field(default_factory=list)
    timers_of: list[int] = field(default_factory=list)
    timers: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def event(self, case_id: int, at: dt.datetime, actor: User | None, kind: str, summary: str) -> None:
        self.events.append({"case_id": case_id, "at": at, "actor_id": actor.id if actor else None, "kind": kind,
                            "summary": summary[:200]})  # fmt: skip

    def write(self, session: Session) -> None:
        """The Core statements, on the session's connection. Changes the unit of work holds (a case's phase,
        a section, a notice) are flushed first, so that the history keeps the order in which things happened
        and nothing here can be overtaken by an earlier change; these rows depend on nothing still pending."""
        session.flush()  # returns at once when nothing is pending
        connection = session.connection()
        if self.states:
            _write_states(connection, self.states)
        if self.cancelled:
            connection.execute(_SET_STATUS, self.cancelled)
        if self.work_items:
            connection.execute(insert(WORK_ITEMS), self.work_items)
        if self.timers_of:
            connection.execute(delete(TIMERS).where(TIMERS.c.instance_id.in_(self.timers_of)))
        if self.timers:
            connection.execute(insert(TIMERS), self.timers)
        if self.events:
            connection.execute(insert(EVENTS), self.events)
        self.states, self.cancelled, self.work_items, self.timers_of, self.timers, self.events = [], [], [], [], [], []


def _write_states(connection: Any, states: list[dict[str, Any]]) -> None:
    """Each instance's new state, where its revision is still the one it was read at: else another
    transaction changed it meanwhile, and the whole use case is refused (``StaleDataError``, which
    ``transaction`` turns into the user's "someone else changed this" message)."""
    if len(states) == 1 or not connection.dialect.supports_sane_multi_rowcount:
        for state in states:
            if connection.execute(_SET_STATE, state).rowcount != 1:
                raise StaleDataError(f"workflow instance {state['b_id']} changed meanwhile")
    elif connection.execute(_SET_STATE, states).rowcount != len(states):
        raise StaleDataError("a workflow instance changed meanwhile")


def _complete_item(session: Session, item: WorkItem, actor: User, now: dt.datetime) -> None:
    """Mark the step completed, only if it is still open in the database: two people completing the same
    step at once cannot both succeed, whatever each read before."""
    done = session.connection().execute(
        update(WORK_ITEMS).where(WORK_ITEMS.c.id == item.id, WORK_ITEMS.c.status == WorkItemStatus.OPEN)
        .values(status=WorkItemStatus.COMPLETED, completed_at=now, completed_by_id=actor.id)
    )  # fmt: skip
    if done.rowcount != 1:
        raise InvalidInput(N_("This task was already completed or cancelled by someone else. Nothing was saved."))
    for key, value in (("status", WorkItemStatus.COMPLETED), ("completed_at", now), ("completed_by_id", actor.id)):
        set_committed_value(item, key, value)


def _settle(workflow: Any, fired: list[str] | None = None) -> _Settled:
    return _Settled(runner.snapshot(workflow, fired), runner.dumps(workflow))


def _advance(runtime: Runtime, settled: _Settled, now: dt.datetime) -> _Advance:
    following: list[_Started] = []
    last = settled
    while last.snap.completed and last.snap.next_process and last.snap.next_process not in (END, CLOSED):
        process_id = last.snap.next_process
        definition = runtime.chain.get(process_id)
        deployed = runtime.registry.current(process_id)
        last = _settle(runner.start(deployed, definition.start_data(last.snap.data), now))
        following.append(_Started(process_id, deployed.key, last))
    return _Advance(settled, tuple(following))


def _start(
    session: Session, runtime: Runtime, case: Case, actor: User | None, now: dt.datetime,
    process_id: str, carried: dict[str, Any], previous: WorkflowInstance | None,
) -> WorkflowInstance:  # fmt: skip
    definition = runtime.chain.get(process_id)
    deployed = runtime.registry.current(process_id)
    settled = _settle(runner.start(deployed, definition.start_data(carried), now))
    advance = _advance(runtime, settled, now)
    rows = _Rows()
    instance = _insert(session, runtime, case, actor, now, _Started(process_id, deployed.key, settled), previous, rows)
    _insert_following(session, runtime, case, actor, now, advance.following, instance, rows)
    rows.write(session)
    return instance


def _save(session: Session, runtime: Runtime, instance: WorkflowInstance, case: Case, advance: _Advance,
          actor: User | None, now: dt.datetime, *, open_items: list[WorkItem], rows: _Rows) -> None:  # fmt: skip
    """Collect in ``rows`` the writes of a step the engine has run (``_advance``): the instance's state, its
    work items and timers, and the instances its end started. No diagram runs here. ``open_items``: the
    instance's open work items, as the caller read them (a step reads its case's, the sweep its batch's, in
    one statement); the caller writes ``rows`` (once per step, or once per sweep batch)."""
    _set_state(instance, advance.settled, now, rows)
    _materialise(session, instance, case, advance.settled.snap, now, runtime.rules, rows, found=open_items)
    _close_if_ended(session, case, advance.settled.snap, actor, now, rows)
    _insert_following(session, runtime, case, actor, now, advance.following, instance, rows)


def _insert_following(session: Session, runtime: Runtime, case: Case, actor: User | None, now: dt.datetime,
                      following: tuple[_Started, ...], previous: WorkflowInstance, rows: _Rows) -> None:  # fmt: skip
    for started in following:
        previous = _insert(session, runtime, case, actor, now, started, previous, rows)


def _insert(session: Session, runtime: Runtime, case: Case, actor: User | None, now: dt.datetime,
            started: _Started, previous: WorkflowInstance | None, rows: _Rows) -> WorkflowInstance:  # fmt: skip
    """A new instance row written with its state as the engine left it (one INSERT, no later UPDATE)."""
    definition = runtime.chain.get(started.process_id)
    instance = WorkflowInstance(
        case_id=case.id, process_id=started.process_id, spec_key=started.spec_key, status=InstanceStatus.RUNNING,
        started_at=now, previous_id=previous.id if previous else None,
    )  # fmt: skip
    _set_state(instance, started.settled, now)
    session.add(instance)
    if not definition.side:
        if definition.phase is not None and case.phase != Phase(definition.phase):
            rows.event(case.id, now, actor, "phase_changed", f"{case.phase.value} -> {definition.phase}")
            case.phase = Phase(definition.phase)
        case.status = CaseStatus(definition.status or case.status)
    session.flush()  # the instance's id, for its work items and timers
    _materialise(session, instance, case, started.settled.snap, now, runtime.rules, rows, found=None)
    _close_if_ended(session, case, started.settled.snap, actor, now, rows)
    return instance


def _set_state(instance: WorkflowInstance, settled: _Settled, now: dt.datetime, rows: _Rows | None = None) -> None:
    """The instance's state as the engine left it: on a new instance before it is inserted; on an existing
    one (``rows``) written by ``rows`` against the revision read, and the loaded object kept in step."""
    values: dict[str, Any] = {"state": settled.state}
    if settled.snap.completed:
        values |= {"status": InstanceStatus.COMPLETED, "completed_at": now, "outcome": settled.snap.outcome,
                   "next_process": settled.snap.next_process}  # fmt: skip
    if rows is None:
        for key, value in values.items():
            setattr(instance, key, value)
        return
    # Every column in every row of a batch (one executemany), so the unchanged ones as they are.
    row = {key: getattr(instance, key) for key in _STATE_COLUMNS} | values | {"rev": instance.rev + 1}
    rows.states.append({"b_id": instance.id, "b_rev": instance.rev, **row})
    for key, value in row.items():
        set_committed_value(instance, key, value)


def _close_if_ended(session: Session, case: Case, snap: runner.Snapshot, actor: User | None,
                    now: dt.datetime, rows: _Rows) -> None:  # fmt: skip
    if not (snap.completed and snap.next_process == CLOSED):
        return
    case.status, case.closed_at = CaseStatus.CLOSED, now
    end_transfers(session=session, now=now, case=case, actor=actor, why="case closed")
    rows.event(case.id, now, actor, "closed", "Case closed")


def _materialise(
    session: Session, instance: WorkflowInstance, case: Case, snap: runner.Snapshot, now: dt.datetime, rules: Rules,
    rows: _Rows, *, found: list[WorkItem] | None,
) -> None:  # fmt: skip
    """Bring the instance's open work items and timers in line with ``snap``. ``found``: its open work items
    as the caller read them (their in-memory status is what this transaction has done to each), or None for
    an instance inserted in this transaction, which has neither items nor timers to replace. New items and
    timers are added to ``rows``, written as one Core statement each (``_Rows.write``)."""
    fresh = found is None
    open_items = {w.task_id: w for w in found or () if w.status is WorkItemStatus.OPEN}
    ready = {r.task_id for r in snap.ready}
    for task_id, item in open_items.items():
        if task_id not in ready:
            rows.cancelled.append({"b_id": item.id, "status": WorkItemStatus.CANCELLED})
            set_committed_value(item, "status", WorkItemStatus.CANCELLED)
    for r in snap.ready:
        if r.task_id in open_items:
            continue
        role = LANE_ROLES[r.lane]
        due_at = r.due_at
        if due_at is None and r.due:
            due_at = runner.due_from_duration(r.due, instance.started_at if r.due_from == "start" else now)
        if r.notify == "supervisor":  # e.g. urgent psychological support: the supervisors hear at once
            rows.event(case.id, now, None, "urgent", f"Urgent: {r.title}")
            payload = {"case_code": case.code, "step": r.title, "due_at": due_at.isoformat() if due_at else None}
            add_notice(session, key=("urgent", f"case:{case.id}", f"{instance.id}/{r.task_id}"), case_id=case.id,
                       payload=payload, recipients=team_members(session, team_id=case.team_id, role=Role.SUPERVISOR),
                       rules=rules, now=now)  # fmt: skip
        assignee_id = case.caseworker_id if role is Role.CASEWORKER else None
        if role is Role.DOSVY_OFFICER and r.form != "transfer_acceptance":
            assignee_id = _accepting_officer(session, case.id)  # Type 2 visits: the officer who took the case on
        rows.work_items.append({
            "case_id": case.id, "instance_id": instance.id, "task_id": r.task_id, "task_name": r.name,
            "title": r.title, "form_key": r.form, "process_id": instance.process_id, "role": role,
            "team_id": case.team_id if role in (Role.CASEWORKER, Role.SUPERVISOR) else None,
            "assignee_id": assignee_id, "status": WorkItemStatus.OPEN, "priority": r.priority, "due_at": due_at,
            "created_at": now,
        })  # fmt: skip
    if not fresh:
        rows.timers_of.append(instance.id)
    rows.timers.extend(
        {"instance_id": instance.id, "case_id": case.id, "task_id": t.task_id, "name": t.name[:120], "due_at": t.due_at}
        for t in snap.timers
    )


def _accepting_officer(session: Session, case_id: int) -> int | None:
    """The DoSVY officer who last accepted the case's transfer, while still active and of the office the case
    is transferred to now (else None: any officer of that office may take the step)."""
    officer_id = session.scalar(
        select(WorkItem.completed_by_id).where(WorkItem.case_id == case_id, WorkItem.form_key == "transfer_acceptance",
                                               WorkItem.status == WorkItemStatus.COMPLETED)
        .order_by(WorkItem.completed_at.desc(), WorkItem.id.desc()).limit(1)
    )  # fmt: skip
    officer = session.get(User, officer_id) if officer_id is not None else None
    if officer is None or not officer.active or officer.role is not Role.DOSVY_OFFICER:
        return None
    office = session.scalar(select(CaseTransfer.to_org_id).where(CaseTransfer.case_id == case_id,
                                                                 CaseTransfer.ended_at.is_(None)))  # fmt: skip
    return officer.id if office is not None and office == officer.organisation_id else None
