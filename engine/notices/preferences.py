"""Per-user notification preferences: which channels, which digests, and where to send.

The in-app inbox cannot be switched off: it is the record of what the product told whom.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.errors import N_, InvalidInput
from engine.models.accounts import User
from engine.models.notices import Preference

_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")
_CHAT_ID = re.compile(r"[A-Za-z0-9_@.:+-]{1,120}")


@dataclass(frozen=True)
class Preferences:
    """A user's effective preferences (defaults filled in)."""

    email: bool = True
    email_address: str | None = None  # the address set here; ``None`` means the account's own
    chat: bool = False
    chat_id: str | None = None
    daily_digest: bool = True
    weekly_digest: bool = True

    def address(self, user: User) -> str | None:
        """Where e-mail for ``user`` goes, if anywhere."""
        return self.email_address or user.email or None


def _from_row(row: Preference | None) -> Preferences:
    if row is None:
        return Preferences()
    return Preferences(row.email, row.email_address, row.chat, row.chat_id, row.daily_digest, row.weekly_digest)


def get_preferences(*, session: Session, user: User) -> Preferences:
    """The effective preferences of ``user``."""
    return _from_row(session.get(Preference, user.id))


def preferences_for(*, session: Session, user_ids: Iterable[int]) -> dict[int, Preferences]:
    """Effective preferences of many users in one query (defaults for those without a row)."""
    ids = set(user_ids)
    rows = {p.user_id: p for p in session.scalars(select(Preference).where(Preference.user_id.in_(ids)))} if ids else {}
    return {uid: _from_row(rows.get(uid)) for uid in ids}


def set_preferences(*, session: Session, actor: User, now: dt.datetime, preferences: Preferences) -> Preferences:
    """Save ``actor``'s own preferences after checking the address and chat id."""
    address = (preferences.email_address or "").strip() or None
    chat_id = (preferences.chat_id or "").strip() or None
    errors = {}
    if address is not None and (len(address) > 254 or not _EMAIL.fullmatch(address)):
        errors["email_address"] = "Enter an e-mail address like name@example.org, or leave it empty."
    if chat_id is not None and not _CHAT_ID.fullmatch(chat_id):
        errors["chat_id"] = "A chat id is up to 120 letters, digits and the signs _ @ . : + -"
    if preferences.chat and chat_id is None:
        errors["chat_id"] = "Enter your chat id to receive messages in the chat app."
    if errors:
        raise InvalidInput(N_("Your preferences were not saved."), errors)
    with transaction(session):
        row = session.get(Preference, actor.id) or Preference(user_id=actor.id)
        row.email, row.email_address, row.chat, row.chat_id = preferences.email, address, preferences.chat, chat_id
        row.daily_digest, row.weekly_digest, row.updated_at = preferences.daily_digest, preferences.weekly_digest, now
        session.add(row)
        return _from_row(row)
