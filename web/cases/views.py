"""Case list and search (``web.cases.search``), case page (header, phase timeline, diagram, case-file
sections, history) and the diagram's XML. Case codes only in URLs; never a name.

Caseworkers and supervisors only, guarded once; the services check the case's scope again (another
caseworker's case, or another team's, gives 404).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from engine.cases.sections import HistoryLine, case_history, open_case_file, open_steps, view_case_file
from engine.cases.service import section_status
from engine.models.accounts import Role
from engine.models.cases import Case, CaseStatus, Phase
from engine.workflow.service import case_diagram
from web.auth.principal import actor, require_roles
from web.cases import consent, edit, search
from web.cases.history import describe, diagram_in_language
from web.db import get_session, settings, utcnow
from web.work import display

bp = Blueprint("cases", __name__, url_prefix="/cases")
PHASES = (Phase.PRE_REINTEGRATION, Phase.REINTEGRATION, Phase.FOLLOW_UP_1, Phase.FOLLOW_UP_2, Phase.CLOSURE)


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.CASEWORKER, Role.SUPERVISOR)


@bp.route("/<code>")
def show(code: str) -> ResponseReturnValue:
    """A case: header, phase timeline, diagram, case-file sections with their age, open steps, history."""
    me, db, now = actor(), get_session(), utcnow()
    file = view_case_file(session=db, actor=me, now=now, code=code)
    history = case_history(session=db, actor=me, code=code)
    return render_template(
        "cases/show.html", case=file.case, file=file, history=history, timeline=timeline(file.case, history),
        ages={s.key: s for s in section_status(session=db, case=file.case, now=now,
                                               max_age_days=settings().record_max_age_days,
                                               section_ages=dict(settings().section_max_age_days))},
        steps=open_steps(session=db, actor=me, code=code),
        diagram=case_diagram(session=db, runtime=display.runtime(), case=file.case), now=now,
        history_text=describe,
    )  # fmt: skip


@bp.route("/<code>/diagram.bpmn")
def diagram(code: str) -> ResponseReturnValue:
    """The BPMN XML of the diagram the case is in now, for the viewer on the case page (never cached)."""
    db = get_session()
    found = case_diagram(session=db, runtime=display.runtime(), case=open_case_file(session=db, actor=actor(),
                                                                                      code=code))  # fmt: skip
    if found is None:
        abort(404)
    response = Response(diagram_in_language(found.xml), mimetype="application/xml")
    response.headers["Cache-Control"] = "no-store"
    return response


def timeline(case: Case, history: list[HistoryLine]) -> list[tuple[Phase, str]]:
    """Each phase with its state: "done", "current", "skipped" (passed over) or "ahead"."""
    current, closed = case.phase, case.status is CaseStatus.CLOSED
    reached = {Phase.PRE_REINTEGRATION.value} | {line.phases[1] for line in history if line.phases}
    position = PHASES.index(current)
    states: list[tuple[Phase, str]] = []
    for index, phase in enumerate(PHASES):
        if index < position or (closed and phase is current):
            state = "done" if phase.value in reached else "skipped"
        elif index == position:
            state = "current"
        else:
            state = "ahead"
        states.append((phase, state))
    return states


bp.add_url_rule("/", "index", search.index)
bp.add_url_rule("/search", "search", search.search, methods=["POST"])
for rule, endpoint, view in edit.ROUTES:
    bp.add_url_rule(rule, endpoint, view, methods=["GET", "POST"])
bp.add_url_rule("/<code>/consent", "consent", consent.consent_page, methods=["GET", "POST"])
bp.add_url_rule(
    "/<code>/consent/<int:consent_id>/withdraw", "withdraw_consent", consent.withdraw, methods=["GET", "POST"]
)
