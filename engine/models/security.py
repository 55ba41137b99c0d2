"""Security tables: the hash-chained audit log, sign-in attempts per address, consent records, case
transfers to DoSVY offices, survivors' photos and publication requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ColumnElement, Date, ForeignKey, Index, Integer, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, EncryptedText, UTCDateTime


class AuditEvent(Base):
    """One line of the append-only audit log; ``hash`` chains it to the line before.

    ``detail`` names what was touched (a section, field names, a route), never a sensitive value.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(String(400), default="")
    address: Mapped[str | None] = mapped_column(String(64))  # keyed hash of the client address
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The single row holding the newest hash; locking it serialises appends to the chain."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class LoginAttempt(Base):
    """A failed sign-in from an address (keyed hash), for the per-address rate limit."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class ConsentRecord(Base):
    """A consent the survivor (or a guardian) gave: to services, to sharing with a named recipient for a
    purpose, to photos, to publication. Sharing, export, referral and transfer check these."""

    __tablename__ = "consent_records"
    __table_args__ = (
        CheckConstraint("kind IN ('services', 'data_sharing', 'photo', 'publication')", name="kind_known"),
        CheckConstraint("given_by IN ('survivor', 'guardian')", name="given_by_known"),
        CheckConstraint("method IN ('signature', 'thumbprint', 'verbal_with_witness')", name="method_known"),
        CheckConstraint("kind != 'data_sharing' OR recipient_org_id IS NOT NULL", name="sharing_names_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    purpose: Mapped[str | None] = mapped_column(EncryptedText)  # free text: may name the survivor's situation
    scope: Mapped[str] = mapped_column(String(200), default="")  # field groups the consent covers, comma-separated
    given_by: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(30))
    given_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(EncryptedText)  # in the survivor's words, maybe
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    @classmethod
    def valid_on(cls, on: dt.date | Any) -> ColumnElement[bool]:
        """SQL: the consent holds on the day ``on`` (a date, or a SQL date such as ``func.current_date()``):
        given by then, not expired, not withdrawn."""
        return and_(
            cls.given_on <= on,
            or_(cls.expires_on.is_(None), cls.expires_on > on),
            or_(cls.withdrawn_on.is_(None), cls.withdrawn_on > on),
        )

    def holds_on(self, on: dt.date) -> bool:
        """The same as :meth:`valid_on`, for a consent already loaded."""
        return (self.given_on <= on and (self.expires_on is None or self.expires_on > on)
                and (self.withdrawn_on is None or self.withdrawn_on > on))  # fmt: skip


class CaseTransfer(Base):
    """A case handed to a DoSVY office for Type 2 follow-up, with the field groups consent allowed."""

    __tablename__ = "case_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    to_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent_records.id"))
    field_groups: Mapped[str] = mapped_column(String(200))
    override_reason: Mapped[str | None] = mapped_column(EncryptedText)  # free text, the supervisor's words
    transferred_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    transferred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CasePhoto(Base):
    """The survivor's photo (at most one per case): a re-encoded JPEG without metadata, base64 and encrypted.

    Kept only for an adult with a signed release naming the use (``consent_id``, the consent it relied
    on); shown only to the case's staff while that consent stays valid; never in an export or report.
    """

    __tablename__ = "case_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    data: Mapped[str] = mapped_column(EncryptedText)
    content_type: Mapped[str] = mapped_column(String(40))
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent_records.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PublicationRequest(Base):
    """A request to publish parts of a case file (Article 49): the publication consent it rests on, the
    purpose, the field groups asked for, and the supervisor's decision."""

    __tablename__ = "publication_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status_known"),
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_has_decided_at"),
        CheckConstraint("length(field_groups) > 0", name="names_groups"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent_records.id"))
    purpose: Mapped[str] = mapped_column(EncryptedText)
    field_groups: Mapped[str] = mapped_column(String(200))  # comma-separated, a subset of the consent's scope
    status: Mapped[str] = mapped_column(String(20), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(EncryptedText)
