"""The in-app inbox: a user's own ``inbox`` deliveries, newest first, with an unread count."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Select, func, select, update
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.errors import N_, InvalidInput, NotFound
from engine.models.accounts import User
from engine.models.notices import Channel, Delivery, Notice


@dataclass(frozen=True)
class InboxEntry:
    """One message in a user's inbox (rendered by the caller in the reader's language)."""

    id: int
    kind: str
    payload: dict[str, Any]
    created_at: dt.datetime
    read_at: dt.datetime | None


def _mine(actor: User) -> Any:
    return _inbox_of(actor.id)


def _inbox_of(recipient_id: int | BindParameter[Any]) -> Any:
    return (Delivery.recipient_id == recipient_id) & (Delivery.channel == Channel.INBOX)


def list_inbox(*, session: Session, actor: User, limit: int = 50, offset: int = 0) -> tuple[list[InboxEntry], int]:
    """One page of ``actor``'s messages, newest first, and how many there are in all."""
    if limit < 1 or offset < 0:
        raise InvalidInput(N_("Invalid page."))
    total = session.scalar(select(func.count()).select_from(Delivery).where(_mine(actor))) or 0
    rows = session.execute(
        select(Delivery.id, Notice.kind, Notice.payload, Delivery.created_at, Delivery.read_at)
        .join(Notice, Notice.id == Delivery.notice_id).where(_mine(actor))
        .order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(limit).offset(offset)
    ).all()  # fmt: skip
    return [InboxEntry(i, kind, json.loads(payload), at, read) for i, kind, payload, at, read in rows], total


def unread_count(*, session: Session, actor: User) -> int:
    """How many of ``actor``'s messages are unread (one indexed count)."""
    return session.scalar(unread_statement(actor.id)) or 0


def unread_statement(recipient_id: int | BindParameter[Any]) -> Select[int]:
    """The count of :func:`unread_count` as a statement, for a caller that sends it inside one of its own
    (``recipient_id`` may be a bound parameter of a statement built once and reused)."""
    return select(func.count()).select_from(Delivery).where(_inbox_of(recipient_id), Delivery.read_at.is_(None))


def mark_read(*, session: Session, actor: User, now: dt.datetime, entry_id: int) -> None:
    """Mark one of ``actor``'s own messages read (someone else's is ``NotFound``)."""
    with transaction(session):
        delivery = session.get(Delivery, entry_id)
        if delivery is None or delivery.recipient_id != actor.id or delivery.channel is not Channel.INBOX:
            raise NotFound(N_("There is no such message."))
        if delivery.read_at is None:
            delivery.read_at = now


def mark_all_read(*, session: Session, actor: User, now: dt.datetime) -> int:
    """Mark every unread message of ``actor`` read; return how many."""
    with transaction(session):
        result = session.execute(
            update(Delivery).where(_mine(actor), Delivery.read_at.is_(None)).values(read_at=now)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        return int(getattr(result, "rowcount", 0) or 0)
