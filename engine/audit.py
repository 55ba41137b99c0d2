"""The append-only, hash-chained audit log, and its verification.

Every line's seal is an HMAC (keyed SHA-256) over its own fields and the previous line's seal, so
altering, inserting or deleting a line breaks the chain from there on; ``verify`` says where. The key
lives outside the database (:attr:`KeyRing.sealing_keys`), so someone who can write to the database
cannot edit a line and re-seal the lines after it. Deleting the newest lines and moving the head back
is caught by an anchor kept outside the database: ``reintegra audit anchor`` prints the head, and
``verify`` with that anchor checks the line is still there with the same seal. Appends lock the single
``audit_head`` row, which serialises writers so the chain never forks. Lines name what was touched
(a section, field names, an action), never a sensitive value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.crypto import current_keyring
from engine.db import blind_index, transaction
from engine.models.security import AuditEvent, AuditHead

GENESIS = "0" * 64


def _digest(key: bytes, prev_hash: str, at: dt.datetime, actor_id: int | None, action: str, case_id: int | None,
            detail: str, address: str | None) -> str:  # fmt: skip
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    body = json.dumps([prev_hash, stamp, actor_id, action, case_id, detail, address], separators=(",", ":"),
                      ensure_ascii=False)  # fmt: skip
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def record(
    *, session: Session, now: dt.datetime, actor_id: int | None, action: str, case_id: int | None = None,
    detail: str = "", address: str | None = None,
) -> AuditEvent:  # fmt: skip
    """Append one line inside the caller's transaction (so it is kept or dropped with the change)."""
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    hashed_address = blind_index(address) if address else None
    at = now.astimezone(dt.UTC)
    digest = _digest(current_keyring().sealing_keys[0], head.last_hash, at, actor_id, action, case_id, detail[:400],
                     hashed_address)  # fmt: skip
    event = AuditEvent(at=at, actor_id=actor_id, action=action, case_id=case_id, detail=detail[:400],
                       address=hashed_address, prev_hash=head.last_hash, hash=digest)  # fmt: skip
    session.add(event)
    session.flush()
    head.last_id, head.last_hash = event.id, digest
    return event


def record_refusal(*, session: Session, now: dt.datetime, actor_id: int, what: str, address: str | None) -> None:
    """Record, in a transaction of its own, that ``actor_id`` was refused ``what`` (a method and a route
    pattern, and a case code at most: never a value from a case file)."""
    with transaction(session):
        record(session=session, now=now, actor_id=actor_id, action="access_refused", detail=what, address=address)


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    problem: str | None = None


@dataclass(frozen=True)
class Anchor:
    """The head of the chain at some moment, kept outside the database (``<line id>:<seal>``)."""

    line_id: int
    seal: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        line, _, seal = text.strip().partition(":")
        if not line.isdigit() or len(seal) != 64:
            raise ValueError("an anchor looks like 1234:<64 hexadecimal characters>")
        return cls(int(line), seal.lower())

    def __str__(self) -> str:
        return f"{self.line_id}:{self.seal}"


def anchor(*, session: Session) -> Anchor:
    """The chain's head now, to be kept somewhere the database's writers cannot reach."""
    head = session.execute(select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)).first()
    return Anchor(0, GENESIS) if head is None else Anchor(head.last_id, head.last_hash)


def verify(*, session: Session, batch: int = 5000, anchors: tuple[Anchor, ...] = ()) -> Verification:
    """Walk the chain from the first line; report the first altered, inserted or missing line, and any
    ``anchors`` (heads recorded earlier) whose line is gone or sealed differently."""
    keys = current_keyring().sealing_keys
    expected = {a.line_id: a.seal for a in anchors if a.line_id}
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        # Plain columns, not entities: what the database holds now, never a cached object.
        rows = session.execute(
            select(AuditEvent.id, AuditEvent.at, AuditEvent.actor_id, AuditEvent.action, AuditEvent.case_id,
                   AuditEvent.detail, AuditEvent.address, AuditEvent.prev_hash, AuditEvent.hash)
            .where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()  # fmt: skip
        if not rows:
            break
        for line_id, at, actor_id, action, case_id, detail, address, prev_hash, line_hash in rows:
            if prev_hash != prev:
                return Verification(False, checked, f"line {line_id}: the line before it was altered or deleted")
            sealer = next((key for key in keys if hmac.compare_digest(
                _digest(key, prev, at, actor_id, action, case_id, detail, address), line_hash)), None)  # fmt: skip
            if sealer is None:
                return Verification(
                    False,
                    checked,
                    f"line {line_id}: its content was altered (or it was sealed with an audit key that is not loaded)",
                )
            if sealer is not keys[0]:  # the key that sealed this line most likely sealed the next: try it first
                keys = (sealer, *(key for key in keys if key is not sealer))
            if line_id in expected and expected.pop(line_id) != line_hash:
                return Verification(False, checked, f"line {line_id}: it is not the line the anchor recorded")
            prev, last_id, checked = line_hash, line_id, checked + 1
    head = session.execute(select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)).first()
    if head is not None and (head.last_hash != prev or head.last_id != last_id):
        return Verification(False, checked, f"the newest lines after line {last_id} were deleted")
    if expected:
        missing = min(expected)
        return Verification(False, checked, f"line {missing}, recorded by an anchor, was deleted")
    return Verification(True, checked)
