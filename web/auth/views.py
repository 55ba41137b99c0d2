"""Sign in and sign out."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from engine.accounts.models import User
from engine.accounts.service import LoginOutcome, authenticate
from web.auth.forms import LoginForm
from web.auth.principal import Principal
from web.db import get_session, settings, utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str | None:
    # Only same-site relative paths: never redirect a user to another host after sign-in.
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        conf = settings()
        result = authenticate(
            session=get_session(),
            hasher=current_app.extensions["reintegra"]["hasher"],
            now=utcnow(),
            username=form.username.data,
            password=form.password.data,
            max_failed=conf.max_failed_logins,
            lockout=dt.timedelta(minutes=conf.lockout_minutes),
        )
        if result.outcome is LoginOutcome.OK and result.user_id is not None:
            account = get_session().get(User, result.user_id)
            assert account is not None
            next_url = _safe_next(request.args.get("next"))
            session.clear()  # a fresh session on sign-in: no fixation
            login_user(Principal(account))
            session["lang"] = account.language
            session.permanent = True
            return redirect(next_url or url_for("home.index"))
        if result.outcome is LoginOutcome.LOCKED and result.locked_until is not None:
            flash(
                _("Too many failed attempts. This account is locked until %(time)s.",
                  time=format_datetime(result.locked_until, "short")),
                "error",
            )  # fmt: skip
        else:
            flash(_("The user name or password is wrong."), "error")
        return render_template("auth/login.html", form=form), 401
    if request.method == "POST":
        return render_template("auth/login.html", form=form), 400
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """Sign out and forget the session."""
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
