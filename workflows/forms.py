"""Form definitions: one JSON file per BPMN user task, loaded and checked here.

Each user task names a form key; its form is ``workflows/forms/<key>.json``, so a changed ministry
template needs no Python change. The format::

    {
      "key": "family_assessment",                     // = the file name; [a-z][a-z0-9_]*
      "title": {"en": "...", "km": "..."},
      "description": {"en": "...", "km": "..."},      // optional
      "_comment": "...",                              // optional, for editors and translators; ignored
      "fields": [
        {
          "name": "safety_rating",                    // [a-z][a-z0-9_]*, unique in the form
          "type": "choice",                           // text | long_text | date | choice | multi_choice
                                                      //   | yes_no | number | person | office | country
          "label": {"en": "...", "km": "..."},
          "help": {"en": "...", "km": "..."},         // optional
          "required": true,                           // default false
          "required_if": {"field": "decision", "equals": "return"},
                                                      // optional; the other field is a choice (equals one
                                                      //   of its values) or a yes_no (equals true/false)
          "choices": [{"value": "safe", "label": {"en": "...", "km": "..."}}],
                                                      // choice / multi_choice only, and required there
          "min": 0, "max": 10,                        // number only, optional
          "max_length": 2000,                         // text / long_text, optional (default 200 / 5000)
          "years_back": 100, "years_ahead": 0,        // date only: the plausible window around today;
                                                      //   years_back is required on every date field,
                                                      //   years_ahead defaults to 0 (not in the future)
          "target": "family_assessment.safety_rating",
                                                      // optional: the case-file column the field writes
          "workflow": "family_safety",                // optional: the workflow variable the field sets
          "_comment": "..."                           // optional, ignored (also allowed on a choice)
        }
      ],
      "approves": ["case_plan"],                      // optional, on an approval: the forms of the steps
                                                      //   it decides on (shown read-only to the approver)
      "rules": [...]                                  // optional cross-field rules: workflows/form_rules.py
    }

Targets are ``<section>.<column>`` with section and column from :data:`TARGET_COLUMNS` (``case`` allows
only ``risk_level``), or ``case_plan_goal.<domain>.<column>`` with domain in :data:`CASE_PLAN_DOMAINS`.
A target is written by one field at most. Fields without a target are kept too: the whole submission
is stored as the step's record (:meth:`Submission.record`).

Workflow variables feed gateways and timers, so a field that sets one must be ``required`` and of type
choice (value: the choice value, str), yes_no (bool), date (ISO "YYYY-MM-DD" str), number (int if
integral, else float) or text (str); never a datetime. Unknown keys anywhere are errors, so a typo in
a definition fails at load time rather than silently.

Submissions (:func:`validate_submission`) are form strings, stripped; an empty string is no value.
Dates are YYYY-MM-DD and numbers plain decimals (Khmer digits are read too); yes_no takes "yes"/"no";
a person is the id of one of the case's family members, an office the id of a DoSVY office, a country
an ISO 3166-1 alpha-2 code from the list the caller passes. Unknown keys (the CSRF token) are ignored.
:func:`prefill` turns typed values, keyed by target or by field name, back into form strings.

Innermost layer: pure Python and the standard library; imports nothing from engine, web or Flask.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from workflows import FORMS_DIR
from workflows.form_rules import read_rules
from workflows.forms_validation import (
    DEFAULT_MAX_LENGTH,
    FIELD_TYPES,
    LANGUAGES,
    MESSAGES,
    Choice,
    Field,
    FieldType,
    Form,
    RequiredIf,
    Submission,
    Text,
    prefill,
    validate_submission,
    years_from,
)

__all__ = [
    "CASE_PLAN_DOMAINS",
    "FIELD_TYPES",
    "LANGUAGES",
    "MESSAGES",
    "TARGET_COLUMNS",
    "Choice",
    "Field",
    "FieldType",
    "Form",
    "FormDefinitionError",
    "RequiredIf",
    "Submission",
    "Text",
    "load_form",
    "load_forms",
    "prefill",
    "target_problem",
    "validate_submission",
    "years_from",
]

# Case-file columns a form may write, copied from engine/models/cases.py (a test keeps them in step).
# Left out on purpose: keys and bookkeeping (id, case_id, updated_*), the derived name_index, the
# uploaded photo_ref, and what services set (case phase/status, plan version and approval).
# fmt: off
TARGET_COLUMNS: dict[str, frozenset[str]] = {
    "case": frozenset({"risk_level"}),
    "identity": frozenset(
        {"given_name_km", "family_name_km", "given_name_latin", "family_name_latin", "alias", "sex",
         "date_of_birth", "place_of_birth"}
    ),
    "history": frozenset(
        {"origin_province_code", "address_before", "left_home_on", "form_of_exploitation",
         "destination_country", "destination_detail", "referral_source", "identified_on",
         "identifying_authority", "returned_on", "address_after", "narrative"}
    ),
    "family_assessment": frozenset(
        {"assessed_on", "household", "abuse_or_neglect", "attitude_and_capacity", "livelihood_and_support",
         "trafficker_link_or_debts", "safety_rating"}
    ),
    "case_plan": frozenset({"family_communication_plan"}),
    "medical": frozenset({"vaccinations", "prescriptions", "doctor_advice", "forensic_assessment"}),
    "psychological": frozenset({"assessment", "notes"}),
    "case_plan_goal": frozenset({"goal", "action", "responsible", "due_on"}),
}
CASE_PLAN_DOMAINS: tuple[str, ...] = (
    "health", "mental_health", "safety", "education", "legal_documents", "legal_aid", "livelihood", "family",
)
# fmt: on

_NAME = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
_CHOICE_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*", re.ASCII)
_WORKFLOW_TYPES = frozenset({"text", "date", "choice", "yes_no", "number"})
_FORM_KEYS = frozenset({"key", "title", "description", "_comment", "fields", "approves", "rules"})
_FIELD_KEYS = frozenset(
    {"name", "type", "label", "help", "required", "required_if", "choices", "min", "max", "max_length",
     "years_back", "years_ahead", "target", "workflow", "_comment"}
)  # fmt: skip
_ONLY_ON: dict[str, frozenset[str]] = {
    "choices": frozenset({"choice", "multi_choice"}),
    "min": frozenset({"number"}),
    "max": frozenset({"number"}),
    "max_length": frozenset({"text", "long_text"}),
    "years_back": frozenset({"date"}),
    "years_ahead": frozenset({"date"}),
}
_MAX_YEARS = 150  # a window wider than a lifetime and a half is a typo


class FormDefinitionError(Exception):
    """A form definition file is malformed; says which file, which element and what is wrong."""

    def __init__(self, file: Path | str, element: str, message: str) -> None:
        super().__init__(str(file), element, message)
        self.file = Path(file)
        self.element = element
        self.message = message

    def __str__(self) -> str:
        return f"{self.file}: {self.element}: {self.message}"


def load_forms(directory: Path = FORMS_DIR) -> dict[str, Form]:
    """Load every ``*.json`` form in ``directory``, keyed by form key (which must equal the file name)."""
    forms: dict[str, Form] = {}
    for path in sorted(directory.glob("*.json")):
        form = load_form(path)
        if form.key != path.stem:
            raise FormDefinitionError(path, "form", f"key {form.key!r} must equal the file name {path.stem!r}")
        forms[form.key] = form
    for form in forms.values():
        if missing := [k for k in form.approves if k not in forms]:
            raise FormDefinitionError(directory / f"{form.key}.json", "form", f"approves {missing}: no such form")
    return forms


def load_form(path: Path | str) -> Form:
    """Read and check one form definition."""
    path = Path(path)
    try:
        data: object = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (OSError, ValueError) as exc:
        raise FormDefinitionError(path, "file", f"not a readable JSON file: {exc}") from exc
    return _Reader(path).form(data)


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"duplicate keys {duplicates}")
    return dict(pairs)


def target_problem(target: str) -> str | None:
    """Return what is wrong with a target string, or None if it names an allowed column."""
    parts = target.split(".")
    if parts[0] == "case_plan_goal":
        if len(parts) != 3:
            return "a case-plan target must be case_plan_goal.<domain>.<column>"
        if parts[1] not in CASE_PLAN_DOMAINS:
            return f"unknown case-plan domain {parts[1]!r} (one of {', '.join(CASE_PLAN_DOMAINS)})"
    elif len(parts) != 2:
        return "a target must be <section>.<column>"
    elif parts[0] not in TARGET_COLUMNS:
        return f"unknown section {parts[0]!r} (one of {', '.join(sorted(TARGET_COLUMNS))})"
    if parts[-1] not in TARGET_COLUMNS[parts[0]]:
        return f"{parts[0]} has no column {parts[-1]!r} that a form may write"
    return None


class _Reader:
    """Reads one file's JSON into a Form, raising FormDefinitionError at the first problem."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, element: str, message: str) -> FormDefinitionError:
        return FormDefinitionError(self.path, element, message)

    def form(self, data: object) -> Form:
        obj = self.obj("form", data, required={"key", "title", "fields"}, allowed=_FORM_KEYS)
        key = obj["key"]
        if not isinstance(key, str) or not _NAME.fullmatch(key):
            raise self.fail("form", f"key must match [a-z][a-z0-9_]*, got {key!r}")
        raw_fields = obj["fields"]
        if not isinstance(raw_fields, list) or not raw_fields:
            raise self.fail("form", "fields must be a non-empty list")
        fields = tuple(self.field(i, raw) for i, raw in enumerate(raw_fields, start=1))
        self.check_together(fields)
        rules = read_rules(obj.get("rules"), {f.name: f for f in fields}, self.fail, self.text)
        for i, rule in enumerate(rules, start=1):
            for cond in (*rule.when, rule.then):
                if cond.ref is not None and cond.ref.kind == "record" and (problem := target_problem(cond.ref.name)):
                    raise self.fail(f"rule #{i}", f"bad record {cond.ref.name!r}: {problem}")
        description = obj.get("description")
        approves = obj.get("approves", [])
        if not isinstance(approves, list) or not all(isinstance(k, str) and _NAME.fullmatch(k) for k in approves):
            raise self.fail("form", f"approves must be a list of form keys, got {approves!r}")
        return Form(
            key=key,
            title=self.text("form", "title", obj["title"]),
            description=None if description is None else self.text("form", "description", description),
            fields=fields,
            approves=tuple(approves),
            rules=rules,
        )

    def field(self, index: int, data: object) -> Field:
        element = f"field #{index}"
        if isinstance(data, dict) and isinstance(data.get("name"), str) and _NAME.fullmatch(data["name"]):
            element = f"field {data['name']!r}"
        obj = self.obj(element, data, required={"name", "type", "label"}, allowed=_FIELD_KEYS)
        if not isinstance(obj["name"], str) or not _NAME.fullmatch(obj["name"]):
            raise self.fail(element, f"name must match [a-z][a-z0-9_]*, got {obj['name']!r}")
        ftype = obj["type"]
        if ftype not in FIELD_TYPES:
            raise self.fail(element, f"unknown type {ftype!r} (one of {', '.join(FIELD_TYPES)})")
        assert isinstance(ftype, str)
        for option, types in _ONLY_ON.items():
            if option in obj and ftype not in types:
                raise self.fail(element, f"{option!r} is not allowed on a {ftype} field")
        return Field(
            name=obj["name"],
            type=_field_type(ftype),
            label=self.text(element, "label", obj["label"]),
            help=None if obj.get("help") is None else self.text(element, "help", obj["help"]),
            required=self.flag(element, obj, "required"),
            required_if=self.required_if(element, obj.get("required_if")),
            choices=self.choices(element, ftype, obj.get("choices")),
            min=self.number(element, obj, "min"),
            max=self.number(element, obj, "max"),
            max_length=self.max_length(element, ftype, obj.get("max_length")),
            years_back=self.years(element, ftype, obj, "years_back"),
            years_ahead=self.years(element, ftype, obj, "years_ahead") or 0,
            target=self.target(element, obj.get("target")),
            workflow=self.workflow(element, obj),
        )

    def check_together(self, fields: tuple[Field, ...]) -> None:
        """Check what involves several fields: unique names and targets, required_if references."""
        by_name: dict[str, Field] = {}
        targets: set[str] = set()
        workflow_vars: set[str] = set()
        for f in fields:
            element = f"field {f.name!r}"
            if f.name in by_name:
                raise self.fail(element, "duplicate field name")
            by_name[f.name] = f
            if f.target is not None and f.target in targets:
                raise self.fail(element, f"target {f.target!r} is already written by another field")
            if f.workflow is not None and f.workflow in workflow_vars:
                raise self.fail(element, f"workflow variable {f.workflow!r} is already set by another field")
            targets.add(f.target or "")
            workflow_vars.add(f.workflow or "")
            if f.min is not None and f.max is not None and f.min > f.max:
                raise self.fail(element, "min is greater than max")
        for f in fields:
            if f.required_if is not None:
                self.check_condition(f, f.required_if, by_name)

    def check_condition(self, f: Field, cond: RequiredIf, by_name: dict[str, Field]) -> None:
        element = f"field {f.name!r}"
        other = by_name.get(cond.field)
        if f.required:
            raise self.fail(element, "required and required_if together: keep one")
        if other is None or other is f:
            raise self.fail(element, f"required_if refers to {cond.field!r}, which is no other field of this form")
        if other.type == "yes_no":
            if not isinstance(cond.equals, bool):
                raise self.fail(element, f"required_if on yes_no field {other.name!r} needs equals true or false")
        elif other.type == "choice":
            if cond.equals not in other.choice_values:
                raise self.fail(element, f"required_if equals {cond.equals!r}, not a choice of {other.name!r}")
        else:
            raise self.fail(element, f"required_if must refer to a choice or yes_no field, not {other.type}")

    def obj(self, element: str, data: object, *, required: set[str], allowed: frozenset[str]) -> dict[str, object]:
        if not isinstance(data, dict):
            raise self.fail(element, "must be a JSON object")
        if missing := sorted(required - data.keys()):
            raise self.fail(element, f"missing {', '.join(missing)}")
        if unknown := sorted(data.keys() - allowed):
            raise self.fail(element, f"unknown keys {', '.join(unknown)}")
        return data

    def text(self, element: str, key: str, data: object) -> Text:
        if not isinstance(data, dict) or not data.keys() <= set(LANGUAGES):
            raise self.fail(element, f"{key} must be an object with the keys 'en' and 'km'")
        for lang in LANGUAGES:
            value = data.get(lang)
            if not isinstance(value, str) or not value.strip():
                raise self.fail(element, f"{key} has no {'English' if lang == 'en' else 'Khmer'} text")
        return Text(en=data["en"], km=data["km"])

    def flag(self, element: str, obj: dict[str, object], key: str) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(element, f"{key} must be true or false")
        return value

    def years(self, element: str, ftype: str, obj: dict[str, object], key: str) -> int | None:
        value = obj.get(key)
        if value is None:
            if ftype == "date" and key == "years_back":
                raise self.fail(element, "a date field needs years_back: how many years back a date may plausibly lie")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_YEARS:
            raise self.fail(element, f"{key} must be a whole number of years from 0 to {_MAX_YEARS}")
        return value

    def number(self, element: str, obj: dict[str, object], key: str) -> float | None:
        value = obj.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise self.fail(element, f"{key} must be a number")
        return value

    def max_length(self, element: str, ftype: str, value: object) -> int | None:
        if value is None:
            return DEFAULT_MAX_LENGTH.get(_field_type(ftype))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(element, "max_length must be a positive whole number")
        return value

    def required_if(self, element: str, data: object) -> RequiredIf | None:
        if data is None:
            return None
        obj = self.obj(element, data, required={"field", "equals"}, allowed=frozenset({"field", "equals"}))
        field, equals = obj["field"], obj["equals"]
        if not isinstance(field, str) or not isinstance(equals, str | bool):
            raise self.fail(element, "required_if needs a field name and a string or true/false to equal")
        return RequiredIf(field=field, equals=equals)

    def choices(self, element: str, ftype: str, data: object) -> tuple[Choice, ...]:
        if ftype not in _ONLY_ON["choices"]:
            return ()
        if not isinstance(data, list) or not data:
            raise self.fail(element, f"a {ftype} field needs a non-empty list of choices")
        choices: list[Choice] = []
        for i, raw in enumerate(data, start=1):
            where = f"{element} choice #{i}"
            obj = self.obj(where, raw, required={"value", "label"}, allowed=frozenset({"value", "label", "_comment"}))
            value = obj["value"]
            if not isinstance(value, str) or not _CHOICE_VALUE.fullmatch(value):
                raise self.fail(where, f"value must be letters, digits, '_' or '-', got {value!r}")
            if value in (c.value for c in choices):
                raise self.fail(where, f"duplicate choice value {value!r}")
            choices.append(Choice(value=value, label=self.text(where, "label", obj["label"])))
        return tuple(choices)

    def target(self, element: str, value: object) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(element, "target must be a string")
        if problem := target_problem(value):
            raise self.fail(element, f"bad target {value!r}: {problem}")
        return value

    def workflow(self, element: str, obj: dict[str, object]) -> str | None:
        value = obj.get("workflow")
        if value is None:
            return None
        if not isinstance(value, str) or not _NAME.fullmatch(value):
            raise self.fail(element, f"workflow variable must match [a-z][a-z0-9_]*, got {value!r}")
        if obj["type"] not in _WORKFLOW_TYPES:
            raise self.fail(element, f"a {obj['type']} field cannot set a workflow variable")
        if obj.get("required") is not True:
            raise self.fail(element, "a field that sets a workflow variable must be required")
        return value


def _field_type(value: str) -> FieldType:
    for t in FIELD_TYPES:
        if t == value:
            return t
    raise ValueError(value)
