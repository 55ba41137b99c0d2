"""Routes of the privacy area: a case's photo (page, picture, upload, removal) and its publication
requests (list and request, decision, extract). Case codes only in URLs; never a name.

Caseworkers and supervisors only, guarded once; the services check the case's scope and every rule
again (another caseworker's case, or another team's, gives 404). The picture and the extract are never
cached; the extract is a download for the case's staff, never a public page.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge

from engine.cases.service import get_case
from engine.errors import InvalidInput, NotFound
from engine.models.accounts import Role
from engine.models.cases import Case
from engine.security import photos, publication
from engine.security.consent import ConsentMissing
from engine.security.fields import parse_groups
from web.auth.principal import actor, require_roles
from web.db import get_session, settings, utcnow
from web.i18n import error_text
from web.privacy.forms import DecisionForm, PhotoForm, PublicationForm, group_label

bp = Blueprint("privacy", __name__, url_prefix="/cases")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache", "X-Content-Type-Options": "nosniff"}
ARTICLE_49 = (
    "Article 49, Law on Suppression of Human Trafficking (2008): publish only what is here, only for the approved "
    "purpose, and nothing else that could reveal the survivor's identity."
)


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.CASEWORKER, Role.SUPERVISOR)


@bp.app_template_global()
def privacy_group_label(name: str) -> str:
    """The label of a field group, for the privacy pages."""
    return group_label(name)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> ResponseReturnValue:
    # Raised while the form is read (before the view): nothing was written, nothing to roll back.
    message = _("The file is too large: a photo may be at most %(mb)s MB.", mb=_limit_mb())
    return render_template("errors/error.html", status=413, title=_("Too large"), message=message), 413


def _limit_mb() -> str:
    limit = min(settings().photo_max_bytes, current_app.config.get("MAX_CONTENT_LENGTH") or settings().photo_max_bytes)
    return f"{limit / (1024 * 1024):.3g}"


def _case(code: str) -> Case:
    return get_case(session=get_session(), actor=actor(), code=code)


def _field_errors(form: FlaskForm, fields: dict[str, str]) -> None:
    """Show the service's refusals next to their fields (engine messages are English message ids)."""
    names = [f.name for f in form if f.type != "CSRFTokenField"]
    for name, message in fields.items():
        field = form[name] if name in names else form[names[-1]]
        field.errors = [*field.errors, _(message)]


def _status(form: FlaskForm) -> int:
    return 422 if any(f.errors for f in form) else 200


# --- the photo ---


def _photo_page(case: Case, form: PhotoForm) -> ResponseReturnValue:
    status = photos.photo_status(session=get_session(), actor=actor(), now=utcnow(), case=case)
    page = render_template("privacy/show.html", case=case, status=status, form=form, limit_mb=_limit_mb())
    return page, _status(form)


@bp.route("/<code>/privacy")
def show(code: str) -> ResponseReturnValue:
    """The case's photo (whether one is on file and may be shown, upload, removal) and the way to publication."""
    return _photo_page(_case(code), PhotoForm())


@bp.route("/<code>/photo")
def photo(code: str) -> ResponseReturnValue:
    """The photo itself, for the case's staff while its consent holds; every view is audited, nothing cached."""
    try:
        found = photos.read_photo(session=get_session(), actor=actor(), now=utcnow(), case=_case(code))
    except photos.NoPhoto as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("privacy.show", code=code), 303)
    response = Response(found.data, mimetype=found.content_type, headers=NO_STORE)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.route("/<code>/photo", methods=["POST"])
def upload_photo(code: str) -> ResponseReturnValue:
    """Upload (or replace) the photo: checked by content and size, metadata stripped, stored encrypted."""
    case, form = _case(code), PhotoForm()
    if form.validate_on_submit():
        limit = settings().photo_max_bytes
        try:
            photos.upload_photo(session=get_session(), actor=actor(), now=utcnow(), case=case,
                                data=form.photo.data.read(limit + 1), max_bytes=limit)  # fmt: skip
        except InvalidInput as exc:
            _field_errors(form, exc.fields)
        else:
            flash(_("The photo was saved. Its metadata (such as where it was taken) was removed."), "success")
            return redirect(url_for("privacy.show", code=code), 303)
    return _photo_page(case, form)


@bp.route("/<code>/photo/remove", methods=["POST"])
def remove_photo(code: str) -> ResponseReturnValue:
    """Delete the photo (for instance once the survivor withdrew the consent)."""
    try:
        photos.remove_photo(session=get_session(), actor=actor(), now=utcnow(), case=_case(code))
    except photos.NoPhoto as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("The photo was removed."), "success")
    return redirect(url_for("privacy.show", code=code), 303)


# --- publication ---


@bp.route("/<code>/publication", methods=["GET", "POST"])
def publication_requests(code: str) -> ResponseReturnValue:
    """The case's publication requests, and the form to ask for one (resting on a publication consent)."""
    me, db, now = actor(), get_session(), utcnow()
    case = _case(code)
    consents = publication.publication_consents(session=db, actor=me, now=now, case=case)
    form = PublicationForm()
    form.set_consents(consents)
    if form.validate_on_submit():
        try:
            row = publication.request_publication(session=db, actor=me, now=now, case=case,
                                                  consent_id=form.consent_id.data, purpose=form.purpose.data or "",
                                                  groups=parse_groups(",".join(form.groups.data)))  # fmt: skip
        except InvalidInput as exc:
            _field_errors(form, exc.fields)
        except ConsentMissing as exc:
            _field_errors(form, {"consent_id": error_text(exc)})
        else:
            flash(_("Publication request %(id)s was sent to a supervisor of the team.", id=row.id), "success")
            return redirect(url_for("privacy.publication_requests", code=code), 303)
    lines = publication.publication_requests(session=db, actor=me, case=case)
    page = render_template("privacy/publication.html", case=case, form=form, consents=consents, lines=lines)
    return page, _status(form)


def _line(case: Case, request_id: int) -> publication.RequestLine:
    lines = publication.publication_requests(session=get_session(), actor=actor(), case=case)
    found = next((line for line in lines if line.id == request_id), None)
    if found is None:
        raise NotFound(publication.NO_REQUEST)
    return found


def _back_to_requests(code: str, message: str) -> ResponseReturnValue:
    get_session().rollback()
    flash(_(message), "error")
    return redirect(url_for("privacy.publication_requests", code=code), 303)


@bp.route("/<code>/publication/<int:request_id>/decide", methods=["GET", "POST"])
def decide(code: str, request_id: int) -> ResponseReturnValue:
    """Approve or refuse a pending publication request (a supervisor of the team, not its requester)."""
    if actor().role is not Role.SUPERVISOR:
        abort(403)
    me, db = actor(), get_session()
    case = _case(code)
    line = _line(case, request_id)
    if line.status != "pending":
        return _back_to_requests(code, publication.ALREADY_DECIDED)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            publication.decide_publication(
                session=db, actor=me, now=utcnow(), case=case, request_id=request_id,
                approve=form.decision.data == "approve", reason=form.reason.data or "",
            )  # fmt: skip
        except InvalidInput as exc:
            _field_errors(form, exc.fields)
        except (publication.AlreadyDecided, publication.PublicationNotAllowed, ConsentMissing) as exc:
            return _back_to_requests(code, error_text(exc))
        else:
            flash(_("Approved.") if form.decision.data == "approve" else _("Refused."), "success")
            return redirect(url_for("privacy.publication_requests", code=code), 303)
    page = render_template("privacy/decide.html", case=case, line=line, form=form, own=line.requested_by_id == me.id)
    return page, _status(form)


@bp.route("/<code>/publication/<int:request_id>/extract")
def extract(code: str, request_id: int) -> ResponseReturnValue:
    """Download what an approved request lets out (JSON, or plain text with ``?format=text``); audited."""
    try:
        found = publication.publication_extract(session=get_session(), actor=actor(), now=utcnow(),
                                                case=_case(code), request_id=request_id)  # fmt: skip
    except (publication.PublicationNotAllowed, ConsentMissing) as exc:
        return _back_to_requests(code, error_text(exc))
    as_text = request.args.get("format") == "text"
    body = _as_text(found) if as_text else json.dumps(_as_json(found), ensure_ascii=False, indent=2) + "\n"
    response = Response(body, mimetype="text/plain" if as_text else "application/json", headers=NO_STORE)
    name = f"publication-{found.request_id}.{'txt' if as_text else 'json'}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _notes(found: publication.PublicationExtract) -> list[str]:
    notes = [_(ARTICLE_49)]
    if "photo" in found.groups:
        notes.append(_("The photo is never part of an export; the case's staff take it from the case's photo page."))
    return notes


def _as_json(found: publication.PublicationExtract) -> dict[str, Any]:
    return {"publication_request": found.request_id, "generated_at": found.generated_at.isoformat(),
            "groups": list(found.groups), "notes": _notes(found), "sections": found.sections}  # fmt: skip


def _as_text(found: publication.PublicationExtract) -> str:
    lines = [_("Publication request %(id)s", id=found.request_id), f"{found.generated_at.isoformat()}",
             ", ".join(group_label(g) for g in found.groups), *_notes(found), ""]  # fmt: skip
    for section, rows in found.sections.items():
        for number, row in enumerate(rows, start=1):
            lines.append(f"[{section}{f' {number}' if len(rows) > 1 else ''}]")
            lines.extend(f"{column}: {value}" for column, value in row.items())
            lines.append("")
    return "\n".join(lines)
