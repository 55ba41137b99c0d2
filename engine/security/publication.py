"""Publication (Article 49 of the 2008 Law on Suppression of Human Trafficking).

Nothing that could reveal a survivor's identity may be published, unless publishing benefits the
survivor and the survivor gave informed consent. The product has no public page and no public export;
the only way out is this one:

1. A caseworker or supervisor of the case *requests* a publication, naming a valid publication consent,
   the purpose (what, where, and how it benefits the survivor) and the field groups to publish. The
   consent must be a signed release (signature or thumbprint, never verbal) that names its use and the
   groups it covers, and the groups asked for must all be among them.
2. A supervisor of the case's team *decides* (approves or refuses) with a reason. Never the person who
   made the request: publishing is irreversible, so it always takes two people (four eyes).
3. Case staff download the *extract* of an approved request: only the columns of the named groups
   (``engine.security.fields``), and only while the consent is still valid at that moment; a consent
   withdrawn or expired after the approval stops it.

A minor (under 18 on the day, or whose date of birth is unknown) is never identifiable: the groups in
``IDENTIFYING`` (identity, photo, addresses, family, narrative, legal details) are never requested,
approved or extracted, whatever a guardian signed. The narrative and legal details count as identifying
because they hold places, dates, people and the identifying authority. This is checked again at the
decision and at every extract, in case the date of birth was corrected meanwhile.

The photo itself never leaves through an extract (exports carry no image); an approved photo group is
only recorded as approved. Every request, decision and extract is audited ("export" for the extract).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from engine import audit
from engine.clock import local_today
from engine.db import transaction
from engine.errors import N_, DomainError, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role, User
from engine.models.cases import SECTIONS, Case, CasePlan, CasePlanGoal
from engine.models.security import ConsentRecord, PublicationRequest
from engine.security.consent import ConsentMissing, is_minor, signed_consent
from engine.security.fields import GOAL_DOMAIN_GROUPS, FieldGroup, group_of
from engine.security.policy import CASE_STAFF, can_see_case

IDENTIFYING = frozenset({FieldGroup.IDENTITY, FieldGroup.PHOTO, FieldGroup.ADDRESSES, FieldGroup.FAMILY,
                         FieldGroup.NARRATIVE, FieldGroup.LEGAL})  # fmt: skip
# Keys, bookkeeping and derived columns: never content, never published. ``photo_ref`` is the photo group's
# column: no image ever goes into an export.
NOT_CONTENT = frozenset({"id", "case_id", "plan_id", "updated_at", "updated_by_id", "name_index", "photo_ref",
                         "version", "approved_at", "approved_by_id"})  # fmt: skip
PURPOSE_MAX = 2000
REASON_MAX = 2000

# English message ids (the web layer translates them); none names the survivor or quotes the file.
NOT_SAVED = N_("The publication request was not saved.")
NOT_DECIDED = N_("Nothing was decided.")
STAFF_ONLY = N_("Only the case's caseworker and supervisor work with publication requests.")
SUPERVISOR_ONLY = N_("Only a supervisor of the case's team decides on a publication.")
NOT_YOURS = N_("There is no such case, or it is not yours to see.")
NO_REQUEST = N_("There is no such publication request.")
NO_CONSENT = N_(
    "There is no valid publication consent: it must be signed (or thumbprinted), name the use and the parts "
    "of the case file, and not be withdrawn or expired."
)
CONSENT_LAPSED = N_("The publication consent is no longer valid (withdrawn or expired): nothing can be published.")
NOT_COVERED = N_("The consent does not cover every part you chose.")
CHOOSE_GROUPS = N_("Choose which parts of the case file to publish.")
NEED_PURPOSE = N_("Say what will be published, where, and how it benefits the survivor.")
PURPOSE_TOO_LONG = N_("The purpose is too long (at most 2000 characters).")
NEED_REASON = N_("Give the reason for the decision: it is kept with the request.")
REASON_TOO_LONG = N_("The reason is too long (at most 2000 characters).")
CHILD_PHOTO = N_("Photos of children are never published.")
CHILD_IDENTIFYING = N_(
    "The survivor is under 18 (or the date of birth is not recorded): nothing that could identify them is ever "
    "published (identity, photo, addresses, family, narrative, legal details)."
)
OWN_REQUEST = N_("You made this request: another supervisor of the team decides on it.")
ALREADY_DECIDED = N_("This publication request has already been decided.")
NOT_APPROVED = N_("Only an approved publication request can be exported.")
MESSAGES = (NOT_SAVED, NOT_DECIDED, STAFF_ONLY, SUPERVISOR_ONLY, NOT_YOURS, NO_REQUEST, NO_CONSENT, CONSENT_LAPSED,
            NOT_COVERED, CHOOSE_GROUPS, NEED_PURPOSE, PURPOSE_TOO_LONG, NEED_REASON, REASON_TOO_LONG, CHILD_PHOTO,
            CHILD_IDENTIFYING, OWN_REQUEST, ALREADY_DECIDED, NOT_APPROVED)  # fmt: skip


class PublicationNotAllowed(DomainError):
    """The publication request is not (or no longer) one that may be exported."""

    status = 409


class AlreadyDecided(DomainError):
    """Someone decided on the publication request in the meantime."""

    status = 409


@dataclass(frozen=True)
class ConsentChoice:
    """A publication consent a request may rest on."""

    id: int
    given_on: dt.date
    expires_on: dt.date | None
    purpose: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class RequestLine:
    """One publication request of a case, for its page."""

    id: int
    status: str
    groups: tuple[str, ...]
    purpose: str
    consent_id: int
    requested_by_id: int
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str | None


@dataclass(frozen=True)
class PublicationExtract:
    """What an approved request lets out: the named groups' fields, section by section (one dict a row)."""

    request_id: int
    groups: tuple[str, ...]
    generated_at: dt.datetime
    sections: dict[str, list[dict[str, str]]]


def _groups(text: str) -> frozenset[FieldGroup]:
    return frozenset(FieldGroup(g) for g in text.split(",") if g)


def _names(groups: frozenset[FieldGroup]) -> str:
    return ",".join(sorted(g.value for g in groups))


def _require_staff(actor: User, case: Case) -> None:
    if actor.role not in CASE_STAFF:
        raise Forbidden(STAFF_ONLY)
    if not can_see_case(actor, case):
        raise NotFound(NOT_YOURS)


def _child_problem(session: Session, case: Case, groups: frozenset[FieldGroup], on: dt.date) -> str | None:
    """Why ``groups`` may not be published for a minor, or None."""
    if not groups & IDENTIFYING or not is_minor(session, case, on):
        return None
    return CHILD_PHOTO if FieldGroup.PHOTO in groups else CHILD_IDENTIFYING


def _consent(session: Session, case: Case, consent_id: int | None, on: dt.date) -> ConsentRecord | None:
    """The publication consent ``consent_id`` if it is valid on ``on`` and names at least one group."""
    if consent_id is None:
        return None
    row = signed_consent(session, case=case, kind="publication", on=on, consent_id=consent_id)
    return row if row is not None and _groups(row.scope) else None


def _request(session: Session, case: Case, request_id: int) -> PublicationRequest:
    row = session.get(PublicationRequest, request_id)
    if row is None or row.case_id != case.id:
        raise NotFound(NO_REQUEST)
    return row


def publication_consents(*, session: Session, actor: User, now: dt.datetime, case: Case) -> list[ConsentChoice]:
    """The publication consents of ``case`` valid today that a request may rest on, newest first."""
    _require_staff(actor, case)
    rows = session.scalars(select(ConsentRecord.id).where(
        ConsentRecord.case_id == case.id, ConsentRecord.kind == "publication",
    ).order_by(ConsentRecord.given_on.desc(), ConsentRecord.id.desc()))  # fmt: skip
    valid = [c for c in (_consent(session, case, i, local_today(now)) for i in rows) if c is not None]
    return [ConsentChoice(c.id, c.given_on, c.expires_on, c.purpose or "", tuple(sorted(_groups(c.scope))))
            for c in valid]  # fmt: skip


def publication_requests(*, session: Session, actor: User, case: Case) -> list[RequestLine]:
    """Every publication request of ``case``, newest first, with who asked and who decided (one query)."""
    _require_staff(actor, case)
    asker, decider = aliased(User), aliased(User)
    rows = session.execute(
        select(PublicationRequest, asker.display_name, decider.display_name)
        .join(asker, asker.id == PublicationRequest.requested_by_id)
        .outerjoin(decider, decider.id == PublicationRequest.decided_by_id)
        .where(PublicationRequest.case_id == case.id).order_by(PublicationRequest.id.desc())
    ).all()  # fmt: skip
    return [
        RequestLine(r.id, r.status, tuple(sorted(_groups(r.field_groups))), r.purpose, r.consent_id,
                    r.requested_by_id, asked, r.requested_at, decided, r.decided_at, r.decision_reason)
        for r, asked, decided in rows
    ]  # fmt: skip


def request_publication(*, session: Session, actor: User, now: dt.datetime, case: Case, consent_id: int | None,
                        purpose: str, groups: frozenset[FieldGroup]) -> PublicationRequest:  # fmt: skip
    """Ask to publish ``groups`` of ``case`` for ``purpose``, resting on the publication consent ``consent_id``."""
    _require_staff(actor, case)
    today = local_today(now)
    consent = _consent(session, case, consent_id, today)
    if consent is None:
        raise ConsentMissing(NO_CONSENT)
    purpose = (purpose or "").strip()
    problems: dict[str, str] = {}
    if not groups:
        problems["groups"] = CHOOSE_GROUPS
    elif not groups <= _groups(consent.scope):
        problems["groups"] = NOT_COVERED
    elif child := _child_problem(session, case, groups, today):
        problems["groups"] = child
    if not purpose:
        problems["purpose"] = NEED_PURPOSE
    elif len(purpose) > PURPOSE_MAX:
        problems["purpose"] = PURPOSE_TOO_LONG
    if problems:
        raise InvalidInput(NOT_SAVED, problems)
    with transaction(session):
        row = PublicationRequest(case_id=case.id, consent_id=consent.id, purpose=purpose, field_groups=_names(groups),
                                 status="pending", requested_by_id=actor.id, requested_at=now)  # fmt: skip
        session.add(row)
        session.flush()
        audit.record(session=session, now=now, actor_id=actor.id, action="publication_requested", case_id=case.id,
                     detail=f"publication={row.id} consent={consent.id} groups={row.field_groups}")  # fmt: skip
        return row


def decide_publication(*, session: Session, actor: User, now: dt.datetime, case: Case, request_id: int,
                       approve: bool, reason: str) -> PublicationRequest:  # fmt: skip
    """Approve or refuse a pending publication request of ``case`` (a supervisor of its team, not the requester)."""
    if actor.role is not Role.SUPERVISOR:
        raise Forbidden(SUPERVISOR_ONLY)
    if not can_see_case(actor, case):
        raise NotFound(NOT_YOURS)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(NOT_DECIDED, {"reason": NEED_REASON if not reason else REASON_TOO_LONG})
    with transaction(session):
        row = _request(session, case, request_id)
        if row.status != "pending":
            raise AlreadyDecided(ALREADY_DECIDED)
        if row.requested_by_id == actor.id:
            raise Forbidden(OWN_REQUEST)
        if approve:
            today = local_today(now)
            consent = _consent(session, case, row.consent_id, today)
            groups = _groups(row.field_groups)
            if consent is None or not groups <= _groups(consent.scope):
                raise ConsentMissing(CONSENT_LAPSED)
            if child := _child_problem(session, case, groups, today):
                raise PublicationNotAllowed(child)
        row.status = "approved" if approve else "refused"
        row.decided_by_id, row.decided_at, row.decision_reason = actor.id, now, reason
        session.flush()
        audit.record(session=session, now=now, actor_id=actor.id, action=f"publication_{row.status}", case_id=case.id,
                     detail=f"publication={row.id} groups={row.field_groups}")  # fmt: skip
        return row


def publication_extract(*, session: Session, actor: User, now: dt.datetime, case: Case,
                        request_id: int) -> PublicationExtract:  # fmt: skip
    """The fields of the groups an approved request names, while its consent holds; audited as an export."""
    _require_staff(actor, case)
    with transaction(session):
        row = _request(session, case, request_id)
        if row.status != "approved":
            raise PublicationNotAllowed(NOT_APPROVED)
        today = local_today(now)
        groups = _groups(row.field_groups)
        consent = _consent(session, case, row.consent_id, today)
        if consent is None or not groups <= _groups(consent.scope):
            raise ConsentMissing(CONSENT_LAPSED)
        if child := _child_problem(session, case, groups, today):
            raise PublicationNotAllowed(child)
        sections = _fields(session, case, groups)
        audit.record(session=session, now=now, actor_id=actor.id, action="export", case_id=case.id,
                     detail=f"publication={row.id} consent={consent.id} groups={row.field_groups}")  # fmt: skip
        return PublicationExtract(row.id, tuple(sorted(g.value for g in groups)), now, sections)


def _columns(section: str, model: Any, groups: frozenset[FieldGroup]) -> list[str]:
    return [c.key for c in model.__table__.columns
            if c.key not in NOT_CONTENT and group_of(section, c.key) in groups]  # fmt: skip


def _text(value: object) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _fields(session: Session, case: Case, groups: frozenset[FieldGroup]) -> dict[str, list[dict[str, str]]]:
    """Only the chosen columns are selected, so nothing else is even decrypted."""
    models: dict[str, Any] = dict(SECTIONS)  # a test keeps it in step with SECTION_GROUPS
    found: dict[str, list[dict[str, str]]] = {}
    for section, model in models.items():
        columns = _columns(section, model, groups)
        if columns:
            query = select(*(getattr(model, c) for c in columns)).where(model.case_id == case.id).order_by(model.id)
            found[section] = [r for r in (_row(columns, values) for values in session.execute(query)) if r]
    # The plan's goals are lines of the case plan: they belong to its groups, and a health or mental-health
    # goal also to the medical or psychological group (``goal_group``).
    goal_columns = _columns("case_plan", CasePlanGoal, groups)
    left_out = [domain for domain, group in GOAL_DOMAIN_GROUPS.items() if group not in groups]
    if goal_columns:
        query = select(*(getattr(CasePlanGoal, c) for c in goal_columns)).join(CasePlan).where(
            CasePlan.case_id == case.id, CasePlanGoal.domain.not_in(left_out)).order_by(CasePlanGoal.id)  # fmt: skip
        found["case_plan_goals"] = [r for r in (_row(goal_columns, v) for v in session.execute(query)) if r]
    return {section: rows for section, rows in found.items() if rows}


def _row(columns: list[str], values: Any) -> dict[str, str]:
    return {c: _text(v) for c, v in zip(columns, values, strict=True) if v is not None and v != ""}
