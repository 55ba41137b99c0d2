"""The audit log is append-only in effect: any altered, deleted or inserted line is detected."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from engine import audit
from engine.accounts.passwords import make_hasher
from engine.accounts.service import LoginOutcome, authenticate
from engine.crypto import KeyRing, current_keyring, install_keyring
from engine.db import transaction
from engine.models.accounts import Role
from engine.models.security import AuditEvent
from tests.conftest import NOW, TEST_FERNET_KEY, TEST_INDEX_KEY


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
        current_keyring().sealing_keys[0],
        first.prev_hash,
        first.at,
        first.actor_id,
        "export",
        first.case_id,
        first.detail,
        first.address,
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


def _reseal_from(session, line_id: int, seal) -> None:
    """What someone with write access to the database but without the key would do: edit a line and
    recompute every later seal and the head with ``seal(prev, line)``."""
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    prev = audit.GENESIS
    with transaction(session):
        for row in rows:
            if row.id == line_id:
                row.detail = "section=medical"
            if row.id >= line_id:
                row.prev_hash, row.hash = prev, seal(prev, row)
            prev = row.hash
        session.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})


def _fields(row):
    return (row.at, row.actor_id, row.action, row.case_id, row.detail, row.address)


def test_an_edit_resealed_with_plain_sha256_is_detected(session):
    import hashlib
    import json

    _write(session)
    second = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[1]

    def sha256(prev, row):
        stamp = row.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        body = json.dumps([prev, stamp, row.actor_id, row.action, row.case_id, row.detail, row.address],
                          separators=(",", ":"), ensure_ascii=False)  # fmt: skip
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    _reseal_from(session, second, sha256)
    result = audit.verify(session=session)
    assert not result.ok
    assert f"line {second}: its content was altered" in result.problem


def test_an_edit_resealed_with_another_key_is_detected(session):
    _write(session)
    second = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[1]
    guessed = b"a-key-someone-guessed-that-is-not-ours-0000"
    _reseal_from(session, second, lambda prev, row: audit._digest(guessed, prev, *_fields(row)))
    assert not audit.verify(session=session).ok


def test_the_same_edit_resealed_with_our_key_passes_so_the_key_is_what_protects(session):
    _write(session)
    second = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[1]
    key = current_keyring().sealing_keys[0]
    _reseal_from(session, second, lambda prev, row: audit._digest(key, prev, *_fields(row)))
    assert audit.verify(session=session).ok  # the test above fails for the key alone, not for the edit


def test_after_rotation_new_lines_use_the_new_key_and_old_lines_still_verify(session, keyring):
    old_key, new_key = "audit-key-one-for-tests-only-0000000000", "audit-key-two-for-tests-only-0000000000"
    try:
        install_keyring(KeyRing(fernet_keys=(TEST_FERNET_KEY,), index_key=TEST_INDEX_KEY, audit_keys=(old_key,)))
        _write(session, 2)
        rotated = KeyRing(fernet_keys=(TEST_FERNET_KEY,), index_key=TEST_INDEX_KEY, audit_keys=(new_key, old_key))
        install_keyring(rotated)
        _write(session, 2)
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert last.hash == audit._digest(new_key.encode(), last.prev_hash, *_fields(last))
        assert audit.verify(session=session).ok
        install_keyring(KeyRing(fernet_keys=(TEST_FERNET_KEY,), index_key=TEST_INDEX_KEY, audit_keys=(new_key,)))
        result = audit.verify(session=session)
        assert not result.ok
        assert "not loaded" in result.problem
    finally:
        install_keyring(keyring)


def test_an_anchor_catches_the_newest_lines_deleted_and_the_head_moved_back(session):
    _write(session, 3)
    earlier = audit.anchor(session=session)
    _write(session, 2)
    kept = audit.anchor(session=session)
    with transaction(session):
        session.execute(text("DELETE FROM audit_events WHERE id > :i"), {"i": earlier.line_id})
        session.execute(text("UPDATE audit_head SET last_id = :i, last_hash = :h"),
                        {"i": earlier.line_id, "h": earlier.seal})  # fmt: skip
    assert audit.verify(session=session).ok  # without the anchor the truncation is invisible
    result = audit.verify(session=session, anchors=(earlier, kept))
    assert not result.ok
    assert f"line {kept.line_id}, recorded by an anchor, was deleted" in result.problem


def test_an_anchor_that_still_holds_verifies_and_parses_back(session):
    _write(session, 3)
    mark = audit.anchor(session=session)
    _write(session, 1)
    assert audit.verify(session=session, anchors=(audit.Anchor.parse(str(mark)),)).ok
    forged = audit.Anchor(mark.line_id, "f" * 64)
    assert "not the line the anchor recorded" in (audit.verify(session=session, anchors=(forged,)).problem or "")


def test_a_malformed_anchor_is_refused_with_its_expected_form():
    import pytest

    with pytest.raises(ValueError, match="1234:"):
        audit.Anchor.parse("twelve:abc")
