"""Counts of cases for reporting, with cells under the threshold suppressed (DOMAIN.md §5)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models.cases import Case, CaseStatus, Phase

SMALL_CELL = 5


@dataclass(frozen=True)
class Cell:
    """One count; ``value`` is ``None`` when suppressed (fewer than ``SMALL_CELL`` but more than 0)."""

    label: str
    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


def suppress(count: int, threshold: int = SMALL_CELL) -> int | None:
    """Hide counts from 1 to ``threshold - 1`` so no one can be singled out."""
    return None if 0 < count < threshold else count


def cases_by_phase_and_status(*, session: Session) -> list[tuple[Phase, list[Cell]]]:
    """Rows by phase, one cell per status, small cells suppressed."""
    rows = session.execute(select(Case.phase, Case.status, func.count()).group_by(Case.phase, Case.status)).all()
    counts = {(phase, status): n for phase, status, n in rows}
    return [
        (phase, [Cell(status.value, suppress(counts.get((phase, status), 0))) for status in CaseStatus])
        for phase in Phase
    ]
