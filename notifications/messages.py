"""Message templates: render a notice for one reader, in English or Khmer, as a subject and a body.

Templates live in ``templates/<language>/<kind>.txt``; the first line is the subject. They see only the
notice's payload (case codes, step titles, due dates, counts) plus links, so a message can never show a
name, a place, a health detail or a narrative. Dates are shown on Cambodia's clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from engine.dates import day_text, moment_text
from engine.notices.rules import LOCAL_TIMEZONE

KINDS = (
    "overdue",
    "overdue_supervisor",
    "stale_record",
    "lost_contact",
    "daily_digest",
    "weekly_overdue",
    "urgent",
    "consent_override",
    "returned",
    "training_expiring",
    "training_expired",
    "training_assignment",
)
LANGUAGES = ("en", "km")
CASE_STAFF = ("caseworker", "supervisor")  # the roles that may open /cases/<code>
SECTION_LABELS = {
    "en": {
        "identity": "Identity", "history": "History and narrative", "family_members": "Family members",
        "family_assessment": "Family assessment", "case_plan": "Case plan", "medical": "Medical record",
        "psychological": "Psychological record",
    },
    # Glossary: សមាជិកគ្រួសារ, ការប៉ាន់ប្រមាណគ្រួសារ, ផែនការករណី, កំណត់ត្រាវេជ្ជសាស្ត្រ. Native review needed for
    # អត្តសញ្ញាណ (identity), ប្រវត្តិ និងសាច់រឿង (history and narrative), កំណត់ត្រាផ្លូវចិត្ត (psychological record).
    "km": {
        "identity": "អត្តសញ្ញាណ", "history": "ប្រវត្តិ និងសាច់រឿង", "family_members": "សមាជិកគ្រួសារ",
        "family_assessment": "ការប៉ាន់ប្រមាណគ្រួសារ", "case_plan": "ផែនការករណី", "medical": "កំណត់ត្រាវេជ្ជសាស្ត្រ",
        "psychological": "កំណត់ត្រាផ្លូវចិត្ត",
    },
}  # fmt: skip


# The standard training courses (engine.config.STANDARD_COURSES); a course added in the settings shows its key.
COURSE_LABELS = {
    "en": {
        "udhr": "Universal Declaration of Human Rights",
        "minimum_standards": "Policy and Minimum Standards on Protection of the Rights of Victims of Human Trafficking",
        "case_management": "Case management", "psychosocial_support": "Psychosocial support",
        "child_protection": "Child protection",
    },
    # Glossary: ការគ្រប់គ្រងករណី (case management), ជនរងគ្រោះដោយអំពើជួញដូរមនុស្ស (victims of human trafficking).
    # Native review needed for the rest (machine-drafted), kept the same as the web catalogue.
    "km": {
        "udhr": "សេចក្តីប្រកាសជាសកលស្តីពីសិទ្ធិមនុស្ស",
        "minimum_standards": "គោលនយោបាយ និងស្តង់ដារអប្បបរមាស្តីពីការការពារសិទ្ធិជនរងគ្រោះដោយអំពើជួញដូរមនុស្ស",
        "case_management": "ការគ្រប់គ្រងករណី", "psychosocial_support": "ការគាំទ្រផ្នែកចិត្តសង្គម",
        "child_protection": "ការការពារកុមារ",
    },
}  # fmt: skip


# What a consent override let someone do (``what`` in a consent_override notice).
OVERRIDDEN = {
    "en": {"transfer": "a transfer", "notice": "a notice to DoSVY"},
    # Glossary: ការផ្ទេរ (transfer), ការជូនដំណឹង (notification), មន្ទីរសង្គមកិច្ចខេត្ត (DoSVY, short form).
    "km": {"transfer": "ការផ្ទេរ", "notice": "ការជូនដំណឹងទៅមន្ទីរសង្គមកិច្ចខេត្ត"},
}  # fmt: skip

StepLabel = Callable[[str, str], str]  # (the diagram's English step title, language) -> the title to show


def form_step_labels(forms: Mapping[str, Any]) -> StepLabel:
    """Step titles in the reader's language from the workflows' forms (a step without a form keeps its
    diagram name)."""
    by_title = {form.title.en: form.title for form in forms.values()}
    return lambda title, language: by_title[title].get(language) if title in by_title else title


def _with_step_labels(value: Any, language: str, step_label: StepLabel) -> Any:
    """``value`` with every ``step`` in it (the notice's own, and the tasks a digest lists) relabelled."""
    if isinstance(value, list):
        return [_with_step_labels(v, language, step_label) for v in value]
    if not isinstance(value, dict):
        return value
    return {key: step_label(v, language) if key == "step" and isinstance(v, str) and v
            else _with_step_labels(v, language, step_label) for key, v in value.items()}  # fmt: skip


@dataclass(frozen=True)
class Message:
    """A rendered message: one subject line and a plain-text body."""

    subject: str
    body: str


@cache
def _environment(language: str) -> Environment:
    # Plain text for e-mail and chat (no HTML anywhere); the web inbox escapes the text when it shows it.
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - see above
    )
    env.filters.update(
        when=lambda value: _when(value, language),
        day=lambda value: _day(value, language),
        section=lambda key: SECTION_LABELS[language].get(key, key),
        course=lambda key: COURSE_LABELS[language].get(key, key.replace("_", " ")),
        overridden=lambda key: OVERRIDDEN[language].get(key, key),
    )
    return env


def _instant(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _when(value: str | None, language: str) -> str:
    if not value:
        return "—"
    return moment_text(_instant(value), language, LOCAL_TIMEZONE)


def _day(value: str | None, language: str) -> str:
    if not value:
        return "—"
    day = _instant(value).astimezone(LOCAL_TIMEZONE).date() if "T" in value else dt.date.fromisoformat(value)
    return day_text(day, language)


def render(
    kind: str, payload: dict[str, Any], *, language: str, base_url: str, recipient_role: str, channel: str = "email",
    step_label: StepLabel | None = None,
) -> Message:  # fmt: skip
    """Render notice ``kind`` with ``payload`` for a reader of ``language`` and ``recipient_role``.

    ``base_url`` prefixes the links. On the ``inbox`` channel the links and the footer are left out: the
    inbox page shows its own link to the case. ``step_label`` says the payload's step titles (stored as the
    diagram's English names) in the reader's language.
    """
    if kind not in KINDS:
        raise ValueError(f"no template for notices of kind {kind!r}")
    language = language if language in LANGUAGES else "en"
    if step_label is not None:
        payload = _with_step_labels(payload, language, step_label)
    code = payload.get("case_code")
    case_link = f"{base_url}/cases/{code}" if code and recipient_role in CASE_STAFF else f"{base_url}/inbox/"
    text = (
        _environment(language)
        .get_template(f"{language}/{kind}.txt")
        .render(**payload, base_url=base_url, case_link=case_link, home_link=f"{base_url}/", channel=channel)
    )
    subject, _, body = text.strip().partition("\n")
    return Message(subject.strip(), body.strip() + "\n")
