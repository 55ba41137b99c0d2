"""The rows of My work as the page shows them, worked out once per page in Python.

A row's macro made ~30 template calls (labels, four links, the due state, the step's title in the user's
language, two formatted labels), about half of the rendering of a 25-row page (``bench/bench_inproc.py
--profile``); it now reads the attributes of a :class:`WorkRow`. The words stay in the catalogue: the fixed
ones are ``display.ROW_LABELS``, the formatted ones are marked below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from engine.workflow.queues import QueueRow
from web import dates, labels
from web.i18n import translations
from web.work import display


@dataclass(frozen=True)
class WorkRow:
    """One step of My work with every text and link its row shows."""

    id: int
    case_code: str
    case_url: str | None  # the case page, only where the user may see the case (and so the name)
    name: str | None
    title: str  # the step's title in the user's language
    task_url: str
    phase: str
    due_iso: str  # "" without a due date
    due_day: str
    state: str  # "overdue", "today" or "" (``display.due_state``)
    badge: str  # the words of the due state's badge ("" without one)
    priority: int
    priority_label: str
    mine: bool
    action_url: str | None  # give back (mine) or claim (the team's unassigned); None for a colleague's step
    action_label: str  # the action button's accessible name
    assignee: str  # "You", "Unassigned" or the colleague's name


def work_rows(rows: Iterable[QueueRow], *, names: Mapping[int, str], now: dt.datetime, me: int) -> list[WorkRow]:
    """The rows of ``rows`` for the user ``me``; ``names`` are the survivor names the user may see."""
    words, catalogue = display.row_labels(), translations()
    claim = catalogue.ugettext("Claim “%(step)s” of case %(code)s")
    give_back = catalogue.ugettext("Give back “%(step)s” of case %(code)s")
    titles: dict[tuple[str, str], str] = {}
    phases: dict[str, str] = {}
    overdue_by: dict[int, str] = {}
    found: list[WorkRow] = []
    for row in rows:
        state, late = display.due_state(row.due_at, now)
        if state == "overdue" and late and late not in overdue_by:
            overdue_by[late] = catalogue.ungettext("Overdue by %(num)d day", "Overdue by %(num)d days", late) % {
                "num": late
            }
        title = titles.get((row.title, row.form_key))
        if title is None:
            title = titles[(row.title, row.form_key)] = display.step_label(row.title, row.form_key)
        phase = phases.get(row.phase)
        if phase is None:
            phase = phases[row.phase] = labels.phase_label(row.phase)
        mine = row.assignee_id == me
        takeable = mine or row.assignee_id is None
        visible = row.case_id in names
        found.append(WorkRow(
            id=row.id, case_code=row.case_code,
            case_url=display.row_url("cases.show", code=row.case_code) if visible else None,
            name=names[row.case_id] if visible else None, title=title,
            task_url=display.row_url("work.task", item_id=row.id), phase=phase,
            due_iso=dates.iso(row.due_at), due_day=dates.day(row.due_at), state=state,
            badge=(overdue_by[late] if late else words["overdue"]) if state == "overdue"
            else words["due_today"] if state == "today" else "",
            priority=row.priority, priority_label=labels.priority_label(row.priority), mine=mine,
            action_url=display.row_url("work.unclaim" if mine else "work.claim", item_id=row.id) if takeable else None,
            action_label=(give_back if mine else claim) % {"step": title, "code": row.case_code} if takeable else "",
            assignee=words["you"] if mine else words["unassigned"] if takeable else row.assignee_name or "",
        ))  # fmt: skip
    return found
