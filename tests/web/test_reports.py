"""The reports page and its files through the test client, on the hand-built world of the engine tests."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine.models.accounts import Role
from engine.models.cases import Case
from engine.models.security import AuditEvent
from tests.engine.reports.world import SECRET_NAMES, ReportWorld, build

BIRTH_DATES = ("2010-01-01", "2004-03-01", "1996-01-01", "2011-02-01", "1980-01-01", "1990-01-01")


@pytest.fixture
def world(session, factory) -> ReportWorld:
    return build(session, factory)


def _secrets(session) -> list[str]:
    return [*SECRET_NAMES, *session.scalars(select(Case.code)).all(), *BIRTH_DATES]


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))


def test_a_supervisor_sees_their_shelters_report_for_the_last_quarter(client, login, world, session):
    login("rep.sup.a")
    page = client.get("/reports/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Report Shelter A" in html
    assert "2026-Q3" in html
    assert "Admissions by age band and sex" in html
    assert "&lt;5" in html
    assert "<svg" in html
    for secret in _secrets(session):
        assert secret not in html


def test_a_supervisor_may_not_ask_for_another_shelter(client, login, world):
    login("rep.sup.a")
    assert client.get(f"/reports/?scope=shelter:{world.shelter_b.id}").status_code == 403
    assert client.get("/reports/export.csv?scope=nation").status_code == 403


def test_a_provincial_reporter_may_not_ask_for_another_province(client, login, world, session):
    login("rep.provincial")
    assert client.get("/reports/").status_code == 200
    assert client.get("/reports/?scope=province:02").status_code == 403
    assert client.get(f"/reports/?scope=shelter:{world.shelter_b.id}").status_code == 403
    assert client.get("/reports/cases.csv").status_code == 403
    refused = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "access_refused")).all()
    assert "GET /reports/" in refused


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ADMINISTRATOR, Role.DOSVY_OFFICER])
def test_other_roles_are_refused(client, login, factory, role):
    user = factory.user(role, factory.team() if role is Role.CASEWORKER else None)
    login(user.username)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/export.xlsx").status_code == 403


def test_the_csv_holds_the_protected_numbers_and_nothing_identifying(client, login, world, session):
    login("rep.national")
    response = client.get(f"/reports/export.csv?scope=shelter:{world.shelter_a.id}&quarter=2026-Q3")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="reintegra-report-shelter-{world.shelter_a.id}-2026-Q3.csv"'
    )
    rows = _csv_rows(response.data)
    start = rows.index(["Closures by reason"])
    assert rows[start + 1 : start + 3] == [["Reason for closure", "Cases"], ["Goals met", "x"]]
    assert ["The survivor chose to stop", "<5"] in rows
    assert ["Total", "x", "<5", "<5", "<5", "0", "9"] in rows  # the visits' totals: only the grand total shows
    text = response.data.decode("utf-8")
    for secret in _secrets(session):
        assert secret not in text
    line = session.scalars(select(AuditEvent).where(AuditEvent.action == "report_export_csv")).one()
    assert line.detail == f"scope=shelter:{world.shelter_a.id} period=2026-Q3"


def test_the_xlsx_has_a_sheet_per_table(client, login, world):
    login("rep.national")
    response = client.get("/reports/export.xlsx?scope=province:12&start=2026-07-01&end=2026-09-30")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "About this report"
    sheet = book["Admissions by age band and s"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Age band", "Female", "Male", "Other", "Unknown", "Total"]
    assert rows[-1] == ["Total", 8, 8, 0, 0, 16]


def test_the_case_level_export_uses_standard_field_names_and_no_identifiers(client, login, world, session):
    login("rep.national")
    response = client.get("/reports/cases.csv?quarter=2026-Q3")
    assert response.status_code == 200
    rows = _csv_rows(response.data)
    assert rows[1][:5] == ["prs_Gender", "ageBroad", "org_ShippingState", "cas_IncomingReferralDate",
                           "typeOfExploitation"]  # fmt: skip
    assert ["k", "11"] in rows
    text = response.data.decode("utf-8")
    for secret in _secrets(session):
        assert secret not in text
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "report_case_export")).one()


@pytest.mark.parametrize("query", ["quarter=2026-Q9", "start=2026-09-01&end=2026-08-01", "scope=planet",
                                   "start=yesterday"])  # fmt: skip
def test_a_bad_period_or_scope_gets_a_message_and_the_default_report(client, login, world, query):
    login("rep.national")
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 303
    assert response.location.endswith("/reports/")
    page = client.get("/reports/").get_data(as_text=True)
    assert any(m in page for m in ("Choose a quarter such as", "Give the first and the last day",
                                   "Choose the nation, a province or a shelter"))  # fmt: skip
    assert client.get(f"/reports/export.csv?{query}").status_code == 303


def test_an_unknown_file_type_is_not_found(client, login, world):
    login("rep.national")
    assert client.get("/reports/export.pdf").status_code == 404
    assert client.get("/reports/cases.json").status_code == 404


def test_the_report_speaks_khmer(client, login, factory, world):
    factory.user(Role.REPORTING, username="rep.khmer", language="km")
    login("rep.khmer")
    html = client.get("/reports/?quarter=2026-Q3").get_data(as_text=True)
    assert "របាយការណ៍" in html
    assert "Admissions by age band and sex" not in html


def test_the_navigation_links_to_reports(client, login, world):
    login("rep.sup.a")
    assert 'href="/reports/"' in client.get("/team/queue").get_data(as_text=True)


def test_every_engine_report_message_is_marked_for_translation(app):
    from engine.reports import period, scope
    from web.reports.messages import ENGINE_MESSAGES

    with app.test_request_context():
        marked = {str(message) for message in ENGINE_MESSAGES}
    assert marked == {period.BAD_QUARTER, period.BAD_DATES, scope.BAD_SCOPE, scope.NOT_ALLOWED}
