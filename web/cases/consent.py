"""The case's consent page: every consent recorded (valid, expired or withdrawn), recording a new one,
withdrawing one, and the case's transfers to DoSVY offices. Case staff of the case only (the cases
blueprint's guard, then the services' scope check).

Transfers themselves happen in the "Record case transfer" step of Type 2 follow-up, which checks these
consents (``engine.workflow.step_actions``).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.cases.service import get_case
from engine.clock import local_today
from engine.errors import InvalidInput
from engine.security.consent import (
    case_transfers,
    consent_form,
    get_consent,
    list_consents,
    parse_consent,
    parse_withdrawal,
    recipients,
    record_consent,
    withdraw_consent,
    withdrawal_form,
)
from engine.security.fields import FieldGroup
from web.auth.principal import actor
from web.db import get_session, utcnow
from web.i18n import error_text
from web.work import display


def consent_page(code: str) -> ResponseReturnValue:
    """List the case's consents and transfers; record a consent (POST)."""
    me, db, now = actor(), get_session(), utcnow()
    case = get_case(session=db, actor=me, code=code)
    lang = display.form_language()
    organisations = recipients(db, case)
    values: dict[str, str | list[str]] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = display.submitted(request.form)
        try:
            consent = parse_consent(raw=values, lang=lang, today=local_today(now), organisations=organisations)
            record_consent(session=db, actor=me, now=now, case=case, consent=consent, lang=lang)
        except InvalidInput as exc:
            errors = exc.fields or {"kind": error_text(exc)}
        else:
            flash(_("The consent is recorded."), "success")
            return redirect(url_for("cases.consent", code=code), 303)
    page = render_template(
        "cases/consent.html", case=case, consents=list_consents(session=db, actor=me, case=case, on=local_today(now)),
        transfers=case_transfers(session=db, actor=me, case=case), form=consent_form(), values=values, errors=errors,
        organisations=list(organisations.items()), groups=list(FieldGroup),
    )  # fmt: skip
    return page, 422 if errors else 200


def withdraw(code: str, consent_id: int) -> ResponseReturnValue:
    """Confirm that the survivor withdrew a consent (GET), then record the date and the reason (POST)."""
    me, db, now = actor(), get_session(), utcnow()
    case = get_case(session=db, actor=me, code=code)
    lang, today = display.form_language(), local_today(now)
    line = get_consent(session=db, actor=me, case=case, consent_id=consent_id, on=today)
    if line.record.withdrawn_on is not None:
        flash(_("This consent was already withdrawn. Nothing was changed."), "error")
        return redirect(url_for("cases.consent", code=code), 303)
    values: dict[str, str | list[str]] = {"withdrawn_on": today.isoformat()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = display.submitted(request.form)
        try:
            withdrawal = parse_withdrawal(raw=values, lang=lang, today=today)
            done = withdraw_consent(session=db, actor=me, now=now, consent_id=consent_id, withdrawal=withdrawal,
                                    case_id=case.id, lang=lang)  # fmt: skip
        except InvalidInput as exc:
            errors = exc.fields or {"reason": error_text(exc)}
        else:
            if done:
                flash(_("The consent is withdrawn: it no longer covers any share."), "success")
            else:
                flash(_("This consent was already withdrawn. Nothing was changed."), "error")
            return redirect(url_for("cases.consent", code=code), 303)
    page = render_template("cases/withdraw_consent.html", case=case, line=line, form=withdrawal_form(),
                           record_form=consent_form(), values=values, errors=errors)  # fmt: skip
    return page, 422 if errors else 200
