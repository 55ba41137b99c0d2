"""Forms of the administration area: organisations, teams and accounts, (every form's CSRF token is checked app-wide).

The forms check what a field can say about itself (present, short enough); the engine's use cases check
the rules (unique names, a role in its place, the last administrator) and their messages are shown
next to the field they name.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from engine.models.accounts import OrganisationKind
from web.i18n import LANGUAGES
from web.paging import parse_row_id

KINDS = {
    OrganisationKind.GOVERNMENT_SHELTER.value: _l("Government shelter"),
    OrganisationKind.NGO_SHELTER.value: _l("NGO shelter"),
    OrganisationKind.DOSVY_OFFICE.value: _l("DoSVY office"),
}
LANGUAGE_CHOICES = [SelectChoice(code, LANGUAGES[code]) for code in ("km", "en")]  # each named in itself


def _coerce_id(value: object) -> int | None:
    # Only an id some row could have: "١٢" or 2**63 in the user filter is no organisation, not a database error.
    return None if value is None else parse_row_id(str(value))


class OrganisationForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(v, label) for v, label in KINDS.items()],
                       validators=[DataRequired()])  # fmt: skip
    province_code = SelectField(_l("Province"), validators=[DataRequired()])
    mosvy_agreement_date = DateField(_l("Date of the agreement with MoSVY (NGO shelters)"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class TeamForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=120)])


class UserForm(FlaskForm):  # type: ignore[misc]
    """An account's details; the user name only when the account is created."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(min=3, max=80)])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    organisation_id = SelectField(_l("Organisation"), coerce=_coerce_id, validate_choice=False)
    team_id = SelectField(_l("Team (caseworkers and supervisors)"), coerce=_coerce_id, validate_choice=False)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="km")
    email = StringField(_l("E-mail (optional, for notifications)"), validators=[Optional(), Length(max=254)])


class UserFilterForm(FlaskForm):  # type: ignore[misc]
    """The filters above the list of users (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    organisation = SelectField(_l("Organisation"), coerce=_coerce_id, validate_choice=False)
    role = SelectField(_l("Role"), validate_choice=False)
    active = SelectField(_l("Status"), validate_choice=False)


def show_problems(form: FlaskForm, problems: dict[str, str]) -> list[str]:
    """Put the engine's messages next to the fields they name; return those about no field of ``form``."""
    others: list[str] = []
    for name, message in problems.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), gettext(message)]
        else:
            others.append(gettext(message))
    return others
