"""The report as the page and the files show it: translated labels, shown values ("<5", "x"), charts."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from engine.reports.facts import Duration
from engine.reports.files import Sheet, Value
from engine.reports.service import Report
from engine.reports.suppression import SMALL_CELL, Cell, Table
from web.reports.labels import ROW_HEADS, TITLES, code_label
from web.team.charts import BarChart, bar_chart


@dataclass(frozen=True)
class Line:
    label: str
    values: tuple[int | str, ...]  # one per column, then the row total when the table has one


@dataclass(frozen=True)
class ChartBar:
    label: str
    shown: int | str
    y: float
    label_y: float
    value_x: float
    value_y: float
    width: float


@dataclass(frozen=True)
class ShownTable:
    key: str
    title: str
    row_head: str
    columns: tuple[str, ...]
    lines: tuple[Line, ...]
    footer: Line | None
    chart: BarChart
    bars: tuple[ChartBar, ...]


def _bars(labels: list[str], cells: list[Cell]) -> tuple[BarChart, tuple[ChartBar, ...]]:
    # A hidden count gets no bar (its length would give it away), only its mark.
    pairs = list(zip(labels, cells, strict=True))
    chart = bar_chart([(label, [(0 if c.hidden else c.value, "bar-phase")]) for label, c in pairs])
    bars = tuple(
        ChartBar(b.label, c.shown, b.y, b.label_y, b.value_x if not c.hidden else 6.0, b.value_y,
                 b.segments[0].width if b.segments else 0.0)
        for b, c in zip(chart.bars, cells, strict=True)
    )  # fmt: skip
    return chart, bars


def show_table(table: Table) -> ShownTable:
    """``table`` with its labels translated and its hidden cells marked."""
    columns = [code_label(c) for c in table.columns]
    if table.row_totals is not None:
        columns.append(_("Total"))
    lines = []
    for i, row in enumerate(table.rows):
        values = [c.shown for c in table.cells[i]]
        if table.row_totals is not None:
            values.append(table.row_totals[i].shown)
        lines.append(Line(code_label(row), tuple(values)))
    footer = None
    if table.column_totals is not None:
        values = [c.shown for c in table.column_totals]
        if table.total is not None:
            values.append(table.total.shown)
        footer = Line(_("Total"), tuple(values))
    per_row = list(table.row_totals) if table.row_totals is not None else [line[0] for line in table.cells]
    chart, bars = _bars([code_label(r) for r in table.rows], per_row)
    return ShownTable(table.key, str(TITLES[table.key]), str(ROW_HEADS[table.key]), tuple(columns), tuple(lines),
                      footer, chart, bars)  # fmt: skip


@dataclass(frozen=True)
class ShownDuration:
    phase: str
    spells: int | str
    median: str
    mean: str


def show_durations(durations: list[Duration]) -> list[ShownDuration]:
    """Days per phase; spells from 1 to 4 and their statistics are hidden."""
    shown = []
    for d in durations:
        spells: int | str = "<5" if 0 < d.spells < SMALL_CELL else d.spells
        median = "—" if d.median_days is None else f"{d.median_days:.1f}"
        mean = "—" if d.mean_days is None else f"{d.mean_days:.1f}"
        shown.append(ShownDuration(code_label(d.phase), spells, median, mean))
    return shown


def sheets(report: Report, scope_name: str) -> list[Sheet]:
    """Every table as a sheet of rows, after a sheet that says what the report covers."""
    about: list[list[Value]] = [
        [_("Scope"), scope_name], [_("Period"), report.period.key],
        [_("From"), report.period.start.isoformat()], [_("To"), report.period.end.isoformat()],
        ["<5", _("A count from 1 to 4, hidden so that no one can be singled out.")],
        ["x", _("A count hidden as well, so that a hidden count cannot be worked out from the totals.")],
    ]  # fmt: skip
    out: list[Sheet] = [(_("About this report"), about)]
    for table in report.tables:
        shown = show_table(table)
        rows: list[list[Value]] = [[shown.row_head, *shown.columns]]
        rows += [[line.label, *line.values] for line in shown.lines]
        if shown.footer is not None:
            rows.append([shown.footer.label, *shown.footer.values])
        out.append((shown.title, rows))
    days: list[list[Value]] = [[_("Phase"), _("Phase spells ended"), _("Median days"), _("Mean days")]]
    days += [[d.phase, d.spells, d.median, d.mean] for d in show_durations(report.durations)]
    out.append((_("Days per phase"), days))
    return out
