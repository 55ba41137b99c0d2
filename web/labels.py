"""Translated labels for the domain's codes (roles, phases, statuses, ...), used by the templates."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from flask import Flask, g, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from engine.cases.countries import country_choices, country_name
from web.i18n import translations

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
PRIORITIES = {1: _l("High"), 2: _l("Normal"), 3: _l("Low")}  # a work item's priority 1, 2 or 3
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


def text(label: LazyString | str) -> str:
    """A lazy label as text, translated once per request and catalogue.

    A queue page shows the same few phase and priority labels on every row; each ``str()`` of a lazy
    string goes through Flask-Babel's full lookup again (a tenth of a 25-row page). The memo is keyed by
    the catalogue object (``web.i18n.translations``), so ``force_locale`` still gets its own language.
    """
    if not isinstance(label, LazyString) or not has_request_context():
        return str(label)
    memo: dict[tuple[int, int], str] = g.setdefault("_label_memo", {})
    key = (id(translations()), id(label))
    found = memo.get(key)
    if found is None:
        found = memo[key] = str(label)
    return found


def province_name(province: Any) -> str:
    """A province (anything with ``name_en`` and ``name_km``) in the page's language."""
    if province is None:
        return "—"
    khmer = str(get_locale()) == "km" and province.name_km
    return str(province.name_km if khmer else province.name_en)


def priority_label(priority: int) -> str:
    """High, Normal or Low for a work item's priority 1, 2 or 3."""
    found = PRIORITIES.get(priority)
    return str(priority) if found is None else text(found)


def _lookup(table: dict[str, LazyString]) -> Callable[[Enum | str | None], str]:
    def label(value: Enum | str | None) -> str:
        if value is None:
            return "—"
        key = value.value if isinstance(value, Enum) else value
        found = table.get(key)
        return key if found is None else text(found)

    return label


role_label = _lookup(ROLES)
phase_label = _lookup(PHASES)
status_label = _lookup(STATUSES)
risk_label = _lookup(RISKS)
section_label = _lookup(SECTIONS)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        role_label=role_label,
        phase_label=phase_label,
        status_label=status_label,
        risk_label=risk_label,
        section_label=section_label,
        country_choices=country_choices,
        province_name=province_name,
        country_name=country_name,
    )
    app.jinja_env.filters["group_label"] = _lookup(GROUPS)
