"""Error pages (403, 404, 500 with rollback) and the mapping of ``DomainError`` to messages."""

from __future__ import annotations

import logging

from flask import Flask, flash, g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from engine import audit
from engine.errors import DomainError
from web.db import get_session, utcnow
from web.extensions import login_manager
from web.i18n import error_text
from web.security import UnstorableCharacter

log = logging.getLogger(__name__)


def _page(status: int, title: str, message: str) -> ResponseReturnValue:
    try:
        return render_template("errors/error.html", status=status, title=title, message=message), status
    except Exception as exc:  # noqa: BLE001 - the error page must not fail with the error it reports
        log.error("the error page could not be rendered: %s", type(exc).__name__)  # type only: no case data
        return escape(f"{status} {title}: {message}"), status, {"Content-Type": "text/plain; charset=utf-8"}


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    if status == 401:
        return redirect(url_for("auth.login", next=request.path))
    if status == 403:
        _audit_refusal()
    titles = {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Not allowed"), _("You do not have permission to see this page.")),
        404: (_("Not found"), _("There is no such page, or it is not yours to see.")),
        405: (_("Not allowed"), _("This action is not available here.")),
        413: (_("Too large"), _("The upload is too large.")),
    }
    title, message = titles.get(status, (_("Error"), _("Something went wrong.")))
    return _page(status, title, message)


def _unstorable_character(_exc: UnstorableCharacter) -> ResponseReturnValue:
    return _page(400, _("Bad request"), _("The form contained a character that cannot be saved (a NUL character). "
                                          "Remove it, or type the text again, and send it once more."))  # fmt: skip


def _csrf_error(_exc: CSRFError) -> ResponseReturnValue:
    return _page(
        400, _("Form expired"), _("The form was too old or incomplete. Go back, reload the page and try again.")
    )


def _domain_error(exc: DomainError) -> ResponseReturnValue:
    _rollback()
    if exc.status in (403, 404):
        _audit_refusal()
    if exc.status == 404:
        return _page(404, _("Not found"), _("There is no such page, or it is not yours to see."))
    if exc.status == 403:
        return _page(403, _("Not allowed"), _("You do not have permission to do this."))
    flash(error_text(exc), "error")
    return redirect(request.referrer or url_for("home.index")), 303


def _server_error(exc: Exception) -> ResponseReturnValue:
    _rollback()
    # The type only: messages may carry values from a case file.
    log.error("unhandled error on %s %s: %s", request.method, request.url_rule, type(exc).__name__)
    return _page(500, _("Server error"), _("Something went wrong on our side. Nothing was saved; please try again."))


def _database_unavailable(exc: Exception) -> ResponseReturnValue:
    _rollback()
    # The rest of this request must not ask the database again: the page is shown as to a visitor (no
    # account to load), in the language kept in the session since sign-in (web.i18n reads the flag).
    g.database_down = True
    login_manager._update_request_context_with_user()  # flask-login's own way to make the request anonymous
    log.error("the database is not answering on %s %s: %s", request.method, request.url_rule, type(exc).__name__)
    message = _("The database is not answering just now. Nothing was saved; please try again in a minute.")
    response = make_response(_page(503, _("Try again in a minute"), message))
    response.headers["Retry-After"] = "60"
    return response


def _audit_refusal() -> None:
    """A signed-in user was refused (a role's page, or a case outside their scope): the audit log says so,
    naming the route pattern and the case code at most."""
    if not current_user.is_authenticated:
        return
    rule = request.url_rule.rule if request.url_rule else "?"
    code = (request.view_args or {}).get("code")
    what = f"{request.method} {rule}" + (f" code={code}" if isinstance(code, str) else "")
    try:
        audit.record_refusal(session=get_session(), now=utcnow(), actor_id=int(current_user.get_id()), what=what[:200],
                             address=request.remote_addr)  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a refusal must still be answered if the log cannot be written
        _rollback()
        log.error("a refused access could not be audited: %s", type(exc).__name__)


def _rollback() -> None:
    session = g.get("db")
    if session is not None:
        session.rollback()


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(UnstorableCharacter, _unstorable_character)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(OperationalError, _database_unavailable)  # down, restarting, unreachable, busy
    app.register_error_handler(Exception, _server_error)
