"""Administration of user accounts: list with filters, create, edit, deactivate and reactivate, unlock,
reset the password (a temporary password shown once to the administrator).

The routes join the administration blueprint (administrators only, guarded once in ``before_request``);
the use cases check the role again and audit every change. A new or reset password is rendered in the
answer to the POST itself (never flashed, which would keep it in the session cookie, never in a URL).
"""

from __future__ import annotations

from collections.abc import Callable

from argon2 import PasswordHasher
from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from engine.accounts import organisations as orgs
from engine.accounts import staff
from engine.errors import InvalidInput
from engine.models.accounts import Role, User
from web.admin.blueprint import bp
from web.admin.forms import UserFilterForm, UserForm, show_problems
from web.auth.principal import actor
from web.db import get_session, utcnow
from web.i18n import error_text
from web.labels import ROLES


def _choices(form: UserForm | UserFilterForm) -> None:
    db, me = get_session(), actor()
    rows = orgs.list_organisations(session=db, actor=me)
    organisations = [SelectChoice(row.organisation.id, row.organisation.name) for row in rows]
    roles = [SelectChoice(r.value, str(ROLES[r.value])) for r in Role]
    if isinstance(form, UserFilterForm):
        form.organisation.choices = [SelectChoice("", _("All organisations")), *organisations]
        form.role.choices = [SelectChoice("", _("All roles")), *roles]
        form.active.choices = [SelectChoice("", _("Active and deactivated")), SelectChoice("yes", _("Active")),
                               SelectChoice("no", _("Deactivated"))]  # fmt: skip
        return
    form.role.choices = roles
    form.organisation_id.choices = [SelectChoice("", _("— none (or the team's) —")), *organisations]
    teams = orgs.teams_by_organisation(session=db, actor=me)
    form.team_id.choices = [SelectChoice("", _("— no team —")),
                            *(SelectChoice(t.id, t.name, optgroup=t.organisation.name) for t in teams)]  # fmt: skip


def _details(form: UserForm) -> staff.StaffDetails:
    return staff.StaffDetails(display_name=form.display_name.data or "", role=Role(form.role.data),
                              organisation_id=form.organisation_id.data, team_id=form.team_id.data,
                              language=form.language.data or "en", email=form.email.data)  # fmt: skip


def _hasher() -> PasswordHasher:
    hasher: PasswordHasher = current_app.extensions["reintegra"]["hasher"]
    return hasher


@bp.route("/users")
def users() -> ResponseReturnValue:
    """Every account, filtered by organisation, role and whether it is active."""
    form = UserFilterForm(request.args)
    _choices(form)
    role = form.role.data if form.role.data in {r.value for r in Role} else None
    active = {"yes": True, "no": False}.get(form.active.data or "")
    filters = staff.StaffFilter(organisation_id=form.organisation.data, role=Role(role) if role else None,
                                active=active)  # fmt: skip
    found = staff.list_users(session=get_session(), actor=actor(), filters=filters)
    return render_template("admin/users.html", users=found, form=form, now=utcnow())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> ResponseReturnValue:
    """Create an account in its place; show its first (temporary) password once."""
    form = UserForm()
    _choices(form)
    if form.validate_on_submit():
        username = (form.username.data or "").strip().lower()
        password = staff.temporary_password(username)
        try:
            user_id = staff.add_user(session=get_session(), hasher=_hasher(), actor=actor(), now=utcnow(),
                                     username=username, password=password, details=_details(form))  # fmt: skip
        except InvalidInput as exc:
            get_session().rollback()
            for message in show_problems(form, exc.fields):
                flash(message, "error")
            return render_template("admin/user_form.html", form=form, user=None), 422
        user = staff.get_user(session=get_session(), actor=actor(), user_id=user_id)
        return render_template("admin/password_shown.html", user=user, password=password, created=True), 201
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>")
def user(user_id: int) -> ResponseReturnValue:
    """One account: its details, its state (active, locked) and what an administrator can do with it."""
    found = staff.get_user(session=get_session(), actor=actor(), user_id=user_id)
    now = utcnow()
    locked = found.locked_until is not None and found.locked_until > now
    return render_template("admin/user.html", user=found, locked=locked)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int) -> ResponseReturnValue:
    """Change an account's display name, role, organisation, team, language or e-mail."""
    found = staff.get_user(session=get_session(), actor=actor(), user_id=user_id)
    form = UserForm(obj=found) if request.method == "GET" else UserForm()
    del form.username  # set once, at creation
    _choices(form)
    if request.method == "GET":
        form.role.data = found.role.value
    if form.validate_on_submit():
        try:
            staff.update_user(session=get_session(), actor=actor(), now=utcnow(), user_id=found.id,
                              details=_details(form))  # fmt: skip
        except InvalidInput as exc:
            get_session().rollback()
            for message in show_problems(form, exc.fields):
                flash(message, "error")
            return render_template("admin/user_form.html", form=form, user=found), 422
        flash(_("The account was saved."), "success")
        return redirect(url_for("admin.user", user_id=found.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=found), status


def _act(user_id: int, done: str, use_case: Callable[..., None]) -> ResponseReturnValue:
    """Run one account use case from a button (CSRFProtect has checked its token); flash the outcome."""
    try:
        use_case(session=get_session(), actor=actor(), now=utcnow(), user_id=user_id)
    except InvalidInput as exc:
        get_session().rollback()
        flash(error_text(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for("admin.user", user_id=user_id), 303)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int) -> ResponseReturnValue:
    """Refuse the account's sign-ins and end its sessions (nothing is deleted)."""
    done = _("The account is deactivated: it cannot sign in, and its sessions have ended.")
    return _act(user_id, done, staff.deactivate_user)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int) -> ResponseReturnValue:
    """Let a deactivated account sign in again."""
    return _act(user_id, _("The account is active again."), staff.reactivate_user)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
def unlock(user_id: int) -> ResponseReturnValue:
    """Lift the lock that failed sign-ins put on the account."""
    return _act(user_id, _("The account is unlocked."), staff.unlock_user)


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int) -> ResponseReturnValue:
    """Give the account a temporary password, shown once; the user must change it at the next sign-in."""
    try:
        password = staff.reset_password(session=get_session(), hasher=_hasher(), actor=actor(), now=utcnow(),
                                        user_id=user_id)  # fmt: skip
    except InvalidInput as exc:
        get_session().rollback()
        flash(error_text(exc), "error")
        return redirect(url_for("admin.user", user_id=user_id), 303)
    found: User = staff.get_user(session=get_session(), actor=actor(), user_id=user_id)
    return render_template("admin/password_shown.html", user=found, password=password, created=False)
