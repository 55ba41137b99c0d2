"""What the team pages need besides the services: query-string parsing, labels, flashed messages, charts.

Kept apart from the routes so that they stay short; nothing here writes to the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from engine.accounts.training import training_gaps
from engine.clock import local_today
from engine.models.accounts import User
from engine.models.cases import CaseStatus, Phase
from engine.models.workflow import WorkItem
from engine.workflow.dashboard import Dashboard
from engine.workflow.queues import Filter, QueueRow
from engine.workflow.service import Completion, Runtime
from web.db import get_session, utcnow
from web.labels import PHASES, priority_label
from web.paging import parse_page, parse_row_id
from web.team.charts import BarChart, bar_chart
from web.training.messages import course_label

FILTERS = {
    Filter.ALL: _l("All"),
    Filter.MINE: _l("Mine"),
    Filter.TEAM_UNASSIGNED: _l("Team, unassigned"),
    Filter.OVERDUE: _l("Overdue"),
    Filter.DUE_TODAY: _l("Due today"),
    Filter.DUE_THIS_WEEK: _l("Due this week"),
}
APPROVAL_KINDS = {
    "plan_approval": _l("Case plan"),
    "agreement_approval": _l("Reintegration agreement"),
    "closure_approval": _l("Case closure"),
}


@dataclass(frozen=True)
class QueueArgs:
    """The team queue's query string: a filter, optionally a caseworker and a phase, and a page."""

    chosen: Filter = Filter.ALL
    caseworker_id: int | None = None
    phase: Phase | None = None
    page: int = 1

    @classmethod
    def from_request(cls, args: Mapping[str, str]) -> QueueArgs:
        """Read the query string; anything unknown falls back to the default rather than failing."""
        chosen = args.get("filter", "")
        phase = args.get("phase", "")
        worker = args.get("caseworker", "")
        page = args.get("page", "")
        return cls(
            chosen=Filter(chosen) if chosen in Filter._value2member_map_ else Filter.ALL,
            caseworker_id=parse_row_id(worker),
            phase=Phase(phase) if phase in Phase._value2member_map_ else None,
            page=parse_page(page),
        )

    def query(self, **changes: Any) -> dict[str, Any]:
        """URL parameters for this view with ``changes`` (e.g. another filter or page)."""
        values = {"filter": self.chosen.value, "caseworker": self.caseworker_id,
                  "phase": self.phase.value if self.phase else None, "page": self.page}  # fmt: skip
        values.update(changes)
        defaults = {"filter": Filter.ALL.value, "page": 1}
        return {k: v for k, v in values.items() if v is not None and v != "" and defaults.get(k) != v}


def page_arg(name: str) -> int:
    """A page number from the query string (1 when missing or not a sensible number)."""
    return parse_page(request.args.get(name, ""))


def runtime() -> Runtime:
    """The workflow runtime loaded at start-up."""
    value: Runtime = current_app.extensions["reintegra"]["runtime"]
    return value


def language() -> str:
    """The interface language ("en" or "km")."""
    return str(get_locale() or "en")


def step_label(form_key: str, title: str) -> str:
    """A step's name in the interface language (the diagram's English name, or the form's Khmer title)."""
    lang = language()
    form = runtime().forms.get(form_key)
    return str(form.title.get(lang)) if form is not None and lang != "en" else title


def is_htmx() -> bool:
    """True when htmx sent the request (it wants a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a page of the team area (never another site), else None."""
    if target and target.startswith("/team/") and "//" not in target and "\\" not in target:
        return target
    return None


def row_of(item: WorkItem, assignee_name: str | None = None) -> QueueRow:
    """A queue row for one work item (after a reassignment, with the new assignee's name)."""
    name = assignee_name or (item.assignee.display_name if item.assignee else None)
    return QueueRow(
        id=item.id, case_id=item.case_id, case_code=item.case.code, title=item.title, form_key=item.form_key,
        process_id=item.process_id, phase=item.case.phase, role=item.role, priority=item.priority,
        due_at=item.due_at, overdue=item.due_at is not None and item.due_at < utcnow(),
        assignee_id=item.assignee_id, assignee_name=name, created_at=item.created_at,
    )  # fmt: skip


def training_warning(assignee_id: int | None, name: str) -> str | None:
    """The warning after work went to someone without every required training (None when they hold them all)."""
    assignee = get_session().get(User, assignee_id) if assignee_id is not None else None
    if assignee is None:
        return None
    gaps = training_gaps(session=get_session(), user=assignee, today=local_today(utcnow()))
    if not gaps:
        return None
    missing = "; ".join(
        _("%(course)s (expired)", course=course_label(g.course)) if g.expires_on else str(course_label(g.course))
        for g in gaps
    )
    return str(_("Warning: %(name)s does not hold every required training: %(courses)s. The assignment was made; "
             "arrange the training and record it in the training register.", name=name, courses=missing))  # fmt: skip


def add_field_errors(form: FlaskForm, fields: Mapping[str, str]) -> None:
    """Show the service's refusals next to their fields (or next to the last field when unknown)."""
    names = [f.name for f in form if f.type not in ("CSRFTokenField", "HiddenField")]
    for name, message in fields.items():
        field = form[name] if name in names else form[names[-1]]
        field.errors = [*field.errors, _(message)]  # engine messages are English message ids


def decision_message(decision: str, done: Completion, form_key: str) -> str:
    """The flashed message after an approval: what was decided, and where the case went."""
    code, what = done.case_code, str(APPROVAL_KINDS.get(form_key, done.step))
    parts: list[str] = [
        _("Approved: %(what)s, case %(code)s.", what=what, code=code)
        if decision == "approve"
        else _("Returned for changes: %(what)s, case %(code)s.", what=what, code=code)
    ]
    if done.status is CaseStatus.CLOSED:
        parts.append(_("The case is now closed."))
    else:
        parts.append(_("The case is in %(phase)s.", phase=PHASES[done.phase.value]))
        if done.next_steps:
            parts.append(_("Next: %(steps)s.", steps=", ".join(done.next_steps)))
    return " ".join(parts)


def dashboard_charts(board: Dashboard) -> dict[str, BarChart]:
    """The two pictures of the dashboard: open steps per caseworker (overdue first) and cases by phase."""
    return {
        "workload": bar_chart(
            [(w.name, [(w.overdue, "bar-overdue"), (w.open - w.overdue, "bar-open")]) for w in board.workload]
        ),
        "phases": bar_chart([(str(PHASES[p.value]), [(n, "bar-phase")]) for p, n in board.cases_by_phase.items()]),
    }


def template_globals() -> dict[str, Any]:
    """Labels the team templates use."""
    return {
        "filter_labels": FILTERS,
        "priority_label": priority_label,
        "approval_kind": lambda key: str(APPROVAL_KINDS.get(key, key)),
        "step_label": step_label,
        "row_of": row_of,
        "safe_next": safe_next,
    }
