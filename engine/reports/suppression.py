"""Small-cell protection of count tables, after IOM's Counter-Trafficking Data Collaborative.

Primary suppression hides every count from 1 to ``threshold - 1`` (shown as "<5"). Complementary
suppression then makes sure that no hidden count can be worked out from the totals shown: in every row
and every column (totals included) that holds exactly one hidden count, the next-smallest non-zero
count is hidden too (shown as "x"); this repeats until no row or column has a lone hidden count.
Zeros are never hidden as complements: a published zero gives no one away and hiding it would not
protect the other cell (its value could still be one number only).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

SMALL_CELL = 5


class Hidden(enum.StrEnum):
    PRIMARY = "primary"  # a count from 1 to threshold - 1
    COMPLEMENTARY = "complementary"  # hidden so that a primary one cannot be recovered


PRIMARY_MARK = "<5"
COMPLEMENTARY_MARK = "x"


@dataclass(frozen=True)
class Cell:
    """A count as published: ``value`` is kept for the suppression itself but never shown when hidden."""

    value: int
    hidden: Hidden | None = None

    @property
    def shown(self) -> int | str:
        """The number, or the mark that stands for it."""
        if self.hidden is Hidden.PRIMARY:
            return PRIMARY_MARK
        if self.hidden is Hidden.COMPLEMENTARY:
            return COMPLEMENTARY_MARK
        return self.value


@dataclass(frozen=True)
class Table:
    """Rows x columns of counts, with row totals when there is more than one column and column totals
    when there is more than one row (``additive=False``: rows that do not add up, so no totals)."""

    key: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...] | None
    column_totals: tuple[Cell, ...] | None
    total: Cell | None

    def cell(self, row: str, column: str) -> Cell:
        return self.cells[self.rows.index(row)][self.columns.index(column)]


def protect(
    key: str, rows: list[str], columns: list[str], counts: dict[tuple[str, str], int], *,
    threshold: int = SMALL_CELL, additive: bool = True,
) -> Table:  # fmt: skip
    """Lay ``counts`` (row, column) -> n out as a table and suppress its small cells."""
    inner = [[counts.get((r, c), 0) for c in columns] for r in rows]
    with_row_totals = additive and len(columns) > 1
    with_column_totals = additive and len(rows) > 1
    # The grid with its margins: column index len(columns) holds row totals, row index len(rows) column totals.
    grid = [list(line) + ([sum(line)] if with_row_totals else []) for line in inner]
    if with_column_totals:
        grid.append([sum(grid[i][j] for i in range(len(rows))) for j in range(len(grid[0]) if grid else 0)])
    hidden = {(i, j): Hidden.PRIMARY for i, line in enumerate(grid) for j, v in enumerate(line) if 0 < v < threshold}
    lines: list[list[tuple[int, int]]] = []
    if with_row_totals:
        lines += [[(i, j) for j in range(len(grid[i]))] for i in range(len(grid))]
    if with_column_totals:
        lines += [[(i, j) for i in range(len(grid))] for j in range(len(grid[0]))]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for p in line if p in hidden) != 1:
                continue
            candidates = [p for p in line if p not in hidden and grid[p[0]][p[1]] > 0]
            if not candidates:
                continue  # the lone hidden count is the only non-zero one: the line's total is hidden with it
            i, j = min(candidates, key=lambda p: (grid[p[0]][p[1]], p))
            hidden[i, j] = Hidden.COMPLEMENTARY
            changed = True

    def cell(i: int, j: int) -> Cell:
        return Cell(grid[i][j], hidden.get((i, j)))

    n_rows, n_cols = len(rows), len(columns)
    return Table(
        key=key, rows=tuple(rows), columns=tuple(columns),
        cells=tuple(tuple(cell(i, j) for j in range(n_cols)) for i in range(n_rows)),
        row_totals=tuple(cell(i, n_cols) for i in range(n_rows)) if with_row_totals else None,
        column_totals=tuple(cell(n_rows, j) for j in range(n_cols)) if with_column_totals else None,
        total=cell(n_rows, n_cols) if with_row_totals and with_column_totals else None,
    )  # fmt: skip


def suppress(count: int, threshold: int = SMALL_CELL) -> int | None:
    """Hide counts from 1 to ``threshold - 1`` so no one can be singled out (``None`` when hidden)."""
    return None if 0 < count < threshold else count
