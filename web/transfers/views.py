"""The DoSVY office's view of transferred cases (Type 2 follow-up).

An officer sees only the cases with an open transfer to their office, and of each only the field groups
that transfer carries (``engine.cases.sections.view_case_file`` filters them, and audits every view).
Read-only: the shelter keeps the case file; the office answers its own steps in My work.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from engine.cases.sections import section_form, view_case_file
from engine.models.accounts import Role
from engine.security.consent import office_transfers
from web.auth.principal import actor, require_roles
from web.db import get_session, utcnow

bp = Blueprint("transfers", __name__, url_prefix="/transfers")


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.DOSVY_OFFICER)


@bp.route("/")
def index() -> ResponseReturnValue:
    """The cases transferred to the officer's office, newest first."""
    return render_template("transfers/index.html", transfers=office_transfers(session=get_session(), actor=actor()))


@bp.route("/<code>")
def show(code: str) -> ResponseReturnValue:
    """The transferred parts of one case (the view is audited)."""
    file = view_case_file(session=get_session(), actor=actor(), now=utcnow(), code=code)
    return render_template("transfers/show.html", case=file.case, file=file,
                           member_form=section_form("family_member"))  # fmt: skip
