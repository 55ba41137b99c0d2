"""Fire due BPMN timers in batches (the scheduler's most frequent job).

Each batch is one transaction inside ``engine.workflow.service.fire_due_timers`` (an instance whose diagram
fails is skipped), so a crash in the middle of a batch keeps the batches before it and leaves the whole batch
due: the next run fires exactly those.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from engine.errors import N_
from engine.notices.outbox import Report
from engine.workflow.service import Runtime, fire_due_timers

MAX_BATCHES = 50  # a run ends after this many full batches; the next run continues


def fire_timer_batches(*, session: Session, runtime: Runtime, now: dt.datetime, batch_size: int) -> Report:
    """Fire every timer due by ``now``, ``batch_size`` instances at a time."""
    fired = 0
    for _ in range(MAX_BATCHES):
        advanced = fire_due_timers(session=session, runtime=runtime, now=now, limit=batch_size)
        fired += advanced
        if advanced < batch_size:
            break
    return Report(fired, label=N_("%(count)s instances advanced"))
