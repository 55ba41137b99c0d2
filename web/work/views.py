"""My work: the user's own steps and the team's unassigned ones, claim and give back (htmx, or plain
forms without JavaScript), and the task page of one step.

Case codes and work-item ids only in URLs, never a name. The services check scope again: a guessed id
of another team's step gives 404 and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.cases.sections import survivor_names
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role, User
from engine.models.workflow import WorkItem
from engine.workflow.assignments import claim_work_item, get_work_item, unclaim_work_item
from engine.workflow.queues import Filter, my_work
from web import menu
from web.auth.principal import actor, require_roles
from web.db import get_session, utcnow
from web.i18n import error_text
from web.paging import parse_page
from web.work import display, task
from web.work.rows import work_rows

bp = Blueprint("work", __name__, url_prefix="/work")
display.install(bp)
PER_PAGE = 25
FILTERS = (Filter.MINE, Filter.TEAM_UNASSIGNED, Filter.OVERDUE, Filter.DUE_TODAY, Filter.DUE_THIS_WEEK, Filter.ALL)


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.CASEWORKER, Role.SUPERVISOR, Role.DOSVY_OFFICER)


def _chosen(value: str | None) -> Filter:
    return Filter(value) if value in {f.value for f in FILTERS} else Filter.MINE


@bp.route("/")
def index() -> ResponseReturnValue:
    """My work: steps by due date then priority, with a count on each filter, one page at a time."""
    chosen, number = _chosen(request.args.get("filter")), parse_page(request.args.get("page"))
    me, db = actor(), get_session()
    page = my_work(session=db, actor=me, now=utcnow(), chosen=chosen, page=number, per_page=PER_PAGE)
    menu.remember(page)
    names = {row.case_id: row.survivor_name for row in page.rows if row.survivor_name is not None}
    rows = work_rows(page.rows, names=names, now=utcnow(), me=me.id)
    return render_template("work/index.html", page=page, rows=rows, chosen=chosen, filters=FILTERS)


@bp.route("/<int:item_id>/claim", methods=["POST"])
def claim(item_id: int) -> ResponseReturnValue:
    """Take an unassigned step of the team."""
    return _assign(item_id, claim_work_item, lambda step, code: _("You took “%(step)s” of case %(code)s.",
                                                                     step=step, code=code))  # fmt: skip


@bp.route("/<int:item_id>/unclaim", methods=["POST"])
def unclaim(item_id: int) -> ResponseReturnValue:
    """Give a step back to the team's unassigned steps."""
    return _assign(item_id, unclaim_work_item, lambda step, code: _(
        "You gave “%(step)s” of case %(code)s back to the team.", step=step, code=code))  # fmt: skip


Assign = Callable[..., WorkItem]


def _assign(item_id: int, service: Assign, done: Callable[[str, str], str]) -> ResponseReturnValue:
    me, db, now = actor(), get_session(), utcnow()
    item: WorkItem | None
    try:  # another team's step, or an unknown id, is NotFound here: a 404 and nothing changed
        item = service(session=db, actor=me, now=now, work_item_id=item_id)
        message, category = done(display.step_label(item.title, item.form_key), item.case.code), "success"
    except (InvalidInput, Forbidden) as exc:  # taken, given back or finished by someone else meanwhile
        message, category = error_text(exc), "error"
        try:
            item = get_work_item(session=db, actor=me, work_item_id=item_id)
        except NotFound:
            item = None  # a colleague has it now: its row goes, with the message
    chosen, number = _chosen(request.form.get("filter")), parse_page(request.form.get("page"))
    if not display.is_htmx():
        flash(message, category)
        back = display.safe_next(request.form.get("next"))
        return redirect(back or url_for("work.index", filter=chosen.value, page=number), 303)
    return _row_fragment(me, item_id, item, chosen, number, message, category)


def _row_fragment(me: User, item_id: int, item: WorkItem | None, chosen: Filter, number: int, message: str,
                  category: str) -> ResponseReturnValue:  # fmt: skip
    db, now = get_session(), utcnow()
    counts = my_work(session=db, actor=me, now=now, chosen=chosen, per_page=1).counts
    names = survivor_names(session=db, actor=me, case_ids=[item.case_id]) if item else {}
    row = work_rows([display.row_of(item, now)], names=names, now=now, me=me.id)[0] if item else None
    return render_template("work/_assigned.html", item_id=item_id, row=row, counts=counts, chosen=chosen,
                           filters=FILTERS, page_number=number, message=message, category=category)  # fmt: skip


bp.add_url_rule("/<int:item_id>", "task", task.page, methods=["GET", "POST"])
