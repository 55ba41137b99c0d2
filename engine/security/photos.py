"""Survivors' photos: off by default, adults only with a signed release naming the use, never children.

An upload is checked by its content, not its name: Pillow must recognise a JPEG or PNG, verify it and
decode it in full, within a size and a pixel limit (decompression bombs are refused). Only the pixels
are kept: the picture is turned upright, flattened and re-encoded as a fresh JPEG of at most
``MAX_SIDE`` pixels a side, so no EXIF (GPS), XMP, ICC profile or text chunk survives. It is stored
base64'd in an encrypted column, so ``reintegra keys rotate`` re-encrypts it like any other value.

Who: the case's caseworker and the team's supervisor (other case staff get ``NotFound``, other roles
``Forbidden``); DoSVY officers, administrators and reporting never see a photo. The photo is kept only
with a valid photo consent (signature or thumbprint, naming the use) of an adult: a survivor under 18,
or whose date of birth is unknown, never has one. It is shown only while the consent it relied on is
still valid (and the survivor still recorded as an adult). Every upload, view and removal is audited,
naming the consent, never the image or a file name. Nothing else reads ``case_photos``: photos never go
into exports, printed records, reports or notifications.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import local_today
from engine.db import transaction
from engine.errors import N_, Forbidden, InvalidInput, NotFound
from engine.models.accounts import User
from engine.models.cases import Case
from engine.models.security import CasePhoto
from engine.security.consent import is_minor, signed_consent
from engine.security.policy import CASE_STAFF, can_see_case

# The decoders Pillow may use at all; a JPEG may come back as "MPO" (the multi-picture JPEG some phone
# cameras write), whose first picture is kept.
FORMATS = ("JPEG", "PNG")
ACCEPTED = ("JPEG", "MPO", "PNG")
MAX_SIDE = 1600
# Far below Pillow's own bomb limit, and above any photo that fits the byte limit; refused before decoding.
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"

# English message ids (the web layer translates them); none names the survivor, the file or the image.
NOT_SAVED = N_("The photo was not saved.")
NO_FILE = N_("Choose a photo to upload.")
TOO_LARGE = N_("The file is larger than the upload limit.")
NOT_A_PHOTO = N_("The file is not a JPEG or PNG photo, or it is damaged.")
TOO_MANY_PIXELS = N_("The picture has too many pixels. Use a smaller photo.")
NEVER_CHILDREN = N_(
    "Photos of children are never allowed: the survivor is under 18, or the date of birth is not recorded."
)
NO_RELEASE = N_(
    "There is no valid photo consent: the survivor must sign (or thumbprint) a release naming the use, "
    "and it must not be withdrawn or expired."
)
NO_PHOTO = N_("There is no photo to show for this case.")
STAFF_ONLY = N_("Only the case's caseworker and supervisor work with its photo.")
NOT_YOURS = N_("There is no such case, or it is not yours to see.")
MESSAGES = (NOT_SAVED, NO_FILE, TOO_LARGE, NOT_A_PHOTO, TOO_MANY_PIXELS, NEVER_CHILDREN, NO_RELEASE, NO_PHOTO,
            STAFF_ONLY, NOT_YOURS)  # fmt: skip


class NoPhoto(NotFound):
    """The case has no photo that may be shown (none on file, or its consent no longer holds)."""


@dataclass(frozen=True)
class Photo:
    """The stored picture, for the authenticated route only."""

    data: bytes
    content_type: str


@dataclass(frozen=True)
class PhotoStatus:
    """What the photo page may say without showing the picture."""

    on_file: bool
    viewable: bool  # on file, and the consent it relied on still holds
    uploaded_at: dt.datetime | None
    minor: bool
    release_on_file: bool  # an upload would be accepted as far as consent goes


def _require_staff(actor: User, case: Case) -> None:
    if actor.role not in CASE_STAFF:
        raise Forbidden(STAFF_ONLY)
    if not can_see_case(actor, case):
        raise NotFound(NOT_YOURS)


def _stored(session: Session, case: Case) -> CasePhoto | None:
    return session.scalar(select(CasePhoto).where(CasePhoto.case_id == case.id))


def _still_allowed(session: Session, case: Case, photo: CasePhoto, on: dt.date) -> bool:
    return (
        not is_minor(session, case, on)
        and signed_consent(session, case=case, kind="photo", on=on, consent_id=photo.consent_id) is not None
    )


def _refused(problem: str) -> InvalidInput:
    return InvalidInput(NOT_SAVED, {"photo": problem})


def _flattened(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency goes onto white (JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _clean_jpeg(image: Image.Image) -> bytes:
    image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # a JPEG decodes straight to a smaller scale (less memory)
    image.load()
    upright = ImageOps.exif_transpose(image)  # turn it as the camera meant before the orientation tag goes
    pixels = _flattened(upright)
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    fresh = Image.new("RGB", pixels.size)  # a new image: no EXIF, GPS, XMP, ICC or text comes along
    fresh.paste(pixels)
    out = io.BytesIO()
    fresh.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


_strict = threading.Lock()


@contextmanager
def _whole_files_only() -> Iterator[None]:
    # WeasyPrint (the printed record) tells Pillow, for the whole process, to pad truncated images; an
    # upload must decode in full, so that switch is off while one is decoded (uploads decode one at a time).
    with _strict:
        previous, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def reencoded(data: bytes) -> bytes:
    """The picture in ``data`` as a fresh JPEG without metadata; ``InvalidInput`` unless it is a photo we take."""
    with _whole_files_only():
        return _reencoded(data)


def _reencoded(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
            width, height = probe.size
            if probe.format not in ACCEPTED:
                raise _refused(NOT_A_PHOTO)
            if width * height > MAX_PIXELS:
                raise _refused(TOO_MANY_PIXELS)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            return _clean_jpeg(image)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The warning is an exception only where warnings are errors; elsewhere the pixel check refuses it.
        raise _refused(TOO_MANY_PIXELS) from None
    except Exception:  # noqa: BLE001 - any decoder failure on untrusted bytes means "not a photo we accept"
        raise _refused(NOT_A_PHOTO) from None


def photo_status(*, session: Session, actor: User, now: dt.datetime, case: Case) -> PhotoStatus:
    """Whether ``case`` has a photo, whether it may be shown, and whether one could be uploaded."""
    _require_staff(actor, case)
    today = local_today(now)
    photo = _stored(session, case)
    minor = is_minor(session, case, today)
    release = not minor and signed_consent(session, case=case, kind="photo", on=today) is not None
    viewable = photo is not None and _still_allowed(session, case, photo, today)
    return PhotoStatus(photo is not None, viewable, photo.uploaded_at if photo else None, minor, release)


def upload_photo(*, session: Session, actor: User, now: dt.datetime, case: Case, data: bytes,
                 max_bytes: int) -> PhotoStatus:  # fmt: skip
    """Keep the photo of an adult survivor who signed a release naming its use (replacing any earlier one)."""
    _require_staff(actor, case)
    if not data:
        raise _refused(NO_FILE)
    if len(data) > max_bytes:
        raise _refused(TOO_LARGE)
    today = local_today(now)
    if is_minor(session, case, today):
        raise _refused(NEVER_CHILDREN)
    consent = signed_consent(session, case=case, kind="photo", on=today)
    if consent is None:
        raise _refused(NO_RELEASE)
    jpeg = reencoded(data)
    with transaction(session):
        # Again inside the transaction: a release withdrawn while the picture was being re-encoded counts.
        consent = signed_consent(session, case=case, kind="photo", on=today)
        if consent is None or is_minor(session, case, today):
            raise _refused(NO_RELEASE)
        photo = _stored(session, case)
        replaced = photo is not None
        if photo is None:
            photo = CasePhoto(case_id=case.id)
            session.add(photo)
        photo.data = base64.b64encode(jpeg).decode("ascii")
        photo.content_type, photo.consent_id = CONTENT_TYPE, consent.id
        photo.uploaded_by_id, photo.uploaded_at = actor.id, now
        session.flush()
        audit.record(session=session, now=now, actor_id=actor.id, action="photo_uploaded", case_id=case.id,
                     detail=f"consent={consent.id}" + ("; replaced the earlier photo" if replaced else ""))  # fmt: skip
    return PhotoStatus(True, True, now, False, True)


def read_photo(*, session: Session, actor: User, now: dt.datetime, case: Case) -> Photo:
    """The photo of ``case`` for its staff, while the consent it relied on holds; the view is audited."""
    _require_staff(actor, case)
    with transaction(session):
        photo = _stored(session, case)
        if photo is None or not _still_allowed(session, case, photo, local_today(now)):
            raise NoPhoto(NO_PHOTO)
        try:
            data = base64.b64decode(photo.data, validate=True)
        except binascii.Error:
            raise NoPhoto(NO_PHOTO) from None
        audit.record(session=session, now=now, actor_id=actor.id, action="photo_viewed", case_id=case.id,
                     detail=f"consent={photo.consent_id}")  # fmt: skip
        return Photo(data, photo.content_type)


def remove_photo(*, session: Session, actor: User, now: dt.datetime, case: Case) -> None:
    """Delete the photo of ``case`` (always allowed to its staff: a withdrawn consent means exactly this)."""
    _require_staff(actor, case)
    with transaction(session):
        photo = _stored(session, case)
        if photo is None:
            raise NoPhoto(NO_PHOTO)
        consent_id = photo.consent_id
        session.delete(photo)
        audit.record(session=session, now=now, actor_id=actor.id, action="photo_removed", case_id=case.id,
                     detail=f"consent={consent_id}")  # fmt: skip
