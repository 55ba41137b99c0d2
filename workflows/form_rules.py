"""Cross-field rules of a form definition: answers that contradict each other are refused.

A form may carry a ``rules`` list beside its fields::

    "rules": [
      {
        "when": [{"field": "contact_made", "equals": false}],     // every condition must hold
        "then": {"field": "mode", "equals": "not_reached"},       // else the message goes next to "mode"
        "message": {"en": "...", "km": "..."}
      },
      {
        "when": [{"variable": "closure_allowed", "equals": false}],
        "then": {"field": "visit_outcome", "not_in": ["ready_to_close"]},
        "message": {"en": "... {min_months_before_close} months ...", "km": "..."}
      }
    ]

A condition names a ``field`` of the form (its typed value) or a workflow ``variable`` of the step
(what the diagram computed before the task, e.g. from a DMN table), and one test: ``equals`` (a string,
true/false or a number), ``in`` / ``not_in`` (a list), or ``empty`` (true: no value; false: a value).
A ``when`` condition on a field or variable without a value does not hold (only ``empty: true`` does),
so a rule never fires on what was not answered; a ``then`` test on an empty field holds for
``not_in`` and ``empty: true`` only. Messages may name workflow variables in braces.

Dates are ordered with ``not_before`` / ``not_after`` on a date field, against another date: a
``field`` of the form, a workflow ``variable`` (an ISO date string, e.g. ``reintegrated_on``) or a
``record`` of the case file by target (e.g. ``identity.date_of_birth``, given by the caller; a field of
the same form writing that target wins). ``when`` may be left out: the rule always applies. The test
holds when either date is missing, so an unanswered date is never a contradiction::

      {
        "then": {"field": "left_home_on", "not_before": {"record": "identity.date_of_birth"}},
        "message": {"en": "The date left home cannot be before the date of birth.", "km": "..."}
      }

Pure Python and the standard library; :mod:`workflows.forms` reads the rules, the validator applies them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TESTS = ("equals", "in", "not_in", "empty", "not_before", "not_after")
DATE_TESTS = ("not_before", "not_after")
REFERENCES = ("field", "variable", "record")
_CONDITION_KEYS = frozenset({"field", "variable", *TESTS})
_RULE_KEYS = frozenset({"when", "then", "message", "_comment"})


@dataclass(frozen=True)
class Reference:
    """The other date of a ``not_before``/``not_after`` test: a form field, a workflow variable or a
    case-file target."""

    kind: str  # one of REFERENCES
    name: str


@dataclass(frozen=True)
class Condition:
    """One test on a field's value (``field``) or on a workflow variable (``variable``)."""

    name: str
    on_variable: bool
    test: str  # one of TESTS
    expected: Any
    ref: Reference | None = None  # the other date of a date test

    def holds(self, value: object, *, present: bool, other: object = None) -> bool:
        """Whether the test holds for ``value`` (``present``: the field or variable has a value;
        ``other``: the referenced date of a date test)."""
        if self.test in DATE_TESTS:
            mine, theirs = _as_date(value), _as_date(other)
            if mine is None or theirs is None:
                return True
            return mine >= theirs if self.test == "not_before" else mine <= theirs
        if self.test == "empty":
            return (not present) is self.expected
        if not present:
            return self.test == "not_in"
        if self.test == "equals":
            return _same(value, self.expected)
        found = any(_same(value, option) for option in self.expected)
        return found if self.test == "in" else not found


@dataclass(frozen=True)
class Rule:
    """When every ``when`` condition holds, ``then`` must hold too, or ``message`` is shown at its field."""

    when: tuple[Condition, ...]
    then: Condition
    message: Any  # workflows.forms_validation.Text (kept loose here to stay import-free)


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _same(value: object, expected: object) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected  # so True never equals 1 or "yes"
    return value == expected


def broken_rules(
    rules: tuple[Rule, ...],
    values: Mapping[str, object],
    skip: set[str],
    context: Mapping[str, object],
    record: Mapping[str, object] | None = None,
) -> dict[str, Rule]:
    """The first broken rule per field (fields in ``skip`` already have an error and are left alone).
    ``record``: the case-file values by target that date tests may compare with."""
    sources = {"field": values, "variable": context, "record": record or {}}
    broken: dict[str, Rule] = {}
    for rule in rules:
        if rule.then.name in skip or rule.then.name in broken:
            continue
        if all(_check(c, sources) for c in rule.when) and not _check(rule.then, sources):
            broken[rule.then.name] = rule
    return broken


def _check(cond: Condition, sources: Mapping[str, Mapping[str, object]]) -> bool:
    value = sources["variable" if cond.on_variable else "field"].get(cond.name)
    other = sources[cond.ref.kind].get(cond.ref.name) if cond.ref else None
    return cond.holds(value, present=value is not None and value != [], other=other)


class _Unknown(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_message(text: str, context: Mapping[str, object]) -> str:
    """``text`` with ``{variable}`` replaced by the step's workflow values (unknown names stay as written)."""
    shown = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in context.items()}
    return text.format_map(_Unknown(shown))


def read_rules(data: object, fields: Mapping[str, Any], fail: Any, text: Any) -> tuple[Rule, ...]:
    """Read a form's ``rules`` list; ``fields`` by name, ``fail(element, message)`` makes the error to
    raise, ``text(element, key, data)`` reads an English and Khmer text."""
    if data is None:
        return ()
    if not isinstance(data, list) or not data:
        raise fail("rules", "rules must be a non-empty list")
    rules = []
    for i, raw in enumerate(data, start=1):
        element = f"rule #{i}"
        if not isinstance(raw, dict):
            raise fail(element, "must be a JSON object")
        if missing := sorted({"then", "message"} - raw.keys()):
            raise fail(element, f"missing {', '.join(missing)}")
        if unknown := sorted(raw.keys() - _RULE_KEYS):
            raise fail(element, f"unknown keys {', '.join(unknown)}")
        when = raw.get("when", [])
        if not isinstance(when, list) or (not when and "when" in raw):
            raise fail(element, "when must be a non-empty list of conditions (or left out: always)")
        conditions = tuple(_condition(element, c, fields, fail, allow_variable=True) for c in when)
        then = _condition(element, raw["then"], fields, fail, allow_variable=False)
        rules.append(Rule(conditions, then, text(element, "message", raw["message"])))
    return tuple(rules)


def _condition(element: str, data: object, fields: Mapping[str, Any], fail: Any, *, allow_variable: bool) -> Condition:
    if not isinstance(data, dict):
        raise fail(element, "a condition must be a JSON object")
    if unknown := sorted(data.keys() - _CONDITION_KEYS):
        raise fail(element, f"unknown keys {', '.join(unknown)} in a condition")
    subjects = [k for k in ("field", "variable") if k in data]
    tests = [k for k in TESTS if k in data]
    if len(subjects) != 1 or len(tests) != 1:
        raise fail(element, "a condition names one field (or variable) and one test: " + ", ".join(TESTS))
    subject, test = subjects[0], tests[0]
    name, expected = data[subject], data[test]
    if subject == "variable" and not allow_variable:
        raise fail(element, "then must name a field of the form, not a workflow variable")
    if not isinstance(name, str) or not name:
        raise fail(element, f"{subject} must be a name")
    if test == "empty" and not isinstance(expected, bool):
        raise fail(element, "empty must be true or false")
    if test in ("in", "not_in") and (not isinstance(expected, list) or not expected):
        raise fail(element, f"{test} must be a non-empty list")
    if test in DATE_TESTS:
        return _date_condition(element, name, test, expected, fields, fail, allow_variable=allow_variable)
    if subject == "field":
        f = fields.get(name)
        if f is None:
            raise fail(element, f"refers to {name!r}, which is no field of this form")
        if test != "empty":
            _check_values(element, f, expected if isinstance(expected, list) else [expected], fail)
    elif test != "empty":
        for value in expected if isinstance(expected, list) else [expected]:
            if not isinstance(value, str | bool | int | float):
                raise fail(element, f"variable {name!r} is compared with {value!r}: use a string, number or true/false")
    return Condition(name, subject == "variable", test, expected)


def _date_condition(element: str, name: str, test: str, expected: object, fields: Mapping[str, Any],
                    fail: Any, *, allow_variable: bool) -> Condition:  # fmt: skip
    if allow_variable:
        raise fail(element, f"{test} belongs in then (the date the message is shown at), not in when")
    mine = fields.get(name)
    if mine is None or mine.type != "date":
        raise fail(element, f"{test} needs a date field of this form, not {name!r}")
    if not isinstance(expected, dict) or len(expected) != 1 or next(iter(expected)) not in REFERENCES:
        raise fail(element, f'{test} names one other date: {{"field"|"variable"|"record": name}}')
    kind, other = next(iter(expected.items()))
    if not isinstance(other, str) or not other:
        raise fail(element, f"{test} must name a {kind}")
    if kind == "field" and (other == name or getattr(fields.get(other), "type", None) != "date"):
        raise fail(element, f"{test} refers to {other!r}, which is no other date field of this form")
    if kind == "record" and other.count(".") not in (1, 2):
        raise fail(element, f"{test} refers to {other!r}: a record is a case-file target <section>.<column>")
    return Condition(name, False, test, None, Reference(kind, other))


def _check_values(element: str, f: Any, values: list[object], fail: Any) -> None:
    for value in values:
        if f.type == "yes_no" and not isinstance(value, bool):
            raise fail(element, f"yes_no field {f.name!r} is compared with {value!r}: use true or false")
        if f.type == "choice" and value not in f.choice_values:
            raise fail(element, f"{value!r} is not a choice of {f.name!r}")
        if f.type == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise fail(element, f"number field {f.name!r} is compared with {value!r}: use a number")
        if f.type not in ("yes_no", "choice", "number"):
            raise fail(element, f"rules compare choice, yes_no and number fields (or test empty), not {f.type}")
