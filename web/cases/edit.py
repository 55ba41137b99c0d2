"""Forms of the case area: open a case (admission), edit a case-file section, add or edit a family member.

Each POST calls one service; bad input comes back next to the fields (status 422) with nothing
written, and an edit that crossed someone else's shows their version is newer (status 409) while
keeping what was typed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.cases.sections import (
    SectionView,
    open_case_file,
    parse_admission,
    read_family_member,
    read_section,
    save_family_member,
    section_form,
    update_section,
)
from engine.errors import ConcurrentChange, InvalidInput
from engine.models.accounts import Role
from engine.workflow.service import admit_case
from engine.workflow.team_views import team_members
from web.auth.principal import actor
from web.db import get_session, settings, utcnow
from web.i18n import error_text
from web.labels import SECTIONS
from web.paging import parse_row_id
from web.work import display

Values = dict[str, str | list[str]]
Save = Callable[[Values, str], SectionView]


def new_case() -> ResponseReturnValue:
    """Open a case at admission; a caseworker opens it for themself, a supervisor may choose the caseworker."""
    me, db = actor(), get_session()
    workers = team_members(session=db, actor=me, role=Role.CASEWORKER) if me.role is Role.SUPERVISOR else []
    values: dict[str, str | list[str]] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = display.submitted(request.form)
        chosen = request.form.get("caseworker_id", "")
        try:
            survivor = parse_admission(raw=values, lang=display.form_language(), now=utcnow())
            case = admit_case(session=db, runtime=display.runtime(), actor=me, now=utcnow(), team_id=me.team_id or 0,
                              survivor=survivor, caseworker_id=parse_row_id(chosen),
                              code_prefix=settings().case_code_prefix)  # fmt: skip
        except InvalidInput as exc:
            errors = {name: _(text) for name, text in exc.fields.items()} or {"given_name_latin": error_text(exc)}
        else:
            flash(_("Case %(code)s is open. Its first steps are waiting in My work.", code=case.code), "success")
            return redirect(url_for("cases.show", code=case.code), 303)
    page = render_template("cases/new.html", form=section_form("admission"), values=values, errors=errors,
                           workers=workers, chosen=request.form.get("caseworker_id", ""))  # fmt: skip
    return page, 422 if errors else 200


def edit_section(code: str, key: str) -> ResponseReturnValue:
    """Edit one section of the case file (identity, history, family assessment, case plan, medical, ...)."""
    db, me = get_session(), actor()
    view = read_section(session=db, actor=me, code=code, key=key)
    title = str(SECTIONS.get(key, key))

    def save(raw: Values, token: str) -> SectionView:
        lang = display.form_language()
        return update_section(session=db, actor=me, now=utcnow(), code=code, key=key, raw=raw, token=token, lang=lang)

    return _edit(code, view, title, title, save)


def edit_family_member(code: str, member_id: int | None = None) -> ResponseReturnValue:
    """Add a family member (parents, siblings, relatives) or change one."""
    db, me = get_session(), actor()
    view = read_family_member(session=db, actor=me, code=code, member_id=member_id)
    title = _("Add a family member") if member_id is None else _("Edit a family member")

    def save(raw: Values, token: str) -> SectionView:
        lang = display.form_language()
        return save_family_member(session=db, actor=me, now=utcnow(), code=code, member_id=member_id, raw=raw,
                                  token=token, lang=lang)  # fmt: skip

    return _edit(code, view, title, str(SECTIONS["family_members"]), save)


def _edit(code: str, view: SectionView, title: str, section: str, save: Save) -> ResponseReturnValue:
    values, errors, conflict, status, token = view.values, {}, None, 200, view.token
    if request.method == "POST":
        values = display.submitted(request.form)
        try:
            save(values, request.form.get("loaded_token", ""))
        except InvalidInput as exc:  # keep the version the user started from: a later save still detects a crossing
            errors, status, token = exc.fields, 422, request.form.get("loaded_token", "")
        except ConcurrentChange:
            conflict, status = _("Someone else changed this section while you were editing. Nothing was saved. "
                                 "Your entries are shown below: check the case page for the other changes; "
                                 "saving again replaces them."), 409  # fmt: skip
        else:
            flash(_("Saved: %(section)s of case %(code)s.", section=section, code=code), "success")
            anchor = "section-family_members" if view.key == "family_member" else f"section-{view.key}"
            return redirect(url_for("cases.show", code=code, _anchor=anchor), 303)
    case = open_case_file(session=get_session(), actor=actor(), code=code)
    return render_template("cases/edit.html", case=case, view=view, title=title, values=values, errors=errors,
                           conflict=conflict, token=token), status  # fmt: skip


ROUTES: tuple[tuple[str, str, Callable[..., ResponseReturnValue]], ...] = (
    ("/new", "new", new_case),
    ("/<code>/sections/<key>", "edit_section", edit_section),
    ("/<code>/family/new", "add_family_member", edit_family_member),
    ("/<code>/family/<int:member_id>", "edit_family_member", edit_family_member),
)
