"""The notification preferences form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional


class PreferencesForm(FlaskForm):  # type: ignore[misc]
    email = BooleanField(_l("Send my notifications by e-mail as well"))
    email_address = StringField(
        _l("E-mail address (empty: the address of my account)"), validators=[Optional(), Length(max=254)]
    )
    chat = BooleanField(_l("Send my notifications to the chat app as well"))
    chat_id = StringField(_l("My chat id"), validators=[Optional(), Length(max=120)])
    daily_digest = BooleanField(_l("Daily digest: my tasks due tomorrow and overdue"))
    weekly_digest = BooleanField(_l("Weekly summary of my team's overdue tasks (supervisors)"))
