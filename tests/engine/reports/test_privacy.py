"""Small-cell protection and k-anonymity, as properties over random tables and datasets, and the
case-level export of the hand-built world."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.models.cases import Case
from engine.models.security import AuditEvent
from engine.reports.anonymise import QUASI_IDENTIFIERS, k_anonymise
from engine.reports.files import to_csv
from engine.reports.period import last_full_quarter
from engine.reports.service import CASE_FIELDS, case_level_export, case_records
from engine.reports.suppression import Hidden, protect
from tests.conftest import NOW
from tests.engine.reports.world import SECRET_NAMES, build

Q3 = last_full_quarter(NOW.date())

counts_tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda cols: st.lists(st.lists(st.integers(0, 12), min_size=cols, max_size=cols), min_size=rows,
                              max_size=rows)))  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(counts_tables)
def test_no_row_or_column_has_a_lone_hidden_cell_and_every_small_count_is_hidden(matrix):
    rows = [f"r{i}" for i in range(len(matrix))]
    cols = [f"c{j}" for j in range(len(matrix[0]))]
    table = protect("t", rows, cols, {(r, c): matrix[i][j] for i, r in enumerate(rows) for j, c in enumerate(cols)})
    lines = []
    if table.row_totals is not None:
        lines += [[*table.cells[i], table.row_totals[i]] for i in range(len(rows))]
        if table.column_totals is not None:
            lines.append([*table.column_totals, table.total])
    if table.column_totals is not None:
        lines += [[table.cells[i][j] for i in range(len(rows))] + [table.column_totals[j]] for j in range(len(cols))]
        if table.row_totals is not None:
            lines.append([*table.row_totals, table.total])
    for line in lines:
        assert sum(1 for cell in line if cell.hidden) != 1
    everything = [c for row in table.cells for c in row] + [c for line in lines for c in line if c is not None]
    for cell in everything:
        assert (0 < cell.value < 5) == (cell.hidden is Hidden.PRIMARY)
        assert cell.shown == ("<5" if cell.hidden is Hidden.PRIMARY else "x" if cell.hidden else cell.value)


values = {
    "prs_Gender": st.sampled_from(["Female", "Male", "Unknown"]),
    "ageBroad": st.sampled_from(["0-11", "12-17", "18-24", "25-34", "35+", "unknown"]),
    "org_ShippingState": st.sampled_from(["01", "02", "12", "17", "21"]),
    "cas_IncomingReferralDate": st.sampled_from(["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]),
    "typeOfExploitation": st.sampled_from(["labour", "sexual", "begging", "other"]),
    "cas_Status": st.sampled_from(["Active", "Closed"]),
}
records = st.lists(st.fixed_dictionaries(values), max_size=300)


@settings(max_examples=200, deadline=None)
@given(records, st.integers(2, 15))
def test_no_quasi_identifier_combination_occurs_fewer_than_k_times(dataset, k):
    release = k_anonymise(dataset, k=k)
    sizes = Counter(tuple(r[q] for q in QUASI_IDENTIFIERS) for r in release.records)
    assert all(n >= k for n in sizes.values())
    assert len(release.records) + release.withheld == len(dataset)


def test_k_anonymity_generalises_before_it_withholds():
    # 30 records over two provinces and three quarters, groups of 5: with k = 11 the quarter (the field
    # with most values) is generalised to the year, which leaves two groups of 15, and nothing is withheld.
    dataset = [{"prs_Gender": "Female", "ageBroad": "18-24", "org_ShippingState": p,
                "cas_IncomingReferralDate": q, "typeOfExploitation": "labour"}
               for p in ("02", "12") for q in ("2026-Q1", "2026-Q2", "2026-Q3") for _ in range(5)]  # fmt: skip
    release = k_anonymise(dataset, k=11)
    assert release.withheld == 0
    assert {r["cas_IncomingReferralDate"] for r in release.records} == {"2026"}
    assert {r["org_ShippingState"] for r in release.records} == {"02", "12"}
    assert release.levels == {**dict.fromkeys(QUASI_IDENTIFIERS, 0), "cas_IncomingReferralDate": 1}


def test_too_few_records_are_all_withheld():
    dataset = [dict.fromkeys(QUASI_IDENTIFIERS, "a") for _ in range(10)]
    release = k_anonymise(dataset, k=11)
    assert (release.records, release.withheld) == ([], 10)


def test_the_case_level_export_is_k_anonymous_and_carries_no_name_code_or_birth_date(session, factory):
    world = build(session, factory)
    before = case_records(session, Q3, NOW)
    assert len(before) == 19  # every case admitted in Q3, both shelters
    release = case_level_export(session=session, actor=world.national, period=Q3, now=NOW, k=5)
    sizes = Counter(tuple(r[q] for q in QUASI_IDENTIFIERS) for r in release.records)
    assert release.records
    assert all(n >= 5 for n in sizes.values())
    names = [name for name, _source in CASE_FIELDS]
    text = to_csv([("cases", [names, *[[r[n] for n in names] for r in release.records]])]).decode("utf-8")
    codes = session.scalars(select(Case.code)).all()
    for secret in (*SECRET_NAMES, *codes, "2010-01-01", "2004-03-01", "1996-01-01", "2026-07-0"):
        assert secret not in text
    assert next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[0] == "cases"
    line = session.scalars(select(AuditEvent).where(AuditEvent.action == "report_case_export")).one()
    assert line.detail == f"scope=nation period=2026-Q3 k=5 records={len(release.records)} withheld={release.withheld}"


def test_k_must_be_positive():
    with pytest.raises(ValueError, match="k must be at least 1"):
        k_anonymise([], k=0)


def test_k_is_a_setting_with_the_ctdc_default():
    from engine.config import ConfigError, Settings

    assert Settings(env="test").report_k_anonymity == 11
    assert Settings.from_env({"REINTEGRA_REPORT_K_ANONYMITY": "20"}).report_k_anonymity == 20
    with pytest.raises(ConfigError, match="REPORT_K_ANONYMITY"):
        Settings(env="test", report_k_anonymity=1)
