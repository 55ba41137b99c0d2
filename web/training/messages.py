"""The training register's messages and labels, marked for translation.

The engine imports no Flask, so its messages are English message ids, listed here so that ``make
extract-messages`` puts them in the catalogues; a test keeps this list in step with the engine's ``MESSAGES``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

ENGINE_MESSAGES = (
    _l("The training was not recorded."),
    _l("Only administrators, and supervisors for their own shelter's staff, keep the training register."),
    _l("There is no such staff member, or they are not yours to record."),
    _l("Choose a course from the list."),
    _l("Enter the date of the training."),
    _l("The training date cannot be in the future."),
    _l("The expiry date must be after the training date."),
    _l("Enter who gave the training."),
    _l("The trainer's name is too long (at most 200 characters)."),
    _l("There is no such organisation, or it is not yours to see."),
)

# Courses of the standard list (engine.config.STANDARD_COURSES); a course added in the settings shows its key.
COURSES = {
    "udhr": _l("Universal Declaration of Human Rights"),
    "minimum_standards": _l("Policy and Minimum Standards on Protection of the Rights of Victims of Human Trafficking"),
    "case_management": _l("Case management"),
    "psychosocial_support": _l("Psychosocial support"),
    "child_protection": _l("Child protection"),
}
STANDINGS = {
    "untrained": _l("Not trained"),
    "expired": _l("Expired"),
    "expiring": _l("Expires soon"),
    "current": _l("Up to date"),
}


def course_label(key: str) -> str | LazyString:
    """The course's name in the reader's language (its key when the course is not a standard one)."""
    return COURSES.get(key, key.replace("_", " "))
