"""Builders shared by the photo and publication tests: the people around a case, consents, and real images
carrying metadata (EXIF GPS, XMP, ICC, comments). Every value is obviously synthetic."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo
from sqlalchemy.orm import Session

from engine.db import transaction
from engine.models.accounts import Organisation, OrganisationKind, Role, User
from engine.models.cases import Case
from engine.models.security import ConsentRecord
from engine.security.consent import NewConsent, record_consent, transfer_case
from engine.security.fields import FieldGroup
from tests.conftest import NOW
from tests.factories import Factory

ADULT_BORN = dt.date(1995, 5, 1)
SENTINELS = (b"ZyxSyntheticCam", b"ZyxComment", b"ZyxXmp", b"ZyxPngText")


@dataclass
class People:
    """A case of an adult survivor and everyone who might try to reach it."""

    case: Case
    worker: User  # the case's caseworker
    supervisor: User  # a supervisor of the case's team
    second_supervisor: User  # another supervisor of the same team
    colleague: User  # a caseworker of the same team, not assigned
    stranger: User  # a supervisor of another team
    officer: User  # a DoSVY officer of the office the case was transferred to
    admin: User
    reporting: User


def people(session: Session, factory: Factory, *, born: dt.date | None = ADULT_BORN) -> People:
    team, other_team = factory.team(), factory.team()
    worker = factory.user(Role.CASEWORKER, team)
    supervisor = factory.user(Role.SUPERVISOR, team)
    with transaction(session):
        office = Organisation(name=f"Test DoSVY office {team.id}", kind=OrganisationKind.DOSVY_OFFICE,
                              province_code="02")  # fmt: skip
        session.add(office)
    officer = factory.user(Role.DOSVY_OFFICER)
    with transaction(session):
        officer.organisation_id = office.id
    case = factory.case(worker, date_of_birth=born)
    # The officer can open the case (an open transfer), so only the photo and publication rules stop them.
    transfer_case(session=session, actor=supervisor, now=NOW, case=case, to_org_id=office.id,
                  groups=frozenset({FieldGroup.PLAN}), override_reason="Synthetic: test transfer")  # fmt: skip
    return People(
        case, worker, supervisor, factory.user(Role.SUPERVISOR, team), factory.user(Role.CASEWORKER, team),
        factory.user(Role.SUPERVISOR, other_team), officer, factory.user(Role.ADMINISTRATOR),
        factory.user(Role.REPORTING),
    )  # fmt: skip


def consent(session: Session, actor: User, case: Case, kind: str = "photo", **extra: object) -> ConsentRecord:
    """Record a consent through the real use case (a signed release naming its use, unless overridden)."""
    fields: dict[str, object] = {"kind": kind, "given_by": "survivor", "method": "signature", "given_on": NOW.date(),
                                 "purpose": "Synthetic: shelter annual report"}  # fmt: skip
    fields.update(extra)
    return record_consent(session=session, actor=actor, now=NOW, case=case, consent=NewConsent(**fields))  # type: ignore[arg-type]


def raw_consent(session: Session, actor: User, case: Case, kind: str = "photo", **extra: object) -> ConsentRecord:
    """A consent row written directly: one recorded before a date of birth was corrected, or before
    ``record_consent`` refused what the photo and publication services still refuse on their own."""
    fields: dict[str, object] = {"case_id": case.id, "kind": kind, "given_by": "guardian", "method": "signature",
                                 "given_on": NOW.date(), "purpose": "Synthetic: shelter annual report", "scope": "",
                                 "recorded_by_id": actor.id, "recorded_at": NOW}  # fmt: skip
    fields.update(extra)
    with transaction(session):
        row = ConsentRecord(**fields)
        session.add(row)
    return row


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ZyxSyntheticCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (11.0, 33.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (104.0, 55.0, 6.0)
    return exif


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int | None = None) -> bytes:
    """A real JPEG carrying EXIF (camera, GPS position), XMP, an ICC profile and a comment."""
    exif = _exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", exif=exif, icc_profile=icc, comment=b"ZyxComment",
                                               xmp=b"<x:xmpmeta>ZyxXmp</x:xmpmeta>")  # fmt: skip
    return out.getvalue()


def png_with_metadata(mode: str = "RGBA") -> bytes:
    """A real PNG (with transparency) carrying a text chunk and EXIF GPS."""
    info = PngInfo()
    info.add_text("Comment", "ZyxPngText")
    out = io.BytesIO()
    Image.new(mode, (40, 30), (10, 120, 10, 128) if mode == "RGBA" else (10, 120, 10)).save(
        out, "PNG", pnginfo=info, exif=_exif()
    )
    return out.getvalue()


def assert_clean_jpeg(data: bytes) -> Image.Image:
    """The bytes are a JPEG with no metadata at all; returns the decoded image."""
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "icc_profile", "comment", "Comment"} & set(image.info)
    assert b"Exif\x00\x00" not in data
    for sentinel in SENTINELS:
        assert sentinel not in data
    return image
