"""The audit log is append-only in effect: any altered, deleted or inserted line is detected."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from engine.accounts.models import Role
from engine.accounts.passwords import make_hasher
from engine.accounts.service import LoginOutcome, authenticate
from engine.db import transaction
from engine.security import audit
from engine.security.models import AuditEvent
from tests.conftest import NOW


def _write(session, n=5):
    with transaction(session):
        for i in range(n):
            audit.record(session=session, now=NOW + dt.timedelta(seconds=i), actor_id=None, action="view_section",
                         detail=f"section=identity #{i}")  # fmt: skip


def test_an_untouched_chain_verifies(session):
    _write(session)
    result = audit.verify(session=session)
    assert result.ok
    assert result.checked == 5


def test_an_empty_log_verifies(session):
    assert audit.verify(session=session).ok


def test_an_altered_line_is_detected(session):
    _write(session)
    with transaction(session):
        session.execute(
            text("UPDATE audit_events SET detail = 'section=medical' WHERE id = (SELECT MIN(id) + 2 FROM audit_events)")
        )
    result = audit.verify(session=session)
    assert not result.ok
    assert "content was altered" in result.problem


def test_a_deleted_line_in_the_middle_is_detected(session):
    _write(session)
    with transaction(session):
        session.execute(text("DELETE FROM audit_events WHERE id = (SELECT MIN(id) + 1 FROM audit_events)"))
    result = audit.verify(session=session)
    assert not result.ok
    assert "altered or deleted" in result.problem


def test_deleting_the_newest_lines_is_detected(session):
    _write(session)
    with transaction(session):
        session.execute(text("DELETE FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)"))
    result = audit.verify(session=session)
    assert not result.ok
    assert "newest lines" in result.problem


def test_a_forged_line_with_a_recomputed_hash_still_breaks_the_chain(session):
    _write(session, 3)
    first = session.scalar(select(AuditEvent).order_by(AuditEvent.id))
    forged = audit._digest(
        first.prev_hash, first.at, first.actor_id, "export", first.case_id, first.detail, first.address
    )
    with transaction(session):
        session.execute(
            text("UPDATE audit_events SET action = 'export', hash = :h WHERE id = :i"), {"h": forged, "i": first.id}
        )
    assert not audit.verify(session=session).ok


def test_sign_ins_and_failures_are_audited_without_the_address_in_clear(session, factory):
    factory.user(Role.CASEWORKER, factory.team(), username="cw.audit")
    hasher = make_hasher("fast")
    common = {"session": session, "hasher": hasher, "now": NOW, "username": "cw.audit", "max_failed": 6,
              "lockout": dt.timedelta(minutes=30), "address": "192.0.2.7"}  # fmt: skip
    assert authenticate(password="wrong-password-1", **common).outcome is LoginOutcome.BAD_CREDENTIALS
    assert authenticate(password="correct-horse-battery", **common).outcome is LoginOutcome.OK
    rows = session.execute(
        select(AuditEvent.action, AuditEvent.address).where(AuditEvent.action.like("login%")).order_by(AuditEvent.id)
    ).all()
    assert [a for a, _ in rows] == ["login_failed", "login"]
    assert all(address and "192.0.2.7" not in address for _, address in rows)
    assert audit.verify(session=session).ok


def test_many_failures_from_one_address_are_rate_limited_across_accounts(session, factory):
    team = factory.team()
    for name in ("cw.rate1", "cw.rate2"):
        factory.user(Role.CASEWORKER, team, username=name)
    hasher = make_hasher("fast")
    common = {"session": session, "hasher": hasher, "max_failed": 6, "lockout": dt.timedelta(minutes=30),
              "address": "198.51.100.9", "address_limit": 4}  # fmt: skip
    for i in range(4):
        authenticate(now=NOW, username=f"cw.rate{i % 2 + 1}", password="wrong-pass-00", **common)
    result = authenticate(now=NOW, username="cw.rate1", password="correct-horse-battery", **common)
    assert result.outcome is LoginOutcome.RATE_LIMITED
    later = authenticate(
        now=NOW + dt.timedelta(minutes=16), username="cw.rate1", password="correct-horse-battery", **common
    )
    assert later.outcome is LoginOutcome.OK
