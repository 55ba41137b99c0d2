"""Where a role sits: which organisation and team each role needs (DOMAIN.md §1).

Caseworkers and supervisors work in a team of a shelter (government, or NGO with a MoSVY agreement);
a DoSVY officer belongs to a provincial DoSVY office and to no team; administrators and reporting staff
belong to no team (an organisation is optional for them). Messages are English message ids.
"""

from __future__ import annotations

from engine.errors import N_
from engine.models.accounts import Organisation, OrganisationKind, Role, Team

ROLES_IN_A_TEAM = (Role.CASEWORKER, Role.SUPERVISOR)
SHELTERS = (OrganisationKind.GOVERNMENT_SHELTER, OrganisationKind.NGO_SHELTER)

NEEDS_TEAM = N_("Caseworkers and supervisors belong to a team.")
TEAM_NOT_IN_SHELTER = N_("Caseworkers and supervisors work in a team of a shelter.")
TEAM_OF_OTHER_ORGANISATION = N_("The team belongs to another organisation.")
NO_TEAM_FOR_ROLE = N_("Only caseworkers and supervisors belong to a team.")
NEEDS_OFFICE = N_("A DoSVY officer belongs to a DoSVY office.")
ORGANISATION_INACTIVE = N_("This organisation is deactivated.")

MESSAGES = (NEEDS_TEAM, TEAM_NOT_IN_SHELTER, TEAM_OF_OTHER_ORGANISATION, NO_TEAM_FOR_ROLE, NEEDS_OFFICE,
            ORGANISATION_INACTIVE)  # fmt: skip


def placement_problems(role: Role, organisation: Organisation | None, team: Team | None) -> dict[str, str]:
    """What is wrong with giving ``role`` this organisation and team (field name -> message); empty when fine.

    For the roles in a team, ``organisation`` may be ``None``: it is the team's."""
    problems: dict[str, str] = {}
    if role in ROLES_IN_A_TEAM:
        if team is None:
            problems["team_id"] = NEEDS_TEAM
        elif team.organisation.kind not in SHELTERS:
            problems["team_id"] = TEAM_NOT_IN_SHELTER
        elif organisation is not None and organisation.id != team.organisation_id:
            problems["organisation_id"] = TEAM_OF_OTHER_ORGANISATION
        elif not team.organisation.active:
            problems["team_id"] = ORGANISATION_INACTIVE
        return problems
    if team is not None:
        problems["team_id"] = NO_TEAM_FOR_ROLE
    if role is Role.DOSVY_OFFICER and (organisation is None or organisation.kind is not OrganisationKind.DOSVY_OFFICE):
        problems["organisation_id"] = NEEDS_OFFICE
    elif organisation is not None and not organisation.active:
        problems["organisation_id"] = ORGANISATION_INACTIVE
    return problems
