"""Record review from the web: start it, print the own record (PDF, audited), who viewed the case."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import select

from engine.accounts.models import Role
from engine.cases.models import FamilyMember
from engine.db import transaction
from engine.security.models import AuditEvent
from tests.conftest import NOW, csrf_from


@pytest.fixture
def case_setup(factory, session):
    team = factory.team()
    worker = factory.user(Role.CASEWORKER, team, username="cw.review")
    factory.user(Role.SUPERVISOR, team, username="sup.review")
    case = factory.case(worker, given_name_latin="Zyxreview", given_name_km="សាកល្បងពិនិត្យ")
    with transaction(session):
        session.add(FamilyMember(case_id=case.id, relationship="mother", name="Zyxmother Synthetic",
                                 occupation="Synthetic farmer", updated_at=NOW, updated_by_id=worker.id))  # fmt: skip
    return case


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    return subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize("lang", ["en", "km"])
def test_the_printed_record_is_a_confidential_pdf_of_own_data_without_third_party_names(
    client, login, case_setup, tmp_path, session, lang
):
    login("cw.review")
    response = client.get(f"/review/{case_setup.code}/record.pdf?lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = _text(response.data, tmp_path)
    assert case_setup.code in text
    assert "Zyxreview" in text
    assert "Zyxmother" not in text
    if lang == "en":
        assert "CONFIDENTIAL" in text
    session.rollback()
    printed = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "record_printed")).all()
    assert printed == [f"language={lang}"]


def test_only_the_cases_staff_can_print_it(client, login, case_setup, factory):
    factory.user(Role.CASEWORKER, factory.team(), username="cw.stranger")
    login("cw.stranger")
    assert client.get(f"/review/{case_setup.code}/record.pdf").status_code == 404


def test_a_caseworker_starts_a_review_from_the_case(client, login, case_setup):
    login("cw.review")
    token = csrf_from(client.get("/", follow_redirects=True).get_data(as_text=True))
    response = client.post(f"/review/{case_setup.code}/start", data={"csrf_token": token})
    assert response.status_code == 303
    page = client.get("/work/?filter=all").get_data(as_text=True)
    assert "Prepare the record for review" in page


def test_supervisors_see_who_viewed_the_case_and_caseworkers_do_not(client, login, case_setup):
    login("cw.review")
    client.get(f"/review/{case_setup.code}/record.pdf?lang=en")
    _sign_out(client)
    assert client.get(f"/review/{case_setup.code}/viewers").status_code == 302
    login("sup.review")
    page = client.get(f"/review/{case_setup.code}/viewers")
    assert page.status_code == 200
    assert "record_printed" in page.get_data(as_text=True)
    _sign_out(client)
    login("cw.review")
    assert client.get(f"/review/{case_setup.code}/viewers").status_code == 403


def _sign_out(client) -> None:
    token = csrf_from(client.get("/", follow_redirects=True).get_data(as_text=True))
    client.post("/auth/logout", data={"csrf_token": token})
