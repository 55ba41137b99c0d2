"""The account use cases' messages, marked for translation.

The engine imports no Flask, so its messages are English message ids; they are listed here so that
``make extract-messages`` puts them in the catalogues, and the views show them with ``_(message)``. A
test keeps this list in step with the engine modules' ``MESSAGES``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ENGINE_MESSAGES = (
    # engine.accounts.placement
    _l("Caseworkers and supervisors belong to a team."),
    _l("Caseworkers and supervisors work in a team of a shelter."),
    _l("The team belongs to another organisation."),
    _l("Only caseworkers and supervisors belong to a team."),
    _l("A DoSVY officer belongs to a DoSVY office."),
    _l("This organisation is deactivated."),
    # engine.accounts.organisations
    _l("Only administrators manage organisations, teams and users."),
    _l("There is no such organisation."),
    _l("There is no such team."),
    _l("The organisation was not saved."),
    _l("The team was not saved."),
    _l("A name is required."),
    _l("The name is too long (at most 120 characters)."),
    _l("Another organisation has this name."),
    _l("This organisation already has a team with this name."),
    _l("Choose a province from the list."),
    _l("An NGO shelter needs the date of its agreement with MoSVY."),
    _l("The agreement date cannot be in the future."),
    _l("The agreement date is not plausible: more than 50 years ago."),
    _l("The kind cannot change while the organisation has teams or users."),
    _l("Deactivate or move its active users first."),
    _l("Only shelters have teams."),
    # engine.accounts.staff
    _l("There is no such user."),
    _l("The user was not saved."),
    _l("This is the last active administrator: make someone else an administrator first."),
    _l("This account is already deactivated."),
    _l("This account is already active."),
    _l("This account is deactivated: reactivate it first."),
    _l("This account is not locked."),
    _l("Only supervisors see their team's members."),
    _l("Enter an e-mail address such as name@example.org, or leave it empty."),
    # engine.accounts.service
    _l("Use at least 3 letters, digits, dots, dashes or underscores."),
    _l("A display name is required."),
    _l("The language must be English (en) or Khmer (km)."),
    _l("This user name is taken."),
    _l("The user could not be created."),
    _l("The current password is wrong."),
    _l("Choose a password different from the current one."),
    _l("The password was not changed."),
    # engine.accounts.passwords (the policy)
    _l("The password must be at least 10 characters long."),
    _l("This password is too common; choose another."),
    _l("The password must not contain the user name."),
)
