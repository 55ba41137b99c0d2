"""Routes of the training register: the register page per shelter, recording a training, one person's trainings.

Administrators and supervisors only, guarded once in ``before_request``; the engine narrows a supervisor to
their own organisation, so another shelter's staff member or register gives 404 and writes nothing.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.accounts import training
from engine.config import REQUIRED_COURSES
from engine.errors import InvalidInput
from engine.models.accounts import Role
from web.admin.forms import show_problems
from web.auth.principal import actor, require_roles
from web.dates import day
from web.db import get_session, settings, utcnow
from web.paging import is_number, parse_row_id
from web.training.forms import TrainingForm
from web.training.messages import STANDINGS, course_label

bp = Blueprint("training", __name__, url_prefix="/training")
MAX_WARNING_DAYS = 3650


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.ADMINISTRATOR, Role.SUPERVISOR)


@bp.context_processor
def _labels() -> dict[str, object]:
    return {"course_label": course_label, "standing_label": lambda key: STANDINGS.get(key, key)}


def _rules() -> training.TrainingRules:
    return training.TrainingRules.from_settings(settings())


@bp.route("/")
def index() -> ResponseReturnValue:
    """Who is untrained on a required course, expired or expiring within the chosen days, per shelter."""
    rules, me, db = _rules(), actor(), get_session()
    days = request.args.get("days", "")
    # More digits than the most days allowed are out of range before int() reads them (it refuses 4300 digits).
    if days and (
        not is_number(days)
        or len(days.lstrip("0")) > len(str(MAX_WARNING_DAYS))
        or not 1 <= int(days) <= MAX_WARNING_DAYS
    ):
        flash(_("Enter a number of days between 1 and %(max)d.", max=MAX_WARNING_DAYS), "error")
        return redirect(url_for("training.index"), 303)
    rules = training.TrainingRules(rules.courses, rules.validity_days, int(days) if days else rules.warning_days)
    chosen = parse_row_id(request.args.get("organisation_id")) if me.role is Role.ADMINISTRATOR else None
    registers = training.training_register(session=db, actor=me, now=utcnow(), rules=rules, organisation_id=chosen)
    organisations = training.register_organisations(session=db, actor=me) if me.role is Role.ADMINISTRATOR else []
    return render_template("training/index.html", registers=registers, days=rules.warning_days, chosen=chosen,
                           organisations=organisations, required=REQUIRED_COURSES)  # fmt: skip


@bp.route("/record", methods=["GET", "POST"])
def record() -> ResponseReturnValue:
    """Record a training one staff member completed; the register page shows it at once."""
    rules, me, db = _rules(), actor(), get_session()
    form = TrainingForm()
    form.set_choices(training.recordable_staff(session=db, actor=me), rules.courses)
    if not form.is_submitted():
        form.user_id.data = parse_row_id(request.args.get("user_id"))
    if form.validate_on_submit():
        new = training.NewTraining(user_id=form.user_id.data, course=form.course.data,
                                   completed_on=form.completed_on.data, trainer=form.trainer.data or "",
                                   expires_on=form.expires_on.data)  # fmt: skip
        try:
            done = training.record_training(session=db, actor=me, now=utcnow(), new=new, rules=rules)
        except InvalidInput as exc:
            db.rollback()
            for message in show_problems(form, exc.fields):
                flash(message, "error")
            return render_template("training/record.html", form=form), 422
        flash(_("Training recorded: %(course)s for %(name)s, valid until %(day)s.", course=course_label(done.course),
                name=done.user.display_name, day=day(done.expires_on)), "success")  # fmt: skip
        return redirect(url_for("training.staff", user_id=done.user_id), 303)
    return render_template("training/record.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/staff/<int:user_id>")
def staff(user_id: int) -> ResponseReturnValue:
    """Every training recorded for one staff member, newest first."""
    db, me = get_session(), actor()
    records = training.trainings_of(session=db, actor=me, user_id=user_id)
    person = training.staff_member(session=db, actor=me, user_id=user_id)
    return render_template("training/staff.html", person=person, records=records)
