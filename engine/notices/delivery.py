"""Deliver the outbox: claim due deliveries, hand each to ``send``, record the outcome with backoff.

Sending happens outside any transaction (a slow mail server must not hold a database lock): a short
transaction claims a batch by moving its ``next_attempt_at`` a lease into the future (with ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL), then each result is written in its own short transaction. A crash between
the two leaves the claim to expire, so a message is sent at least once, never lost. After the last retry a
delivery is ``failed`` and shows on the administrators' status page.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.errors import N_
from engine.models.accounts import User
from engine.models.notices import Channel, Delivery, DeliveryStatus, Notice
from engine.notices.outbox import Report
from engine.notices.preferences import preferences_for
from engine.notices.rules import Rules

LEASE = dt.timedelta(minutes=10)


class ChannelUnavailable(Exception):
    """The channel itself is down (server unreachable): the rest of the batch on it waits for the retry."""


@dataclass(frozen=True)
class Outgoing:
    """One message to send: everything a channel needs, nothing it may not show."""

    delivery_id: int
    channel: Channel
    address: str  # an e-mail address or a chat id
    language: str
    recipient_role: str
    kind: str
    payload: dict[str, Any]


def deliver_due_notices(
    *,
    session: Session,
    now: dt.datetime,
    rules: Rules,
    send: Callable[[Outgoing], None],
    limit: int = 100,
    persist: Callable[[Callable[[], None]], None] = lambda write: write(),
) -> Report:
    """Send up to ``limit`` due deliveries through ``send``; failures are retried later with backoff.

    Each outcome is written through ``persist`` (the scheduler's: it tries again through a database outage),
    so that a message sent while the database stopped answering is recorded once it answers, not sent twice."""
    batch = _claim(session, now, rules, limit)
    sent = failed = 0
    down: dict[Channel, str] = {}
    for out in batch:
        error = down.get(out.channel)
        if error is None:
            try:
                send(out)
            except ChannelUnavailable as exc:
                error = down[out.channel] = _describe(exc)
            except Exception as exc:  # noqa: BLE001 - any failure of one message is recorded and retried
                error = _describe(exc)
        persist(functools.partial(_record, session, out.delivery_id, error, now, rules))
        sent, failed = (sent + 1, failed) if error is None else (sent, failed + 1)
    if down:
        return Report(sent, failed, detail=N_("%(count)s due; unreachable: %(channels)s"), label=N_("%(count)s sent"),
                      params={"count": len(batch), "channels": ", ".join(down)})  # fmt: skip
    return Report(sent, failed, detail=N_("%(count)s due"), label=N_("%(count)s sent"), params={"count": len(batch)})


def _record(session: Session, delivery_id: int, error: str | None, now: dt.datetime, rules: Rules) -> None:
    """Write one delivery's outcome: sent, or failed with the next attempt after backoff (or given up)."""
    with transaction(session):
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None, "a claimed delivery is never deleted while it is being sent"
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
            return
        delivery.last_error = error
        if delivery.attempts >= rules.max_attempts:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + rules.retry_delay(delivery.attempts)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _claim(session: Session, now: dt.datetime, rules: Rules, limit: int) -> list[Outgoing]:
    with transaction(session):
        query = (
            select(Delivery, Notice, User).join(Notice, Notice.id == Delivery.notice_id)
            .join(User, User.id == Delivery.recipient_id)
            .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
        )  # fmt: skip
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Delivery)
        rows = session.execute(query).all()
        prefs = preferences_for(session=session, user_ids={user.id for _d, _n, user in rows})
        batch = []
        for delivery, notice, user in rows:
            pref = prefs[user.id]
            address = pref.address(user) if delivery.channel is Channel.EMAIL else pref.chat_id
            wanted = pref.email if delivery.channel is Channel.EMAIL else pref.chat
            if not user.active or not wanted or not address or delivery.channel.value not in rules.channels:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.CANCELLED, None
                delivery.last_error = "channel switched off or no address for this recipient"
                continue
            delivery.next_attempt_at = now + LEASE
            batch.append(Outgoing(delivery.id, delivery.channel, address, user.language, user.role.value,
                                  notice.kind, json.loads(notice.payload)))  # fmt: skip
        return batch
