"""Case-file sections (seed items 1-5): read them, edit them through declarative forms, family members,
the case history, and survivor names for lists.

The editors are the forms in ``workflows/forms/sections/`` (labels, help and validation in English and
Khmer; the web layer renders them like workflow steps). A save is one transaction: it writes every
column of the section (an emptied field clears its column), stamps ``updated_at``/``updated_by_id`` and
adds a line to the case history (the section's name, never its content). A save carries the token of
the version it was edited from; if the section changed in the meantime nothing is written
(``ConcurrentChange``), so no one silently overwrites a colleague.

Who: the assigned caseworker and the team's supervisor (``can_see_case``) read and edit; a DoSVY officer
reads the parts of a case transferred to their office. What each may read or change is decided per
field group (``engine.security.fields``, through ``readable_groups``/``writable_groups``): a section is
shown with only its readable fields (and left out when none is), and a save touching a group the actor
may not write is refused. Other case staff get ``NotFound`` (no existence leak); roles without case
files get ``Forbidden``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from engine import audit
from engine.cases.case_file import SINGLE_SECTIONS
from engine.cases.countries import country_codes
from engine.cases.service import NewSurvivor, get_case
from engine.clock import local_today
from engine.crypto import KeyRing, current_keyring
from engine.db import transaction
from engine.errors import N_, ConcurrentChange, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role, User
from engine.models.cases import Case, CaseEvent, CasePlan, CasePlanGoal, FamilyAssessment, FamilyMember, Identity, Sex
from engine.models.workflow import WorkItem, WorkItemStatus
from engine.security.fields import READ, FieldGroup, group_of, target_group
from engine.security.policy import (
    CASE_STAFF,
    can_see_case,
    readable_groups,
    step_groups,
    visible_cases,
    writable_groups,
)
from workflows import FORMS_DIR
from workflows.forms import Form, load_forms, prefill, validate_submission

EDITABLE = ("identity", "history", "family_assessment", "case_plan", "medical", "psychological")
SECTION_EVENT = "section_updated"
_EVENT_PREFIX = "Case file updated: "
_CHANGED = N_("Someone else changed this section in the meantime. Nothing was saved; your entries are shown again.")
# Khmer wording written for these messages; it needs a native speaker's review (see GLOSSARY-km.md).
MESSAGES: dict[str, dict[str, str]] = {
    "given_name": {
        "en": "Enter a given name in Khmer or Latin script.",
        "km": "សូមបញ្ចូលនាមខ្លួនជាអក្សរខ្មែរ ឬអក្សរឡាតាំង។",
    },
    "goal_first": {
        "en": "Write the goal: an action, a person or a date needs a goal.",
        "km": "សូមសរសេរគោលដៅ៖ សកម្មភាព អ្នកទទួលខុសត្រូវ ឬកាលបរិច្ឆេទ ត្រូវការគោលដៅ។",
    },
}
Values = dict[str, str | list[str]]


@functools.cache
def section_forms() -> dict[str, Form]:
    """Every section editor, keyed by form key (``section_<section>``); loaded and checked once."""
    return load_forms(FORMS_DIR / "sections")


def section_form(key: str) -> Form:
    """The editor of section ``key`` ("identity", ..., "family_member", "admission")."""
    return section_forms()[f"section_{key}"]


@dataclass(frozen=True)
class SectionView:
    """One section (or one family member) as its form shows it: form strings, keyed by field name."""

    key: str
    form: Form
    values: Values
    updated_at: dt.datetime | None
    token: str
    item_id: int | None = None


@dataclass(frozen=True)
class CaseFile:
    """The sections of a case the reader may see (only their readable fields), and its family members
    (oldest first; empty when family data is not readable). ``groups``: what the reader may read."""

    case: Case
    sections: dict[str, SectionView]
    family: list[SectionView]
    groups: frozenset[FieldGroup] = frozenset(FieldGroup)

    @property
    def family_readable(self) -> bool:
        return FieldGroup.FAMILY in self.groups


@dataclass(frozen=True)
class HistoryLine:
    """One line of the case history; ``section`` is set for case-file edits."""

    at: dt.datetime
    kind: str
    summary: str
    actor_name: str | None
    section: str | None = None
    phases: tuple[str, str] | None = None  # (from, to) for a phase change


def open_case_file(*, session: Session, actor: User, code: str) -> Case:
    """The case ``code`` if ``actor`` may see and edit its file (``Forbidden`` for other roles)."""
    if actor.role not in CASE_STAFF:
        raise Forbidden(N_("Only caseworkers and supervisors work with case files."))
    return get_case(session=session, actor=actor, code=code)


def _token(row: Any) -> str:
    return "" if row is None else f"{row.id}@{row.updated_at.isoformat()}"


def _row(session: Session, key: str, case_id: int) -> Any:
    if key == "family_assessment":  # one row per assessment; the section shows (and edits) the latest
        return session.scalar(
            select(FamilyAssessment).where(FamilyAssessment.case_id == case_id)
            .order_by(FamilyAssessment.assessed_on.desc(), FamilyAssessment.id.desc()).limit(1)
        )  # fmt: skip
    model = SINGLE_SECTIONS[key]
    return session.scalar(select(model).where(model.case_id == case_id))


def _values_of(row: Any, section: str) -> dict[str, object]:
    if row is None:
        return {}
    values: dict[str, object] = {f"{section}.{c.key}": getattr(row, c.key) for c in row.__table__.columns}
    if isinstance(row, CasePlan):
        for goal in row.goals:
            columns = ("goal", "action", "responsible", "due_on")
            values.update({f"case_plan_goal.{goal.domain}.{c}": getattr(goal, c) for c in columns})
    return values


def _view(key: str, form: Form, row: Any) -> SectionView:
    return SectionView(key, form, prefill(form, _values_of(row, key)), row.updated_at if row else None, _token(row),
                       row.id if isinstance(row, FamilyMember) else None)  # fmt: skip


def _member_view(form: Form, member: FamilyMember) -> SectionView:
    current = {c: getattr(member, c) for c in ("relationship", "name", "date_of_birth", "address", "occupation")}
    return SectionView("family_member", form, prefill(form, current), member.updated_at, _token(member), member.id)


def field_group(section: str, f: Any) -> FieldGroup:
    """The field group a section editor's field belongs to."""
    if f.target:
        return target_group(f.target)
    return FieldGroup.FAMILY if section == "family_member" else group_of(section, f.name)


def _readable_form(form: Form, section: str, groups: frozenset[FieldGroup]) -> Form | None:
    fields = tuple(f for f in form.fields if field_group(section, f) in groups)
    if not fields:
        return None
    return form if len(fields) == len(form.fields) else dataclasses.replace(form, fields=fields)


def _require_writable(actor: User, case: Case, section: str, form: Form) -> None:
    wanted = {field_group(section, f) for f in form.fields}
    if not wanted <= writable_groups(actor, case):
        raise Forbidden(N_("You may not change this part of the case file."))


def _open_for_reading(session: Session, actor: User, code: str) -> tuple[Case, frozenset[FieldGroup]]:
    if actor.role not in (*CASE_STAFF, Role.DOSVY_OFFICER):
        raise Forbidden(N_("Only caseworkers, supervisors and DoSVY officers read case files."))
    case = get_case(session=session, actor=actor, code=code)
    groups = readable_groups(actor, case)
    if not groups:
        raise NotFound(N_("There is no such case, or it is not yours to see."))
    return case, groups


def read_case_file(*, session: Session, actor: User, code: str) -> CaseFile:
    """The sections of case ``code`` the actor may read, with their current values (only readable fields)."""
    case, groups = _open_for_reading(session, actor, code)
    sections: dict[str, SectionView] = {}
    for key in EDITABLE:
        form = _readable_form(section_form(key), key, groups)
        if form is not None:
            view = _view(key, form, _row(session, key, case.id))
            readable = {f.name for f in form.fields}
            sections[key] = dataclasses.replace(view, values={k: v for k, v in view.values.items() if k in readable})
    family: list[SectionView] = []
    if FieldGroup.FAMILY in groups:
        form = section_form("family_member")
        members = session.scalars(select(FamilyMember).where(FamilyMember.case_id == case.id).order_by(FamilyMember.id))
        family = [_member_view(form, m) for m in members]
    return CaseFile(case, sections, family, groups)


def read_section(*, session: Session, actor: User, code: str, key: str) -> SectionView:
    """Section ``key`` of case ``code``, ready to edit."""
    if key not in EDITABLE:
        raise NotFound(N_("There is no such section."))
    case = open_case_file(session=session, actor=actor, code=code)
    _require_writable(actor, case, key, section_form(key))
    return _view(key, section_form(key), _row(session, key, case.id))


def _validated(form: Form, raw: Mapping[str, str | list[str]], lang: str, now: dt.datetime,
               record: Mapping[str, object] | None = None) -> dict[str, object]:  # fmt: skip
    submission = validate_submission(form, raw, lang=lang, today=local_today(now), countries=country_codes(),
                                     record=record)  # fmt: skip
    errors = dict(submission.errors)
    named = any(submission.values.get(n) for n in ("given_name_km", "given_name_latin"))
    if form.key in ("section_identity", "section_admission") and not named:
        errors.setdefault("given_name_latin", MESSAGES["given_name"][lang])
    for f in form.fields:  # a case-plan line without its goal would be dropped: say so rather than lose it
        if f.target and f.target.startswith("case_plan_goal.") and f.target.endswith(".goal"):
            prefix = f.target.removesuffix("goal")
            others = [g.name for g in form.fields if g.target and g.target.startswith(prefix) and g is not f]
            if f.name not in submission.values and any(n in submission.values for n in others):
                errors.setdefault(f.name, MESSAGES["goal_first"][lang])
    if errors:
        raise InvalidInput(N_("Nothing was saved. Please correct the marked fields."), errors)
    return submission.values


def _typed(model: type[Any], column: str, value: object) -> object:
    column_type = model.__table__.columns[column].type
    if value is not None and isinstance(column_type, SAEnum) and column_type.enum_class is not None:
        return column_type.enum_class(value)
    return value


def update_section(*, session: Session, actor: User, now: dt.datetime, code: str, key: str,
                   raw: Mapping[str, str | list[str]], token: str, lang: str = "en") -> SectionView:  # fmt: skip
    """Replace section ``key`` of case ``code`` with the submitted form, if it is still at ``token``."""
    if key not in EDITABLE:
        raise NotFound(N_("There is no such section."))
    form = section_form(key)
    case = open_case_file(session=session, actor=actor, code=code)
    _require_writable(actor, case, key, form)  # before any check
    record = case_file_values(session=session, case=case, targets=form.record_refs, actor=actor)
    values = _validated(form, raw, lang, now, record)
    with transaction(session):
        case = open_case_file(session=session, actor=actor, code=code)
        row = _row(session, key, case.id)
        if _token(row) != token:
            raise ConcurrentChange(_CHANGED)
        if row is None:
            row = (FamilyAssessment if key == "family_assessment" else SINGLE_SECTIONS[key])(case_id=case.id)
            session.add(row)
        goals: dict[str, dict[str, object]] = {}
        for f in form.fields:
            parts = (f.target or "").split(".")
            if parts[0] == "case_plan_goal":
                goals.setdefault(parts[1], {})[parts[2]] = values.get(f.name)
            elif parts[0] == key:
                setattr(row, parts[1], _typed(type(row), parts[1], values.get(f.name)))
        if isinstance(row, CasePlan):
            _replace_goals(row, goals)
        row.updated_at, row.updated_by_id = now, actor.id
        _history(session, case, actor, now, key, [f.name for f in form.fields])
        session.flush()
        return _view(key, form, row)


def _replace_goals(plan: CasePlan, goals: dict[str, dict[str, object]]) -> None:
    existing = {g.domain: g for g in plan.goals}
    for domain, columns in goals.items():
        goal = existing.get(domain)
        if not columns.get("goal"):
            if goal is not None:
                plan.goals.remove(goal)  # delete-orphan: the line is gone from the plan
            continue
        if goal is None:
            goal = CasePlanGoal(domain=domain)
            plan.goals.append(goal)
        for column, value in columns.items():
            setattr(goal, column, value)


def _history(session: Session, case: Case, actor: User, now: dt.datetime, section: str, fields: list[str]) -> None:
    # The history and the audit log name the section and its fields, never a value.
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, kind=SECTION_EVENT,
                          summary=f"{_EVENT_PREFIX}{section}"))  # fmt: skip
    audit.record(session=session, now=now, actor_id=actor.id, action="case_file_changed", case_id=case.id,
                 detail=f"section={section}; fields={','.join(fields)}")  # fmt: skip


def view_case_file(*, session: Session, actor: User, now: dt.datetime, code: str) -> CaseFile:
    """The readable sections of case ``code`` for a page; the view (and which groups it showed) is audited."""
    with transaction(session):
        file = read_case_file(session=session, actor=actor, code=code)
        shown = "" if file.groups >= READ[Role.CASEWORKER] else "groups=" + ",".join(sorted(file.groups))
        audit.record(session=session, now=now, actor_id=actor.id, action="case_file_viewed", case_id=file.case.id,
                     detail=shown)  # fmt: skip
        return file


def _member(session: Session, case: Case, member_id: int) -> FamilyMember:
    member = session.get(FamilyMember, member_id)
    if member is None or member.case_id != case.id:
        raise NotFound(N_("There is no such family member in this case."))
    return member


def read_family_member(*, session: Session, actor: User, code: str, member_id: int | None) -> SectionView:
    """One family member of case ``code`` ready to edit (an empty form when ``member_id`` is None)."""
    case = open_case_file(session=session, actor=actor, code=code)
    form = section_form("family_member")
    if member_id is None:
        return SectionView("family_member", form, {}, None, "")
    return _member_view(form, _member(session, case, member_id))


def save_family_member(*, session: Session, actor: User, now: dt.datetime, code: str, member_id: int | None,
                       raw: Mapping[str, str | list[str]], token: str, lang: str = "en") -> SectionView:  # fmt: skip
    """Add a family member to case ``code`` (``member_id`` None) or change one, if unchanged since ``token``."""
    form = section_form("family_member")
    _require_writable(actor, open_case_file(session=session, actor=actor, code=code), "family_member", form)
    values = _validated(form, raw, lang, now)
    with transaction(session):
        case = open_case_file(session=session, actor=actor, code=code)
        if member_id is None:
            member = FamilyMember(case_id=case.id)
            session.add(member)
        else:
            member = _member(session, case, member_id)
            if _token(member) != token:
                raise ConcurrentChange(_CHANGED)
        for f in form.fields:
            setattr(member, f.name, values.get(f.name))
        member.updated_at, member.updated_by_id = now, actor.id
        _history(session, case, actor, now, "family_members", [f.name for f in form.fields])
        session.flush()
        return _member_view(form, member)


def case_history(*, session: Session, actor: User, code: str, limit: int = 200) -> list[HistoryLine]:
    """The case's history, newest first, with who did each step (one query)."""
    case = open_case_file(session=session, actor=actor, code=code)
    rows = session.execute(
        select(CaseEvent, User.display_name).outerjoin(User, User.id == CaseEvent.actor_id)
        .where(CaseEvent.case_id == case.id).order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(limit)
    ).all()  # fmt: skip
    return [_line(event, name) for event, name in rows]


def _line(event: CaseEvent, actor_name: str | None) -> HistoryLine:
    section = event.summary.removeprefix(_EVENT_PREFIX) if event.kind == SECTION_EVENT else None
    moved = event.summary.split(" -> ") if event.kind == "phase_changed" else []
    phases = (moved[0], moved[1]) if len(moved) == 2 else None  # written as "<from> -> <to>" by the workflow
    return HistoryLine(event.at, event.kind, event.summary, actor_name, section, phases)


@dataclass(frozen=True)
class OpenStep:
    """An open step of a case, for the case page."""

    id: int
    title: str
    form_key: str
    task_name: str
    role: Role
    due_at: dt.datetime | None
    assignee_name: str | None


def open_steps(*, session: Session, actor: User, code: str) -> list[OpenStep]:
    """The steps of case ``code`` waiting for someone, by due date (one query)."""
    case = open_case_file(session=session, actor=actor, code=code)
    rows = session.execute(
        select(WorkItem, User.display_name).outerjoin(User, User.id == WorkItem.assignee_id)
        .where(WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN)
        .order_by(WorkItem.due_at.is_(None), WorkItem.due_at, WorkItem.id)
    ).all()  # fmt: skip
    return [OpenStep(w.id, w.title, w.form_key, w.task_name, w.role, w.due_at, name) for w, name in rows]


def survivor_names(*, session: Session, actor: User, case_ids: Iterable[int]) -> dict[int, str]:
    """Alias (else given name) of each case in ``case_ids`` whose identity ``actor`` may see; one query.

    Cases outside the actor's scope are filtered in SQL, so their names are never even decrypted. The three
    names come as ciphertext and only the first that is needed is decrypted (one Fernet decryption a row
    instead of three: a tenth of a 25-row queue page).
    """
    ids = sorted(set(case_ids))
    if not ids or actor.role not in CASE_STAFF:
        return {}
    query = visible_cases(actor, select(Case, *NAME_TOKENS))
    rows = session.execute(query.join(Identity, Identity.case_id == Case.id).where(Case.id.in_(ids))).all()
    keyring = current_keyring()
    return {case.id: first_name(keyring, tokens) for case, *tokens in rows if can_see_case(actor, case)}


# The three names a list may show, in order (alias, else the Latin, else the Khmer given name), as the stored
# ciphertext: a list reads them in its own statement and decrypts only the first one present (``first_name``).
NAME_TOKENS = tuple(type_coerce(c, Text) for c in (Identity.alias, Identity.given_name_latin, Identity.given_name_km))


def first_name(keyring: KeyRing, tokens: Iterable[str | None]) -> str:
    """The first of ``NAME_TOKENS`` that holds a name, decrypted (the others are never decrypted)."""
    for token in tokens:  # the identity always holds a given name (a check constraint)
        name = keyring.decrypt(token) if token is not None else ""
        if name:
            return name
    return ""


def case_file_values(*, session: Session, case: Case, targets: Iterable[str], actor: User | None = None,
                     readable: frozenset[FieldGroup] | None = None,
                     loaded: dict[str, Any] | None = None) -> dict[str, object]:  # fmt: skip
    """Current values of ``targets`` ("<section>.<column>", "case_plan_goal.<domain>.<column>") to prefill
    a step's form. The caller has already checked that the actor may work on the step; given ``actor``,
    targets in field groups they may not read are left out (``readable``: those groups, when the caller has
    worked them out already). ``loaded`` collects the one-row sections read, by section (None when the case
    has none yet), so that writing the step (``apply_targets``) does not read them again."""
    groups = readable if readable is not None else step_groups(actor, case)[0] if actor is not None else None
    if groups is not None:
        targets = [t for t in targets if target_group(t) in groups]
    sections = {t.split(".")[0] for t in targets}
    values: dict[str, object] = {}
    if "case" in sections:
        values["case.risk_level"] = case.risk_level
    if "case_plan_goal" in sections:
        sections.add("case_plan")
    for section in sections - {"case", "case_plan_goal"}:
        row = _row(session, section, case.id)
        if loaded is not None and section in SINGLE_SECTIONS:
            loaded[section] = row
        values.update(_values_of(row, section))
    if groups is not None:
        values = {k: v for k, v in values.items() if target_group(k) in groups}
    return values


@dataclass(frozen=True)
class Person:
    """A family member offered by a "person" field; ``name`` only for those who may see the identity."""

    id: int
    relationship: str
    name: str | None


def people(*, session: Session, actor: User, case: Case) -> list[Person]:
    """The case's family members for a "person" field (the names only if ``actor`` may read family data)."""
    show = FieldGroup.FAMILY in readable_groups(actor, case)
    members = session.scalars(select(FamilyMember).where(FamilyMember.case_id == case.id).order_by(FamilyMember.id))
    return [Person(m.id, m.relationship, m.name if show else None) for m in members]


def parse_admission(*, raw: Mapping[str, str | list[str]], lang: str, now: dt.datetime) -> NewSurvivor:
    """Check the admission form; the survivor to admit, or ``InvalidInput`` with messages by field."""
    values = _validated(section_form("admission"), raw, lang, now)
    text = {k: v for k, v in values.items() if isinstance(v, str)}
    born = values.get("date_of_birth")
    return NewSurvivor(
        sex=Sex(text["sex"]), given_name_km=text.get("given_name_km"), family_name_km=text.get("family_name_km"),
        given_name_latin=text.get("given_name_latin"), family_name_latin=text.get("family_name_latin"),
        alias=text.get("alias"), date_of_birth=born if isinstance(born, dt.date) else None,
    )  # fmt: skip
