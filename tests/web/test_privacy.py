"""The privacy area from the web: the photo (page, picture, upload, removal) and publication requests (ask,
decide, extract). Content over extension, no-store on the picture, a clear page for an oversized upload,
who may use each route, and the engine's messages marked for translation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from engine.db import transaction
from engine.models.accounts import Role
from engine.models.cases import History, Identity, MedicalRecord
from engine.models.security import AuditEvent, CasePhoto, PublicationRequest
from engine.security import photos, publication
from engine.security.consent import withdraw_consent
from engine.security.fields import FieldGroup
from tests.conftest import NOW, csrf_from
from tests.factories import withdrawn_today
from tests.privacy_support import assert_clean_jpeg, consent, jpeg_with_gps, png_with_metadata, raw_consent
from tests.web.casework_support import CLOCK, NO_INLINE, unlabelled_controls

SIGNED_LONG_AGO = dt.date(2024, 1, 1)  # before any real clock the suite runs on
NARRATIVE = "Zyx-Narrative: a synthetic story."
ADDRESS = "Zyx-Address, Demo Village"
ADVICE = "Zyx-Advice: synthetic doctor's advice."


@pytest.fixture
def world(factory, session):
    team, other_team = factory.team(), factory.team()
    worker = factory.user(Role.CASEWORKER, team, username="cw.photo")
    factory.user(Role.CASEWORKER, team, username="cw.other")
    supervisor = factory.user(Role.SUPERVISOR, team, username="sup.photo")
    factory.user(Role.SUPERVISOR, team, username="sup.second")
    factory.user(Role.SUPERVISOR, other_team, username="sup.elsewhere")
    factory.user(Role.DOSVY_OFFICER, username="dosvy.photo")
    factory.user(Role.ADMINISTRATOR, username="admin.photo")
    factory.user(Role.REPORTING, username="report.photo")
    case = factory.case(worker, given_name_latin="Zyxphoto", date_of_birth=dt.date(1995, 5, 1))
    with transaction(session):
        session.add(History(case_id=case.id, narrative=NARRATIVE, address_before=ADDRESS, updated_at=NOW,
                            updated_by_id=worker.id))  # fmt: skip
        session.add(MedicalRecord(case_id=case.id, doctor_advice=ADVICE, updated_at=NOW, updated_by_id=worker.id))
    return case, worker, supervisor


@pytest.fixture
def release(session, world):
    case, worker, _supervisor = world
    return consent(session, worker, case, given_on=SIGNED_LONG_AGO)


@pytest.fixture
def publication_consent(session, world):
    case, worker, _supervisor = world
    groups = frozenset({FieldGroup.NARRATIVE, FieldGroup.MEDICAL, FieldGroup.IDENTITY})
    return consent(session, worker, case, kind="publication", given_on=SIGNED_LONG_AGO, groups=groups,
                   purpose="Synthetic: an anonymised story for the annual report")  # fmt: skip


def _token(client, url="/inbox/"):
    return csrf_from(client.get(url).get_data(as_text=True))


def _upload(client, code, data, name="photo.jpg", mimetype="image/jpeg"):
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    photo = FileStorage(io.BytesIO(data), name, content_type=mimetype)
    boundary, body = encode_multipart({"csrf_token": _token(client), "photo": photo})
    return client.post(f"/cases/{code}/photo", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _photos(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(CasePhoto))


def _audits(session, action):
    session.rollback()
    return session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


# --- the photo ---


def test_an_uploaded_photo_is_served_clean_with_no_store_and_nosniff(client, login, world, release, session):
    case, _worker, _supervisor = world
    login("cw.photo")
    response = _upload(client, case.code, jpeg_with_gps())
    assert response.status_code == 303
    assert response.location.endswith(f"/cases/{case.code}/privacy")
    picture = client.get(f"/cases/{case.code}/photo")
    assert picture.status_code == 200
    assert picture.mimetype == "image/jpeg"
    assert picture.headers["Cache-Control"] == "no-store"
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    assert_clean_jpeg(picture.data)
    assert len(_audits(session, "photo_viewed")) == 1


def test_a_text_file_named_jpg_is_refused(client, login, world, release, session):
    case, _worker, _supervisor = world
    login("cw.photo")
    response = _upload(client, case.code, b"Synthetic notes, not a picture.\n", name="holiday.jpg")
    assert response.status_code == 422
    assert "The file is not a JPEG or PNG photo, or it is damaged." in response.get_data(as_text=True)
    assert _photos(session) == 0


def test_a_png_named_txt_is_accepted_for_what_it_is(client, login, world, release, session):
    case, _worker, _supervisor = world
    login("cw.photo")
    response = _upload(client, case.code, png_with_metadata(), name="notes.txt", mimetype="text/plain")
    assert response.status_code == 303
    assert _photos(session) == 1


def test_a_file_over_the_photo_limit_is_refused_next_to_the_field(app, client, login, world, release, session):
    case, _worker, _supervisor = world
    reintegra = app.extensions["reintegra"]
    reintegra["settings"] = dataclasses.replace(reintegra["settings"], photo_max_bytes=1000)
    login("cw.photo")
    response = _upload(client, case.code, jpeg_with_gps(size=(400, 300)))
    assert response.status_code == 422
    assert "The file is larger than the upload limit." in response.get_data(as_text=True)
    assert _photos(session) == 0


def test_an_upload_over_the_request_limit_gets_a_clear_413_page(client, login, world, release, session):
    case, _worker, _supervisor = world
    login("cw.photo")
    response = _upload(client, case.code, b"\xff" * (9 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is too large: a photo may be at most 5 MB." in page
    assert _photos(session) == 0


def test_a_minor_gets_no_upload_form_and_a_forged_upload_is_refused(client, login, factory, world, session):
    _case, worker, _supervisor = world
    child = factory.case(worker, date_of_birth=CLOCK.date().replace(year=CLOCK.year - 12))
    login("cw.photo")
    page = client.get(f"/cases/{child.code}/privacy").get_data(as_text=True)
    assert "Photos of children are never allowed" in page
    assert 'type="file"' not in page
    response = _upload(client, child.code, jpeg_with_gps())
    assert response.status_code == 422
    assert "Photos of children are never allowed" in response.get_data(as_text=True)
    assert _photos(session) == 0


def test_without_a_signed_release_the_page_says_so_and_an_upload_is_refused(client, login, world, session):
    case, worker, _supervisor = world
    raw_consent(session, worker, case, given_by="survivor", given_on=SIGNED_LONG_AGO, method="verbal_with_witness")
    login("cw.photo")
    page = client.get(f"/cases/{case.code}/privacy").get_data(as_text=True)
    assert "first record the survivor's signed photo release" in page
    response = _upload(client, case.code, jpeg_with_gps())
    assert response.status_code == 422
    assert "There is no valid photo consent" in response.get_data(as_text=True)
    assert _photos(session) == 0


def test_an_upload_without_a_file_is_refused(client, login, world, release):
    case, _worker, _supervisor = world
    login("cw.photo")
    response = client.post(f"/cases/{case.code}/photo", data={"csrf_token": _token(client)})
    assert response.status_code == 422
    assert "Choose a photo to upload." in response.get_data(as_text=True)


def test_an_upload_without_the_csrf_token_is_refused(client, login, world, release, session):
    case, _worker, _supervisor = world
    login("cw.photo")
    response = client.post(f"/cases/{case.code}/photo", content_type="multipart/form-data",
                           data={"photo": (io.BytesIO(jpeg_with_gps()), "photo.jpg", "image/jpeg")})  # fmt: skip
    assert response.status_code == 400
    assert _photos(session) == 0


def test_removing_the_photo_then_asking_for_it_says_there_is_none(client, login, world, release, session):
    case, _worker, _supervisor = world
    login("sup.photo")
    _upload(client, case.code, jpeg_with_gps())
    response = client.post(f"/cases/{case.code}/photo/remove", data={"csrf_token": _token(client)})
    assert response.status_code == 303
    assert _photos(session) == 0
    assert len(_audits(session, "photo_removed")) == 1
    gone = client.get(f"/cases/{case.code}/photo", follow_redirects=True)
    assert "There is no photo to show for this case." in gone.get_data(as_text=True)
    again = client.post(f"/cases/{case.code}/photo/remove", data={"csrf_token": _token(client)}, follow_redirects=True)
    assert "There is no photo to show for this case." in again.get_data(as_text=True)


def test_after_the_release_is_withdrawn_the_photo_is_gone(client, login, world, release, session):
    case, worker, _supervisor = world
    login("cw.photo")
    _upload(client, case.code, jpeg_with_gps())
    withdraw_consent(session=session, actor=worker, now=CLOCK, consent_id=release.id, withdrawal=withdrawn_today(CLOCK))
    assert client.get(f"/cases/{case.code}/photo").status_code == 303
    session.rollback()
    assert session.scalar(select(func.count()).select_from(CasePhoto)) == 0
    assert _audits(session, "photo_viewed") == []


def test_a_photo_that_may_no_longer_be_shown_is_kept_hidden_and_the_page_asks_to_remove_it(
    client, login, world, release, session
):
    case, _worker, _supervisor = world
    login("cw.photo")
    _upload(client, case.code, jpeg_with_gps())
    with transaction(session):  # the date of birth turns out to be unknown: the survivor counts as a child
        session.scalar(select(Identity).where(Identity.case_id == case.id)).date_of_birth = None
    assert client.get(f"/cases/{case.code}/photo").status_code == 303
    page = client.get(f"/cases/{case.code}/privacy").get_data(as_text=True)
    assert "may not be shown" in page
    assert "Remove the photo" in page
    assert _audits(session, "photo_viewed") == []


def test_the_pages_have_no_inline_code_label_every_control_and_never_name_the_survivor(
    client, login, world, release, publication_consent, session
):
    case, _worker, _supervisor = world
    login("cw.photo")
    _upload(client, case.code, jpeg_with_gps())
    client.post(f"/cases/{case.code}/publication", data={"csrf_token": _token(client), "consent_id":
                publication_consent.id, "groups": ["narrative"], "purpose": "Synthetic: report"})  # fmt: skip
    pages = [client.get(f"/cases/{case.code}/privacy"), client.get(f"/cases/{case.code}/publication")]
    request_id = _request_id(session)
    client.post("/auth/logout", data={"csrf_token": _token(client)})
    login("sup.photo")
    pages.append(client.get(f"/cases/{case.code}/publication/{request_id}/decide"))
    for response in pages:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert not [marker for marker in NO_INLINE if marker in html]
        assert unlabelled_controls(html) == []
        assert "Zyxphoto" not in html


# --- publication ---


def _request_id(session) -> int:
    """The newest publication request, as the app wrote it (the test's read snapshot is ended first)."""
    session.rollback()
    return session.scalar(select(func.max(PublicationRequest.id)))


def _ask(client, code, consent_id, groups, purpose="Synthetic: an anonymised story for the annual report"):
    return client.post(f"/cases/{code}/publication",
                       data={"csrf_token": _token(client), "consent_id": consent_id, "groups": groups,
                             "purpose": purpose})  # fmt: skip


def _sign_out(client):
    client.post("/auth/logout", data={"csrf_token": _token(client)})


def _decide(client, code, request_id, decision="approve", reason="Synthetic: it benefits the survivor"):
    return client.post(f"/cases/{code}/publication/{request_id}/decide",
                       data={"csrf_token": _token(client), "decision": decision, "reason": reason})  # fmt: skip


def test_request_approval_and_extract_of_only_the_named_parts(client, login, world, publication_consent, session):
    case, _worker, _supervisor = world
    login("cw.photo")
    asked = _ask(client, case.code, publication_consent.id, ["narrative", "medical"])
    assert asked.status_code == 303
    request_id = _request_id(session)
    _sign_out(client)
    login("sup.photo")
    assert client.get(f"/cases/{case.code}/publication/{request_id}/decide").status_code == 200
    assert _decide(client, case.code, request_id).status_code == 303
    response = client.get(f"/cases/{case.code}/publication/{request_id}/extract")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f'attachment; filename="publication-{request_id}.json"'
    extract = json.loads(response.data)
    assert extract["groups"] == ["medical", "narrative"]
    assert extract["sections"] == {"history": [{"narrative": NARRATIVE}], "medical": [{"doctor_advice": ADVICE}]}
    body = response.get_data(as_text=True)
    assert ADDRESS not in body
    assert "Zyxphoto" not in body
    assert case.code not in body
    as_text = client.get(f"/cases/{case.code}/publication/{request_id}/extract?format=text")
    assert as_text.mimetype == "text/plain"
    assert f"narrative: {NARRATIVE}" in as_text.get_data(as_text=True)
    assert _audits(session, "export") == [f"publication={request_id} consent={publication_consent.id} "
                                          "groups=medical,narrative"] * 2  # fmt: skip


def test_a_pending_request_cannot_be_extracted(client, login, world, publication_consent, session):
    case, _worker, _supervisor = world
    login("cw.photo")
    _ask(client, case.code, publication_consent.id, ["narrative"])
    request_id = _request_id(session)
    response = client.get(f"/cases/{case.code}/publication/{request_id}/extract", follow_redirects=True)
    assert publication.NOT_APPROVED in response.get_data(as_text=True)
    assert _audits(session, "export") == []


def test_a_withdrawn_consent_stops_an_approved_extract(client, login, world, publication_consent, session):
    case, worker, _supervisor = world
    login("cw.photo")
    _ask(client, case.code, publication_consent.id, ["narrative"])
    request_id = _request_id(session)
    _sign_out(client)
    login("sup.photo")
    _decide(client, case.code, request_id)
    withdraw_consent(
        session=session, actor=worker, now=CLOCK, consent_id=publication_consent.id, withdrawal=withdrawn_today(CLOCK)
    )
    response = client.get(f"/cases/{case.code}/publication/{request_id}/extract", follow_redirects=True)
    assert publication.CONSENT_LAPSED in response.get_data(as_text=True)
    assert _audits(session, "export") == []


def test_a_caseworker_cannot_decide_and_a_supervisor_cannot_decide_their_own_request(
    client, login, world, publication_consent, session
):
    case, _worker, _supervisor = world
    login("cw.photo")
    _ask(client, case.code, publication_consent.id, ["narrative"])
    request_id = _request_id(session)
    assert client.get(f"/cases/{case.code}/publication/{request_id}/decide").status_code == 403
    assert _decide(client, case.code, request_id).status_code == 403
    _sign_out(client)
    login("sup.photo")
    _ask(client, case.code, publication_consent.id, ["medical"])
    own_id = _request_id(session)
    page = client.get(f"/cases/{case.code}/publication/{own_id}/decide").get_data(as_text=True)
    assert "another supervisor of the team decides on it" in page
    assert _decide(client, case.code, own_id).status_code == 403
    session.rollback()
    assert set(session.scalars(select(PublicationRequest.status))) == {"pending"}


def test_a_decision_needs_a_reason_and_a_decided_request_cannot_be_decided_again(
    client, login, world, publication_consent, session
):
    case, _worker, _supervisor = world
    login("cw.photo")
    _ask(client, case.code, publication_consent.id, ["narrative"])
    request_id = _request_id(session)
    _sign_out(client)
    login("sup.photo")
    missing = _decide(client, case.code, request_id, reason=" ")
    assert missing.status_code == 422
    assert publication.NEED_REASON in missing.get_data(as_text=True)
    assert _decide(client, case.code, request_id, decision="refuse").status_code == 303
    again = _decide(client, case.code, request_id)
    assert again.status_code == 303
    assert publication.ALREADY_DECIDED in client.get(again.location).get_data(as_text=True)
    refused = client.get(f"/cases/{case.code}/publication/{request_id}/extract", follow_redirects=True)
    assert publication.NOT_APPROVED in refused.get_data(as_text=True)


def test_a_request_outside_the_consent_or_without_a_valid_consent_is_refused_next_to_its_field(
    client, login, world, publication_consent, session
):
    case, _worker, _supervisor = world
    login("cw.photo")
    outside = _ask(client, case.code, publication_consent.id, ["family"])
    assert outside.status_code == 422
    assert publication.NOT_COVERED in outside.get_data(as_text=True)
    forged = _ask(client, case.code, publication_consent.id + 1000, ["narrative"])
    assert forged.status_code == 422
    assert "Choose a valid publication consent." in forged.get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PublicationRequest)) == 0


def test_without_a_publication_consent_the_page_says_what_is_needed(client, login, world):
    case, _worker, _supervisor = world
    login("cw.photo")
    page = client.get(f"/cases/{case.code}/publication").get_data(as_text=True)
    assert publication.NO_CONSENT in page
    assert 'name="purpose"' not in page


# --- who ---

OUTSIDERS = [("cw.other", 404), ("sup.elsewhere", 404), ("dosvy.photo", 403), ("admin.photo", 403),
             ("report.photo", 403)]  # fmt: skip


@pytest.fixture
def everything(client, login, world, release, publication_consent, session):
    """A photo on file and an approved publication request (asked by the caseworker, approved by the supervisor)."""
    case, _worker, _supervisor = world
    login("cw.photo")
    _upload(client, case.code, jpeg_with_gps())
    _ask(client, case.code, publication_consent.id, ["narrative"])
    request_id = _request_id(session)
    _sign_out(client)
    login("sup.second")
    _ask(client, case.code, publication_consent.id, ["medical"])
    _sign_out(client)
    login("sup.photo")
    _decide(client, case.code, request_id)
    _sign_out(client)
    return case.code, request_id


def _routes(code, request_id):
    return [
        ("GET", f"/cases/{code}/privacy"), ("GET", f"/cases/{code}/photo"), ("POST", f"/cases/{code}/photo"),
        ("POST", f"/cases/{code}/photo/remove"), ("GET", f"/cases/{code}/publication"),
        ("POST", f"/cases/{code}/publication"), ("GET", f"/cases/{code}/publication/{request_id + 1}/decide"),
        ("POST", f"/cases/{code}/publication/{request_id + 1}/decide"),
        ("GET", f"/cases/{code}/publication/{request_id}/extract"),
    ]  # fmt: skip


@pytest.mark.parametrize(("username", "status"), OUTSIDERS)
def test_no_one_outside_the_cases_staff_reaches_any_route(client, login, everything, session, username, status):
    code, request_id = everything
    login(username)
    for method, url in _routes(code, request_id):
        response = client.open(url, method=method, data={"csrf_token": _token(client)} if method == "POST" else None)
        expected = 403 if username.startswith("cw.") and url.endswith("/decide") else status  # supervisors only
        assert response.status_code == expected, (method, url)
        assert "Zyx" not in response.get_data(as_text=True)
    assert _photos(session) == 1
    assert _audits(session, "photo_viewed") == []
    assert _audits(session, "export") == []
    assert set(session.scalars(select(PublicationRequest.status))) == {"approved", "pending"}


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, everything):
    code, request_id = everything
    for method, url in _routes(code, request_id):
        data = {"csrf_token": _token(client, "/auth/login")} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (method, url)
        assert "/auth/login" in response.location


@pytest.mark.parametrize("username", ["cw.photo", "sup.photo"])
def test_the_cases_caseworker_and_supervisor_reach_the_photo_and_the_extract(client, login, everything, username):
    code, request_id = everything
    login(username)
    assert client.get(f"/cases/{code}/photo").status_code == 200
    assert client.get(f"/cases/{code}/publication/{request_id}/extract").status_code == 200


# --- translation ---


def test_every_engine_message_is_marked_for_translation(app):
    from web.privacy.messages import ENGINE_MESSAGES

    with app.test_request_context():
        marked = {str(message) for message in ENGINE_MESSAGES}
    assert marked == set(photos.MESSAGES) | set(publication.MESSAGES)
