"""Write notices to the outbox, once: the idempotency key, the recipients and their channels.

``add_notice`` is called inside the caller's transaction (the one that makes the change the notice is
about), so the notice exists exactly when its cause does. Writing the same key twice is a no-op, on
both backends, through ``INSERT ... ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.errors import N_
from engine.models.accounts import Role, User
from engine.models.notices import Channel, Delivery, DeliveryStatus, Notice
from engine.models.security import CaseTransfer
from engine.notices.preferences import Preferences, preferences_for
from engine.notices.rules import Rules

Key = tuple[str, str, str]  # (kind, subject, period)


@dataclass(frozen=True)
class Report:
    """What one run of a job did, for its status line: messages marked for translation, values apart.

    ``summary()`` is the English line for the logs; ``record()`` is what the status page keeps, so that
    it can say the same line again in each administrator's language."""

    created: int = 0
    failed: int = 0
    detail: str = ""  # a message with %(name)s placeholders filled from ``params``
    label: str = N_("%(count)s new")  # what ``created`` counts: new notices, messages sent, instances advanced
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self, say: Callable[..., str] = lambda message, **params: message % params) -> str:
        """The status line; ``say(message, **params)`` puts each part in words (English by default; the
        status page passes its gettext)."""
        text = say(self.label, count=self.created) + (", " + say(FAILED, count=self.failed) if self.failed else "")
        return f"{text}; {say(self.detail, **self.params)}" if self.detail else text

    def record(self) -> str:
        """The run as the status page stores it (JSON), or its English summary if that would not fit."""
        kept = json.dumps({"created": self.created, "failed": self.failed, "label": self.label,
                           "detail": self.detail, "params": self.params}, ensure_ascii=False)  # fmt: skip
        return kept if len(kept) <= RESULT_LENGTH else self.summary()[:RESULT_LENGTH]

    @classmethod
    def from_record(cls, stored: str | None) -> Report | None:
        """The run ``record()`` stored, or None for a line stored as plain text (or nothing)."""
        try:
            data = json.loads(stored or "")
            return cls(int(data["created"]), int(data["failed"]), str(data["detail"]), str(data["label"]),
                       dict(data["params"]))  # fmt: skip
        except (ValueError, TypeError, KeyError):
            return None


RESULT_LENGTH = 200  # scheduler_jobs.last_result
FAILED = N_("%(count)s failed")


def existing_keys(session: Session, keys: Iterable[Key]) -> set[Key]:
    """Which of ``keys`` are in the outbox already (one query per few hundred keys)."""
    wanted = list(dict.fromkeys(keys))
    found: set[Key] = set()
    for start in range(0, len(wanted), 300):
        chunk = wanted[start : start + 300]
        rows = session.execute(
            select(Notice.kind, Notice.subject, Notice.period).where(
                tuple_(Notice.kind, Notice.subject, Notice.period).in_(chunk)
            )
        )
        found.update((kind, subject, period) for kind, subject, period in rows)
    return found


def add_notice(
    session: Session, *, key: Key, case_id: int | None, payload: dict[str, Any], recipients: Sequence[User],
    rules: Rules, now: dt.datetime,
) -> bool:  # fmt: skip
    """Queue one notice for ``recipients`` unless its key exists; return whether it was written."""
    people = {u.id: u for u in recipients if u.active}
    if not people:
        return False
    kind, subject, period = key
    values = {"kind": kind, "subject": subject, "period": period, "case_id": case_id, "created_at": now,
              "payload": json.dumps(payload, sort_keys=True, ensure_ascii=False)}  # fmt: skip
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    notice_id = session.execute(
        insert(Notice).values(**values).on_conflict_do_nothing(index_elements=["kind", "subject", "period"])
        .returning(Notice.id)
    ).scalar_one_or_none()  # fmt: skip
    if notice_id is None:
        return False
    prefs = preferences_for(session=session, user_ids=people)
    for user in people.values():
        for channel in channels_for(user, prefs[user.id], rules):
            inbox = channel is Channel.INBOX
            session.add(Delivery(
                notice_id=notice_id, recipient_id=user.id, channel=channel, attempts=0, created_at=now,
                status=DeliveryStatus.SENT if inbox else DeliveryStatus.PENDING,
                sent_at=now if inbox else None, next_attempt_at=None if inbox else now,
            ))  # fmt: skip
    return True


def channels_for(user: User, prefs: Preferences, rules: Rules) -> list[Channel]:
    """The channels a notice for ``user`` goes out on: the inbox, plus what is configured and chosen."""
    chosen = [Channel.INBOX]
    if Channel.EMAIL in rules.channels and prefs.email and prefs.address(user):
        chosen.append(Channel.EMAIL)
    if Channel.CHAT in rules.channels and prefs.chat and prefs.chat_id:
        chosen.append(Channel.CHAT)
    return chosen


def team_members(session: Session, *, team_id: int | None, role: Role) -> list[User]:
    """Active users with ``role`` in ``team_id`` (``None``: every active user with ``role``)."""
    query = select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return list(session.scalars(query))


def office_officers(session: Session, *, case_id: int) -> list[User]:
    """Active DoSVY officers of the office ``case_id`` is transferred to (none when it is not)."""
    offices = select(CaseTransfer.to_org_id).where(CaseTransfer.case_id == case_id, CaseTransfer.ended_at.is_(None))
    query = select(User).where(User.role == Role.DOSVY_OFFICER, User.active.is_(True),
                               User.organisation_id.in_(offices)).order_by(User.id)  # fmt: skip
    return list(session.scalars(query))
