"""Start a record review, print the survivor's own record (Khmer or English PDF), who viewed this case."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required

from engine.cases.own_record import THIRD_PARTY_FIELDS, printable_record, who_viewed
from engine.cases.service import get_case
from engine.models.accounts import Role
from engine.workflow.service import start_record_review
from web.auth.principal import actor, require_roles
from web.db import get_session, utcnow
from web.review.pdf import render_pdf

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.CASEWORKER, Role.SUPERVISOR)


@bp.route("/<code>/start", methods=["POST"])
def start(code: str) -> ResponseReturnValue:
    """The survivor asked to see their record: start the supervised review."""
    db = get_session()
    case = get_case(session=db, actor=actor(), code=code)
    start_record_review(session=db, runtime=current_app.extensions["reintegra"]["runtime"], actor=actor(),
                        now=utcnow(), case=case)  # fmt: skip
    flash(_("The record review has started: its first step is in My work."), "success")
    return redirect(url_for("cases.show", code=code), 303)


@bp.route("/<code>/record.pdf")
def record_pdf(code: str) -> ResponseReturnValue:
    """The survivor's own record as a PDF marked confidential, in Khmer or English."""
    lang = request.args.get("lang", "km")
    lang = lang if lang in ("en", "km") else "km"
    case_file = printable_record(session=get_session(), actor=actor(), now=utcnow(), code=code, lang=lang)
    with force_locale(lang):
        html = render_template("review/record.html", case_file=case_file, lang=lang, hidden=THIRD_PARTY_FIELDS,
                               printed_at=utcnow())  # fmt: skip
    pdf = render_pdf(html, base_url=request.url_root)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="record-{case_file.case.code}-{lang}.pdf"'
    return response


@bp.route("/<code>/viewers")
def viewers(code: str) -> ResponseReturnValue:
    """Who viewed, changed, printed or transferred this case file (supervisors)."""
    case, accesses = who_viewed(session=get_session(), actor=actor(), code=code)
    return render_template("review/viewers.html", case=case, accesses=accesses)
