"""Team members and the waiting-approvals count behind the supervisor's pages."""

from __future__ import annotations

import pytest

from engine.db import transaction
from engine.errors import Forbidden
from engine.models.accounts import Role
from engine.workflow.team_views import team_members, waiting_approvals


def test_team_members_are_the_active_members_of_the_supervisors_team(walk, session, factory):
    colleague = factory.user(Role.CASEWORKER, walk.worker.team)
    gone = factory.user(Role.CASEWORKER, walk.worker.team)
    with transaction(session):
        gone.active = False
    factory.user(Role.CASEWORKER, factory.team())  # another team
    members = team_members(session=session, actor=walk.supervisor, role=Role.CASEWORKER)
    assert {m.id for m in members} == {walk.worker.id, colleague.id}
    everyone = team_members(session=session, actor=walk.supervisor)
    assert walk.supervisor.id in {m.id for m in everyone}


def test_waiting_approvals_counts_the_teams_open_approval_steps(walk, session):
    assert waiting_approvals(session=session, actor=walk.supervisor) == 0
    for step in ("registration", "consent"):
        walk.do(step)
    walk.do("risk_screen", risk_level="low")
    walk.do("needs_assessment")
    walk.do("case_plan")
    assert waiting_approvals(session=session, actor=walk.supervisor) == 1
    walk.do("approve_case_plan", decision="approve")
    assert waiting_approvals(session=session, actor=walk.supervisor) == 0


@pytest.mark.parametrize("who", ["worker", "officer"])
def test_only_supervisors_ask(walk, session, who):
    with pytest.raises(Forbidden):
        team_members(session=session, actor=getattr(walk, who))
    with pytest.raises(Forbidden):
        waiting_approvals(session=session, actor=getattr(walk, who))
