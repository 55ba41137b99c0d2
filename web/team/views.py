"""Routes of the team area: team queue, dashboard, reassignment and the approvals inbox.

Supervisors only, guarded once in ``before_request``. The services check the team again, so a guessed
id of another team's step or case gives 404 and writes nothing. Case codes only, never names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy.exc import SQLAlchemyError

from engine.accounts.staff import team_roster
from engine.cases.service import get_case
from engine.errors import ConcurrentChange, InvalidInput, NotFound
from engine.models.accounts import Role
from engine.models.cases import Phase
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.workflow import assignments
from engine.workflow.approvals import approval_content
from engine.workflow.dashboard import team_dashboard
from engine.workflow.queues import APPROVAL_FORMS, QueueRow, team_queue
from engine.workflow.service import complete_work_item
from engine.workflow.team_views import Member, team_members, waiting_approvals
from web import menu
from web.auth.principal import actor, require_roles
from web.db import get_session, settings, utcnow
from web.paging import page_number
from web.team import display
from web.team.forms import DecisionForm, ReassignForm
from web.team.rows import TeamRow, team_rows

bp = Blueprint("team", __name__, url_prefix="/team")
log = logging.getLogger(__name__)
PER_PAGE = 25
ALREADY_DECIDED = _l("Someone has already decided on this step. Nothing was saved.")
STEP_GONE = _l("This step was already completed or cancelled. Nothing was changed.")
CHANGED_MEANWHILE = _l("Someone else changed this step in the meantime. Nothing was changed.")


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.SUPERVISOR)


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    return {"team_approvals_waiting": _approvals_waiting, "team_nav_url": _nav_url}


def _nav_url(endpoint: str) -> str:
    # "My work" lives in the work area; until that area has its page, the link leads home.
    return url_for(endpoint) if endpoint in current_app.view_functions else url_for("home.index")


def _approvals_waiting() -> int:
    """The team's approvals waiting, counted once per request (the menu and the dashboard both show it)."""
    me = actor()
    if me.role is not Role.SUPERVISOR or me.team_id is None:
        return 0
    try:
        return menu.approvals_waiting(lambda: waiting_approvals(session=get_session(), actor=me))
    except SQLAlchemyError:  # a count in the menu must not break the page that reports a database error
        get_session().rollback()
        log.warning("the approvals count for the navigation could not be read")
        return 0


bp.context_processor(display.template_globals)


@bp.route("/")
def index() -> ResponseReturnValue:
    """The team area starts at the team queue."""
    return redirect(url_for("team.queue"))


@bp.route("/queue")
def queue() -> ResponseReturnValue:
    """Every open step of the team, filtered, by due date then priority, one page at a time."""
    args = display.QueueArgs.from_request(request.args)
    me, db = actor(), get_session()
    page = team_queue(session=db, actor=me, now=utcnow(), chosen=args.chosen, page=args.page, per_page=PER_PAGE,
                      caseworker_id=args.caseworker_id, phase=args.phase)  # fmt: skip
    menu.remember(page)
    members = team_members(session=db, actor=me, role=Role.CASEWORKER)
    rows = team_rows(page.rows, back=request.full_path.rstrip("?"))
    return render_template("team/queue.html", page=page, rows=rows, args=args, members=members, phases=list(Phase))


@bp.route("/dashboard")
def dashboard() -> ResponseReturnValue:
    """Workload per caseworker, cases by phase, overdue follow-up visits and stale case files."""
    me, db, now = actor(), get_session(), utcnow()
    conf = settings()
    visits_page, stale_page = display.page_arg("visits_page"), display.page_arg("stale_page")
    board = team_dashboard(session=db, actor=me, now=now, max_age_days=conf.record_max_age_days,
                           section_ages=dict(conf.section_max_age_days), visits_page=visits_page,
                           stale_page=stale_page)  # fmt: skip
    queue = team_queue(session=db, actor=me, now=now, per_page=1)
    menu.remember(queue)
    charts = display.dashboard_charts(board)
    return render_template("team/dashboard.html", board=board, counts=queue.counts, charts=charts)


@bp.route("/members")
def members() -> ResponseReturnValue:
    """The team's active members, read-only (administrators change accounts)."""
    return render_template("team/members.html", members=team_roster(session=get_session(), actor=actor()))


@bp.route("/items/<int:item_id>/reassign", methods=["GET", "POST"])
def reassign_item(item_id: int) -> ResponseReturnValue:
    """Hand one open step to another member of the team (of the step's role), with a reason."""
    me, db = actor(), get_session()
    item = assignments.get_work_item(session=db, actor=me, work_item_id=item_id)
    if item.status is not WorkItemStatus.OPEN:
        raise StepGone(STEP_GONE)
    form = _reassign_form([m for m in team_members(session=db, actor=me, role=item.role) if m.id != item.assignee_id])
    if form.validate_on_submit() and _attempt(form, lambda: assignments.reassign_work_item(
        session=db, actor=me, now=utcnow(), work_item_id=item.id, assignee_id=form.assignee_id.data,
        reason=form.reason.data, rules=display.runtime().rules,
    )):  # fmt: skip
        name = form.chosen_name()
        message = _("Case %(code)s: “%(step)s” is now assigned to %(name)s.", code=item.case.code,
                    step=display.step_label(item.form_key, item.title), name=name)  # fmt: skip
        warning = display.training_warning(form.assignee_id.data, name)
        if display.is_htmx():
            return render_template("team/_queue_row.html", row=_row(display.row_of(item, name)), note=message,
                                   warning=warning, focus=True)  # fmt: skip
        flash(message, "success")
        if warning:
            flash(warning, "warning")
        return redirect(display.safe_next(form.next.data) or url_for("team.queue"), 303)
    template = "team/_reassign_row.html" if display.is_htmx() else "team/reassign_item.html"
    return render_template(template, item=item, form=form), _form_status(form)


@bp.route("/items/<int:item_id>/row")
def item_row(item_id: int) -> ResponseReturnValue:
    """One row of the team queue (htmx puts it back when a reassignment is cancelled)."""
    item = assignments.get_work_item(session=get_session(), actor=actor(), work_item_id=item_id)
    return render_template("team/_queue_row.html", row=_row(display.row_of(item)), note=None, focus=True)


@bp.route("/cases/<code>/reassign", methods=["GET", "POST"])
def reassign_case(code: str) -> ResponseReturnValue:
    """Make another caseworker of the team responsible for a case and its open steps, with a reason."""
    me, db = actor(), get_session()
    case = get_case(session=db, actor=me, code=code)
    members = team_members(session=db, actor=me, role=Role.CASEWORKER)
    form = _reassign_form([m for m in members if m.id != case.caseworker_id])
    if form.validate_on_submit() and _attempt(form, lambda: assignments.reassign_case(
        session=db, actor=me, now=utcnow(), case_id=case.id, caseworker_id=form.assignee_id.data,
        reason=form.reason.data, rules=display.runtime().rules,
    )):  # fmt: skip
        flash(_("Case %(code)s is now assigned to %(name)s, with its open steps.", code=case.code,
                name=form.chosen_name()), "success")  # fmt: skip
        if warning := display.training_warning(form.assignee_id.data, form.chosen_name()):
            flash(warning, "warning")
        return redirect(display.safe_next(form.next.data) or url_for("team.queue"), 303)
    return render_template("team/reassign_case.html", case=case, form=form), _form_status(form)


@bp.route("/approvals")
def approvals() -> ResponseReturnValue:
    """Case plans, reintegration agreements and closures waiting for the supervisor's decision."""
    number = page_number()
    page = team_queue(session=get_session(), actor=actor(), now=utcnow(), page=number, per_page=PER_PAGE,
                      approvals_only=True)  # fmt: skip
    return render_template("team/approvals.html", page=page)


@bp.route("/approvals/<int:item_id>", methods=["GET", "POST"])
def decide(item_id: int) -> ResponseReturnValue:
    """Show what a plan, agreement or closure approval decides on; approve it, or return it for changes with a
    comment."""
    me, db = actor(), get_session()
    item = _approval(item_id)
    if item.status is not WorkItemStatus.OPEN:
        raise StepGone(ALREADY_DECIDED, "team.approvals")
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            done = complete_work_item(session=db, runtime=display.runtime(), actor=me, now=utcnow(),
                                      work_item_id=item.id, raw=form.values(), lang=display.language())  # fmt: skip
        except (InvalidInput, ConcurrentChange) as exc:
            fields = getattr(exc, "fields", None)
            if not fields:  # completed, or no longer waiting, since the page was loaded
                raise StepGone(ALREADY_DECIDED, "team.approvals") from None
            display.add_field_errors(form, fields)
        else:
            flash(display.decision_message(form.decision.data, done, item.form_key), "success")
            return redirect(url_for("team.approvals"), 303)
    conf = settings()
    content = approval_content(session=db, actor=me, now=utcnow(), item=item, forms=display.runtime().forms,
                               max_age_days=conf.record_max_age_days,
                               section_ages=dict(conf.section_max_age_days))  # fmt: skip
    return render_template("team/decide.html", item=item, form=form, content=content), _form_status(form)


def _approval(item_id: int) -> WorkItem:
    item = assignments.get_work_item(session=get_session(), actor=actor(), work_item_id=item_id)
    if item.form_key not in APPROVAL_FORMS or item.role is not Role.SUPERVISOR:
        raise NotFound("There is no such approval, or it is not yours to see.")
    return item


def _row(row: QueueRow) -> TeamRow:
    (found,) = team_rows([row], back=url_for("team.queue"))
    return found


def _reassign_form(members: list[Member]) -> ReassignForm:
    form = ReassignForm()
    form.set_members(members)
    if not form.is_submitted():
        form.next.data = display.safe_next(request.args.get("next")) or ""
    return form


def _attempt(form: ReassignForm, action: Callable[[], object]) -> bool:
    """Run a reassignment; a refused field gets its message next to it. Nothing is written when refused."""
    try:
        action()
    except InvalidInput as exc:
        if not exc.fields:  # the step was completed or cancelled meanwhile
            raise StepGone(STEP_GONE) from None
        display.add_field_errors(form, exc.fields)
        return False
    except ConcurrentChange:
        raise StepGone(CHANGED_MEANWHILE) from None
    return True


class StepGone(Exception):
    """The step is no longer waiting (someone else finished it): back to the list with a message."""

    def __init__(self, message: object, endpoint: str = "team.queue") -> None:
        super().__init__(str(message))
        self.message, self.endpoint = str(message), endpoint


@bp.errorhandler(StepGone)
def _step_gone(exc: StepGone) -> ResponseReturnValue:
    get_session().rollback()
    flash(exc.message, "error")
    if display.is_htmx():  # a full page load, so the message shows instead of a page inside a table row
        return "", 204, {"HX-Redirect": url_for(exc.endpoint)}
    return redirect(url_for(exc.endpoint), 303)


def _form_status(form: Any) -> int:
    return 422 if any(f.errors for f in form) and not display.is_htmx() else 200
