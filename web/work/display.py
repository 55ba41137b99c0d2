"""What the work and case pages share: the form language, step titles in the user's language, posted
form values, queue rows and a few template helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, request, url_for
from flask_babel import get_locale, gettext
from werkzeug.datastructures import MultiDict

from engine.errors import N_
from engine.models.workflow import WorkItem
from engine.workflow.queues import LOCAL, QueueRow
from engine.workflow.service import Runtime
from web import labels
from workflows.forms import LANGUAGES, prefill

# Posted keys that are the page's own, never a form field (field names are [a-z][a-z0-9_]*).
CONTROL_KEYS = frozenset({"csrf_token", "action", "loaded_token", "form_key", "next", "filter", "page"})


def runtime() -> Runtime:
    """The workflow runtime the app loaded at start-up."""
    value: Runtime = current_app.extensions["reintegra"]["runtime"]
    return value


def form_language() -> str:
    """The language form labels and validation messages are shown in ("en" or "km")."""
    lang = str(get_locale() or "en")
    return lang if lang in LANGUAGES else "en"


def step_label(title: str, form_key: str | None = None) -> str:
    """A step's title in the user's language: the diagram's English name, or in Khmer its form's title (or
    the diagram's name through the catalogue, for steps without a form such as timers)."""
    lang = form_language()
    if lang == "en":
        return title
    forms = runtime().forms
    form = forms.get(form_key or "") or next((f for f in forms.values() if f.title.en == title), None)
    return form.title.get(lang) if form is not None else gettext(title)


def is_htmx() -> bool:
    """True when htmx sent the request (it wants a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


def safe_next(target: str | None) -> str | None:
    """A same-site relative path to go back to after a form, or None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def submitted(data: MultiDict[str, str]) -> dict[str, str | list[str]]:
    """The posted form fields as the services take them: a string, or a list when a name repeats."""
    return {k: (v if len(v) > 1 else v[0]) for k, v in data.lists() if k not in CONTROL_KEYS}


def row_of(item: WorkItem, now: dt.datetime) -> QueueRow:
    """The queue row of one work item (after claiming or giving it back)."""
    return QueueRow(
        id=item.id, case_id=item.case_id, case_code=item.case.code, title=item.title, form_key=item.form_key,
        process_id=item.process_id, phase=item.case.phase, role=item.role, priority=item.priority,
        due_at=item.due_at, overdue=item.due_at is not None and item.due_at < now, assignee_id=item.assignee_id,
        assignee_name=item.assignee.display_name if item.assignee else None, created_at=item.created_at,
    )  # fmt: skip


def due_state(due_at: dt.datetime | None, now: dt.datetime) -> tuple[str, int]:
    """("overdue", whole days late), ("today", 0) in Phnom Penh days, or ("", 0)."""
    if due_at is None:
        return "", 0
    if due_at < now:
        return "overdue", (now - due_at).days
    if due_at.astimezone(LOCAL).date() == now.astimezone(LOCAL).date():
        return "today", 0
    return "", 0


# The fixed words of a queue row, translated once per request instead of once per row (~10 a row).
ROW_LABELS = {
    "case": N_("Case"), "step": N_("Step"), "phase": N_("Phase"), "due": N_("Due"), "priority": N_("Priority"),
    "assigned_to": N_("Assigned to"), "you": N_("You"), "unassigned": N_("Unassigned"), "claim": N_("Claim"),
    "give_back": N_("Give back"), "overdue": N_("Overdue"), "due_today": N_("Due today"),
    "no_due_date": N_("no due date"), "reassign_step": N_("Reassign step"), "reassign_case": N_("Reassign case"),
}  # fmt: skip


def row_labels() -> dict[str, str]:
    """``ROW_LABELS`` in the request's language (kept for the request, per language)."""
    cache: dict[str, dict[str, str]] = g.setdefault("reintegra_row_labels", {})
    lang = str(get_locale() or "en")
    found = cache.get(lang)
    if found is None:
        found = cache[lang] = {key: gettext(text) for key, text in ROW_LABELS.items()}
    return found


_STAND_IN = "987654321"  # a value no real URL part carries, replaced by the row's own


def row_url(endpoint: str, query: Mapping[str, str] | None = None, **value: object) -> str:
    """``url_for(endpoint, **query, name=value)`` for one row of a long list: the URL is built once per
    request, endpoint and ``query`` with a stand-in value, then each row's value is put in (url_for costs
    ~15 µs a call, four a row). One value only, an id or a case code, which need no quoting; it is a part of
    the path, so it comes before the query string and only its first occurrence is replaced."""
    ((name, wanted),) = value.items()
    fixed = tuple(sorted((query or {}).items()))
    cache: dict[tuple[str, str, tuple[tuple[str, str], ...]], str] = g.setdefault("reintegra_row_urls", {})
    stem = cache.get((endpoint, name, fixed))
    if stem is None:
        stand_in: dict[str, Any] = {**dict(fixed), name: int(_STAND_IN)}
        stem = cache[(endpoint, name, fixed)] = url_for(endpoint, **stand_in)
    return stem.replace(_STAND_IN, str(wanted), 1)


def install(bp: Blueprint) -> None:
    """Make the helpers available to every template (as globals, so any area's templates may use them)."""
    for name, helper in (("step_title", step_label), ("priority_label", labels.priority_label),
                         ("form_language", form_language), ("due_state", due_state),
                         ("form_strings", prefill), ("row_url", row_url),
                         ("row_labels", row_labels)):  # fmt: skip
        bp.add_app_template_global(helper, name)
