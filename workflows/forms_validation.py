"""The form model and what a form does with a submission: typed values, errors in English or Khmer,
the workflow variables and case-file targets it sets, and prefill from values already on file.

Definitions are read and checked by :mod:`workflows.forms`, which re-exports this module's API, so
callers import everything from there. Pure Python and the standard library only.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from workflows.form_rules import Rule, broken_rules, fill_message

FieldType = Literal[
    "text", "long_text", "date", "choice", "multi_choice", "yes_no", "number", "person", "office", "country",
]  # fmt: skip
FIELD_TYPES: tuple[FieldType, ...] = (
    "text", "long_text", "date", "choice", "multi_choice", "yes_no", "number", "person", "office", "country",
)  # fmt: skip
LANGUAGES = ("en", "km")
DEFAULT_MAX_LENGTH: dict[FieldType, int] = {"text": 200, "long_text": 5000}

# "required" is GLOSSARY-km.md's term (Primero). Every other Khmer message here was written for this
# table and needs a native speaker's review before release.
MESSAGES: dict[str, dict[str, str]] = {
    "required": {"en": "Required field", "km": "ត្រូវបំពេញ"},
    "one_value": {"en": "Give only one value", "km": "សូមបញ្ចូលតែតម្លៃមួយប៉ុណ្ណោះ"},
    "bad_text": {"en": "Contains characters that are not allowed", "km": "មានតួអក្សរដែលមិនអនុញ្ញាត"},
    "too_long": {"en": "Too long: at most {max} characters", "km": "វែងពេក៖ យ៉ាងច្រើន {max} តួអក្សរ"},
    "bad_date": {
        "en": "Not a valid date (year-month-day, e.g. 2026-11-29)",
        "km": "កាលបរិច្ឆេទមិនត្រឹមត្រូវ (ឆ្នាំ-ខែ-ថ្ងៃ ឧ. 2026-11-29)",
    },
    "future_date": {"en": "The date cannot be in the future", "km": "កាលបរិច្ឆេទមិនអាចនៅថ្ងៃអនាគតបានទេ"},
    "too_early": {
        "en": "Not a plausible date: more than {years} years ago",
        "km": "កាលបរិច្ឆេទមិនសមហេតុផល៖ លើសពី {years} ឆ្នាំមុន",
    },
    "too_early_1": {
        "en": "Not a plausible date: more than a year ago",
        "km": "កាលបរិច្ឆេទមិនសមហេតុផល៖ លើសពីមួយឆ្នាំមុន",
    },
    "too_late": {
        "en": "Not a plausible date: more than {years} years from today",
        "km": "កាលបរិច្ឆេទមិនសមហេតុផល៖ លើសពី {years} ឆ្នាំពីថ្ងៃនេះ",
    },
    "too_late_1": {
        "en": "Not a plausible date: more than a year from today",
        "km": "កាលបរិច្ឆេទមិនសមហេតុផល៖ លើសពីមួយឆ្នាំពីថ្ងៃនេះ",
    },
    "bad_choice": {"en": "Choose one of the options", "km": "សូមជ្រើសរើសពីជម្រើសដែលមាន"},
    "bad_yes_no": {"en": "Answer yes or no", "km": "សូមឆ្លើយ បាទ/ចាស ឬ ទេ"},
    "bad_number": {"en": "Not a number", "km": "មិនមែនជាលេខទេ"},
    "too_small": {"en": "Must be at least {min}", "km": "ត្រូវតែយ៉ាងតិច {min}"},
    "too_large": {"en": "Must be at most {max}", "km": "ត្រូវតែយ៉ាងច្រើន {max}"},
    "bad_person": {"en": "Choose a family member from the list", "km": "សូមជ្រើសរើសសមាជិកគ្រួសារពីបញ្ជី"},
    "bad_office": {"en": "Choose a DoSVY office from the list", "km": "សូមជ្រើសរើសការិយាល័យសង្គមកិច្ចពីបញ្ជី"},
    "bad_country": {
        "en": "Not a known country code (ISO 3166, two letters): choose a country from the list",
        "km": "មិនមែនជាលេខកូដប្រទេសដែលស្គាល់ (ISO 3166 អក្សរពីរ)៖ សូមជ្រើសរើសប្រទេសពីបញ្ជី",
    },
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_MAX_NUMBER_CHARS = 30  # beyond this a "number" is noise, and int() of a huge string is slow
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")  # Khmer keyboards type these


@dataclass(frozen=True)
class Text:
    """A label, help or title in English and Khmer."""

    en: str
    km: str

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` ("en" or "km")."""
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}")
        return self.km if lang == "km" else self.en


@dataclass(frozen=True)
class Choice:
    """One option of a choice or multi_choice field."""

    value: str
    label: Text


@dataclass(frozen=True)
class RequiredIf:
    """A field is required when another field's value equals ``equals``."""

    field: str
    equals: str | bool


@dataclass(frozen=True)
class Field:
    """One field of a form; ``max_length`` is already defaulted for text and long_text."""

    name: str
    type: FieldType
    label: Text
    help: Text | None = None
    required: bool = False
    required_if: RequiredIf | None = None
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    years_back: int | None = None  # date only: how many years before today a date may plausibly lie
    years_ahead: int = 0  # date only: how many years after today (0: not in the future)
    target: str | None = None
    workflow: str | None = None

    @property
    def choice_values(self) -> tuple[str, ...]:
        """The values a choice or multi_choice field accepts, in order."""
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True)
class Form:
    """A form definition: what one BPMN user task asks for."""

    key: str
    title: Text
    fields: tuple[Field, ...]
    description: Text | None = None
    approves: tuple[str, ...] = ()  # an approval: the forms of the steps it decides on
    rules: tuple[Rule, ...] = ()  # cross-field rules (workflows.form_rules)

    @property
    def record_refs(self) -> frozenset[str]:
        """The case-file targets this form's rules compare with (to pass as ``record``)."""
        return frozenset(c.ref.name for r in self.rules for c in (*r.when, r.then) if c.ref and c.ref.kind == "record")

    def field(self, name: str) -> Field:
        """Return the field called ``name`` (KeyError if there is none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


@dataclass(frozen=True)
class Submission:
    """The outcome of validating one submission: typed values of filled fields, and errors."""

    form: Form
    values: dict[str, object]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        """True when no field has an error."""
        return not self.errors

    def workflow_values(self) -> dict[str, object]:
        """Return the workflow variables this form sets, JSON-safe (None if the field is empty)."""
        return {f.workflow: _json_safe(self.values.get(f.name)) for f in self.form.fields if f.workflow}

    def targets(self) -> dict[str, object]:
        """Return case-file target -> typed value, for the filled fields that have a target."""
        return {f.target: self.values[f.name] for f in self.form.fields if f.target and f.name in self.values}

    def record(self) -> dict[str, object]:
        """Return every filled value, JSON-safe: what the step stores as its record."""
        return {name: _json_safe(value) for name, value in self.values.items()}


class _Invalid(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def message(code: str, lang: str, **params: object) -> str:
    """Return validation message ``code`` in ``lang``, filled with ``params``."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    return MESSAGES[code][lang].format(**params)


def validate_submission(
    form: Form,
    raw: Mapping[str, str | list[str]],
    *,
    lang: str,
    today: dt.date,
    people: Mapping[str, str] | None = None,
    offices: Mapping[str, str] | None = None,
    countries: Mapping[str, str] | None = None,
    context: Mapping[str, object] | None = None,
    record: Mapping[str, object] | None = None,
) -> Submission:
    """Parse and check ``raw`` (form strings) against ``form``; never raises on user input.

    ``people`` (the case's family members) and ``offices`` (the DoSVY offices) are what a "person" or an
    "office" field may name, by id; ``countries`` the codes a "country" field accepts (ISO 3166-1
    alpha-2). ``context``: the step's workflow variables, which the form's rules may test (e.g. whether
    the follow-up schedule allows closing yet); ``record``: case-file values by target (what a rule
    compares a date with, e.g. ``identity.date_of_birth``; see :attr:`Form.record_refs`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for f in form.fields:
        try:
            known = {"person": people, "office": offices, "country": countries}.get(f.type) or {}
            value = _parse(f, raw.get(f.name), today=today, known=known)
        except _Invalid as exc:
            errors[f.name] = message(exc.code, lang, **exc.params)
            continue
        if value is not None:
            values[f.name] = value
    for f in form.fields:  # requirements second: required_if looks at the other fields' typed values
        if f.name not in values and f.name not in errors and _is_required(f, values):
            errors[f.name] = message("required", lang)
    on_file = {**(record or {}), **{f.target: values[f.name] for f in form.fields if f.target and f.name in values}}
    for name, rule in broken_rules(form.rules, values, set(errors), context or {}, on_file).items():
        errors[name] = fill_message(rule.message.get(lang), context or {})
    return Submission(form=form, values=values, errors=errors)


def prefill(form: Form, current: Mapping[str, object]) -> dict[str, str | list[str]]:
    """Turn typed values back into form strings, keyed by field name.

    ``current`` is keyed by target (values from the case file) or by field name (a stored record);
    a target wins. None and missing values are left out.
    """
    out: dict[str, str | list[str]] = {}
    for f in form.fields:
        if f.target is not None and f.target in current:
            value = current[f.target]
        elif f.name in current:
            value = current[f.name]
        else:
            continue
        if value is not None:
            out[f.name] = _to_form(f, value)
    return out


def _is_required(f: Field, values: Mapping[str, object]) -> bool:
    if f.required:
        return True
    cond = f.required_if
    return cond is not None and cond.field in values and _same(values[cond.field], cond.equals)


def _same(value: object, expected: str | bool) -> bool:
    return type(value) is type(expected) and value == expected  # so True never equals "True" or 1


def _parse(f: Field, raw: str | list[str] | None, *, today: dt.date, known: Mapping[str, str]) -> object:
    if f.type == "multi_choice":
        items = _items(raw)
        if any(item not in f.choice_values for item in items):
            raise _Invalid("bad_choice")
        return list(dict.fromkeys(items)) or None
    items = _items(raw)
    if len(items) > 1:
        raise _Invalid("one_value")
    if not items:
        return None
    return _PARSERS[f.type](f, items[0], today, known)


def _items(raw: str | list[str] | None) -> list[str]:
    """Return the non-empty, stripped strings in ``raw`` (empty strings mean "no value")."""
    if raw is None:
        return []
    listed = [raw] if isinstance(raw, str) else raw
    return [s.strip() for s in listed if isinstance(s, str) and s.strip()]


def _text(f: Field, value: str, today: dt.date, known: Mapping[str, str]) -> str:
    allowed = "\t\n" if f.type == "long_text" else ""
    value = value.replace("\r\n", "\n")
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        raise _Invalid("bad_text")
    if f.max_length is not None and len(value) > f.max_length:
        raise _Invalid("too_long", max=f.max_length)
    return value


def _date(f: Field, value: str, today: dt.date, known: Mapping[str, str]) -> dt.date:
    value = value.translate(_KHMER_DIGITS)
    if not _DATE.fullmatch(value):
        raise _Invalid("bad_date")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise _Invalid("bad_date") from None
    if day > today and not f.years_ahead:
        raise _Invalid("future_date")
    if f.years_ahead and day > years_from(today, f.years_ahead):
        raise _Invalid("too_late_1" if f.years_ahead == 1 else "too_late", years=f.years_ahead)
    if f.years_back is not None and day < years_from(today, -f.years_back):
        raise _Invalid("too_early_1" if f.years_back == 1 else "too_early", years=f.years_back)
    return day


def years_from(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole ``years`` (29 February becomes 28 February; clamped to the calendar's ends)."""
    year = day.year + years
    if year < dt.MINYEAR:
        return dt.date.min
    if year > dt.MAXYEAR:
        return dt.date.max
    return day.replace(year=year, day=28) if (day.month, day.day) == (2, 29) else day.replace(year=year)


def _number(f: Field, value: str, today: dt.date, known: Mapping[str, str]) -> int | float:
    value = value.translate(_KHMER_DIGITS)
    if len(value) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(value):
        raise _Invalid("bad_number")
    number = _integral(float(value)) if "." in value else int(value)
    if f.min is not None and number < f.min:
        raise _Invalid("too_small", min=_integral(f.min))
    if f.max is not None and number > f.max:
        raise _Invalid("too_large", max=_integral(f.max))
    return number


def _choice(f: Field, value: str, today: dt.date, known: Mapping[str, str]) -> str:
    if value not in f.choice_values:
        raise _Invalid("bad_choice")
    return value


def _yes_no(f: Field, value: str, today: dt.date, known: Mapping[str, str]) -> bool:
    answer = {"yes": True, "no": False}.get(value.lower())
    if answer is None:
        raise _Invalid("bad_yes_no")
    return answer


def _person(f: Field, value: str, today: dt.date, known: Mapping[str, str]) -> str:
    if value not in known:
        raise _Invalid("bad_person")
    return value


def _office(f: Field, value: str, today: dt.date, known: Mapping[str, str]) -> str:
    if value not in known:
        raise _Invalid("bad_office")
    return value


def _country(f: Field, value: str, today: dt.date, known: Mapping[str, str]) -> str:
    code = value.upper()
    if code not in known:
        raise _Invalid("bad_country")
    return code


_PARSERS: dict[str, Callable[[Field, str, dt.date, Mapping[str, str]], object]] = {
    "text": _text,
    "long_text": _text,
    "date": _date,
    "number": _number,
    "choice": _choice,
    "yes_no": _yes_no,
    "person": _person,
    "office": _office,
    "country": _country,
}


def _integral(x: float) -> int | float:
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _json_safe(value: object) -> object:
    if isinstance(value, dt.datetime):
        raise TypeError("forms hold dates, never datetimes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _to_form(f: Field, value: object) -> str | list[str]:
    if f.type == "multi_choice":
        items = [value] if isinstance(value, str | enum.Enum) else value
        if not isinstance(items, list | tuple | set | frozenset):
            raise TypeError(f"{f.name}: expected a list, got {type(value).__name__}")
        return [_scalar_to_form(f, item) for item in items]
    return _scalar_to_form(f, value)


def _scalar_to_form(f: Field, value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        raise TypeError(f"{f.name}: forms hold dates, never datetimes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(_integral(value))
    if isinstance(value, str):
        return value
    raise TypeError(f"{f.name}: cannot put a {type(value).__name__} in a form")
