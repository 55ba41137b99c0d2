"""Consent: recording it, checking it before any share, and the audited override.

Nothing about a survivor is shared without informed consent (seed item 7): a transfer to a DoSVY
office (and any later export or referral) needs a valid data-sharing consent naming that recipient
and covering the field groups sent. Without one it is refused with a clear message; the case's
caseworker or supervisor may override with a reason, which is audited and told at once to the team's
supervisors (an outbox notice carrying the case code only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine.accounts.models import Organisation, OrganisationKind, Role, User
from engine.cases.models import Case, CaseEvent, Identity
from engine.db import transaction
from engine.errors import DomainError, Forbidden, InvalidInput, NotFound
from engine.notices.outbox import add_notice, team_members
from engine.notices.rules import Rules
from engine.security import audit
from engine.security.fields import TRANSFERABLE, FieldGroup
from engine.security.models import CaseTransfer, ConsentRecord
from engine.security.policy import can_see_case

KINDS = ("services", "data_sharing", "photo", "publication")
METHODS = ("signature", "thumbprint", "verbal_with_witness")


class ConsentMissing(DomainError):
    """No valid consent covers this share."""

    status = 409


@dataclass(frozen=True)
class NewConsent:
    kind: str
    given_by: str  # survivor | guardian
    method: str
    given_on: dt.date
    recipient_org_id: int | None = None
    purpose: str | None = None
    groups: frozenset[FieldGroup] = frozenset()
    expires_on: dt.date | None = None
    note: str | None = None


def is_minor(session: Session, case: Case, on: dt.date) -> bool:
    """True when the survivor is under 18 on ``on`` (an unknown date of birth counts as a minor)."""
    identity = session.scalar(select(Identity).where(Identity.case_id == case.id))
    born = identity.date_of_birth if identity else None
    if born is None:
        return True
    return (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) < 18


def record_consent(
    *, session: Session, actor: User, now: dt.datetime, case: Case, consent: NewConsent
) -> ConsentRecord:
    """Record a consent the survivor (or a guardian for a minor) gave."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR) or not can_see_case(actor, case):
        raise Forbidden("Only the case's caseworker or supervisor records consent.")
    problems: dict[str, str] = {}
    if consent.kind not in KINDS:
        problems["kind"] = "Choose the kind of consent."
    if consent.method not in METHODS:
        problems["method"] = "Choose how consent was given."
    if consent.given_by not in ("survivor", "guardian"):
        problems["given_by"] = "Choose who gave consent."
    if consent.given_on > now.date():
        problems["given_on"] = "The date is in the future."
    if consent.expires_on is not None and consent.expires_on <= consent.given_on:
        problems["expires_on"] = "The expiry must come after the date given."
    minor = is_minor(session, case, consent.given_on)
    if consent.kind == "photo" and minor:
        problems["kind"] = "Photos of children are never allowed, whatever the consent."
    elif minor and consent.given_by != "guardian":
        problems["given_by"] = "The survivor is under 18 (or the date of birth is unknown): a guardian must consent."
    if consent.kind == "data_sharing":
        org = session.get(Organisation, consent.recipient_org_id) if consent.recipient_org_id else None
        if org is None:
            problems["recipient_org_id"] = "Name the organisation the data may be shared with."
        if not (consent.purpose or "").strip():
            problems["purpose"] = "Say for what purpose."
        if not consent.groups:
            problems["groups"] = "Choose which parts of the case file may be shared."
    if problems:
        raise InvalidInput("The consent was not recorded.", problems)
    with transaction(session):
        row = ConsentRecord(
            case_id=case.id, kind=consent.kind, recipient_org_id=consent.recipient_org_id, purpose=consent.purpose,
            scope=",".join(sorted(g.value for g in consent.groups)), given_by=consent.given_by, method=consent.method,
            given_on=consent.given_on, expires_on=consent.expires_on, note=consent.note, recorded_by_id=actor.id,
            recorded_at=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        audit.record(session=session, now=now, actor_id=actor.id, action="consent_recorded", case_id=case.id,
                     detail=f"consent={row.id} kind={consent.kind}")  # fmt: skip
        return row


def withdraw_consent(*, session: Session, actor: User, now: dt.datetime, consent_id: int) -> None:
    """The survivor withdrew a consent: it stops covering anything from today."""
    with transaction(session):
        row = session.get(ConsentRecord, consent_id)
        case = session.get(Case, row.case_id) if row else None
        if row is None or case is None or not can_see_case(actor, case):
            raise NotFound("There is no such consent record.")
        row.withdrawn_on = now.date()
        audit.record(session=session, now=now, actor_id=actor.id, action="consent_withdrawn", case_id=case.id,
                     detail=f"consent={row.id}")  # fmt: skip


def covering_consent(*, session: Session, case: Case, recipient_org_id: int, groups: frozenset[FieldGroup],
                     on: dt.date) -> ConsentRecord | None:  # fmt: skip
    """A valid data-sharing consent to ``recipient_org_id`` covering every group in ``groups``."""
    rows = session.scalars(select(ConsentRecord).where(
        ConsentRecord.case_id == case.id, ConsentRecord.kind == "data_sharing",
        ConsentRecord.recipient_org_id == recipient_org_id, ConsentRecord.given_on <= on,
        or_(ConsentRecord.expires_on.is_(None), ConsentRecord.expires_on > on),
        or_(ConsentRecord.withdrawn_on.is_(None), ConsentRecord.withdrawn_on > on),
    ).order_by(ConsentRecord.given_on.desc()))  # fmt: skip
    for row in rows:
        if groups <= {FieldGroup(g) for g in row.scope.split(",") if g}:
            return row
    return None


def transfer_case(*, session: Session, actor: User, now: dt.datetime, case: Case, to_org_id: int,
                  groups: frozenset[FieldGroup], override_reason: str | None = None,
                  rules: Rules | None = None) -> CaseTransfer:  # fmt: skip
    """Hand a case to a DoSVY office for Type 2 follow-up with the minimum data set consent allows."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR) or not can_see_case(actor, case):
        raise Forbidden("Only the case's caseworker or supervisor transfers it.")
    office = session.get(Organisation, to_org_id)
    if office is None or office.kind is not OrganisationKind.DOSVY_OFFICE:
        raise InvalidInput("Choose a DoSVY office.", {"to_org_id": "Not a DoSVY office."})
    if not groups or not groups <= TRANSFERABLE:
        allowed = ", ".join(sorted(g.value for g in TRANSFERABLE))
        raise InvalidInput(f"A transfer may carry only: {allowed}.", {"groups": "Not transferable."})
    consent = covering_consent(session=session, case=case, recipient_org_id=to_org_id, groups=groups, on=now.date())
    reason = (override_reason or "").strip()
    if consent is None and not reason:
        raise ConsentMissing(
            "There is no valid consent from the survivor to share these parts of the case file with this office. "
            "Record the consent first, or (supervisors) override with a reason."
        )
    with transaction(session):
        open_transfers = session.scalars(select(CaseTransfer).where(
            CaseTransfer.case_id == case.id, CaseTransfer.ended_at.is_(None)))  # fmt: skip
        for previous in open_transfers:
            previous.ended_at = now
        transfer = CaseTransfer(
            case_id=case.id, to_org_id=to_org_id, consent_id=consent.id if consent else None,
            field_groups=",".join(sorted(g.value for g in groups)), override_reason=reason or None,
            transferred_by_id=actor.id, transferred_at=now,
        )  # fmt: skip
        session.add(transfer)
        session.flush()
        action = "transfer" if consent else "consent_override"
        audit.record(session=session, now=now, actor_id=actor.id, action=action, case_id=case.id,
                     detail=f"transfer={transfer.id} to_org={to_org_id} groups={transfer.field_groups}")  # fmt: skip
        session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind="transferred",
                              summary=f"Transferred to {office.name} for follow-up"
                              + ("" if consent else " (consent overridden)")))  # fmt: skip
        if consent is None:
            tell_supervisors_of_override(session=session, rules=rules or Rules(), now=now, case=case, actor=actor,
                                         what="transfer", key=f"transfer:{transfer.id}")  # fmt: skip
        return transfer


def tell_supervisors_of_override(*, session: Session, rules: Rules, now: dt.datetime, case: Case, actor: User,
                                 what: str, key: str) -> None:  # fmt: skip
    """Queue, in the caller's transaction, the notice that consent was overridden on ``case`` (code only)."""
    supervisors = [u for u in team_members(session, team_id=case.team_id, role=Role.SUPERVISOR) if u.id != actor.id]
    payload = {"case_code": case.code, "what": what, "by": actor.display_name}
    add_notice(
        session,
        key=("consent_override", f"case:{case.id}", key),
        case_id=case.id,
        payload=payload,
        recipients=supervisors,
        rules=rules,
        now=now,
    )


def active_transfer_groups(session: Session, case_id: int, org_id: int | None) -> frozenset[FieldGroup]:
    """The groups an office may read of a case, through its open transfer (empty when none)."""
    if org_id is None:
        return frozenset()
    open_transfer = and_(
        CaseTransfer.case_id == case_id, CaseTransfer.to_org_id == org_id, CaseTransfer.ended_at.is_(None)
    )
    text = session.scalar(select(CaseTransfer.field_groups).where(open_transfer))
    return frozenset(FieldGroup(g) for g in text.split(",")) if text else frozenset()
