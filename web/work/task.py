"""The task page of one step: its declarative form in the user's language, prefilled from the case file
or from the saved draft; save a draft; submit and say where the case went.

When someone else got there first (completed or took the step, or changed the case), nothing the user
typed is lost: it becomes a draft while the step is still theirs to do, otherwise it is shown again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.cases.sections import case_file_values, people, section_form, survivor_names
from engine.errors import ConcurrentChange, DomainError, Forbidden, InvalidInput, NotFound
from engine.models.accounts import User
from engine.models.cases import CaseStatus, Phase
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.security.fields import target_group
from engine.security.policy import can_see_case, can_work_on, step_groups
from engine.workflow.approvals import ApprovalContent, approval_content
from engine.workflow.assignments import get_work_item, load_draft, save_draft
from engine.workflow.returns import ReturnNote, earlier_answers, return_note
from engine.workflow.service import Completion, complete_work_item
from engine.workflow.step_actions import offices
from web.auth.principal import actor
from web.db import get_session, settings, utcnow
from web.labels import PHASES
from web.work import display
from workflows.forms import Form, prefill

Values = dict[str, str | list[str]]


@dataclass(frozen=True)
class Step:
    """What the page shows about a step, read once (a rollback after a failed submit expires the rows)."""

    id: int
    title: str
    form_key: str
    case_code: str
    phase: Phase
    is_open: bool
    workable: bool
    due_at: dt.datetime | None
    priority: int
    assignee_name: str | None
    assigned_to_me: bool
    completed_at: dt.datetime | None
    case_visible: bool
    survivor: str | None
    returned: ReturnNote | None = None  # returned for changes: the supervisor's comment


def _step(item: WorkItem, me: User) -> Step:
    visible = can_see_case(me, item.case)
    names = survivor_names(session=get_session(), actor=me, case_ids=[item.case_id]) if visible else {}
    is_open = item.status is WorkItemStatus.OPEN
    return Step(
        id=item.id, title=item.title, form_key=item.form_key, case_code=item.case.code, phase=item.case.phase,
        is_open=is_open, workable=is_open and can_work_on(me, item), due_at=item.due_at, priority=item.priority,
        assignee_name=item.assignee.display_name if item.assignee else None, assigned_to_me=item.assignee_id == me.id,
        completed_at=item.completed_at, case_visible=visible, survivor=names.get(item.case_id),
        returned=return_note(session=get_session(), item=item) if is_open else None,
    )  # fmt: skip


def page(item_id: int) -> ResponseReturnValue:
    """Show a step's form (GET); save a draft of it or submit it (POST)."""
    me, db = actor(), get_session()
    if request.method == "POST":
        return _post(me, item_id)
    item = get_work_item(session=db, actor=me, work_item_id=item_id)
    step, form = _step(item, me), display.runtime().forms[item.form_key]
    draft = load_draft(item) if step.workable else None
    earlier = _earlier(item, form, me) if step.workable and draft is None else {}
    values = draft if draft is not None else {**_from_case_file(item, form, me), **earlier} if step.workable else {}
    return _render(step, form, values, {}, draft=draft is not None, item=item, earlier=bool(earlier))


def _earlier(item: WorkItem, form: Form, me: User) -> Values:
    """A returned step's earlier answers, without fields the reader may not read (none when the case file
    is out of their sight, e.g. a colleague's step open to the team)."""
    answers = earlier_answers(session=get_session(), item=item)
    readable = step_groups(me, item.case)[0]
    if not answers or not readable:
        return {}
    hidden = {f.name for f in form.fields if f.target and target_group(f.target) not in readable}
    return prefill(form, {k: v for k, v in answers.items() if k not in hidden})


def _from_case_file(item: WorkItem, form: Form, me: User) -> Values:
    targets = [f.target for f in form.fields if f.target]
    if not targets:
        return {}
    return prefill(form, case_file_values(session=get_session(), case=item.case, targets=targets, actor=me))


def _post(me: User, item_id: int) -> ResponseReturnValue:
    raw = display.submitted(request.form)
    try:
        item = get_work_item(session=get_session(), actor=me, work_item_id=item_id)
    except NotFound:
        return _gone(raw)  # taken away meanwhile, or never theirs: the same answer, and the typing shown back
    step, form = _step(item, me), display.runtime().forms[item.form_key]
    if step.is_open and not step.workable:  # e.g. a supervisor looking at a caseworker's step
        raise Forbidden("This step is not yours to work on.")
    if request.form.get("action") == "draft":
        return _save_draft(me, step, form, raw)
    return _submit(me, step, form, raw)


def _save_draft(me: User, step: Step, form: Form, raw: Values) -> ResponseReturnValue:
    try:
        save_draft(session=get_session(), actor=me, now=utcnow(), work_item_id=step.id, raw=raw)
    except (InvalidInput, Forbidden, ConcurrentChange):
        return _conflict(me, step, form, raw)
    flash(_("Draft of “%(step)s” for case %(code)s saved. Nothing was sent yet.",
            step=display.step_label(step.title, step.form_key), code=step.case_code), "success")  # fmt: skip
    return redirect(display.safe_next(request.form.get("next")) or url_for("work.index"), 303)


def _submit(me: User, step: Step, form: Form, raw: Values) -> ResponseReturnValue:
    try:
        done = complete_work_item(session=get_session(), runtime=display.runtime(), actor=me, now=utcnow(),
                                  work_item_id=step.id, raw=raw, lang=display.form_language())  # fmt: skip
    except InvalidInput as exc:
        if exc.fields:
            return _render(step, form, raw, exc.fields, status=422)
        return _conflict(me, step, form, raw)
    except (ConcurrentChange, Forbidden):
        return _conflict(me, step, form, raw)
    flash(where_the_case_went(done), "success")
    return redirect(display.safe_next(request.form.get("next")) or url_for("work.index"), 303)


def where_the_case_went(done: Completion) -> str:
    """The flashed message after a step: what was done, the case's phase now, and what comes next."""
    parts = [_("Done: “%(step)s” for case %(code)s.", step=display.step_label(done.step), code=done.case_code)]
    phase = str(PHASES.get(done.phase.value, done.phase.value))
    if done.status is CaseStatus.CLOSED:
        parts.append(_("The case is now closed."))
    elif done.status is CaseStatus.LOST_CONTACT:
        parts.append(_("Contact is lost: the case is on the tracing path."))
    elif done.phase_changed:
        parts.append(_("The case moved on to %(phase)s.", phase=phase))
    else:
        parts.append(_("The case stays in %(phase)s.", phase=phase))
    if done.next_steps:
        parts.append(_("Next: %(steps)s.", steps=", ".join(display.step_label(s) for s in done.next_steps)))
    elif done.status is not CaseStatus.CLOSED:
        parts.append(_("No step is waiting now: the case continues when its next date comes."))
    return " ".join(parts)


def _conflict(me: User, step: Step, form: Form, raw: Values) -> ResponseReturnValue:
    """Someone else completed, took or changed the step: keep what was typed."""
    db = get_session()
    try:
        item = get_work_item(session=db, actor=me, work_item_id=step.id)
    except NotFound:
        return _gone(raw)
    fresh = _step(item, me)
    if fresh.workable:
        try:
            save_draft(session=db, actor=me, now=utcnow(), work_item_id=step.id, raw=raw)
        except DomainError:
            pass
        else:
            flash(_("Someone else changed this step or its case while you were typing. Nothing was submitted; "
                    "what you typed is kept as a draft. Check the step and submit again."), "error")  # fmt: skip
            return redirect(url_for("work.task", item_id=step.id, next=request.form.get("next") or None), 303)
    message = _("This step was completed or taken by someone else in the meantime. Nothing you typed was saved; "
                "it is shown below so that you can copy it.")  # fmt: skip
    return _render(fresh, form, raw, {}, conflict=message, status=409)


def _gone(raw: Values) -> ResponseReturnValue:
    form = display.runtime().forms.get(request.form.get("form_key", ""))
    if form is None:
        raise NotFound("There is no such task, or it is not yours to see.")
    message = _("This step is no longer open to you: someone else took it or finished it. Nothing you typed was "
                "saved; it is shown below so that you can copy it.")  # fmt: skip
    return render_template("work/gone.html", form=form, values=raw, message=message), 404


def _render(step: Step, form: Form, values: Values, errors: dict[str, str], *, status: int = 200, draft: bool = False,
            conflict: str | None = None, item: WorkItem | None = None,
            earlier: bool = False) -> ResponseReturnValue:  # fmt: skip
    return render_template(
        "work/task.html", step=step, form=form, values=values, errors=errors, draft=draft, conflict=conflict,
        earlier=earlier, content=_approval_content(form, step),
        people=_people(form, step, item), offices=_offices(form, step),
        next=display.safe_next(request.values.get("next")), now=utcnow(),
    ), status  # fmt: skip


def _approval_content(form: Form, step: Step) -> ApprovalContent | None:
    """What an approval step decides on, for whoever may see the case (the team's supervisors)."""
    if not form.approves or not step.case_visible:
        return None
    conf = settings()
    item = get_work_item(session=get_session(), actor=actor(), work_item_id=step.id)
    return approval_content(session=get_session(), actor=actor(), now=utcnow(), item=item,
                            forms=display.runtime().forms, max_age_days=conf.record_max_age_days,
                            section_ages=dict(conf.section_max_age_days))  # fmt: skip


def _offices(form: Form, step: Step) -> list[tuple[str, str]]:
    if not step.workable or not any(f.type == "office" for f in form.fields):
        return []
    return list(offices(get_session()).items())


def _people(form: Form, step: Step, item: WorkItem | None) -> list[tuple[str, str]]:
    if not step.workable or not any(f.type == "person" for f in form.fields):
        return []
    if item is None:
        item = get_work_item(session=get_session(), actor=actor(), work_item_id=step.id)
    lang = display.form_language()
    relation = {c.value: c.label.get(lang) for c in section_form("family_member").field("relationship").choices}
    found = people(session=get_session(), actor=actor(), case=item.case)
    return [(str(p.id), " · ".join(filter(None, [relation.get(p.relationship, p.relationship), p.name])))
            for p in found]  # fmt: skip
