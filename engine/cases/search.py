"""Find cases: by case code (exact or prefix) or by name in Khmer or Latin script, with filters.

Names are never decrypted to search them: each query token is normalised (``engine.names``),
hashed with the index key and looked up in ``case_name_tokens`` (kept in step with the identities by a
flush hook in ``engine.models.cases``); a case is found when every query token is one of its tokens.
The scope is the case list's (``visible_cases``), applied in the same SQL, so no one finds a case they
could not open. The query is never logged, audited or echoed in a message: a name search leaves an
audit line that says only how many tokens it had and how many cases it found.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from engine import audit
from engine.crypto import current_keyring
from engine.db import transaction
from engine.errors import N_, Forbidden, InvalidInput
from engine.models.accounts import Role, User
from engine.models.cases import Case, CaseStatus, Identity, NameToken, Phase, index_identity
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.names import MAX_QUERY_CHARS, MAX_QUERY_TOKENS, query_tokens
from engine.security.policy import CASE_STAFF, visible_cases

MAX_PER_PAGE = 100
_CODE = re.compile(r"[A-Z0-9-]{2,20}")
# English message ids; web/cases/search.py marks them for translation.
MESSAGES = {
    "not_searched": N_("Nothing was searched. Please correct the marked fields."),
    "too_long": N_("The search is too long: at most 200 characters and 8 words."),
    "no_words": N_("Type a name (in Khmer or Latin script) or a case code."),
    "phase": N_("Choose a phase from the list."),
    "status": N_("Choose a status from the list."),
    "caseworker": N_("Choose a caseworker of your team."),
    "overdue": N_("The overdue filter is either on or off."),
    "page": N_("There is no such page."),
    "staff_only": N_("Only case staff can search case files."),
}


@dataclass(frozen=True)
class CaseFilters:
    """Filters of the case list; ``None`` (or ``False``) leaves a filter off."""

    phase: Phase | None = None
    status: CaseStatus | None = None
    caseworker_id: int | None = None
    overdue: bool = False

    def active(self) -> list[str]:
        """The names of the filters that are on (never their values)."""
        on = {"phase": self.phase, "status": self.status, "caseworker": self.caseworker_id, "overdue": self.overdue}
        return [name for name, value in on.items() if value]


@dataclass(frozen=True)
class SearchPage:
    """One page of found cases, newest first (an exact code first of all)."""

    cases: list[Case]
    total: int
    page: int
    per_page: int
    by_name: bool = False
    filters: CaseFilters = field(default_factory=CaseFilters)

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def parse_filters(*, phase: str | None = None, status: str | None = None, caseworker: str | None = None,
                  overdue: str | None = None) -> CaseFilters:  # fmt: skip
    """Filters from form values; an empty value leaves the filter off, a bad one is ``InvalidInput``."""
    errors: dict[str, str] = {}
    chosen_phase = chosen_status = None
    worker: int | None = None
    if phase:
        try:
            chosen_phase = Phase(phase)
        except ValueError:
            errors["phase"] = MESSAGES["phase"]
    if status:
        try:
            chosen_status = CaseStatus(status)
        except ValueError:
            errors["status"] = MESSAGES["status"]
    if caseworker:
        if caseworker.isascii() and caseworker.isdigit() and len(caseworker) < 10:
            worker = int(caseworker)
        else:
            errors["caseworker"] = MESSAGES["caseworker"]
    if overdue not in (None, "", "0", "1", "on"):
        errors["overdue"] = MESSAGES["overdue"]
    if errors:
        raise InvalidInput(MESSAGES["not_searched"], errors)
    return CaseFilters(chosen_phase, chosen_status, worker, overdue in ("1", "on"))


def search_cases(*, session: Session, actor: User, now: dt.datetime, query: str = "",
                 filters: CaseFilters | None = None, page: int = 1, per_page: int = 25) -> SearchPage:  # fmt: skip
    """The cases ``actor`` may see that match ``query`` (a code or a prefix of one, or name words) and
    ``filters``, one page. An empty query lists the filtered cases, like the case list."""
    if actor.role not in CASE_STAFF:
        raise Forbidden(MESSAGES["staff_only"])
    filters = filters or CaseFilters()
    if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
        raise InvalidInput(MESSAGES["page"], {"page": MESSAGES["page"]})
    _check_caseworker(session, actor, filters)
    words = query_tokens(query)
    if len(query) > MAX_QUERY_CHARS or len(words) > MAX_QUERY_TOKENS:
        raise InvalidInput(MESSAGES["not_searched"], {"q": MESSAGES["too_long"]})
    code = "".join(query.split()).upper()
    is_code = _CODE.fullmatch(code) is not None
    if query.strip() and not words and not is_code:
        raise InvalidInput(MESSAGES["not_searched"], {"q": MESSAGES["no_words"]})
    base = _filtered(visible_cases(actor, select(Case)), filters, now)
    if query.strip():
        base = base.where(or_(*_matches(words, code if is_code else None)))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    order = [case((Case.code == code, 0), else_=1)] if is_code else []
    rows = session.scalars(
        base.order_by(*order, Case.opened_at.desc(), Case.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if query.strip():
        with transaction(session):
            audit.record(session=session, now=now, actor_id=actor.id, action="case_search",
                         detail=f"words={len(words)}; filters={','.join(filters.active())}; found={total}")  # fmt: skip
    return SearchPage(list(rows), total, page, per_page, by_name=bool(words), filters=filters)


def _check_caseworker(session: Session, actor: User, filters: CaseFilters) -> None:
    if filters.caseworker_id is None:
        return
    worker = session.get(User, filters.caseworker_id)
    if worker is None or worker.role is not Role.CASEWORKER or worker.team_id != actor.team_id:
        raise InvalidInput(MESSAGES["not_searched"], {"caseworker": MESSAGES["caseworker"]})


def _filtered(query: Select[Case], filters: CaseFilters, now: dt.datetime) -> Select[Case]:
    if filters.phase is not None:
        query = query.where(Case.phase == filters.phase)
    if filters.status is not None:
        query = query.where(Case.status == filters.status)
    if filters.caseworker_id is not None:
        query = query.where(Case.caseworker_id == filters.caseworker_id)
    if filters.overdue:
        query = query.where(exists().where(
            WorkItem.case_id == Case.id, WorkItem.status == WorkItemStatus.OPEN, WorkItem.due_at < now,
        ))  # fmt: skip
    return query


def _matches(words: list[str], code: str | None) -> list[ColumnElement[bool]]:
    ring = current_keyring()
    found: list[ColumnElement[bool]] = []
    if words:
        found.append(and_(*(
            Case.id.in_(select(NameToken.case_id).where(NameToken.token == ring.token_hash(word))) for word in words
        )))  # fmt: skip
    if code is not None:
        # ``code`` holds letters, digits and hyphens only (``_CODE``), so nothing in it is a LIKE wildcard.
        found.append(Case.code.like(code + "%"))
        found.append(func.replace(Case.code, "-", "").like(code.replace("-", "") + "%"))
    return found


@dataclass(frozen=True)
class ReindexReport:
    identities: int
    tokens: int


def reindex_names(*, session: Session, only_missing: bool = False, batch: int = 200) -> ReindexReport:
    """Rebuild the blind index and the search tokens of every identity (or of those without tokens) from
    the decrypted names, in small transactions; safe to re-run (needed after a change of the index key)."""
    identities = 0
    last = 0
    while True:
        query = select(Identity).where(Identity.id > last).order_by(Identity.id).limit(batch)
        if only_missing:
            query = query.where(~exists().where(NameToken.identity_id == Identity.id))
        with transaction(session):
            rows = session.scalars(query.options(selectinload(Identity.name_tokens))).all()
            for identity in rows:
                index_identity(identity)
            identities += len(rows)
        if len(rows) < batch:
            break
        last = rows[-1].id
    return ReindexReport(identities, session.scalar(select(func.count()).select_from(NameToken)) or 0)
