"""Administration of organisations (shelters, DoSVY offices, by province) and their teams.

The routes join the administration blueprint (administrators only, guarded once in ``before_request``);
the use cases check the role again and audit every change.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from engine.accounts import organisations as orgs
from engine.errors import InvalidInput
from engine.models.accounts import Organisation, OrganisationKind, Province
from web.admin.blueprint import bp
from web.admin.forms import KINDS, OrganisationForm, TeamForm, show_problems
from web.auth.principal import actor
from web.db import get_session, utcnow
from web.labels import province_name


def _provinces() -> list[tuple[str, str]]:
    """(code, name) of every province in the page's language, by name."""
    rows = get_session().scalars(select(Province))
    return sorted(((p.code, province_name(p)) for p in rows), key=lambda pair: pair[1])


def _organisation_form(organisation: Organisation | None = None) -> OrganisationForm:
    showing = organisation is not None and request.method == "GET"
    form = OrganisationForm(obj=organisation) if showing else OrganisationForm()
    form.province_code.choices = [SelectChoice("", _("— choose —")), *(SelectChoice(c, n) for c, n in _provinces())]
    if showing and organisation is not None:
        form.kind.data = organisation.kind.value
    return form


def _details(form: OrganisationForm) -> orgs.OrganisationDetails:
    return orgs.OrganisationDetails(name=form.name.data or "", kind=OrganisationKind(form.kind.data),
                                    province_code=form.province_code.data or "",
                                    mosvy_agreement_date=form.mosvy_agreement_date.data)  # fmt: skip


@bp.route("/organisations")
def organisations() -> ResponseReturnValue:
    """Every organisation by province, filtered by province or kind."""
    province = request.args.get("province") or None
    kind_value = request.args.get("kind") or None
    kind = OrganisationKind(kind_value) if kind_value in KINDS else None
    rows = orgs.list_organisations(session=get_session(), actor=actor(), province_code=province, kind=kind)
    return render_template("admin/organisations.html", rows=rows, provinces=_provinces(), kinds=KINDS,
                           province=province, kind=kind.value if kind else None)  # fmt: skip


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation() -> ResponseReturnValue:
    """Add a shelter or a DoSVY office."""
    form = _organisation_form()
    if form.validate_on_submit():
        try:
            org_id = orgs.create_organisation(session=get_session(), actor=actor(), now=utcnow(),
                                              details=_details(form))  # fmt: skip
        except InvalidInput as exc:
            get_session().rollback()
            show_problems(form, exc.fields)
            return render_template("admin/organisation_form.html", form=form, organisation=None), 422
        flash(_("The organisation was added."), "success")
        return redirect(url_for("admin.organisation", organisation_id=org_id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/organisation_form.html", form=form, organisation=None), status


@bp.route("/organisations/<int:organisation_id>")
def organisation(organisation_id: int) -> ResponseReturnValue:
    """An organisation, its teams, and the form to add a team (shelters only)."""
    found = orgs.get_organisation(session=get_session(), actor=actor(), organisation_id=organisation_id)
    return render_template("admin/organisation.html", organisation=found, kinds=KINDS, team_form=TeamForm(),
                           teams=sorted(found.teams, key=lambda t: t.name.lower()))  # fmt: skip


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit_organisation(organisation_id: int) -> ResponseReturnValue:
    """Change an organisation's name, kind, province, agreement date, or deactivate it."""
    found = orgs.get_organisation(session=get_session(), actor=actor(), organisation_id=organisation_id)
    form = _organisation_form(found)
    if form.validate_on_submit():
        try:
            orgs.update_organisation(session=get_session(), actor=actor(), now=utcnow(), organisation_id=found.id,
                                     details=_details(form), active=bool(form.active.data))  # fmt: skip
        except InvalidInput as exc:
            get_session().rollback()
            show_problems(form, exc.fields)
            return render_template("admin/organisation_form.html", form=form, organisation=found), 422
        flash(_("The organisation was saved."), "success")
        return redirect(url_for("admin.organisation", organisation_id=found.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/organisation_form.html", form=form, organisation=found), status


@bp.route("/organisations/<int:organisation_id>/teams", methods=["POST"])
def new_team(organisation_id: int) -> ResponseReturnValue:
    """Add a team to a shelter."""
    found = orgs.get_organisation(session=get_session(), actor=actor(), organisation_id=organisation_id)
    form = TeamForm()
    if form.validate_on_submit():
        try:
            orgs.create_team(session=get_session(), actor=actor(), now=utcnow(), organisation_id=found.id,
                             name=form.name.data or "")  # fmt: skip
        except InvalidInput as exc:
            get_session().rollback()
            show_problems(form, exc.fields)
        else:
            flash(_("The team was added."), "success")
            return redirect(url_for("admin.organisation", organisation_id=found.id), 303)
    return render_template("admin/organisation.html", organisation=found, kinds=KINDS, team_form=form,
                           teams=sorted(found.teams, key=lambda t: t.name.lower())), 422  # fmt: skip


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
def edit_team(team_id: int) -> ResponseReturnValue:
    """Rename a team."""
    team = orgs.get_team(session=get_session(), actor=actor(), team_id=team_id)
    form = TeamForm(obj=team) if request.method == "GET" else TeamForm()
    if form.validate_on_submit():
        try:
            orgs.rename_team(session=get_session(), actor=actor(), now=utcnow(), team_id=team.id,
                             name=form.name.data or "")  # fmt: skip
        except InvalidInput as exc:
            get_session().rollback()
            show_problems(form, exc.fields)
            return render_template("admin/team_form.html", form=form, team=team), 422
        flash(_("The team was saved."), "success")
        return redirect(url_for("admin.organisation", organisation_id=team.organisation_id), 303)
    if request.method == "POST":
        return render_template("admin/team_form.html", form=form, team=team), 422
    return render_template("admin/team_form.html", form=form, team=team)
