"""The rows of the team queue as the page shows them, worked out once per page in Python.

A row's macro made ~20 template calls (labels, four links, the step's name in the user's language, the due
date, two formatted labels); it now reads the attributes of a :class:`TeamRow`. The words stay in the
catalogue: the fixed ones are ``web.work.display.ROW_LABELS``, the formatted ones are marked below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.models.accounts import Role
from engine.workflow.queues import QueueRow
from web import dates, labels
from web.i18n import translations
from web.team import display
from web.work.display import row_url


@dataclass(frozen=True)
class TeamRow:
    """One open step of the team with every text and link its row shows."""

    id: int
    case_code: str
    case_url: str
    step: str  # the step's name in the user's language
    phase: str
    assignee_name: str | None
    role_note: str  # the step's role where it is not a caseworker's ("" for theirs)
    due_day: str  # "" without a due date
    overdue: bool
    priority_label: str
    reassign_url: str  # the reassignment page, back to the queue page the row is on
    reassign_row_url: str  # the same form inside the row (htmx)
    reassign_case_url: str
    reassign_label: str  # the accessible names of the two links
    reassign_case_label: str


def team_rows(rows: Iterable[QueueRow], *, back: str) -> list[TeamRow]:
    """The rows of ``rows``; their reassignment links lead back to ``back`` (a path of the team area)."""
    catalogue = translations()
    reassign_step = catalogue.ugettext("Reassign step: %(step)s, case %(code)s")
    reassign_case = catalogue.ugettext("Reassign case %(code)s")
    steps: dict[tuple[str, str], str] = {}
    phases: dict[str, str] = {}
    back_to = {"next": back}
    found: list[TeamRow] = []
    for row in rows:
        step = steps.get((row.form_key, row.title))
        if step is None:
            step = steps[(row.form_key, row.title)] = display.step_label(row.form_key, row.title)
        phase = phases.get(row.phase)
        if phase is None:
            phase = phases[row.phase] = labels.phase_label(row.phase)
        found.append(TeamRow(
            id=row.id, case_code=row.case_code, case_url=row_url("cases.show", code=row.case_code), step=step,
            phase=phase, assignee_name=row.assignee_name,
            role_note="" if row.role is Role.CASEWORKER else labels.role_label(row.role),
            due_day=dates.day(row.due_at), overdue=row.overdue, priority_label=labels.priority_label(row.priority),
            reassign_url=row_url("team.reassign_item", back_to, item_id=row.id),
            reassign_row_url=row_url("team.reassign_item", item_id=row.id),
            reassign_case_url=row_url("team.reassign_case", back_to, code=row.case_code),
            reassign_label=reassign_step % {"step": step, "code": row.case_code},
            reassign_case_label=reassign_case % {"code": row.case_code},
        ))  # fmt: skip
    return found
