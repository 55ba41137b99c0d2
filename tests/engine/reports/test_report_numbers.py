"""The report's numbers for 2026-Q3 against the world of ``world.py``, computed by hand (the comments
show the working), suppressed cells and their complements included."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.models.security import AuditEvent
from engine.reports.period import last_full_quarter
from engine.reports.scope import NATION, Scope, ScopeKind
from engine.reports.service import Report, build_report
from engine.reports.suppression import Hidden, Table
from tests.conftest import NOW
from tests.engine.reports.world import ReportWorld, build

P, C = Hidden.PRIMARY, Hidden.COMPLEMENTARY
Q3 = last_full_quarter(NOW.date())


@pytest.fixture
def world(session, factory) -> ReportWorld:
    return build(session, factory)


@pytest.fixture
def report_a(session, world) -> Report:
    scope = Scope(ScopeKind.SHELTER, str(world.shelter_a.id))
    return build_report(session=session, actor=world.national, scope=scope, period=Q3, now=NOW)


def grid(table: Table) -> dict[str, tuple[int, Hidden | None]]:
    """Every non-zero or hidden cell, as "row/column" -> (value, hidden), totals as "row/total"."""
    out = {}
    for i, row in enumerate(table.rows):
        for j, column in enumerate(table.columns):
            cell = table.cells[i][j]
            if cell.value or cell.hidden:
                out[f"{row}/{column}"] = (cell.value, cell.hidden)
        if table.row_totals and (table.row_totals[i].value or table.row_totals[i].hidden):
            out[f"{row}/total"] = (table.row_totals[i].value, table.row_totals[i].hidden)
    for j, column in enumerate(table.columns):
        if table.column_totals and (table.column_totals[j].value or table.column_totals[j].hidden):
            out[f"total/{column}"] = (table.column_totals[j].value, table.column_totals[j].hidden)
    if table.total is not None:
        out["total/total"] = (table.total.value, table.total.hidden)
    return out


def test_the_default_period_is_the_last_full_quarter():
    assert (Q3.start, Q3.end, Q3.key) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026-Q3")


def test_admissions_by_age_and_sex(report_a):
    # 12-17: F 6, M 1 (row 7); 18-24: F 2; 25-34: M 7. Primary: the 1, the 2 and its row total 2.
    # Row 12-17 has one hidden cell -> its next smallest, F 6. Column M has one (the 1) -> M 25-34 (7).
    # The total column has one (2) -> the smallest of 7, 7, 16: 12-17's total; row 25-34 then has one
    # (the 7) -> its total.
    assert grid(report_a.admissions_by_age_and_sex) == {
        "12-17/female": (6, C), "12-17/male": (1, P), "12-17/total": (7, C),
        "18-24/female": (2, P), "18-24/total": (2, P),
        "25-34/male": (7, C), "25-34/total": (7, C),
        "total/female": (8, None), "total/male": (8, None), "total/total": (16, None),
    }  # fmt: skip


def test_admissions_by_exploitation_and_sex(report_a):
    # labour F 6, M 7 (13); sexual F 2; begging M 1. Columns F and M each hold one hidden cell, so
    # labour's F and M are hidden; the labour row then holds two.
    assert grid(report_a.admissions_by_exploitation_and_sex) == {
        "labour/female": (6, C), "labour/male": (7, C), "labour/total": (13, None),
        "sexual/female": (2, P), "sexual/total": (2, P),
        "begging/male": (1, P), "begging/total": (1, P),
        "total/female": (8, None), "total/male": (8, None), "total/total": (16, None),
    }  # fmt: skip


def test_open_cases_by_phase_at_the_end_of_the_quarter(report_a):
    # Pre-reintegration: six girls and the re-admitted woman (7); reintegration: the boy; the lost-contact
    # woman under Type 1; the Q2 case in Type 2. The Q4 admission and the closed men are not open.
    assert grid(report_a.open_by_phase) == {
        "pre_reintegration/open": (7, None), "pre_reintegration/total": (7, None),
        "reintegration/open": (1, P), "reintegration/total": (1, P),
        "follow_up_1/lost_contact": (1, P), "follow_up_1/total": (1, P),
        "follow_up_2/open": (1, P), "follow_up_2/total": (1, P),
        "total/open": (9, C), "total/lost_contact": (1, P), "total/total": (10, None),
    }  # fmt: skip


def test_reintegrations_by_placement(report_a):
    # Seven men (5 family of origin, 2 extended family), one woman (community, from her plan) and one
    # (independent living, from the case conference: she has no plan record). Three hidden cells in
    # the column: no complement needed.
    assert grid(report_a.reintegrations_by_placement) == {
        "family_of_origin/count": (5, None), "extended_family/count": (2, P), "community/count": (1, P),
        "independent/count": (1, P), "total/count": (9, None),
    }  # fmt: skip


def test_closures_by_reason_hide_the_complement(report_a):
    # Six goals met and one who chose to stop: the 1 alone would be 7 - 6, so the 6 is hidden too.
    assert grid(report_a.closures_by_reason) == {
        "goals_met/count": (6, C),
        "survivor_chose_to_stop/count": (1, P),
        "total/count": (7, None),
    }


def test_follow_up_visits_due_done_late_missed(report_a):
    # Type 1: one late (due 15 Aug, visited 18 Aug), one not reached, one cancelled (re-admission).
    # Type 2: five on time, one still open past its due day (20 Sep); the one due in October is not counted.
    assert grid(report_a.visits) == {
        "follow_up_1/late": (1, P), "follow_up_1/missed": (2, P), "follow_up_1/total": (3, P),
        "follow_up_2/on_time": (5, C), "follow_up_2/overdue": (1, P), "follow_up_2/total": (6, C),
        "total/on_time": (5, C), "total/late": (1, P), "total/missed": (2, P), "total/overdue": (1, P),
        "total/total": (9, None),
    }  # fmt: skip


def test_lost_contact_and_readmissions(report_a):
    assert grid(report_a.lost_contact) == {"entered/count": (1, P)}  # not additive: no total
    assert grid(report_a.readmissions) == {
        "readmitted_from_follow_up/count": (1, P),
        "closed_case_reopened/count": (1, P),
        "total/count": (2, P),
    }


def test_days_per_phase(report_a):
    durations = {d.phase: (d.spells, d.median_days, d.mean_days) for d in report_a.durations}
    # Pre-reintegration ended 10 times: 10 days x 3 (two women, the boy), 20 days x 7 (the men).
    assert durations["pre_reintegration"] == (10, 20.0, 17.0)
    assert durations["reintegration"] == (9, 10.0, 10.0)
    # Type 1: one spell of two visits (21 Jul - 10 Sep, 51 days) and one of 39 days: too few to show.
    assert durations["follow_up_1"] == (2, None, None)
    assert durations["closure"] == (7, 10.0, 10.0)
    assert durations["follow_up_2"] == (0, None, None)


def test_a_province_counts_its_shelters_only(session, world):
    report = build_report(session=session, actor=world.national, scope=Scope(ScopeKind.PROVINCE, "02"),
                          period=Q3, now=NOW)  # fmt: skip
    assert report.admissions_by_age_and_sex.total is not None
    assert report.admissions_by_age_and_sex.total.value == 3
    nation = build_report(session=session, actor=world.national, scope=NATION, period=Q3, now=NOW)
    assert nation.admissions_by_age_and_sex.total is not None
    assert nation.admissions_by_age_and_sex.total.value == 19


def test_every_report_is_audited_without_a_case(session, world, report_a):
    line = session.scalars(select(AuditEvent).where(AuditEvent.action == "report_viewed")).one()
    assert line.actor_id == world.national.id
    assert line.case_id is None
    assert line.detail == f"scope=shelter:{world.shelter_a.id} period=2026-Q3"
