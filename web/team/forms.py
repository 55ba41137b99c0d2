"""Forms of the team area: reassign a step or a case, and decide on an approval.

The web layer checks what it can show next to a field (a reason, a member of the team, a comment when
returning); the services check the same rules again, so a forged request writes nothing either.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from engine.workflow.team_views import Member
from web.paging import parse_row_id

REASON_MAX = 1000
COMMENT_MAX = 5000


def _int_or_zero(value: Any) -> int:
    return parse_row_id(str(value)) or 0


def _reason_given(_form: FlaskForm, field: Field) -> None:
    text = (field.data or "").strip()
    if not text:
        raise ValidationError(_l("Give a reason: it is kept in the case history."))
    if len(text) > REASON_MAX:
        raise ValidationError(_l("At most %(num)d characters.", num=REASON_MAX))


class ReassignForm(FlaskForm):  # type: ignore[misc]
    """Choose another member of the team and say why."""

    assignee_id = SelectField(_l("New assignee"), coerce=_int_or_zero, validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[_reason_given])
    next = HiddenField()

    def set_members(self, members: list[Member]) -> None:
        """Offer ``members`` (the only valid choices) after an empty "choose" entry."""
        self.assignee_id.choices = [SelectChoice(0, _l("Choose…"))] + [SelectChoice(m.id, m.name) for m in members]
        self._names = {m.id: m.name for m in members}

    def chosen_name(self) -> str:
        """The display name of the chosen member (after validation)."""
        return self._names.get(self.assignee_id.data, "")

    def validate_assignee_id(self, field: Field) -> None:
        if field.data not in getattr(self, "_names", {}):
            raise ValidationError(_l("Choose a member of your team."))


class DecisionForm(FlaskForm):  # type: ignore[misc]
    """Approve, or return for changes with a comment."""

    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("return", _l("Return for changes"))],
        validate_choice=False,
    )
    comment = TextAreaField(_l("Comment"))

    def validate_decision(self, field: Field) -> None:
        if field.data not in ("approve", "return"):
            raise ValidationError(_l("Choose to approve or to return for changes."))

    def validate_comment(self, field: Field) -> None:
        text = (field.data or "").strip()
        if self.decision.data == "return" and not text:
            raise ValidationError(_l("Say what must change: a comment is required when returning."))
        if len(text) > COMMENT_MAX:
            raise ValidationError(_l("At most %(num)d characters.", num=COMMENT_MAX))

    def values(self) -> dict[str, str]:
        """The approval form's values, as ``complete_work_item`` takes them."""
        return {"decision": str(self.decision.data), "comment": (self.comment.data or "").strip()}
