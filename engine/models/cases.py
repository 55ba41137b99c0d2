"""The case and its case file, one table per seed item (1-5), each section stamped for staleness.

Clear columns hold only what lists, gateways and de-identified reports need (code, phase, status, risk,
coarse categories); every name, date of birth, address, narrative and health or psychological note is
an encrypted column. ``updated_at``/``updated_by_id`` on each section drive record-update reminders.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, relationship

from engine.crypto import current_keyring
from engine.db import Base, BlindIndex, EncryptedDate, EncryptedText, UTCDateTime, enum_column
from engine.models.accounts import Team, User
from engine.names import name_tokens


class Phase(enum.StrEnum):
    """Directive 009's phases, then closure."""

    PRE_REINTEGRATION = "pre_reintegration"
    REINTEGRATION = "reintegration"
    FOLLOW_UP_1 = "follow_up_1"
    FOLLOW_UP_2 = "follow_up_2"
    CLOSURE = "closure"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    LOST_CONTACT = "lost_contact"
    CLOSED = "closed"


class RiskLevel(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class SafetyRating(enum.StrEnum):
    SAFE = "safe"
    SAFE_WITH_SUPPORT = "safe_with_support"
    UNSAFE = "unsafe"


class Case(Base):
    """A survivor's case, known everywhere outside the case file by its non-identifying code."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("length(code) >= 4", name="code_not_empty"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_closed_at"),
        # A team's cases by status and phase, with the code: the dashboard's counts read no table rows.
        Index("ix_cases_team_status", "team_id", "status", "phase", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "phase"), index=True)
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_status"), index=True)
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_column(RiskLevel, "risk_level"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))  # indexed first in ix_cases_team_status
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rev: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": rev}  # noqa: RUF012 - SQLAlchemy reads it once, at mapping

    team: Mapped[Team] = relationship()
    caseworker: Mapped[User | None] = relationship()


class _Section:
    """Columns every case-file section carries: its case and who last changed it, when."""

    @declared_attr
    def case_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(ForeignKey("users.id"))

    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Identity(_Section, Base):
    """Seed item 1 (and admission details): names in Khmer and Latin script, alias, photo, birth."""

    __tablename__ = "case_identities"
    __table_args__ = (
        UniqueConstraint("case_id"),
        CheckConstraint("given_name_latin IS NOT NULL OR given_name_km IS NOT NULL", name="has_a_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name_km: Mapped[str | None] = mapped_column(EncryptedText)
    family_name_km: Mapped[str | None] = mapped_column(EncryptedText)
    given_name_latin: Mapped[str | None] = mapped_column(EncryptedText)
    family_name_latin: Mapped[str | None] = mapped_column(EncryptedText)
    alias: Mapped[str | None] = mapped_column(EncryptedText)
    name_index: Mapped[str | None] = mapped_column(BlindIndex, index=True)
    photo_ref: Mapped[str | None] = mapped_column(EncryptedText)
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, "sex"))
    date_of_birth: Mapped[dt.date | None] = mapped_column(EncryptedDate)
    place_of_birth: Mapped[str | None] = mapped_column(EncryptedText)

    name_tokens: Mapped[list[NameToken]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


NAME_COLUMNS = ("given_name_km", "family_name_km", "given_name_latin", "family_name_latin", "alias")


class NameToken(Base):
    """The keyed hash of one normalised token of a survivor's names (``engine.names``), so a name is
    found without decrypting any. Never written by hand: the flush hook below keeps an identity's tokens
    in step with its names, whatever code writes them; ``reintegra reindex`` rebuilds them all.
    ``case_id`` repeats the identity's so a search reads this table alone."""

    __tablename__ = "case_name_tokens"
    __table_args__ = (
        UniqueConstraint("identity_id", "token"),
        Index("ix_case_name_tokens_token_case", "token", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("case_identities.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(BlindIndex)


def index_identity(identity: Identity) -> None:
    """Bring the blind index and the search tokens of ``identity`` in line with its names."""
    ring = current_keyring()
    latin = " ".join(filter(None, [identity.given_name_latin, identity.family_name_latin]))
    identity.name_index = ring.blind_index(latin) if latin.strip() else None
    wanted = {ring.token_hash(t) for t in name_tokens(
        given_km=identity.given_name_km, family_km=identity.family_name_km, given_latin=identity.given_name_latin,
        family_latin=identity.family_name_latin, alias=identity.alias,
    )}  # fmt: skip
    kept = []
    for row in list(identity.name_tokens):
        if row.token in wanted:
            kept.append(row.token)
        else:
            identity.name_tokens.remove(row)  # delete-orphan: the row goes
    for token in sorted(wanted.difference(kept)):
        identity.name_tokens.append(NameToken(token=token, case_id=identity.case_id))


@event.listens_for(Session, "before_flush")
def _index_changed_names(session: Session, _context: Any, _instances: Any) -> None:
    # Every write path (admission, the section editor, workflow steps, the demo, a script) goes through
    # a flush, so the index cannot fall behind the names.
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Identity) and (obj in session.new or _names_changed(obj)):
            index_identity(obj)


def _names_changed(identity: Identity) -> bool:
    state = inspect(identity)
    return any(state.attrs[column].history.has_changes() for column in NAME_COLUMNS)


class History(_Section, Base):
    """Seed item 2: dates and addresses before and after the trafficking, and the narrative."""

    __tablename__ = "case_histories"
    __table_args__ = (UniqueConstraint("case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    address_before: Mapped[str | None] = mapped_column(EncryptedText)
    left_home_on: Mapped[dt.date | None] = mapped_column(EncryptedDate)
    form_of_exploitation: Mapped[str | None] = mapped_column(String(40))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    destination_detail: Mapped[str | None] = mapped_column(EncryptedText)
    referral_source: Mapped[str | None] = mapped_column(String(40))
    identified_on: Mapped[dt.date | None] = mapped_column(EncryptedDate)
    identifying_authority: Mapped[str | None] = mapped_column(EncryptedText)
    returned_on: Mapped[dt.date | None] = mapped_column(EncryptedDate)
    address_after: Mapped[str | None] = mapped_column(EncryptedText)
    narrative: Mapped[str | None] = mapped_column(EncryptedText)


class FamilyMember(_Section, Base):
    """Seed item 3: parents, siblings and relatives."""

    __tablename__ = "family_members"
    __table_args__ = (CheckConstraint("length(relationship) > 0", name="relationship_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(EncryptedText)
    date_of_birth: Mapped[dt.date | None] = mapped_column(EncryptedDate)
    address: Mapped[str | None] = mapped_column(EncryptedText)
    occupation: Mapped[str | None] = mapped_column(EncryptedText)


class FamilyAssessment(_Section, Base):
    """Seed item 4: the family and household, abuse or neglect, and a safety rating."""

    __tablename__ = "family_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    household: Mapped[str | None] = mapped_column(EncryptedText)
    abuse_or_neglect: Mapped[str | None] = mapped_column(EncryptedText)
    attitude_and_capacity: Mapped[str | None] = mapped_column(EncryptedText)
    livelihood_and_support: Mapped[str | None] = mapped_column(EncryptedText)
    trafficker_link_or_debts: Mapped[str | None] = mapped_column(EncryptedText)
    safety_rating: Mapped[SafetyRating] = mapped_column(enum_column(SafetyRating, "safety_rating"))


class CasePlan(_Section, Base):
    """Seed item 4: the individual case plan and the plan for communicating with family or friends."""

    __tablename__ = "case_plans"
    __table_args__ = (UniqueConstraint("case_id"), CheckConstraint("version >= 1", name="version_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    family_communication_plan: Mapped[str | None] = mapped_column(EncryptedText)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    goals: Mapped[list[CasePlanGoal]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="CasePlanGoal.id"
    )


class CasePlanGoal(Base):
    """One line of a case plan: a domain's goal, the action, who does it and by when."""

    __tablename__ = "case_plan_goals"
    __table_args__ = (CheckConstraint("length(domain) > 0", name="domain_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("case_plans.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(40))
    goal: Mapped[str] = mapped_column(EncryptedText)
    action: Mapped[str | None] = mapped_column(EncryptedText)
    responsible: Mapped[str | None] = mapped_column(EncryptedText)
    due_on: Mapped[dt.date | None] = mapped_column(Date)

    plan: Mapped[CasePlan] = relationship(back_populates="goals")


class MedicalRecord(_Section, Base):
    """Seed item 5: vaccinations, prescriptions, doctor's advice, forensic assessment."""

    __tablename__ = "medical_records"
    __table_args__ = (UniqueConstraint("case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vaccinations: Mapped[str | None] = mapped_column(EncryptedText)
    prescriptions: Mapped[str | None] = mapped_column(EncryptedText)
    doctor_advice: Mapped[str | None] = mapped_column(EncryptedText)
    forensic_assessment: Mapped[str | None] = mapped_column(EncryptedText)


class PsychologicalRecord(_Section, Base):
    """Seed item 5: the psychological record."""

    __tablename__ = "psychological_records"
    __table_args__ = (UniqueConstraint("case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment: Mapped[str | None] = mapped_column(EncryptedText)
    notes: Mapped[str | None] = mapped_column(EncryptedText)


class CaseEvent(Base):
    """One line of a case's timeline. ``summary`` never holds case-file content."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(200), default="")


class CaseRecord(Base):
    """Everything one workflow step recorded (the whole submitted form), encrypted as one JSON document.

    Structured case-file columns are written as well (see ``engine.cases.case_file``); this row keeps
    the step's own record (consent, risk screen, case conference, visit, ...) and its history.
    """

    __tablename__ = "case_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    form_key: Mapped[str] = mapped_column(String(60))
    step: Mapped[str] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(EncryptedText)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# The case file's sections, in the order the case page shows them: (key, model); each row carries
# ``updated_at``/``updated_by``, which record-update reminders measure.
SECTIONS = (
    ("identity", Identity),
    ("history", History),
    ("family_members", FamilyMember),
    ("family_assessment", FamilyAssessment),
    ("case_plan", CasePlan),
    ("medical", MedicalRecord),
    ("psychological", PsychologicalRecord),
)
