"""Forms of the privacy area: upload a photo, request a publication, decide on one.

They check only what a form can (a file was chosen, a choice is one of those offered); the services
check every rule again, so a forged request writes nothing either.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from engine.security.fields import FieldGroup
from engine.security.publication import ConsentChoice
from web import dates
from web.paging import parse_row_id

GROUP_LABELS = {
    FieldGroup.IDENTITY: _l("Identity (names, alias, sex, date of birth)"),
    FieldGroup.PHOTO: _l("Photo"),
    FieldGroup.ADDRESSES: _l("Addresses and places"),
    FieldGroup.NARRATIVE: _l("Narrative"),
    FieldGroup.FAMILY: _l("Family"),
    FieldGroup.MEDICAL: _l("Medical record"),
    FieldGroup.PSYCHOLOGICAL: _l("Psychological record"),
    FieldGroup.LEGAL: _l("Legal details"),
    FieldGroup.PLAN: _l("Case plan"),
}


def group_label(name: str) -> str:
    """The label of a field group by its name (the name itself when unknown)."""
    try:
        return str(GROUP_LABELS[FieldGroup(name)])
    except ValueError:
        return name


def _int_or_none(value: Any) -> int | None:
    return parse_row_id(str(value))


def _consent_label(consent: ConsentChoice) -> str:
    given_on = dates.day(consent.given_on)
    return str(_("Consent of %(date)s: %(purpose)s", date=given_on, purpose=consent.purpose))


class PhotoForm(FlaskForm):  # type: ignore[misc]
    """A JPEG or PNG file; what is in it is the service's business."""

    photo = FileField(_l("Photo (JPEG or PNG)"), validators=[FileRequired(_l("Choose a photo to upload."))])


class PublicationForm(FlaskForm):  # type: ignore[misc]
    """The consent a publication rests on, the parts of the file to publish, and why."""

    consent_id = SelectField(_l("Publication consent"), coerce=_int_or_none, validate_choice=False)
    groups = SelectMultipleField(
        _l("Parts of the case file to publish"),
        choices=[SelectChoice(g.value, label) for g, label in GROUP_LABELS.items()],
        validate_choice=False,
    )
    purpose = TextAreaField(_l("Purpose: what will be published, where, and how it benefits the survivor"))

    def set_consents(self, consents: list[ConsentChoice]) -> None:
        """Offer ``consents`` (the only valid choices)."""
        self.consent_id.choices = [SelectChoice(c.id, _consent_label(c)) for c in consents]
        self._offered = {c.id for c in consents}

    def validate_consent_id(self, field: Field) -> None:
        if field.data not in getattr(self, "_offered", set()):
            raise ValidationError(_l("Choose a valid publication consent."))

    def validate_groups(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose which parts of the case file to publish."))
        if not set(field.data) <= {g.value for g in FieldGroup}:
            raise ValidationError(_l("Choose among the parts offered."))


class DecisionForm(FlaskForm):  # type: ignore[misc]
    """Approve or refuse, always with a reason."""

    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve the publication")), SelectChoice("refuse", _l("Refuse it"))],
        validate_choice=False,
    )
    reason = TextAreaField(_l("Reason (kept with the request)"))

    def validate_decision(self, field: Field) -> None:
        if field.data not in ("approve", "refuse"):
            raise ValidationError(_l("Choose to approve or to refuse."))
