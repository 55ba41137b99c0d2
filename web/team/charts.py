"""Geometry of the dashboard's horizontal bar charts, drawn as inline SVG by a template macro.

Only numbers and CSS class names come out of here: the strict CSP allows no style attribute, so
colours and fonts live in ``static/css/team.css``.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 400  # view-box units; the SVG scales to its box, so text stays readable from 360 px up
BAR_SPACE = WIDTH - 44  # room left for the value after the longest bar
ROW_HEIGHT = 42  # a label line above each bar
BAR_HEIGHT = 14
LABEL_MAX = 48


@dataclass(frozen=True)
class Segment:
    """One coloured part of a bar (e.g. the overdue part of a caseworker's open steps)."""

    x: float
    width: float
    css: str


@dataclass(frozen=True)
class Bar:
    """One labelled row of a chart: the label on a line of its own, the bar and its value below it."""

    label: str
    short_label: str
    total: int
    label_y: float
    y: float
    value_x: float
    value_y: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class BarChart:
    """A whole chart: its view box and rows."""

    width: int
    height: int
    bar_height: int
    bars: tuple[Bar, ...]


def _shorten(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def bar_chart(rows: list[tuple[str, list[tuple[int, str]]]]) -> BarChart:
    """Lay out ``rows`` of (label, stacked parts as (value, css class)) on one common scale."""
    largest = max((sum(v for v, _ in parts) for _, parts in rows), default=0)
    scale = BAR_SPACE / largest if largest else 0.0
    bars = []
    for i, (label, parts) in enumerate(rows):
        top = i * ROW_HEIGHT
        y = top + 20
        x = 0.0
        segments = []
        for value, css in parts:
            if value > 0:
                width = max(value * scale, 2.0)  # a non-zero count never disappears
                segments.append(Segment(round(x, 1), round(width, 1), css))
                x += width
        total = sum(v for v, _ in parts)
        bars.append(Bar(label, _shorten(label), total, top + 14, y, round(x + 6, 1), y + BAR_HEIGHT - 2,
                        tuple(segments)))  # fmt: skip
    return BarChart(WIDTH, max(len(rows) * ROW_HEIGHT, 1), BAR_HEIGHT, tuple(bars))
