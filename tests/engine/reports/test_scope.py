"""Who may see which report: the scope is enforced by the engine, whatever the page asks for."""

from __future__ import annotations

import pytest

from engine.errors import Forbidden, InvalidInput
from engine.models.accounts import Role
from engine.reports.period import last_full_quarter
from engine.reports.scope import NATION, Scope, ScopeKind, home_scope, parse_scope, scope_choices
from engine.reports.service import build_report, case_level_export
from tests.conftest import NOW
from tests.engine.reports.world import ReportWorld, build

Q3 = last_full_quarter(NOW.date())


@pytest.fixture
def world(session, factory) -> ReportWorld:
    return build(session, factory)


def _shelter(world: ReportWorld, which: str) -> Scope:
    org = world.shelter_a if which == "a" else world.shelter_b
    return Scope(ScopeKind.SHELTER, str(org.id))


def test_a_provincial_reporter_sees_their_province_and_its_shelters(session, world):
    assert home_scope(world.provincial) == Scope(ScopeKind.PROVINCE, "12")
    report = build_report(session=session, actor=world.provincial, scope=home_scope(world.provincial), period=Q3,
                          now=NOW)  # fmt: skip
    assert report.admissions_by_age_and_sex.total is not None
    assert report.admissions_by_age_and_sex.total.value == 16  # shelter A only; B's three are in province 02
    build_report(session=session, actor=world.provincial, scope=_shelter(world, "a"), period=Q3, now=NOW)


@pytest.mark.parametrize("scope", ["nation", "province:02", "shelter_b"])
def test_a_provincial_reporter_does_not_see_another_province(session, world, scope):
    wanted = _shelter(world, "b") if scope == "shelter_b" else parse_scope(scope)
    with pytest.raises(Forbidden):
        build_report(session=session, actor=world.provincial, scope=wanted, period=Q3, now=NOW)


def test_a_supervisor_sees_only_their_shelter(session, world):
    assert home_scope(world.supervisor_a) == _shelter(world, "a")
    for other in (_shelter(world, "b"), Scope(ScopeKind.PROVINCE, "12"), NATION):
        with pytest.raises(Forbidden):
            build_report(session=session, actor=world.supervisor_a, scope=other, period=Q3, now=NOW)
    assert [c.scope for c in scope_choices(session, world.supervisor_a)] == [_shelter(world, "a")]


def test_the_national_secretariat_may_choose_any_scope(session, world):
    tokens = {c.scope.token for c in scope_choices(session, world.national)}
    assert {"nation", "province:12", "province:02", _shelter(world, "a").token, _shelter(world, "b").token} <= tokens


def test_an_unknown_province_or_shelter_is_refused(session, world):
    for scope in (Scope(ScopeKind.PROVINCE, "99"), Scope(ScopeKind.SHELTER, "999999")):
        with pytest.raises(Forbidden):
            build_report(session=session, actor=world.national, scope=scope, period=Q3, now=NOW)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ADMINISTRATOR, Role.DOSVY_OFFICER])
def test_other_roles_get_no_report(session, factory, role):
    team = factory.team() if role is Role.CASEWORKER else None
    user = factory.user(role, team)
    with pytest.raises(Forbidden):
        build_report(session=session, actor=user, scope=NATION, period=Q3, now=NOW)


def test_only_the_national_secretariat_gets_the_case_level_export(session, world):
    for actor in (world.provincial, world.supervisor_a):
        with pytest.raises(Forbidden):
            case_level_export(session=session, actor=actor, period=Q3, now=NOW, k=11)


@pytest.mark.parametrize("token", ["", "world", "province:1", "province:ab", "shelter:", "shelter:x", "nation:1"])
def test_a_malformed_scope_is_refused_with_a_message(token):
    with pytest.raises(InvalidInput):
        parse_scope(token)
