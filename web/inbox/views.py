"""The in-app inbox: every signed-in user's notifications, mark as read, and notification preferences."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import InvalidInput
from engine.notices.inbox import list_inbox, mark_all_read, mark_read, unread_count
from engine.notices.preferences import Preferences, get_preferences, set_preferences
from engine.workflow.returns import return_note_of
from notifications.messages import Message, render
from web import menu
from web.auth.principal import actor
from web.db import get_session, settings, utcnow
from web.i18n import error_text
from web.inbox.forms import PreferencesForm
from web.paging import page_number
from web.work.display import step_label

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
PAGE = 25


@bp.before_request
@login_required
def _guard() -> None:
    """Every signed-in user has an inbox; the routes below only ever touch the user's own messages."""


@bp.route("/")
def index() -> ResponseReturnValue:
    """The user's messages, newest first, rendered in the user's language."""
    page = page_number()
    me = actor()
    entries, total = list_inbox(session=get_session(), actor=me, limit=PAGE, offset=(page - 1) * PAGE)
    messages = [(entry, _render(entry.kind, entry.payload)) for entry in entries]
    return render_template("inbox/index.html", messages=messages, total=total, page=page,
                           pages=max((total + PAGE - 1) // PAGE, 1))  # fmt: skip


def _render(kind: str, payload: dict[str, Any]) -> Message:
    if kind == "returned":  # the comment lives in the encrypted step record, shown to those who may see the step
        note = return_note_of(session=get_session(), actor=actor(), work_item_id=payload.get("work_item_id"))
        payload = {**payload, "comment": note.comment if note else ""}
    return render(kind, payload, language=str(get_locale()), base_url="", recipient_role=actor().role.value,
                  channel="inbox", step_label=lambda title, _language: step_label(title))  # fmt: skip


@bp.route("/<int:entry_id>/read", methods=["POST"])
def read(entry_id: int) -> ResponseReturnValue:
    """Mark one message read."""
    mark_read(session=get_session(), actor=actor(), now=utcnow(), entry_id=entry_id)
    return redirect(url_for("inbox.index", page=page_number()), 303)


@bp.route("/read-all", methods=["POST"])
def read_all() -> ResponseReturnValue:
    """Mark every message read."""
    count = mark_all_read(session=get_session(), actor=actor(), now=utcnow())
    flash(ngettext("%(num)d message marked as read.", "%(num)d messages marked as read.", count), "success")
    return redirect(url_for("inbox.index"), 303)


@bp.route("/preferences", methods=["GET", "POST"])
def preferences() -> ResponseReturnValue:
    """Choose the channels and digests (the in-app inbox always receives everything)."""
    db, me = get_session(), actor()
    form = PreferencesForm(obj=get_preferences(session=db, user=me))
    if form.validate_on_submit():
        chosen = Preferences(email=form.email.data, email_address=form.email_address.data, chat=form.chat.data,
                             chat_id=form.chat_id.data, daily_digest=form.daily_digest.data,
                             weekly_digest=form.weekly_digest.data)  # fmt: skip
        try:
            set_preferences(session=db, actor=me, now=utcnow(), preferences=chosen)
        except InvalidInput as exc:
            db.rollback()
            for name, message in exc.fields.items():
                getattr(form, name).errors.append(_(message))
            flash(error_text(exc), "error")
            return render_template("inbox/preferences.html", form=form, channels=settings().channels), 422
        flash(_("Your notification preferences were saved."), "success")
        return redirect(url_for("inbox.preferences"), 303)
    return render_template("inbox/preferences.html", form=form, channels=settings().channels)


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    """Offer ``inbox_unread()`` to every template; only pages that show the navigation run the count."""

    def inbox_unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return menu.inbox_unread(lambda: unread_count(session=get_session(), actor=actor()))

    return {"inbox_unread": inbox_unread}
