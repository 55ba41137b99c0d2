"""Training reminders: a required training that is about to expire, or has expired, is told once per threshold.

The staff member and the supervisors of their team are told when the newest training of a required course
enters the warning period (``training_expiring``) and again when it expires (``training_expired``); each
notice is keyed by the training record, so rerunning the job, daily or more often, writes nothing new, and
recording a new training of the course starts afresh. A staff member never trained on a course is not
reminded here: the register page lists them, and assigning them a case warns the supervisor.
Messages carry the course key, the expiry date and the staff member's name (staff, not survivors).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.training import STAFF_ROLES, Standing, standings
from engine.clock import local_today
from engine.db import transaction
from engine.errors import N_
from engine.models.accounts import Role, User
from engine.notices.outbox import Key, Report, add_notice, existing_keys, team_members
from engine.notices.rules import Rules

CHUNK = 200  # staff per transaction
KINDS = {Standing.EXPIRING: "training_expiring", Standing.EXPIRED: "training_expired"}


def remind_training(*, session: Session, now: dt.datetime, rules: Rules, warning_days: int) -> Report:
    """Queue the reminders for required trainings expiring within ``warning_days`` or expired by ``now``."""
    staff = list(session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(STAFF_ROLES)).order_by(User.id)
    ))  # fmt: skip
    today, created, due = local_today(now), 0, 0
    for start in range(0, len(staff), CHUNK):
        chunk = staff[start : start + CHUNK]
        found = standings(session=session, users=chunk, today=today, warning_days=warning_days)
        wanted: dict[Key, tuple[User, str, dt.date]] = {}
        for user in chunk:
            for course in found[user.id].courses:
                kind = KINDS.get(course.standing)
                if kind is None or course.record_id is None or course.expires_on is None:
                    continue
                wanted[(kind, f"training:{course.record_id}", course.expires_on.isoformat())] = (
                    user, course.course, course.expires_on)  # fmt: skip
        due += len(wanted)
        with transaction(session):
            have = existing_keys(session, wanted)
            for key in [k for k in wanted if k not in have]:
                user, course_key, expires_on = wanted[key]
                payload = {"course": course_key, "expires_on": expires_on.isoformat(), "staff": user.display_name,
                           "warning_days": warning_days}  # fmt: skip
                created += add_notice(session, key=key, case_id=None, payload=payload,
                                      recipients=_staff_and_supervisors(session, user), rules=rules,
                                      now=now)  # fmt: skip
    return Report(created, detail=N_("%(count)s trainings expiring or expired"), params={"count": due})


def _staff_and_supervisors(session: Session, user: User) -> list[User]:
    supervisors = team_members(session, team_id=user.team_id, role=Role.SUPERVISOR) if user.team_id else []
    return [user, *(s for s in supervisors if s.id != user.id)]
