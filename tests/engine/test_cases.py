"""Case use cases: opening a case, who sees which case, listing, section staleness, optimistic locking."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from engine.cases import codes
from engine.cases.service import NewSurvivor, get_case, list_cases, open_case, section_status
from engine.db import Base, make_session_factory, transaction
from engine.errors import ConcurrentChange, Forbidden, InvalidInput, NotFound
from engine.models.accounts import Role, Team, User
from engine.models.cases import (
    SECTIONS,
    Case,
    CaseEvent,
    CaseStatus,
    FamilyMember,
    History,
    Identity,
    MedicalRecord,
    Phase,
    RiskLevel,
    Sex,
)
from tests.conftest import NOW
from tests.factories import Factory

CODE = re.compile(rf"^RG-[{codes.ALPHABET}]{{6}}$")
SURVIVOR = NewSurvivor(sex=Sex.FEMALE, given_name_latin="Testperson", family_name_latin="Synthetic")


@pytest.fixture
def team(factory: Factory) -> Team:
    return factory.team()


@pytest.fixture
def worker(factory: Factory, team: Team) -> User:
    return factory.user(Role.CASEWORKER, team)


@pytest.fixture
def supervisor(factory: Factory, team: Team) -> User:
    return factory.user(Role.SUPERVISOR, team)


def count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def open_one(
    session: Session, actor: User, *, now: dt.datetime = NOW, survivor: NewSurvivor = SURVIVOR, **kwargs: object
) -> Case:
    assert actor.team_id is not None
    kwargs.setdefault("team_id", actor.team_id)
    return open_case(session=session, actor=actor, now=now, survivor=survivor, **kwargs)  # type: ignore[arg-type]


# --- open_case ---


def test_opened_case_gets_a_non_identifying_code(session: Session, worker: User) -> None:
    assert CODE.match(open_one(session, worker).code)


def test_codes_differ_between_cases(session: Session, worker: User) -> None:
    assert len({open_one(session, worker).code for _ in range(5)}) == 5


def test_opened_case_starts_open_in_pre_reintegration(session: Session, worker: User, team: Team) -> None:
    team_id, case_id = team.id, open_one(session, worker).id
    session.expunge_all()
    stored = session.get(Case, case_id)
    assert stored is not None
    assert (stored.phase, stored.status, stored.team_id, stored.opened_at) == (
        Phase.PRE_REINTEGRATION,
        CaseStatus.OPEN,
        team_id,
        NOW,
    )
    assert (stored.closed_at, stored.risk_level, stored.rev) == (None, None, 1)


def test_opening_writes_the_identity_section(session: Session, worker: User) -> None:
    survivor = NewSurvivor(
        sex=Sex.MALE, given_name_latin=" Testperson ", family_name_latin="Synthetic", given_name_km="សាកល្បង",
        alias="  ", date_of_birth=dt.date(2005, 6, 1),
    )  # fmt: skip
    worker_id, case_id = worker.id, open_one(session, worker, survivor=survivor).id
    session.expunge_all()
    identity = session.scalars(select(Identity).where(Identity.case_id == case_id)).one()
    assert (identity.given_name_latin, identity.family_name_latin, identity.given_name_km, identity.alias) == (
        "Testperson",
        "Synthetic",
        "សាកល្បង",
        None,
    )
    assert (identity.sex, identity.date_of_birth) == (Sex.MALE, dt.date(2005, 6, 1))
    assert (identity.updated_at, identity.updated_by_id) == (NOW, worker_id)


def test_opening_writes_an_opened_event(session: Session, worker: User) -> None:
    case = open_one(session, worker)
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [(e.kind, e.at, e.actor_id) for e in events] == [("opened", NOW, worker.id)]


def test_caseworker_who_opens_a_case_becomes_its_caseworker(session: Session, worker: User, factory: Factory) -> None:
    other = factory.user(Role.CASEWORKER, worker.team)
    assert open_one(session, worker, caseworker_id=other.id).caseworker_id == worker.id


def test_supervisor_may_assign_a_caseworker_of_the_team(session: Session, supervisor: User, worker: User) -> None:
    assert open_one(session, supervisor, caseworker_id=worker.id).caseworker_id == worker.id


def test_supervisor_may_open_a_case_without_a_caseworker(session: Session, supervisor: User) -> None:
    assert open_one(session, supervisor).caseworker_id is None


def test_supervisor_may_not_assign_a_caseworker_of_another_team(
    session: Session, supervisor: User, factory: Factory
) -> None:
    outsider = factory.user(Role.CASEWORKER, factory.team())
    with pytest.raises(InvalidInput) as raised:
        open_one(session, supervisor, caseworker_id=outsider.id)
    assert list(raised.value.fields) == ["caseworker_id"]
    assert count(session, Case) == 0


def test_supervisor_may_not_assign_a_supervisor_as_caseworker(session: Session, supervisor: User) -> None:
    with pytest.raises(InvalidInput):
        open_one(session, supervisor, caseworker_id=supervisor.id)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR])
def test_staff_of_another_team_may_not_open_a_case_for_the_team(
    session: Session, factory: Factory, team: Team, role: Role
) -> None:
    outsider = factory.user(role, factory.team())
    with pytest.raises(Forbidden):
        open_one(session, outsider, team_id=team.id)
    assert count(session, Case) == 0


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REPORTING, Role.DOSVY_OFFICER])
def test_staff_outside_case_work_may_not_open_a_case(
    session: Session, factory: Factory, team: Team, role: Role
) -> None:
    with pytest.raises(Forbidden):
        open_case(session=session, actor=factory.user(role), now=NOW, team_id=team.id, survivor=SURVIVOR)


@pytest.mark.parametrize(
    "survivor",
    [
        NewSurvivor(sex=Sex.FEMALE, family_name_latin="Synthetic"),
        NewSurvivor(sex=Sex.FEMALE, given_name_latin="   ", given_name_km=" "),
    ],
    ids=["no-given-name", "blank-given-names"],
)
def test_case_without_a_given_name_is_refused_and_nothing_is_written(
    session: Session, worker: User, survivor: NewSurvivor
) -> None:
    with pytest.raises(InvalidInput) as raised:
        open_one(session, worker, survivor=survivor)
    assert list(raised.value.fields) == ["given_name_latin"]
    assert [count(session, m) for m in (Case, Identity, CaseEvent)] == [0, 0, 0]


def test_khmer_given_name_alone_is_enough(session: Session, worker: User) -> None:
    case = open_one(session, worker, survivor=NewSurvivor(sex=Sex.FEMALE, given_name_km="សាកល្បង"))
    assert count(session, Case) == 1
    assert case.code


def test_date_of_birth_in_the_future_is_refused(session: Session, worker: User) -> None:
    tomorrow = NOW.date() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as raised:
        open_one(session, worker, survivor=NewSurvivor(sex=Sex.FEMALE, given_name_latin="Test", date_of_birth=tomorrow))
    assert list(raised.value.fields) == ["date_of_birth"]
    assert count(session, Case) == 0


def test_date_of_birth_today_is_accepted(session: Session, worker: User) -> None:
    open_one(session, worker, survivor=NewSurvivor(sex=Sex.FEMALE, given_name_latin="Test", date_of_birth=NOW.date()))
    assert count(session, Case) == 1


# --- get_case ---


@pytest.fixture
def case(factory: Factory, worker: User) -> Case:
    return factory.case(worker)


def test_caseworker_sees_their_own_case(session: Session, worker: User, case: Case) -> None:
    assert get_case(session=session, actor=worker, code=case.code) == case


def test_caseworker_does_not_see_a_colleagues_case(session: Session, factory: Factory, team: Team, case: Case) -> None:
    colleague = factory.user(Role.CASEWORKER, team)
    with pytest.raises(NotFound):
        get_case(session=session, actor=colleague, code=case.code)


def test_supervisor_sees_the_teams_case(session: Session, supervisor: User, case: Case) -> None:
    assert get_case(session=session, actor=supervisor, code=case.code) == case


def test_supervisor_of_another_team_gets_not_found(session: Session, factory: Factory, case: Case) -> None:
    stranger = factory.user(Role.SUPERVISOR, factory.team())
    with pytest.raises(NotFound):
        get_case(session=session, actor=stranger, code=case.code)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REPORTING, Role.DOSVY_OFFICER])
def test_staff_outside_case_work_get_not_found(session: Session, factory: Factory, case: Case, role: Role) -> None:
    with pytest.raises(NotFound):
        get_case(session=session, actor=factory.user(role), code=case.code)


def test_unknown_code_gets_not_found(session: Session, worker: User, case: Case) -> None:
    with pytest.raises(NotFound):
        get_case(session=session, actor=worker, code="RG-ZZZZZZ")


# --- list_cases ---


@pytest.fixture
def five_cases(session: Session, worker: User) -> list[Case]:
    """Five cases of ``worker``, opened one day apart, newest first."""
    cases = [open_one(session, worker, now=NOW - dt.timedelta(days=n)) for n in range(5)]
    return cases


def test_caseworker_lists_their_cases_newest_first(session: Session, worker: User, five_cases: list[Case]) -> None:
    rows, total = list_cases(session=session, actor=worker)
    assert (rows, total) == (five_cases, 5)


def test_list_is_paged_and_counts_every_case(session: Session, worker: User, five_cases: list[Case]) -> None:
    rows, total = list_cases(session=session, actor=worker, limit=2, offset=2)
    assert (rows, total) == (five_cases[2:4], 5)


def test_last_page_holds_the_rest(session: Session, worker: User, five_cases: list[Case]) -> None:
    rows, total = list_cases(session=session, actor=worker, limit=2, offset=4)
    assert (rows, total) == (five_cases[4:], 5)


def test_page_past_the_end_is_empty(session: Session, worker: User, five_cases: list[Case]) -> None:
    assert list_cases(session=session, actor=worker, limit=2, offset=10) == ([], 5)


def test_list_leaves_out_other_caseworkers_cases(
    session: Session, factory: Factory, team: Team, worker: User, five_cases: list[Case]
) -> None:
    colleague = factory.user(Role.CASEWORKER, team)
    factory.case(colleague)
    assert list_cases(session=session, actor=worker)[1] == 5
    assert list_cases(session=session, actor=colleague)[1] == 1


def test_supervisor_lists_every_case_of_the_team_only(
    session: Session, factory: Factory, team: Team, supervisor: User, five_cases: list[Case]
) -> None:
    colleague = factory.user(Role.CASEWORKER, team)
    factory.case(colleague)
    factory.case(factory.user(Role.CASEWORKER, factory.team()))
    assert list_cases(session=session, actor=supervisor)[1] == 6


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REPORTING, Role.DOSVY_OFFICER])
def test_staff_outside_case_work_list_nothing(
    session: Session, factory: Factory, five_cases: list[Case], role: Role
) -> None:
    assert list_cases(session=session, actor=factory.user(role)) == ([], 0)


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (-1, 0), (10, -1)])
def test_invalid_page_is_refused(session: Session, worker: User, limit: int, offset: int) -> None:
    with pytest.raises(InvalidInput):
        list_cases(session=session, actor=worker, limit=limit, offset=offset)


# --- section_status ---


def status_of(session: Session, case: Case, key: str, now: dt.datetime, max_age_days: int = 90) -> tuple[object, ...]:
    statuses = {s.key: s for s in section_status(session=session, case=case, now=now, max_age_days=max_age_days)}
    s = statuses[key]
    return (s.updated_at, s.days_ago, s.stale)


def add_section(session: Session, section: Base) -> None:
    with transaction(session):
        session.add(section)


def test_section_status_lists_every_section_in_order(session: Session, case: Case) -> None:
    keys = [s.key for s in section_status(session=session, case=case, now=NOW)]
    assert keys == [key for key, _model in SECTIONS]


def test_fresh_section_is_not_stale(session: Session, case: Case) -> None:
    assert status_of(session, case, "identity", NOW + dt.timedelta(days=10)) == (NOW, 10, False)


def test_section_as_old_as_the_limit_is_not_stale(session: Session, case: Case) -> None:
    assert status_of(session, case, "identity", NOW + dt.timedelta(days=90)) == (NOW, 90, False)


def test_section_older_than_the_limit_is_stale(session: Session, case: Case) -> None:
    assert status_of(session, case, "identity", NOW + dt.timedelta(days=91)) == (NOW, 91, True)


def test_limit_can_be_chosen(session: Session, case: Case) -> None:
    assert status_of(session, case, "identity", NOW + dt.timedelta(days=31), max_age_days=30)[2] is True


def test_missing_section_is_reported_as_not_recorded_and_stale(session: Session, case: Case) -> None:
    assert status_of(session, case, "medical", NOW) == (None, None, True)


def test_section_updated_long_ago_is_stale(session: Session, case: Case) -> None:
    add_section(session, History(case_id=case.id, updated_at=NOW - dt.timedelta(days=200)))
    assert status_of(session, case, "history", NOW) == (NOW - dt.timedelta(days=200), 200, True)


def test_newest_of_several_family_members_counts(session: Session, case: Case) -> None:
    for days in (300, 5, 100):
        add_section(
            session,
            FamilyMember(
                case_id=case.id, updated_at=NOW - dt.timedelta(days=days), relationship="sibling", name="Demo Sibling"
            ),
        )
    assert status_of(session, case, "family_members", NOW) == (NOW - dt.timedelta(days=5), 5, False)


def test_sections_of_other_cases_do_not_count(session: Session, factory: Factory, worker: User, case: Case) -> None:
    other = factory.case(worker)
    add_section(session, MedicalRecord(case_id=other.id, updated_at=NOW))
    assert status_of(session, case, "medical", NOW) == (None, None, True)


def test_section_updated_after_now_is_zero_days_old(session: Session, case: Case) -> None:
    assert status_of(session, case, "identity", NOW - dt.timedelta(days=3)) == (NOW, 0, False)


# --- optimistic locking ---


@pytest.fixture
def second_session(db_engine: Engine) -> Iterator[Session]:
    s = make_session_factory(db_engine)()
    try:
        yield s
    finally:
        s.close()


def test_second_of_two_concurrent_changes_raises_concurrent_change(
    session: Session, second_session: Session, case: Case
) -> None:
    case_id = case.id
    session.expunge_all()
    mine = session.get(Case, case_id)
    theirs = second_session.get(Case, case_id)
    assert mine is not None
    assert theirs is not None
    mine.risk_level = RiskLevel.HIGH
    theirs.risk_level = RiskLevel.LOW
    with transaction(session):
        pass
    with pytest.raises(ConcurrentChange), transaction(second_session):
        pass
    session.expunge_all()
    stored = session.get(Case, case_id)
    assert stored is not None
    assert (stored.risk_level, stored.rev) == (RiskLevel.HIGH, 2)


def test_each_change_raises_the_revision(session: Session, case: Case) -> None:
    case_id = case.id
    with transaction(session):
        case.phase = Phase.REINTEGRATION
    with transaction(session):
        case.risk_level = RiskLevel.MEDIUM
    session.expunge_all()
    stored = session.get(Case, case_id)
    assert stored is not None
    assert stored.rev == 3


def test_change_after_reloading_succeeds(session: Session, second_session: Session, case: Case) -> None:
    case_id = case.id
    session.expunge_all()
    mine = session.get(Case, case_id)
    theirs = second_session.get(Case, case_id)
    assert mine is not None
    assert theirs is not None
    mine.risk_level = RiskLevel.HIGH
    theirs.risk_level = RiskLevel.LOW
    with transaction(session):
        pass
    with pytest.raises(ConcurrentChange), transaction(second_session):
        pass
    reloaded = second_session.get(Case, case_id)
    assert reloaded is not None
    with transaction(second_session):
        reloaded.phase = Phase.REINTEGRATION
    session.expunge_all()
    stored = session.get(Case, case_id)
    assert stored is not None
    assert (stored.phase, stored.risk_level, stored.rev) == (Phase.REINTEGRATION, RiskLevel.HIGH, 3)
