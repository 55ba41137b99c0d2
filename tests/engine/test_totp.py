"""One-time codes (RFC 6238) and two-factor sign-in for supervisors and administrators."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from engine.accounts import totp
from engine.accounts.passwords import make_hasher
from engine.accounts.service import (
    LoginOutcome,
    authenticate,
    begin_two_factor,
    confirm_two_factor,
    verify_second_factor,
)
from engine.errors import InvalidInput
from engine.models.accounts import Role
from tests.conftest import NOW

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(("seconds", "code"), [(59, "287082"), (1111111109, "081804"), (1234567890, "005924")])
def test_codes_match_the_rfc_6238_test_vectors(seconds, code):
    assert totp.code_at(RFC_SECRET, dt.datetime.fromtimestamp(seconds, dt.UTC)) == code


def test_a_code_from_the_previous_step_is_accepted_but_never_twice():
    now = dt.datetime.fromtimestamp(1234567890, dt.UTC)
    previous = totp.code_at(RFC_SECRET, now, -1)
    step = totp.matching_step(RFC_SECRET, previous, now, None)
    assert step is not None
    assert totp.matching_step(RFC_SECRET, previous, now, step) is None


def test_wrong_or_malformed_codes_are_refused():
    assert totp.matching_step(RFC_SECRET, "000000", NOW, None) is None or totp.code_at(RFC_SECRET, NOW) == "000000"
    assert totp.matching_step(RFC_SECRET, "12ab56", NOW, None) is None


def _sign_in(session, username, password="correct-horse-battery", now=NOW):
    return authenticate(session=session, hasher=make_hasher("fast"), now=now, username=username, password=password,
                        max_failed=6, lockout=dt.timedelta(minutes=30))  # fmt: skip


def test_a_supervisor_with_two_factor_needs_a_code_after_the_password(session, factory):
    supervisor = factory.user(Role.SUPERVISOR, factory.team(), username="sup.totp")
    begin_two_factor(session=session, actor=supervisor)
    confirm_two_factor(session=session, actor=supervisor, now=NOW, code=totp.code_at(supervisor.totp_secret, NOW))
    first = _sign_in(session, "sup.totp", now=NOW + dt.timedelta(minutes=2))
    assert first.outcome is LoginOutcome.SECOND_FACTOR
    later = NOW + dt.timedelta(minutes=2)
    wrong = verify_second_factor(session=session, now=later, user_id=supervisor.id, code="999999" if
                                 totp.code_at(supervisor.totp_secret, later) != "999999" else "111111",
                                 max_failed=6, lockout=dt.timedelta(minutes=30))  # fmt: skip
    assert wrong.outcome is LoginOutcome.BAD_CREDENTIALS
    right = verify_second_factor(session=session, now=later, user_id=supervisor.id,
                                 code=totp.code_at(supervisor.totp_secret, later), max_failed=6,
                                 lockout=dt.timedelta(minutes=30))  # fmt: skip
    assert right.outcome is LoginOutcome.OK


def test_two_factor_is_not_on_until_a_code_confirms_it(session, factory):
    supervisor = factory.user(Role.SUPERVISOR, factory.team(), username="sup.half")
    begin_two_factor(session=session, actor=supervisor)
    with pytest.raises(InvalidInput):
        confirm_two_factor(session=session, actor=supervisor, now=NOW, code="12345")
    assert _sign_in(session, "sup.half").outcome is LoginOutcome.OK


def test_caseworkers_are_not_offered_two_factor(session, factory):
    worker = factory.user(Role.CASEWORKER, factory.team())
    with pytest.raises(InvalidInput):
        begin_two_factor(session=session, actor=worker)
