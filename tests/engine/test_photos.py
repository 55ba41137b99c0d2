"""Photos: checked by content and size, adults only with a signed release naming the use, never children,
metadata stripped, encrypted at rest, shown only to the case's staff while the consent holds, audited,
and never in the printed record, a report or an export."""

from __future__ import annotations

import base64
import datetime as dt
import io
import random
import re
import warnings
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from PIL import Image, ImageFile
from sqlalchemy import func, select, text

from engine import audit
from engine.cases.own_record import printable_record
from engine.crypto import KeyRing, install_keyring
from engine.db import transaction
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models.cases import Identity
from engine.models.security import AuditEvent, CasePhoto, ConsentRecord
from engine.security import photos
from engine.security.consent import withdraw_consent
from engine.security.fields import FieldGroup
from engine.security.rotation import encrypted_columns, rotate_all
from tests.conftest import NOW, TEST_FERNET_KEY, TEST_INDEX_KEY
from tests.factories import withdrawn_today
from tests.privacy_support import (
    assert_clean_jpeg,
    consent,
    jpeg_with_gps,
    people,
    png_with_metadata,
    raw_consent,
)

LIMIT = 5 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def crew(session, factory):
    return people(session, factory)


@pytest.fixture
def released(session, crew):
    """The adult survivor signed a photo release naming its use."""
    return consent(session, crew.worker, crew.case)


def upload(session, actor, case, data, *, now=NOW, max_bytes=LIMIT):
    return photos.upload_photo(session=session, actor=actor, now=now, case=case, data=data, max_bytes=max_bytes)


def stored(session) -> bytes:
    session.expire_all()
    return base64.b64decode(session.scalar(select(CasePhoto.data)))


def refusal(session, actor, case, data, **kw) -> str:
    with pytest.raises(InvalidInput, match=r"^The photo was not saved\.$") as refused:
        upload(session, actor, case, data, **kw)
    assert session.scalar(select(func.count()).select_from(CasePhoto)) == 0
    return refused.value.fields["photo"]


def actions(session, case) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)))


# --- content, size and metadata ---


def test_a_jpeg_with_gps_is_stored_as_a_jpeg_without_any_metadata(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    image = assert_clean_jpeg(stored(session))
    assert image.size == (64, 48)


def test_a_png_with_text_exif_and_transparency_is_stored_as_a_clean_jpeg(session, crew, released):
    upload(session, crew.worker, crew.case, png_with_metadata())
    image = assert_clean_jpeg(stored(session))
    assert image.mode == "RGB"
    assert session.scalar(select(CasePhoto.content_type)) == "image/jpeg"


def test_the_picture_is_turned_upright_before_the_orientation_tag_is_dropped(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps(size=(80, 40), orientation=6))  # "rotate 90° clockwise"
    assert assert_clean_jpeg(stored(session)).size == (40, 80)


def test_a_large_picture_is_scaled_down_to_at_most_1600_pixels_a_side(session, crew, released):
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), (1, 2, 3)).save(out, "PNG")
    upload(session, crew.worker, crew.case, out.getvalue())
    assert assert_clean_jpeg(stored(session)).size == (1600, 400)


@pytest.mark.parametrize(
    "data",
    [
        b"This is a text file, whatever its name says.\n",
        b"\xff\xd8\xff\xe0 not really a jpeg",
        b"\x89PNG\r\n\x1a\n not really a png",
    ],
    ids=["text", "jpeg-magic-only", "png-magic-only"],
)
def test_content_that_is_not_a_picture_is_refused(session, crew, released, data):
    assert refusal(session, crew.worker, crew.case, data) == photos.NOT_A_PHOTO


@pytest.mark.parametrize("padding_allowed", [False, True], ids=["pillow-default", "as-weasyprint-sets-it"])
def test_a_truncated_jpeg_is_refused(session, crew, released, monkeypatch, padding_allowed):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", padding_allowed)
    noise = Image.frombytes("RGB", (300, 200), random.Random(7).randbytes(300 * 200 * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG")  # the compressed pixels are nearly all of the file: the cut falls among them
    whole = out.getvalue()
    assert refusal(session, crew.worker, crew.case, whole[: len(whole) * 3 // 4]) == photos.NOT_A_PHOTO
    assert ImageFile.LOAD_TRUNCATED_IMAGES is padding_allowed  # the process-wide switch is left as it was


def test_a_png_with_a_broken_checksum_is_refused(session, crew, released):
    data = bytearray(png_with_metadata("RGB"))
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # a byte of the compressed pixels: the chunk's CRC no longer matches
    assert refusal(session, crew.worker, crew.case, bytes(data)) == photos.NOT_A_PHOTO


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_picture_formats_are_refused(session, crew, released, fmt):
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (5, 5, 5)).save(out, fmt)
    assert refusal(session, crew.worker, crew.case, out.getvalue()) == photos.NOT_A_PHOTO


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(session, crew, released):
    data = jpeg_with_gps()
    assert refusal(session, crew.worker, crew.case, data, max_bytes=len(data) - 1) == photos.TOO_LARGE
    upload(session, crew.worker, crew.case, data, max_bytes=len(data))  # exactly the limit is fine


def test_an_empty_upload_is_refused(session, crew, released):
    assert refusal(session, crew.worker, crew.case, b"") == photos.NO_FILE


def _bilevel_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")  # tiny on disk, huge once decoded
    return out.getvalue()


def test_a_picture_with_more_pixels_than_our_limit_is_refused_before_decoding(session, crew, released):
    data = _bilevel_png(7000, 6000)  # 42 million pixels: under Pillow's own bomb limit
    assert len(data) < 100_000
    assert refusal(session, crew.worker, crew.case, data) == photos.TOO_MANY_PIXELS


def test_a_decompression_bomb_is_refused_whether_or_not_warnings_are_errors(session, crew, released):
    data = _bilevel_png(10_000, 9_000)  # over Pillow's limit: its DecompressionBombWarning
    assert refusal(session, crew.worker, crew.case, data) == photos.TOO_MANY_PIXELS  # the test run: an error
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # as in production: only a warning
        assert refusal(session, crew.worker, crew.case, data) == photos.TOO_MANY_PIXELS


# --- children and consent ---


def test_a_minor_is_refused_even_with_a_photo_consent_on_file(session, factory, crew, released):
    with transaction(session):
        session.scalar(select(Identity).where(Identity.case_id == crew.case.id)).date_of_birth = dt.date(2012, 1, 1)
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps()) == photos.NEVER_CHILDREN


def test_a_survivor_without_a_known_date_of_birth_counts_as_a_minor(session, factory):
    crew = people(session, factory, born=None)
    raw_consent(session, crew.worker, crew.case)
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps()) == photos.NEVER_CHILDREN


def test_without_any_photo_consent_it_is_refused(session, crew):
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps()) == photos.NO_RELEASE


def test_a_verbal_consent_is_not_a_signed_release(session, crew):
    raw_consent(session, crew.worker, crew.case, given_by="survivor", method="verbal_with_witness")
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps()) == photos.NO_RELEASE


def test_a_thumbprinted_release_counts(session, crew):
    consent(session, crew.worker, crew.case, method="thumbprint")
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    assert session.scalar(select(func.count()).select_from(CasePhoto)) == 1


def test_a_release_that_does_not_name_the_use_is_refused(session, crew):
    raw_consent(session, crew.worker, crew.case, given_by="survivor", purpose="  ")
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps()) == photos.NO_RELEASE


def test_a_withdrawn_release_is_refused(session, crew, released):
    withdraw_consent(
        session=session, actor=crew.worker, now=NOW, consent_id=released.id, withdrawal=withdrawn_today(NOW)
    )
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps()) == photos.NO_RELEASE


def test_an_expired_release_is_refused(session, crew):
    consent(session, crew.worker, crew.case, expires_on=NOW.date() + dt.timedelta(days=10))
    later = NOW + dt.timedelta(days=10)
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps(), now=later) == photos.NO_RELEASE


def test_a_release_dated_after_today_does_not_count_yet(session, crew, released):
    earlier = NOW - dt.timedelta(days=1)
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps(), now=earlier) == photos.NO_RELEASE


@pytest.mark.parametrize("kind", ["services", "publication"])
def test_a_consent_of_another_kind_does_not_count(session, crew, kind):
    consent(session, crew.worker, crew.case, kind=kind, groups=frozenset({FieldGroup.PHOTO}))
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps()) == photos.NO_RELEASE


def test_a_release_of_another_case_does_not_count(session, factory, crew):
    other = factory.case(crew.worker, date_of_birth=dt.date(1990, 1, 1))
    consent(session, crew.worker, other)
    assert refusal(session, crew.worker, crew.case, jpeg_with_gps()) == photos.NO_RELEASE


# --- storage, replacement, audit ---


def test_the_stored_column_is_encrypted_not_the_picture(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    raw = session.execute(text("SELECT data FROM case_photos")).scalar()
    assert not raw.startswith("/9j/")  # base64 of a JPEG's first bytes
    assert b"\xff\xd8" not in raw.encode()
    clear = Fernet(TEST_FERNET_KEY).decrypt(raw.encode())
    assert base64.b64decode(clear)[:2] == b"\xff\xd8"


def test_a_new_upload_replaces_the_photo_and_records_the_consent_it_relied_on(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps(size=(64, 48)))
    upload(session, crew.supervisor, crew.case, png_with_metadata())
    session.expire_all()
    rows = session.scalars(select(CasePhoto)).all()
    assert len(rows) == 1
    assert (rows[0].consent_id, rows[0].uploaded_by_id) == (released.id, crew.supervisor.id)
    assert Image.open(io.BytesIO(base64.b64decode(rows[0].data))).size == (40, 30)


def test_uploads_are_audited_naming_the_consent_and_nothing_of_the_image(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    details = session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "photo_uploaded").order_by(AuditEvent.id)
    ).all()
    assert details == [f"consent={released.id}", f"consent={released.id}; replaced the earlier photo"]
    assert audit.verify(session=session).ok


def test_the_case_staff_view_the_photo_and_each_view_is_audited(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    for viewer in (crew.worker, crew.supervisor):
        photo = photos.read_photo(session=session, actor=viewer, now=NOW, case=crew.case)
        assert photo.content_type == "image/jpeg"
        assert_clean_jpeg(photo.data)
    viewed = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "photo_viewed").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.detail) for e in viewed] == [
        (crew.worker.id, f"consent={released.id}"), (crew.supervisor.id, f"consent={released.id}")
    ]  # fmt: skip


def test_withdrawing_the_release_deletes_the_photo_and_says_so_in_the_audit_log(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    withdraw_consent(
        session=session, actor=crew.worker, now=NOW, consent_id=released.id, withdrawal=withdrawn_today(NOW)
    )
    assert session.scalar(select(func.count()).select_from(CasePhoto)) == 0
    with pytest.raises(NotFound):
        photos.read_photo(session=session, actor=crew.worker, now=NOW, case=crew.case)
    assert "photo_viewed" not in actions(session, crew.case)
    removed = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "photo_removed")).all()
    assert removed == [f"consent={released.id} withdrawn"]


def test_a_photo_is_not_shown_once_the_release_has_expired(session, crew):
    consent(session, crew.worker, crew.case, expires_on=NOW.date() + dt.timedelta(days=30))
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    with pytest.raises(NotFound):
        photos.read_photo(session=session, actor=crew.worker, now=NOW + dt.timedelta(days=30), case=crew.case)


def test_a_newer_release_does_not_revive_a_photo_kept_under_a_withdrawn_one(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    withdraw_consent(
        session=session, actor=crew.worker, now=NOW, consent_id=released.id, withdrawal=withdrawn_today(NOW)
    )
    consent(session, crew.worker, crew.case, purpose="Synthetic: another use")
    with pytest.raises(NotFound):
        photos.read_photo(session=session, actor=crew.worker, now=NOW + dt.timedelta(days=1), case=crew.case)


def test_a_photo_is_not_shown_when_the_survivor_turns_out_to_be_a_minor(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    with transaction(session):
        session.scalar(select(Identity).where(Identity.case_id == crew.case.id)).date_of_birth = None
    with pytest.raises(NotFound):
        photos.read_photo(session=session, actor=crew.worker, now=NOW, case=crew.case)


def test_without_a_photo_there_is_nothing_to_show_or_remove(session, crew, released):
    with pytest.raises(NotFound):
        photos.read_photo(session=session, actor=crew.worker, now=NOW, case=crew.case)
    with pytest.raises(NotFound):
        photos.remove_photo(session=session, actor=crew.worker, now=NOW, case=crew.case)


def test_the_photo_can_be_removed_at_any_time_and_it_is_audited(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    photos.remove_photo(session=session, actor=crew.supervisor, now=NOW, case=crew.case)
    assert session.scalar(select(func.count()).select_from(CasePhoto)) == 0
    removed = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "photo_removed")).all()
    assert removed == [f"consent={released.id}"]


def test_the_status_says_what_the_page_may_offer_without_showing_the_picture(session, crew):
    status = photos.photo_status(session=session, actor=crew.worker, now=NOW, case=crew.case)
    assert (status.on_file, status.viewable, status.minor, status.release_on_file) == (False, False, False, False)
    release = consent(session, crew.worker, crew.case)
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    status = photos.photo_status(session=session, actor=crew.worker, now=NOW, case=crew.case)
    assert (status.on_file, status.viewable, status.release_on_file) == (True, True, True)
    later = NOW + dt.timedelta(days=400)
    with transaction(session):
        session.get(ConsentRecord, release.id).expires_on = later.date()
    status = photos.photo_status(session=session, actor=crew.worker, now=later, case=crew.case)
    assert (status.on_file, status.viewable, status.release_on_file) == (True, False, False)
    withdraw_consent(
        session=session, actor=crew.worker, now=NOW, consent_id=release.id, withdrawal=withdrawn_today(NOW)
    )
    status = photos.photo_status(session=session, actor=crew.worker, now=NOW, case=crew.case)
    assert (status.on_file, status.viewable, status.release_on_file) == (False, False, False)
    assert "photo_viewed" not in actions(session, crew.case)


# --- who ---

OUTSIDERS = [("colleague", NotFound), ("stranger", NotFound), ("officer", Forbidden), ("admin", Forbidden),
             ("reporting", Forbidden)]  # fmt: skip


@pytest.mark.parametrize(("who", "error"), OUTSIDERS)
def test_only_the_case_staff_upload(session, crew, released, who, error):
    with pytest.raises(error):
        upload(session, getattr(crew, who), crew.case, jpeg_with_gps())
    assert session.scalar(select(func.count()).select_from(CasePhoto)) == 0


@pytest.mark.parametrize(("who", "error"), OUTSIDERS)
def test_only_the_case_staff_view_or_remove(session, crew, released, who, error):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    actor = getattr(crew, who)
    with pytest.raises(error):
        photos.read_photo(session=session, actor=actor, now=NOW, case=crew.case)
    with pytest.raises(error):
        photos.remove_photo(session=session, actor=actor, now=NOW, case=crew.case)
    with pytest.raises(error):
        photos.photo_status(session=session, actor=actor, now=NOW, case=crew.case)
    assert session.scalar(select(func.count()).select_from(CasePhoto)) == 1
    assert "photo_viewed" not in actions(session, crew.case)


# --- key rotation, exports and reports ---


def test_key_rotation_re_encrypts_the_photo(session, crew, released, keyring):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    assert ("case_photos", "data") in {(t.name, c) for t, c in encrypted_columns()}
    new_key = Fernet.generate_key().decode()
    both = KeyRing(fernet_keys=(new_key, TEST_FERNET_KEY), index_key=TEST_INDEX_KEY)
    install_keyring(both)
    try:
        rotate_all(session=session, keyring=both)
        raw = session.execute(text("SELECT data FROM case_photos")).scalar()
        Fernet(new_key).decrypt(raw.encode())  # readable with the new key alone
        install_keyring(KeyRing(fernet_keys=(new_key,), index_key=TEST_INDEX_KEY))
        session.expire_all()
        assert_clean_jpeg(photos.read_photo(session=session, actor=crew.worker, now=NOW, case=crew.case).data)
    finally:
        install_keyring(keyring)


def test_the_printed_record_holds_no_photo(session, crew, released):
    upload(session, crew.worker, crew.case, jpeg_with_gps())
    encoded = session.scalar(select(CasePhoto.data))
    record = printable_record(session=session, actor=crew.worker, now=NOW, code=crew.case.code, lang="en")
    views = [*record.sections.values(), *record.family]
    fields = {f.name for view in views for f in view.form.fields}
    values = repr([view.values for view in views])
    assert not any("photo" in name for name in fields)
    assert encoded not in values
    assert encoded[:40] not in values


def test_nothing_but_the_photo_service_and_its_route_reads_photos():
    """Photos never reach exports, reports, printed records or notifications: nothing else touches them."""
    allowed = {
        "engine/models/security.py", "engine/security/photos.py", "web/privacy/views.py",
        "engine/security/consent.py",  # deletes the photo when its release is withdrawn
        "engine/migrations/versions/20261129_e3b7c2d9a4f1_case_photos_and_publication_requests.py",
    }  # fmt: skip
    pattern = re.compile(r"CasePhoto|case_photos|read_photo|photos\.Photo\b")
    readers = {
        str(path.relative_to(ROOT))
        for package in ("engine", "web", "notifications", "workflows")
        for path in (ROOT / package).rglob("*")
        if path.suffix in (".py", ".html", ".txt", ".json") and pattern.search(path.read_text(encoding="utf-8"))
    }
    assert readers <= allowed
