"""Small read-only questions the supervisor's pages ask besides the queue and the dashboard.

Who is in the team (to pick a new assignee, or to filter the queue by caseworker) and how many
approvals wait (for the navigation). One query each; no case-file content.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import N_, Forbidden
from engine.models.accounts import Role, User
from engine.workflow.queues import approvals_waiting_statement


@dataclass(frozen=True)
class Member:
    """A team member as a picker shows them."""

    id: int
    name: str
    role: Role


def _team_of(actor: User) -> int:
    if actor.role is not Role.SUPERVISOR or actor.team_id is None:
        raise Forbidden(N_("Only a team's supervisor sees its members and approvals."))
    return actor.team_id


def team_members(*, session: Session, actor: User, role: Role | None = None) -> list[Member]:
    """Active members of the supervisor's team (of ``role`` when given), by name."""
    query = select(User.id, User.display_name, User.role).where(User.team_id == _team_of(actor), User.active.is_(True))
    if role is not None:
        query = query.where(User.role == role)
    return [Member(uid, name, r) for uid, name, r in session.execute(query.order_by(User.display_name, User.id))]


def waiting_approvals(*, session: Session, actor: User) -> int:
    """How many case plans, agreements and closures of the supervisor's team wait for a decision."""
    return int(session.scalar(approvals_waiting_statement(_team_of(actor))) or 0)
