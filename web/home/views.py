"""Landing page by role, and choosing the interface language."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from engine.accounts.service import set_language
from engine.cases.service import list_cases
from engine.models.accounts import Role, User
from engine.reports.aggregates import cases_by_phase_and_status
from web.auth.principal import actor
from web.db import get_session
from web.i18n import LANGUAGES
from web.transfers.views import index as transfers_page
from web.work.views import index as my_work_page

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """Send each role to the page it works from (a caseworker to My work)."""
    me = actor()
    db = get_session()
    if me.role is Role.CASEWORKER:
        return my_work_page()
    if me.role is Role.SUPERVISOR:
        cases, total = list_cases(session=db, actor=me, limit=25)
        return render_template("home/case_staff.html", cases=cases, total=total)
    if me.role is Role.ADMINISTRATOR:
        users = db.scalars(select(User).order_by(User.role, User.username)).all()
        return render_template("home/administrator.html", users=users)
    if me.role is Role.REPORTING:
        return render_template("home/reporting.html", table=cases_by_phase_and_status(session=db))
    return transfers_page()


@bp.route("/language", methods=["POST"])
def language() -> ResponseReturnValue:
    """Switch the interface language (and remember it for a signed-in user)."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            set_language(session=get_session(), actor=actor(), language=lang)
    target = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
    return redirect(target or url_for("home.index"), 303)
