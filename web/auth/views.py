"""Sign in and sign out."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from engine.accounts import totp
from engine.accounts.passwords import MIN_LENGTH
from engine.accounts.service import (
    TWO_FACTOR_ROLES,
    LoginOutcome,
    authenticate,
    begin_two_factor,
    change_password,
    confirm_two_factor,
    verify_second_factor,
)
from engine.errors import InvalidInput
from engine.models.accounts import User
from web import dates
from web.auth.forms import CodeForm, LoginForm, PasswordChangeForm
from web.auth.principal import Principal, actor
from web.db import get_session, settings, utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")
short = Blueprint("auth_short", __name__)  # the short address people type: /login


def _safe_next(target: str | None) -> str | None:
    # Only same-site relative paths: never redirect a user to another host after sign-in.
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@short.route("/login")
def login_short() -> ResponseReturnValue:
    """Send ``/login`` to the sign-in page, keeping a safe ``next`` (a same-site path) and nothing else."""
    next_url = _safe_next(request.args.get("next"))
    return redirect(url_for("auth.login", next=next_url) if next_url else url_for("auth.login"), 301)


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
            address=request.remote_addr,
            address_limit=conf.login_address_limit,
            address_window=dt.timedelta(minutes=conf.login_address_window_minutes),
        )
        next_url = _safe_next(request.args.get("next"))
        if result.outcome is LoginOutcome.OK and result.user_id is not None:
            return _sign_in(result.user_id, next_url)
        if result.outcome is LoginOutcome.SECOND_FACTOR and result.user_id is not None:
            session.clear()
            session[_PENDING] = {"user_id": result.user_id, "next": next_url, "at": utcnow().isoformat()}
            return redirect(url_for("auth.second_factor"))
        if result.outcome is LoginOutcome.RATE_LIMITED:
            flash(_("Too many failed sign-ins from this computer. Wait %(num)d minutes and try again.",
                    num=conf.login_address_window_minutes), "error")  # fmt: skip
        elif result.outcome is LoginOutcome.LOCKED and result.locked_until is not None:
            flash(
                _("Too many failed attempts. This account is locked until %(time)s.",
                  time=dates.moment(result.locked_until)),
                "error",
            )  # fmt: skip
        else:
            flash(_("The user name or password is wrong."), "error")
        return render_template("auth/login.html", form=form), 401
    if request.method == "POST":
        return render_template("auth/login.html", form=form), 400
    return render_template("auth/login.html", form=form)


_PENDING = "pending_second_factor"
_EPOCH = "session_epoch"
# What a user who must choose a new password may still reach: the form itself, signing out, the language.
_WHILE_CHANGING = frozenset({"auth.change_password", "auth.logout", "home.language", "static"})
_PENDING_MINUTES = 5


def _sign_in(user_id: int, next_url: str | None) -> ResponseReturnValue:
    account = get_session().get(User, user_id)
    assert account is not None
    session.clear()  # a fresh session on sign-in: no fixation
    login_user(Principal(account))
    session["lang"] = account.language
    session[_EPOCH] = account.session_epoch
    session.permanent = True
    return redirect(next_url or url_for("home.index"))


@bp.route("/two-factor", methods=["GET", "POST"])
def second_factor() -> ResponseReturnValue:
    """Ask for the one-time code after a correct password, for accounts with two-factor sign-in."""
    pending = session.get(_PENDING)
    started = dt.datetime.fromisoformat(pending["at"]) if pending else None
    if not pending or started is None or utcnow() - started > dt.timedelta(minutes=_PENDING_MINUTES):
        session.pop(_PENDING, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        conf = settings()
        result = verify_second_factor(
            session=get_session(), now=utcnow(), user_id=pending["user_id"], code=form.code.data,
            max_failed=conf.max_failed_logins, lockout=dt.timedelta(minutes=conf.lockout_minutes),
            address=request.remote_addr,
        )  # fmt: skip
        if result.outcome is LoginOutcome.OK and result.user_id is not None:
            return _sign_in(result.user_id, pending.get("next"))
        if result.outcome is LoginOutcome.LOCKED:
            session.pop(_PENDING, None)
            flash(_("Too many failed attempts. This account is locked for a while."), "error")
            return redirect(url_for("auth.login"))
        flash(_("The code is wrong or has expired. Enter the current code from your app."), "error")
        return render_template("auth/second_factor.html", form=form), 401
    return render_template("auth/second_factor.html", form=form)


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> ResponseReturnValue:
    """Turn on two-factor sign-in (supervisors and administrators): scan or type the key, confirm a code."""
    me = actor()
    if me.role not in TWO_FACTOR_ROLES:
        abort(403)
    form = CodeForm()
    if request.method == "POST" and request.form.get("action") == "start":
        if not form.validate_on_submit() and form.errors.get("csrf_token"):
            abort(400)
        begin_two_factor(session=get_session(), actor=me)
        return redirect(url_for("auth.two_factor_setup"))
    if form.validate_on_submit():
        try:
            confirm_two_factor(session=get_session(), actor=me, now=utcnow(), code=form.code.data)
        except InvalidInput:
            form.code.errors = [_("The code does not match. Check the time on your phone and try again.")]
            return render_template("auth/two_factor_setup.html", form=form, secret=me.totp_secret, uri=None), 422
        flash(_("Two-factor sign-in is on. You will be asked for a code at every sign-in."), "success")
        return redirect(url_for("home.index"))
    uri = totp.provisioning_uri(me.totp_secret, me.username) if me.totp_secret and not me.totp_enabled else None
    return render_template("auth/two_factor_setup.html", form=form, secret=me.totp_secret, uri=uri)


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


@bp.before_app_request
def _account_checks() -> ResponseReturnValue | None:
    """End a session signed in before the password was reset or changed (or the account deactivated);
    send a user whose password was reset to the form that sets a new one."""
    if not current_user.is_authenticated:
        return None
    me = actor()
    if session.get(_EPOCH, 0) != me.session_epoch:
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("Your password was changed or reset: please sign in again."), "info")
        return redirect(url_for("auth.login"))
    if me.must_change_password and request.endpoint not in _WHILE_CHANGING:
        flash(_("Choose your own password before you continue."), "info")
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_page() -> ResponseReturnValue:
    """Change your own password (the current one is required); your other sessions end."""
    me = actor()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            epoch = change_password(session=get_session(), hasher=current_app.extensions["reintegra"]["hasher"],
                                    actor=me, now=utcnow(), current=form.current_password.data,
                                    new=form.new_password.data, address=request.remote_addr)  # fmt: skip
        except InvalidInput as exc:
            get_session().rollback()
            for name, message in exc.fields.items():
                getattr(form, name).errors = [_(message)]
            return _password_page(form, me), 422
        session[_EPOCH] = epoch
        flash(_("Your password was changed. Your other sessions have ended."), "success")
        return redirect(url_for("home.index"), 303)
    return _password_page(form, me), 422 if request.method == "POST" else 200


def _password_page(form: PasswordChangeForm, me: User) -> str:
    return render_template("auth/password.html", form=form, forced=me.must_change_password, min_length=MIN_LENGTH)
