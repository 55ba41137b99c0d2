"""Consent: recording it, checking it before any share, and the audited override.

Nothing about a survivor is shared without informed consent (seed item 7): a transfer to a DoSVY
office (and any later export or referral) needs a valid data-sharing consent naming that recipient
and covering the field groups sent. Without one it is refused with a clear message; the case's
caseworker or supervisor may override with a reason, which is audited and told at once to the team's
supervisors (an outbox notice carrying the case code only).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import local_today
from engine.db import transaction
from engine.errors import N_, DomainError, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Organisation, OrganisationKind, Role, Team, User
from engine.models.cases import Case, CaseEvent, Identity
from engine.models.security import CasePhoto, CaseTransfer, ConsentRecord
from engine.notices.outbox import add_notice, team_members
from engine.notices.rules import Rules
from engine.security.fields import TRANSFERABLE, FieldGroup
from engine.security.policy import can_see_case
from workflows import FORMS_DIR
from workflows.forms import Form, load_form, validate_submission

KINDS = ("services", "data_sharing", "photo", "publication")
METHODS = ("signature", "thumbprint", "verbal_with_witness")
SIGNED_METHODS = ("signature", "thumbprint")  # a release: "verbal_with_witness" is consent, not a signed release
# Khmer wording written for these messages; it needs a native speaker's review (see GLOSSARY-km.md).
MESSAGES: dict[str, dict[str, str]] = {
    "not_recorded": {"en": "The consent was not recorded.", "km": "ការយល់ព្រមមិនត្រូវបានកត់ត្រាទេ។"},
    "not_withdrawn": {
        "en": "The consent was not withdrawn: nothing was changed.",
        "km": "ការយល់ព្រមមិនត្រូវបានដកវិញទេ៖ គ្មានអ្វីត្រូវបានផ្លាស់ប្តូរឡើយ។",
    },
    "reason": {"en": "Say why the consent was withdrawn.", "km": "សូមបញ្ជាក់មូលហេតុនៃការដកការយល់ព្រមវិញ។"},
    "reason_long": {"en": "At most 1000 characters.", "km": "យ៉ាងច្រើន ១០០០ តួអក្សរ។"},
    "before_given": {
        "en": "A consent cannot be withdrawn before the day it was given.",
        "km": "មិនអាចដកការយល់ព្រមវិញមុនថ្ងៃដែលវាត្រូវបានផ្តល់ទេ។",
    },
    "kind": {"en": "Choose the kind of consent.", "km": "សូមជ្រើសរើសប្រភេទការយល់ព្រម។"},
    "method": {"en": "Choose how consent was given.", "km": "សូមជ្រើសរើសរបៀបផ្តល់ការយល់ព្រម។"},
    "given_by": {"en": "Choose who gave consent.", "km": "សូមជ្រើសរើសអ្នកដែលបានផ្តល់ការយល់ព្រម។"},
    "future": {"en": "The date is in the future.", "km": "កាលបរិច្ឆេទនៅថ្ងៃអនាគត។"},
    "expiry": {"en": "The expiry must come after the date given.", "km": "ថ្ងៃផុតកំណត់ត្រូវតែក្រោយថ្ងៃផ្តល់។"},
    "child_photo": {
        "en": "Photos of children are never allowed, whatever the consent.",
        "km": "រូបថតកុមារមិនត្រូវបានអនុញ្ញាតឡើយ ទោះបីមានការយល់ព្រមក៏ដោយ។",
    },
    "guardian": {
        "en": "The survivor is under 18 (or the date of birth is unknown): a guardian must consent.",
        "km": "ជនរងគ្រោះមានអាយុក្រោម ១៨ឆ្នាំ (ឬមិនដឹងថ្ងៃកំណើត)៖ អាណាព្យាបាលត្រូវតែយល់ព្រម។",
    },
    "adult": {
        "en": "The survivor is an adult: they give consent themselves.",
        "km": "ជនរងគ្រោះជាមនុស្សពេញវ័យ៖ ពួកគេផ្តល់ការយល់ព្រមដោយខ្លួនឯង។",
    },
    "signed_release": {
        "en": "Photo use and publication need a signed release: a signature or a thumbprint.",
        "km": "ការប្រើប្រាស់រូបថត និងការផ្សព្វផ្សាយ ត្រូវការលិខិតអនុញ្ញាតដែលបានចុះហត្ថលេខា៖ ហត្ថលេខា ឬស្នាមមេដៃ។",
    },
    "purpose": {"en": "Say for what purpose.", "km": "សូមបញ្ជាក់គោលបំណង។"},
    "recipient": {
        "en": "Name the organisation the data may be shared with.",
        "km": "សូមបញ្ជាក់អង្គការដែលអាចចែករំលែកទិន្នន័យជាមួយ។",
    },
    "groups": {
        "en": "Choose which parts of the case file it covers.",
        "km": "សូមជ្រើសរើសផ្នែកនៃឯកសារករណីដែលវាគ្របដណ្តប់។",
    },
}


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
    *, session: Session, actor: User, now: dt.datetime, case: Case, consent: NewConsent, lang: str = "en"
) -> ConsentRecord:
    """Record a consent the survivor (or a guardian for a minor) gave."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR) or not can_see_case(actor, case):
        raise Forbidden(N_("Only the case's caseworker or supervisor records consent."))
    return record_consent_in_step(session=session, actor=actor, now=now, case=case, consent=consent, lang=lang)


def record_consent_in_step(
    *, session: Session, actor: User, now: dt.datetime, case: Case, consent: NewConsent, lang: str = "en"
) -> ConsentRecord:
    """Record a consent given during a workflow step; the caller has checked that ``actor`` may work on
    the step (a team's step of an unassigned case is open to every caseworker of the team)."""
    problems: dict[str, str] = {}
    if consent.kind not in KINDS:
        problems["kind"] = "kind"
    if consent.method not in METHODS:
        problems["method"] = "method"
    if consent.given_by not in ("survivor", "guardian"):
        problems["given_by"] = "given_by"
    if consent.given_on > local_today(now):
        problems["given_on"] = "future"
    if consent.expires_on is not None and consent.expires_on <= consent.given_on:
        problems["expires_on"] = "expiry"
    minor = is_minor(session, case, consent.given_on)
    if consent.kind == "photo" and minor:
        problems["kind"] = "child_photo"
    elif minor and consent.given_by != "guardian":
        problems["given_by"] = "guardian"
    elif not minor and consent.given_by == "guardian":
        problems["given_by"] = "adult"
    if consent.kind in ("photo", "publication") and consent.method == "verbal_with_witness":
        problems["method"] = "signed_release"
    if consent.kind in ("data_sharing", "photo", "publication") and not (consent.purpose or "").strip():
        problems["purpose"] = "purpose"
    if consent.kind == "data_sharing":
        org = session.get(Organisation, consent.recipient_org_id) if consent.recipient_org_id else None
        if org is None:
            problems["recipient_org_id"] = "recipient"
    if consent.kind in ("data_sharing", "publication") and not consent.groups:
        problems["groups"] = "groups"
    problems = {name: MESSAGES[key][lang] for name, key in problems.items()}
    if problems:
        raise InvalidInput(MESSAGES["not_recorded"][lang], problems)
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


@functools.cache
def consent_form() -> Form:
    """The consent page's form (labels, help and checks in English and Khmer)."""
    return load_form(FORMS_DIR / "records" / "consent_record.json")


def parse_consent(*, raw: Mapping[str, str | list[str]], lang: str, today: dt.date,
                  organisations: Mapping[str, str]) -> NewConsent:  # fmt: skip
    """Check the consent page's form; the consent to record, or ``InvalidInput`` with messages by field.

    ``organisations`` (id -> name) are the recipients the form offers."""
    submission = validate_submission(consent_form(), raw, lang=lang, today=today, offices=organisations)
    if not submission.ok:
        raise InvalidInput(MESSAGES["not_recorded"][lang], submission.errors)
    v = submission.values
    recipient = v.get("recipient_org_id")
    chosen = v.get("groups")
    expires = v.get("expires_on")
    return NewConsent(
        kind=str(v["kind"]), given_by=str(v["given_by"]), method=str(v["method"]), given_on=v["given_on"],  # type: ignore[arg-type]
        recipient_org_id=int(str(recipient)) if recipient and v["kind"] == "data_sharing" else None,
        purpose=str(v["purpose"]) if v.get("purpose") else None,
        groups=frozenset(FieldGroup(g) for g in chosen) if isinstance(chosen, list) else frozenset(),
        expires_on=expires if isinstance(expires, dt.date) else None, note=str(v["note"]) if v.get("note") else None,
    )  # fmt: skip


def recipients(session: Session, case: Case) -> dict[str, str]:
    """The organisations a consent may name (every one but the case's own shelter): id -> name."""
    own = select(Team.organisation_id).where(Team.id == case.team_id).scalar_subquery()
    rows = session.execute(select(Organisation.id, Organisation.name).where(Organisation.id != own)
                           .order_by(Organisation.name)).all()  # fmt: skip
    return {str(org_id): name for org_id, name in rows}


@functools.cache
def withdrawal_form() -> Form:
    """The confirmation asked before a consent is withdrawn (the date and the reason)."""
    return load_form(FORMS_DIR / "records" / "consent_withdrawal.json")


@dataclass(frozen=True)
class Withdrawal:
    """When and why the survivor withdrew a consent (``reason`` is kept encrypted)."""

    on: dt.date
    reason: str


def parse_withdrawal(*, raw: Mapping[str, str | list[str]], lang: str, today: dt.date) -> Withdrawal:
    """Check the withdrawal confirmation; the withdrawal, or ``InvalidInput`` with messages by field."""
    submission = validate_submission(withdrawal_form(), raw, lang=lang, today=today)
    if not submission.ok:
        raise InvalidInput(MESSAGES["not_withdrawn"][lang], submission.errors)
    on, reason = submission.values["withdrawn_on"], submission.values["reason"]
    assert isinstance(on, dt.date), "a date field holds a date"
    assert isinstance(reason, str), "a text field holds a string"
    return Withdrawal(on, reason)


def get_consent(*, session: Session, actor: User, case: Case, consent_id: int, on: dt.date) -> ConsentLine:
    """One consent of ``case`` as the consent page lists it, ``valid`` on ``on`` (case staff of the case only)."""
    for line in list_consents(session=session, actor=actor, case=case, on=on):
        if line.record.id == consent_id:
            return line
    raise NotFound(N_("There is no such consent record."))


def withdraw_consent(*, session: Session, actor: User, now: dt.datetime, consent_id: int, withdrawal: Withdrawal,
                     case_id: int | None = None, lang: str = "en") -> bool:  # fmt: skip
    """The survivor withdrew a consent on ``withdrawal.on``: from that day it covers nothing, the transfers
    resting on it end now (the office no longer sees the case) and a photo it allowed is deleted
    (``case_id``: the consent must be that case's). Return False when it was withdrawn already."""
    problems: dict[str, str] = {}
    reason = withdrawal.reason.strip()
    if not reason:
        problems["reason"] = MESSAGES["reason"][lang]
    elif len(reason) > 1000:
        problems["reason"] = MESSAGES["reason_long"][lang]
    if withdrawal.on > local_today(now):
        problems["withdrawn_on"] = MESSAGES["future"][lang]
    with transaction(session):
        row = session.get(ConsentRecord, consent_id)
        case = session.get(Case, row.case_id) if row else None
        staff = actor.role in (Role.CASEWORKER, Role.SUPERVISOR)
        if row is None or case is None or not staff or not can_see_case(actor, case) or case_id not in (None, case.id):
            raise NotFound(N_("There is no such consent record."))
        if row.withdrawn_on is not None:
            return False
        if "withdrawn_on" not in problems and withdrawal.on < row.given_on:
            problems["withdrawn_on"] = MESSAGES["before_given"][lang]
        if problems:
            raise InvalidInput(MESSAGES["not_withdrawn"][lang], problems)
        row.withdrawn_on, row.withdrawal_reason, row.withdrawn_by_id = withdrawal.on, reason, actor.id
        audit.record(session=session, now=now, actor_id=actor.id, action="consent_withdrawn", case_id=case.id,
                     detail=f"consent={row.id} on={withdrawal.on.isoformat()}")  # fmt: skip
        for transfer in session.scalars(select(CaseTransfer).where(CaseTransfer.consent_id == row.id,
                                                                   CaseTransfer.ended_at.is_(None))):  # fmt: skip
            transfer.ended_at = now  # the office no longer sees the case
            audit.record(session=session, now=now, actor_id=actor.id, action="transfer_ended", case_id=case.id,
                         detail=f"transfer={transfer.id} consent={row.id} withdrawn")  # fmt: skip
            session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind="transfer_ended",
                                  summary="Transfer ended: the consent it rested on was withdrawn"))  # fmt: skip
        for photo in session.scalars(select(CasePhoto).where(CasePhoto.consent_id == row.id)):
            session.delete(photo)  # the release is gone: so is the photo it allowed
            audit.record(session=session, now=now, actor_id=actor.id, action="photo_removed", case_id=case.id,
                         detail=f"consent={row.id} withdrawn")  # fmt: skip
        return True


def covering_consent(*, session: Session, case: Case, recipient_org_id: int, groups: frozenset[FieldGroup],
                     on: dt.date) -> ConsentRecord | None:  # fmt: skip
    """A valid data-sharing consent to ``recipient_org_id`` covering every group in ``groups``."""
    rows = session.scalars(select(ConsentRecord).where(
        ConsentRecord.case_id == case.id, ConsentRecord.kind == "data_sharing",
        ConsentRecord.recipient_org_id == recipient_org_id, ConsentRecord.valid_on(on),
    ).order_by(ConsentRecord.given_on.desc()))  # fmt: skip
    for row in rows:
        if groups <= {FieldGroup(g) for g in row.scope.split(",") if g}:
            return row
    return None


def signed_consent(session: Session, *, case: Case, kind: str, on: dt.date,
                   consent_id: int | None = None) -> ConsentRecord | None:  # fmt: skip
    """The newest consent of ``kind`` (a photo or publication release) for ``case`` valid on ``on`` that is
    signed or thumbprinted (not verbal) and names its use. With ``consent_id``, only that consent counts."""
    query = select(ConsentRecord).where(
        ConsentRecord.case_id == case.id, ConsentRecord.kind == kind, ConsentRecord.method.in_(SIGNED_METHODS),
        ConsentRecord.valid_on(on),
    ).order_by(ConsentRecord.given_on.desc(), ConsentRecord.id.desc())  # fmt: skip
    if consent_id is not None:
        query = query.where(ConsentRecord.id == consent_id)
    return next((row for row in session.scalars(query) if (row.purpose or "").strip()), None)


def notify_office(
    *,
    session: Session,
    actor: User,
    now: dt.datetime,
    case: Case,
    office_id: int,
    groups: frozenset[FieldGroup],
    override_reason: str | None = None,
    rules: Rules | None = None,
    in_step: bool = False,
) -> None:
    """Record that the DoSVY office ``office_id`` was told of the survivor's reintegration (sharing
    ``groups``): only with a covering consent, or an override reason (audited, supervisors told).
    ``in_step`` as for :func:`transfer_case`."""
    if not in_step and not _is_case_staff(actor, case):
        raise Forbidden(N_("Only the case's caseworker or supervisor shares its data."))
    office = session.get(Organisation, office_id)
    if office is None or office.kind is not OrganisationKind.DOSVY_OFFICE:
        raise InvalidInput(N_("Choose a DoSVY office."), {"to_org_id": N_("Not a DoSVY office.")})
    consent = _consent_or_reason(session, case, office_id, groups, override_reason, now)
    with transaction(session):
        detail = f"notice to_org={office_id} groups={','.join(sorted(g.value for g in groups))}"
        audit.record(session=session, now=now, actor_id=actor.id, action="share" if consent else "consent_override",
                     case_id=case.id, detail=detail + (f" consent={consent.id}" if consent else ""))  # fmt: skip
        if consent is None:
            tell_supervisors_of_override(session=session, rules=rules or Rules(), now=now, case=case, actor=actor,
                                         what="notice", key=f"notice:{office_id}:{now.isoformat()}")  # fmt: skip


def _is_case_staff(actor: User, case: Case) -> bool:
    return actor.role in (Role.CASEWORKER, Role.SUPERVISOR) and can_see_case(actor, case)


def _consent_or_reason(session: Session, case: Case, recipient_org_id: int, groups: frozenset[FieldGroup],
                       override_reason: str | None, now: dt.datetime) -> ConsentRecord | None:  # fmt: skip
    """The consent covering this share, or None when a reason overrides its absence (else ``ConsentMissing``)."""
    consent = covering_consent(session=session, case=case, recipient_org_id=recipient_org_id, groups=groups,
                               on=local_today(now))  # fmt: skip
    if consent is None and not (override_reason or "").strip():
        raise ConsentMissing(
            N_(
                "There is no valid consent from the survivor to share these parts of the case file with this office. "
                "Record the consent first, or override with a reason."
            )
        )
    return consent


def transfer_case(*, session: Session, actor: User, now: dt.datetime, case: Case, to_org_id: int,
                  groups: frozenset[FieldGroup], override_reason: str | None = None,
                  rules: Rules | None = None, in_step: bool = False) -> CaseTransfer:  # fmt: skip
    """Hand a case to a DoSVY office for Type 2 follow-up with the minimum data set consent allows.

    ``in_step``: called by the transfer step, whose caller checked that ``actor`` may work on it (a team's
    step of a case without a caseworker is open to every caseworker of the team)."""
    if not in_step and not _is_case_staff(actor, case):
        raise Forbidden(N_("Only the case's caseworker or supervisor transfers it."))
    office = session.get(Organisation, to_org_id)
    if office is None or office.kind is not OrganisationKind.DOSVY_OFFICE:
        raise InvalidInput(N_("Choose a DoSVY office."), {"to_org_id": N_("Not a DoSVY office.")})
    if not groups or not groups <= TRANSFERABLE:
        allowed = ", ".join(sorted(g.value for g in TRANSFERABLE))
        raise InvalidInput(
            N_("A transfer may carry only: %(allowed)s."), {"groups": N_("Not transferable.")}, allowed=allowed
        )
    consent = _consent_or_reason(session, case, to_org_id, groups, override_reason, now)
    reason = (override_reason or "").strip()
    with transaction(session):
        open_transfers = session.scalars(select(CaseTransfer).where(
            CaseTransfer.case_id == case.id, CaseTransfer.ended_at.is_(None)))  # fmt: skip
        for previous in open_transfers:
            previous.ended_at = now
        transfer = CaseTransfer(
            case_id=case.id, to_org_id=to_org_id, consent_id=consent.id if consent else None,
            field_groups=",".join(sorted(g.value for g in groups)), override_reason=None if consent else reason or None,
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


@dataclass(frozen=True)
class ConsentLine:
    """A consent record as the consent page lists it; ``valid`` on the day asked about."""

    record: ConsentRecord
    recipient: str | None
    groups: frozenset[FieldGroup]
    valid: bool


def list_consents(*, session: Session, actor: User, case: Case, on: dt.date) -> list[ConsentLine]:
    """Every consent recorded for ``case``, newest first (case staff of the case only)."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR) or not can_see_case(actor, case):
        raise NotFound(N_("There is no such case, or it is not yours to see."))
    rows = session.execute(
        select(ConsentRecord, Organisation.name)
        .outerjoin(Organisation, Organisation.id == ConsentRecord.recipient_org_id)
        .where(ConsentRecord.case_id == case.id)
        .order_by(ConsentRecord.given_on.desc(), ConsentRecord.id.desc())
    ).all()  # fmt: skip
    return [ConsentLine(row, name, frozenset(FieldGroup(g) for g in row.scope.split(",") if g), row.holds_on(on))
            for row, name in rows]  # fmt: skip


@dataclass(frozen=True)
class TransferLine:
    """A case transfer, for the case's consent page and the DoSVY office's list."""

    transfer: CaseTransfer
    case: Case
    office: str
    groups: frozenset[FieldGroup]


def case_transfers(*, session: Session, actor: User, case: Case) -> list[TransferLine]:
    """Every transfer of ``case``, newest first (case staff of the case only)."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR) or not can_see_case(actor, case):
        raise NotFound(N_("There is no such case, or it is not yours to see."))
    return _transfer_lines(session, CaseTransfer.case_id == case.id)


def office_transfers(*, session: Session, actor: User) -> list[TransferLine]:
    """The open transfers to ``actor``'s DoSVY office, newest first (what a DoSVY officer works from)."""
    if actor.role is not Role.DOSVY_OFFICER:
        raise Forbidden(N_("Only DoSVY officers see the cases transferred to their office."))
    if actor.organisation_id is None:
        return []
    return _transfer_lines(session, and_(CaseTransfer.to_org_id == actor.organisation_id,
                                         CaseTransfer.ended_at.is_(None)))  # fmt: skip


def _transfer_lines(session: Session, condition: Any) -> list[TransferLine]:
    rows = session.execute(
        select(CaseTransfer, Case, Organisation.name).join(Case, Case.id == CaseTransfer.case_id)
        .join(Organisation, Organisation.id == CaseTransfer.to_org_id).where(condition)
        .order_by(CaseTransfer.transferred_at.desc(), CaseTransfer.id.desc())
    ).all()  # fmt: skip
    return [TransferLine(t, case, name, frozenset(FieldGroup(g) for g in t.field_groups.split(",") if g))
            for t, case, name in rows]  # fmt: skip


def end_transfers(*, session: Session, now: dt.datetime, case: Case, actor: User | None, why: str) -> int:
    """End every open transfer of ``case`` (in the caller's transaction), e.g. when it closes; audited."""
    transfers = session.scalars(select(CaseTransfer).where(CaseTransfer.case_id == case.id,
                                                           CaseTransfer.ended_at.is_(None))).all()  # fmt: skip
    for transfer in transfers:
        transfer.ended_at = now
        audit.record(session=session, now=now, actor_id=actor.id if actor else None, action="transfer_ended",
                     case_id=case.id, detail=f"transfer={transfer.id} {why}")  # fmt: skip
    return len(transfers)
