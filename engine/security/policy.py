"""Who may see and do what with cases. Services call these; templates only mirror them.

Scope of case records: a caseworker sees the cases assigned to them; a supervisor sees their team's
cases; DoSVY officers see cases transferred to their office (open transfers); administrators and
reporting staff see no case file at all (reporting sees de-identified aggregates only).

Within a case, what may be read or written is decided per field group (``engine.security.fields``):
``readable_groups`` / ``writable_groups`` combine the role's matrix with the case's open transfer, and
the case-file services filter and refuse by them, so no page, export or API can show more.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, exists, false, or_, select
from sqlalchemy.orm import Session, object_session

from engine.clock import current_now, local_today
from engine.errors import N_, Forbidden
from engine.models.accounts import Role, User
from engine.models.cases import Case
from engine.models.security import CaseTransfer, ConsentRecord
from engine.models.workflow import WorkItem
from engine.security.fields import DOSVY_STEP_WRITE, READ, WRITE, FieldGroup

CASE_STAFF = (Role.CASEWORKER, Role.SUPERVISOR)
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


def visible_cases(actor: User, query: Q) -> Q:
    """Restrict a query over ``Case`` to the cases ``actor`` may see."""
    return query.where(visible_case(actor))


def visible_case(actor: User, *, me: Any = None, team: Any = None) -> ColumnElement[bool]:
    """SQL condition over ``Case``: true for the cases ``actor`` may see (what ``can_see_case`` decides for
    one case). ``me`` and ``team``: bound parameters standing for the actor's id and team, for a statement
    built once and reused for every caseworker (or every supervisor) with their own values."""
    if actor.role is Role.CASEWORKER:
        return Case.caseworker_id == (actor.id if me is None else me)
    if actor.role is Role.SUPERVISOR and (team is not None or actor.team_id is not None):
        return Case.team_id == (actor.team_id if team is None else team)
    if actor.role is Role.DOSVY_OFFICER and actor.organisation_id is not None:
        return Case.id.in_(_transferred_to(actor.organisation_id))
    return false()


def _transferred_to(org_id: int) -> Select[Any]:
    # An open transfer counts while the consent it rests on holds (an override rests on none); withdrawing
    # a consent ends its transfers outright, and an expired one stops counting on its expiry day (a day in
    # Phnom Penh, by the clock of the request or job in progress: never the database's own date).
    today = local_today(current_now())
    # Correlated on the consent's primary key: an IN over every valid consent was a scan of the whole
    # consent table on each check (25 ms at 100,000 cases; bench_completion's profile).
    consent_holds = or_(
        CaseTransfer.consent_id.is_(None),
        exists().where(ConsentRecord.id == CaseTransfer.consent_id, ConsentRecord.valid_on(today)),
    )  # fmt: skip
    return select(CaseTransfer.case_id).where(CaseTransfer.to_org_id == org_id, CaseTransfer.ended_at.is_(None),
                                              consent_holds)  # fmt: skip


def can_see_case(actor: User, case: Case) -> bool:
    """True when ``actor`` may open ``case``."""
    if actor.role is Role.CASEWORKER:
        return case.caseworker_id == actor.id
    if actor.role is Role.SUPERVISOR:
        return actor.team_id is not None and case.team_id == actor.team_id
    if actor.role is Role.DOSVY_OFFICER and actor.organisation_id is not None:
        session = object_session(case)
        transferred = _transferred_to(actor.organisation_id).where(CaseTransfer.case_id == case.id)
        return session is not None and session.scalar(select(transferred.exists())) is True
    return False


def require_can_open_case(actor: User, team_id: int) -> None:
    """Only caseworkers and supervisors of ``team_id`` admit survivors into it."""
    if actor.role not in CASE_STAFF or actor.team_id != team_id:
        raise Forbidden(N_("Only caseworkers and supervisors of this team can open a case for it."))


def can_work_on(actor: User, item: WorkItem) -> bool:
    """True when ``actor`` may claim or complete the work item ``item``."""
    if not actor.active or actor.role is not item.role:
        return False
    if actor.role is Role.CASEWORKER:
        return item.assignee_id == actor.id or (item.assignee_id is None and item.team_id == actor.team_id)
    if actor.role is Role.SUPERVISOR:
        return actor.team_id is not None and item.team_id == actor.team_id
    # DoSVY officers: the items of cases transferred to their office (accepting it, then the Type 2 visits).
    return actor.role is Role.DOSVY_OFFICER and can_see_case(actor, item.case)


def transferred_to_office(actor: User) -> Select[Any]:
    """The ids of the cases transferred to ``actor``'s office (none for someone without an office)."""
    if actor.organisation_id is None:
        return select(Case.id).where(false())
    return _transferred_to(actor.organisation_id)


def readable_groups(actor: User, case: Case) -> frozenset[FieldGroup]:
    """The field groups of ``case`` that ``actor`` may read (empty when the case is out of their scope)."""
    if not can_see_case(actor, case):
        return frozenset()
    if actor.role is Role.DOSVY_OFFICER:
        return READ[actor.role] & _transfer_groups(actor, case)
    return READ[actor.role]


def step_groups(actor: User, case: Case) -> tuple[frozenset[FieldGroup], frozenset[FieldGroup]]:
    """(readable, writable) groups for a step of ``case`` that ``actor`` may work on (``can_work_on``).

    A team's unassigned step is open to every caseworker of the team, who may answer it (their role
    decides what it may write) but reads nothing of a case file that is not theirs: the form is not
    prefilled from it, and fields left empty write nothing."""
    if actor.role is Role.DOSVY_OFFICER:
        return READ[actor.role] & _transfer_groups(actor, case), DOSVY_STEP_WRITE
    return READ[actor.role] if can_see_case(actor, case) else frozenset(), WRITE[actor.role]


def writable_groups(actor: User, case: Case) -> frozenset[FieldGroup]:
    """The field groups of ``case`` that ``actor`` may change."""
    return WRITE[actor.role] if can_see_case(actor, case) else frozenset()


def _transfer_groups(actor: User, case: Case) -> frozenset[FieldGroup]:
    session = object_session(case)
    return active_transfer_groups(session, case.id, actor.organisation_id) if session else frozenset()


def active_transfer_groups(session: Session, case_id: int, org_id: int | None) -> frozenset[FieldGroup]:
    """The groups an office may read of a case through its open transfer, while the consent it rests on
    holds (empty when none)."""
    if org_id is None:
        return frozenset()
    text = session.scalar(
        _transferred_to(org_id).with_only_columns(CaseTransfer.field_groups).where(CaseTransfer.case_id == case_id)
    )
    return frozenset(FieldGroup(g) for g in text.split(",") if g) if text else frozenset()
