"""Report periods: quarters, spans and the instants they cover (Phnom Penh days)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import InvalidInput
from engine.reports.period import Period, last_full_quarter, parse_quarter, parse_span, recent_quarters


@pytest.mark.parametrize(
    ("today", "expected"),
    [(dt.date(2026, 1, 1), "2025-Q4"), (dt.date(2026, 3, 31), "2025-Q4"), (dt.date(2026, 4, 1), "2026-Q1"),
     (dt.date(2026, 11, 29), "2026-Q3")],
)  # fmt: skip
def test_the_last_full_quarter(today, expected):
    assert last_full_quarter(today).key == expected


def test_a_quarter_starts_and_ends_at_local_midnight():
    start, end = parse_quarter("2026-q3").bounds()
    assert start == dt.datetime(2026, 6, 30, 17, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)


def test_a_span_that_is_not_a_quarter_is_named_by_its_days():
    period = parse_span("2026-07-01", "2026-08-15")
    assert period == Period(dt.date(2026, 7, 1), dt.date(2026, 8, 15))
    assert period.key == "2026-07-01..2026-08-15"
    assert [q.key for q in recent_quarters(dt.date(2026, 11, 29), 3)] == ["2026-Q4", "2026-Q3", "2026-Q2"]


@pytest.mark.parametrize("raw", ["", "2026", "2026-Q5", "Q3-2026", "1999-Q1"])
def test_a_malformed_quarter_is_refused(raw):
    with pytest.raises(InvalidInput):
        parse_quarter(raw)


@pytest.mark.parametrize(("start", "end"), [("2026-09-01", "2026-08-01"), ("x", "2026-08-01"),
                                            ("2020-01-01", "2026-01-01")])  # fmt: skip
def test_a_bad_span_is_refused(start, end):
    with pytest.raises(InvalidInput):
        parse_span(start, end)
