"""The survivor's own record (seed item 9): a printable copy, and who has looked at the case file.

The printable record holds the survivor's own data only: family members appear by relationship and
occupation, never by name, birth date or address (third-party information). Printing is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.cases.sections import CaseFile, read_case_file
from engine.cases.service import get_case
from engine.db import transaction
from engine.errors import N_, Forbidden
from engine.models.accounts import Role, User
from engine.models.cases import Case
from engine.models.security import AuditEvent

THIRD_PARTY_FIELDS = frozenset({"name", "date_of_birth", "address"})


def printable_record(*, session: Session, actor: User, now: dt.datetime, code: str, lang: str) -> CaseFile:
    """The case file to print for the survivor, with the print recorded in the audit log."""
    if lang not in ("en", "km"):
        lang = "en"
    with transaction(session):
        case_file = read_case_file(session=session, actor=actor, code=code)
        audit.record(session=session, now=now, actor_id=actor.id, action="record_printed", case_id=case_file.case.id,
                     detail=f"language={lang}")  # fmt: skip
        return case_file


@dataclass(frozen=True)
class Access:
    at: dt.datetime
    who: str | None
    role: str | None
    action: str
    detail: str


def who_viewed(*, session: Session, actor: User, code: str, limit: int = 500) -> tuple[Case, list[Access]]:
    """Every recorded view, change, print and transfer of a case, newest first (supervisors only)."""
    if actor.role is not Role.SUPERVISOR:
        raise Forbidden(N_("Only supervisors see who looked at a case file."))
    case = get_case(session=session, actor=actor, code=code)
    rows = session.execute(
        select(AuditEvent.at, User.display_name, User.role, AuditEvent.action, AuditEvent.detail)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.case_id == case.id).order_by(AuditEvent.id.desc()).limit(limit)
    ).all()  # fmt: skip
    return case, [
        Access(at, who, role.value if role else None, action, detail) for at, who, role, action, detail in rows
    ]
