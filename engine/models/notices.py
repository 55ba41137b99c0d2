"""Outbox tables (notices and their deliveries), notification preferences and scheduler status.

A ``Notice`` is one thing to tell (unique ``kind, subject, period``); a ``Delivery`` is that notice for
one recipient on one channel, retried with backoff until it is sent or has failed for good. The in-app
inbox is the ``inbox`` deliveries themselves (delivered when written; ``read_at`` marks them read).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime, enum_column
from engine.models.accounts import User


class Channel(enum.StrEnum):
    INBOX = "inbox"
    EMAIL = "email"
    CHAT = "chat"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry: shown to administrators
    CANCELLED = "cancelled"  # nothing to send to any more (no address, channel switched off)


class Notice(Base):
    """One notification, written in the transaction of its cause; the key makes writing it twice a no-op."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("kind", "subject", "period", name="uq_notices_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80))  # what it is about, e.g. "work_item:12"
    period: Mapped[str] = mapped_column(String(60))  # which period of reminders, e.g. "20261129T0300Z/0"
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    payload: Mapped[str] = mapped_column(Text)  # JSON: case codes, step titles, due dates; nothing identifying
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="notice", cascade="all, delete-orphan")


class Delivery(Base):
    """A notice for one recipient on one channel: the outbox row the delivery job works through."""

    __tablename__ = "notice_deliveries"
    __table_args__ = (
        UniqueConstraint("notice_id", "recipient_id", "channel", name="uq_notice_deliveries_target"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_notice_deliveries_due", "status", "next_attempt_at"),
        Index("ix_notice_deliveries_inbox", "recipient_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "notice_channel", 16))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, "delivery_status", 16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    notice: Mapped[Notice] = relationship(back_populates="deliveries")
    recipient: Mapped[User] = relationship()


class Preference(Base):
    """A user's choice of channels and digests; without a row the defaults below apply."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    email_address: Mapped[str | None] = mapped_column(String(254))  # else the account's address
    chat: Mapped[bool] = mapped_column(Boolean, default=False)
    chat_id: Mapped[str | None] = mapped_column(String(120))
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SchedulerJob(Base):
    """The last run of one scheduler job, for the administrators' status page."""

    __tablename__ = "scheduler_jobs"

    job_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_outcome: Mapped[str | None] = mapped_column(String(20))  # "ok" or "error"
    last_result: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_run_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SchedulerNode(Base):
    """A running scheduler process (``host:pid``): the active one holds the lock, others stand by."""

    __tablename__ = "scheduler_nodes"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
