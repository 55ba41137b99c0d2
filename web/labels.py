"""Translated labels for the domain's codes (roles, phases, statuses, ...), used by the templates."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from engine.cases.countries import country_choices, country_name

ROLES = {
    "caseworker": _l("Caseworker"),
    "supervisor": _l("Case supervisor"),
    "administrator": _l("Administrator"),
    "dosvy_officer": _l("DoSVY officer"),
    "reporting": _l("Reporting"),
}
PHASES = {
    "pre_reintegration": _l("Pre-Reintegration"),
    "reintegration": _l("Reintegration"),
    "follow_up_1": _l("Type 1 Follow-up"),
    "follow_up_2": _l("Type 2 Follow-up"),
    "closure": _l("Closure"),
}
STATUSES = {"open": _l("Open"), "lost_contact": _l("Lost contact"), "closed": _l("Closed")}
RISKS = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
SECTIONS = {
    "identity": _l("Identity"),
    "history": _l("History and narrative"),
    "family_members": _l("Family members"),
    "family_assessment": _l("Family assessment"),
    "case_plan": _l("Case plan"),
    "medical": _l("Medical record"),
    "psychological": _l("Psychological record"),
}

GROUPS = {
    "identity": _l("Identity"),
    "photo": _l("Photo"),
    "addresses": _l("Addresses and places"),
    "narrative": _l("Case narrative"),
    "family": _l("Family"),
    "medical": _l("Medical record"),
    "psychological": _l("Psychological record"),
    "legal": _l("Legal details"),
    "plan": _l("Case plan"),
}


def _lookup(table: dict[str, LazyString]) -> Callable[[Enum | str | None], str]:
    def label(value: Enum | str | None) -> str:
        if value is None:
            return "—"
        key = value.value if isinstance(value, Enum) else value
        return str(table.get(key, key))

    return label


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        role_label=_lookup(ROLES),
        phase_label=_lookup(PHASES),
        status_label=_lookup(STATUSES),
        risk_label=_lookup(RISKS),
        section_label=_lookup(SECTIONS),
        country_choices=country_choices,
        country_name=country_name,
    )
    app.jinja_env.filters["group_label"] = _lookup(GROUPS)
