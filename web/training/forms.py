"""The form that records one training (every form's CSRF token is checked app-wide).

The form checks what a field can say about itself (present, a date, short enough); the engine's use case
checks the rules (a date not in the future, an expiry after it, a staff member in the actor's scope).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from engine.models.accounts import User
from web.paging import parse_row_id
from web.training.messages import course_label


def _coerce_id(value: object) -> int | None:
    return None if value is None or value == "" else parse_row_id(str(value))


class TrainingForm(FlaskForm):  # type: ignore[misc]
    user_id = SelectField(_l("Staff member"), coerce=_coerce_id, validators=[InputRequired()])
    course = SelectField(_l("Course"), validators=[InputRequired()])
    completed_on = DateField(_l("Date of the training"), validators=[InputRequired()])
    trainer = StringField(_l("Trainer"), validators=[InputRequired(), Length(max=200)])
    expires_on = DateField(_l("Expiry date (leave empty for the usual validity period)"), validators=[Optional()])

    def set_choices(self, staff: list[User], courses: tuple[str, ...]) -> None:
        """Offer the staff the actor may record for (with their organisation) and the configured courses."""
        self.user_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(u.id, f"{u.display_name} ({u.organisation.name})" if u.organisation else u.display_name)
            for u in staff
        ]  # fmt: skip
        self.course.choices = [SelectChoice(c, str(course_label(c))) for c in courses]
