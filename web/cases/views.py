"""Case list and case page (case codes only in URLs; never a name)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from engine.accounts.models import Role
from engine.cases.service import get_case, list_cases, section_status
from web.auth.principal import actor, require_roles
from web.db import get_session, settings, utcnow

bp = Blueprint("cases", __name__, url_prefix="/cases")
PAGE = 25


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.CASEWORKER, Role.SUPERVISOR)


@bp.route("/")
def index() -> ResponseReturnValue:
    """The cases the user may see, newest first."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    cases, total = list_cases(session=get_session(), actor=actor(), limit=PAGE, offset=(page - 1) * PAGE)
    return render_template(
        "cases/index.html", cases=cases, total=total, page=page, pages=max((total + PAGE - 1) // PAGE, 1)
    )


@bp.route("/<code>")
def show(code: str) -> ResponseReturnValue:
    """A case's header and when each case-file section was last updated."""
    db = get_session()
    case = get_case(session=db, actor=actor(), code=code)
    return render_template(
        "cases/show.html",
        case=case,
        sections=section_status(session=db, case=case, now=utcnow(), max_age_days=settings().record_max_age_days),
    )
