"""Account tables: provinces, organisations, teams, users."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, EncryptedText, UTCDateTime, enum_column


class Role(enum.StrEnum):
    """What a user does; decides what they may see and do."""

    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    DOSVY_OFFICER = "dosvy_officer"
    REPORTING = "reporting"


class OrganisationKind(enum.StrEnum):
    GOVERNMENT_SHELTER = "government_shelter"
    NGO_SHELTER = "ngo_shelter"
    DOSVY_OFFICE = "dosvy_office"


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(80), unique=True)
    name_km: Mapped[str | None] = mapped_column(String(80))


class Organisation(Base):
    """A shelter (government, or NGO with a MoSVY agreement) or a provincial DoSVY office."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kind != 'ngo_shelter' OR mosvy_agreement_date IS NOT NULL", name="ngo_has_agreement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    mosvy_agreement_date: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    province: Mapped[Province] = relationship()
    teams: Mapped[list[Team]] = relationship(back_populates="organisation")


class Team(Base):
    """A group of caseworkers under a supervisor, inside one organisation."""

    __tablename__ = "teams"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    organisation: Mapped[Organisation] = relationship(back_populates="teams")


class User(Base):
    """A person who signs in. Staff names are not survivor data and are stored in clear."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
        CheckConstraint("language IN ('en', 'km')", name="language_known"),
        CheckConstraint("length(username) >= 3", name="username_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(2), default="en")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Set by an administrator's password reset: every page leads to "choose a new password" until done.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Raised when the password is reset or changed: a browser session signed in under an older value ends.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    organisation: Mapped[Organisation | None] = relationship()
    team: Mapped[Team | None] = relationship()


class TrainingRecord(Base):
    """A course a staff member completed (the seed asks for UDHR and Minimum Standards training).

    ``course`` is a key from the configured list (engine.config.STANDARD_COURSES); the trainer's name is free
    text and kept encrypted. The newest expiry of a course is the one that counts.
    """

    __tablename__ = "training_records"
    __table_args__ = (CheckConstraint("expires_on > completed_on", name="expires_after_completion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(80))
    completed_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    trainer: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
