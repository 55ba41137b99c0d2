"""Field groups of the case file and who may read or write each, by role.

Every case-file column belongs to one group; pages, exports and transfers ask ``readable_groups`` /
``can_write`` rather than deciding for themselves, so no page can show more than the policy allows.
A DoSVY officer reads only the groups a consented transfer to their office names.
"""

from __future__ import annotations

import enum

from engine.models.accounts import Role


class FieldGroup(enum.StrEnum):
    IDENTITY = "identity"
    PHOTO = "photo"
    ADDRESSES = "addresses"
    NARRATIVE = "narrative"
    FAMILY = "family"
    MEDICAL = "medical"
    PSYCHOLOGICAL = "psychological"
    LEGAL = "legal"
    PLAN = "plan"


# section -> column -> group ("*" for every column of the section not named)
SECTION_GROUPS: dict[str, dict[str, FieldGroup]] = {
    "identity": {"*": FieldGroup.IDENTITY, "photo_ref": FieldGroup.PHOTO, "place_of_birth": FieldGroup.ADDRESSES},
    "history": {
        "*": FieldGroup.ADDRESSES,
        "narrative": FieldGroup.NARRATIVE,
        "identified_on": FieldGroup.LEGAL,
        "identifying_authority": FieldGroup.LEGAL,
        "form_of_exploitation": FieldGroup.LEGAL,
        "destination_detail": FieldGroup.NARRATIVE,
    },
    "family_members": {"*": FieldGroup.FAMILY},
    "family_assessment": {"*": FieldGroup.FAMILY},
    "case_plan": {"*": FieldGroup.PLAN, "family_communication_plan": FieldGroup.FAMILY},
    "medical": {"*": FieldGroup.MEDICAL},
    "psychological": {"*": FieldGroup.PSYCHOLOGICAL},
}

# Goals of the case plan by domain ("health", "mental_health", ...): most are plan data, these are not.
GOAL_DOMAIN_GROUPS = {"health": FieldGroup.MEDICAL, "mental_health": FieldGroup.PSYCHOLOGICAL}
ALL = frozenset(FieldGroup)
# What each role may do on a case it may see at all (scope is engine.security.policy's business).
READ: dict[Role, frozenset[FieldGroup]] = {
    Role.CASEWORKER: ALL,
    Role.SUPERVISOR: ALL,
    Role.DOSVY_OFFICER: frozenset({FieldGroup.IDENTITY, FieldGroup.ADDRESSES, FieldGroup.PLAN, FieldGroup.FAMILY}),
    Role.ADMINISTRATOR: frozenset(),
    Role.REPORTING: frozenset(),
}
WRITE: dict[Role, frozenset[FieldGroup]] = {
    Role.CASEWORKER: ALL,
    Role.SUPERVISOR: ALL,
    Role.DOSVY_OFFICER: frozenset(),
    Role.ADMINISTRATOR: frozenset(),
    Role.REPORTING: frozenset(),
}
# What a DoSVY officer's own workflow steps may write: a Type 2 follow-up visit re-rates the case's risk
# level (``case.risk_level``, plan data). Their case-file pages stay read-only (WRITE above).
DOSVY_STEP_WRITE = frozenset({FieldGroup.PLAN})
# What a transfer may ever carry, whatever the consent says.
TRANSFERABLE = frozenset({FieldGroup.IDENTITY, FieldGroup.ADDRESSES, FieldGroup.PLAN, FieldGroup.FAMILY})


def group_of(section: str, column: str) -> FieldGroup:
    """The group a case-file column belongs to."""
    groups = SECTION_GROUPS[section]
    return groups.get(column, groups["*"])


def goal_group(domain: str) -> FieldGroup:
    """The group of a case-plan goal: health and mental-health goals are medical and psychological data."""
    return GOAL_DOMAIN_GROUPS.get(domain, FieldGroup.PLAN)


def target_group(target: str) -> FieldGroup:
    """The group of a form field's target ("<section>.<column>", "case_plan_goal.<domain>.<column>",
    "case.<column>"); a family member's own fields ("family_member.<column>") are family data."""
    section, _, rest = target.partition(".")
    if section == "case_plan_goal":
        return goal_group(rest.partition(".")[0])
    if section == "case":
        return FieldGroup.PLAN
    if section == "family_member":
        return FieldGroup.FAMILY
    return group_of(section, rest)


def section_groups(section: str) -> frozenset[FieldGroup]:
    """Every group a section touches."""
    return frozenset(SECTION_GROUPS[section].values())


def parse_groups(text: str) -> frozenset[FieldGroup]:
    """Groups from their comma-separated names (unknown names are an error)."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    try:
        return frozenset(FieldGroup(n) for n in names)
    except ValueError:
        raise ValueError(f"unknown field group in {text!r}") from None
