"""Form definitions: every JSON file loads and keeps the contracts (case-file columns, workflow variables,
bilingual labels), and submissions validate into typed values with errors in English and Khmer."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, String
from sqlalchemy import Enum as SAEnum
from sqlalchemy.sql.elements import KeyedColumnElement

from engine.accounts.provinces import KHMER_NAMES, PROVINCES
from engine.db import Base, EncryptedDate
from engine.models import cases as models
from workflows import FORMS_DIR
from workflows.forms import (
    CASE_PLAN_DOMAINS,
    TARGET_COLUMNS,
    Form,
    FormDefinitionError,
    Submission,
    load_form,
    load_forms,
    prefill,
    validate_submission,
)

TODAY = dt.date(2026, 11, 29)
FORMS = load_forms()
SECTION_FORMS = load_forms(FORMS_DIR / "sections")
FORM_FILES = sorted(FORMS_DIR.glob("*.json"))

# fmt: off
EXPECTED_FORMS = {
    "registration", "consent", "risk_screen", "needs_assessment", "case_plan", "plan_approval", "family_tracing",
    "family_assessment", "return_risk", "case_conference", "reintegration_plan", "agreement_approval",
    "reintegration_preparation", "dosvy_notice", "handover", "first_contact", "follow_up_visit", "overdue_review",
    "risk_escalation", "case_transfer", "transfer_acceptance", "tracing_attempt", "renewed_contact",
    "final_assessment", "closure", "closure_approval",
    "record_review_preparation", "withholding_approval", "record_review_session", "urgent_support",
}
# fmt: on

RISK = {"high", "medium", "low"}
DECISION = {"approve", "return"}
# fmt: off
# The contract with the BPMN diagrams: (form, field, workflow variable, allowed values or value type).
WORKFLOW_CONTRACT: list[tuple[str, str, str, set[str] | type]] = [
    ("risk_screen", "risk_level", "risk_level", RISK),
    ("withholding_approval", "decision", "withholding_decision", DECISION),
    ("record_review_session", "distress", "distress", bool),
    ("plan_approval", "decision", "plan_decision", DECISION),
    ("family_tracing", "family_found", "family_found", bool),
    ("family_assessment", "safety_rating", "family_safety", {"safe", "safe_with_support", "unsafe"}),
    ("return_risk", "risk_level", "risk_level", RISK),
    (
        "case_conference", "placement", "placement",
        {"family_of_origin", "extended_family", "community", "independent", "stay_in_shelter"},
    ),
    ("reintegration_plan", "dosvy_notice_consent", "dosvy_notice_consent", bool),
    ("agreement_approval", "decision", "agreement_decision", DECISION),
    ("handover", "handover_date", "reintegrated_on", dt.date),
    ("follow_up_visit", "visit_date", "visit_date", dt.date),
    ("follow_up_visit", "contact_made", "contact_made", bool),
    ("follow_up_visit", "risk_level", "risk_level", RISK),
    ("follow_up_visit", "visit_outcome", "visit_outcome", {"continue", "risk_escalated", "ready_to_close"}),
    ("risk_escalation", "decision", "escalation_decision", {"readmit", "new_placement", "continue"}),
    ("transfer_acceptance", "accepted", "transfer_accepted", bool),
    ("tracing_attempt", "outcome", "tracing_outcome", {"found", "not_found", "give_up"}),
    (
        "closure", "reason", "closure_reason",
        {"goals_met", "survivor_chose_to_stop", "moved_or_cannot_be_found", "transferred", "died", "other"},
    ),
    ("closure_approval", "decision", "closure_decision", DECISION),
]
# fmt: on
TYPE_OF: dict[type, str] = {bool: "yes_no", dt.date: "date"}

SECTION_MODELS: dict[str, type[Base]] = {
    "case": models.Case,
    "identity": models.Identity,
    "history": models.History,
    "family_assessment": models.FamilyAssessment,
    "case_plan": models.CasePlan,
    "medical": models.MedicalRecord,
    "psychological": models.PsychologicalRecord,
    "case_plan_goal": models.CasePlanGoal,
}
# Columns no form writes: keys and bookkeeping, derived or uploaded values, and what services set.
# fmt: off
NOT_FORM_WRITABLE = {
    "id", "case_id", "updated_at", "updated_by_id", "name_index", "photo_ref", "version", "approved_at",
    "approved_by_id", "plan_id", "domain",
}
# fmt: on
CASE_COLUMNS_FORMS_WRITE = {"risk_level"}

KHMER = re.compile(r"[\u1780-\u17ff]")
# From GLOSSARY-km.md: misspellings, deprecated characters, zero-width spaces and a vowel before a subscript.
KHMER_MISTAKES = ["ធម្យម", "ការបញ្ចូន", "របាយការណ៏", "កូនប្រស", "បរិច្ចេទ", "សំរាប់", "អាស័យដ្ឋាន", "បដិសេដ", "\u17a3", "\u200b"]
VOWEL_BEFORE_SUBSCRIPT = re.compile(r"[\u17b6-\u17c5]\u17d2")

# fmt: off
SAMPLE_FIELDS: list[dict[str, object]] = [
    {"name": "name", "type": "text", "label": {"en": "Name", "km": "ឈ្មោះ"}, "required": True, "max_length": 10},
    {"name": "story", "type": "long_text", "label": {"en": "Story", "km": "សាច់រឿង"}},
    {"name": "born_on", "type": "date", "label": {"en": "Born", "km": "កំណើត"}, "years_back": 100},
    {"name": "due_on", "type": "date", "label": {"en": "Due", "km": "កំណត់"}, "years_back": 1, "years_ahead": 2},
    {
        "name": "colour", "type": "choice", "label": {"en": "Colour", "km": "ពណ៌"},
        "choices": [{"value": "red", "label": {"en": "Red", "km": "ក្រហម"}},
                    {"value": "blue", "label": {"en": "Blue", "km": "ខៀវ"}}],
    },
    {
        "name": "tags", "type": "multi_choice", "label": {"en": "Tags", "km": "ស្លាក"},
        "choices": [{"value": "a", "label": {"en": "A", "km": "ក"}}, {"value": "b", "label": {"en": "B", "km": "ខ"}}],
    },
    {"name": "agreed", "type": "yes_no", "label": {"en": "Agreed", "km": "យល់ព្រម"}},
    {
        "name": "why", "type": "long_text", "label": {"en": "Why", "km": "ហេតុអ្វី"},
        "required_if": {"field": "agreed", "equals": True},
    },
    {"name": "count", "type": "number", "label": {"en": "Count", "km": "ចំនួន"}, "min": 0, "max": 10},
    {"name": "relative", "type": "person", "label": {"en": "Relative", "km": "សាច់ញាតិ"}},
]
# fmt: on
VALID_SAMPLE = {"name": "Srey", "born_on": "2000-01-02"}


def write_form(directory: Path, fields: list[dict[str, object]], key: str = "sample") -> Path:
    path = directory / f"{key}.json"
    title = {"en": "Sample", "km": "គំរូ"}
    path.write_text(json.dumps({"key": key, "title": title, "fields": fields}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def sample(tmp_path: Path) -> Form:
    return load_form(write_form(tmp_path, SAMPLE_FIELDS))


def check(form: Form, raw: Mapping[str, str | list[str]], lang: str = "en", **people: str) -> Submission:
    return validate_submission(form, raw, lang=lang, today=TODAY, people=people)


def all_texts(form: Form) -> list[tuple[str, str, str]]:
    """(where, English, Khmer) for every title, description, label, help and choice label."""
    texts = [("title", form.title.en, form.title.km)]
    if form.description:
        texts.append(("description", form.description.en, form.description.km))
    for f in form.fields:
        texts.append((f"{f.name} label", f.label.en, f.label.km))
        if f.help:
            texts.append((f"{f.name} help", f.help.en, f.help.km))
        texts += [(f"{f.name} choice {c.value}", c.label.en, c.label.km) for c in f.choices]
    return texts


# --- The definitions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.stem)
def test_form_file_loads(path: Path) -> None:
    assert load_form(path).fields


def test_every_form_of_the_phases_is_defined() -> None:
    assert set(FORMS) == EXPECTED_FORMS


def test_form_keys_are_the_file_names() -> None:
    assert sorted(form.key for form in FORMS.values()) == sorted(p.stem for p in FORM_FILES)


def test_every_text_has_english_and_khmer() -> None:
    missing = [(f.key, where) for f in FORMS.values() for where, en, km in all_texts(f) if not en.strip() or not km]
    assert missing == []


def test_khmer_texts_are_in_khmer_script_except_province_names() -> None:
    latin_only = [
        (f.key, where)
        for f in FORMS.values()
        for where, _, km in all_texts(f)
        if not KHMER.search(km) and not where.startswith("origin_province_code choice")
    ]
    assert latin_only == []


def test_khmer_texts_avoid_the_glossary_misspellings() -> None:
    bad = [
        (f.key, where, km)
        for f in FORMS.values()
        for where, _, km in all_texts(f)
        if any(m in km for m in KHMER_MISTAKES) or VOWEL_BEFORE_SUBSCRIPT.search(km)
    ]
    assert bad == []


def test_every_target_is_an_allowed_column() -> None:
    targets = [f.target for form in FORMS.values() for f in form.fields if f.target]
    for target in targets:
        section, *_, column = target.split(".")
        assert column in TARGET_COLUMNS[section], target


def test_target_columns_match_the_case_file_models() -> None:
    from_models = {
        section: set(model.__table__.columns.keys()) - NOT_FORM_WRITABLE for section, model in SECTION_MODELS.items()
    }
    from_models["case"] &= CASE_COLUMNS_FORMS_WRITE
    assert {section: set(columns) for section, columns in TARGET_COLUMNS.items()} == from_models


def test_case_plan_targets_cover_every_domain() -> None:
    goals = {f.target for f in FORMS["case_plan"].fields if f.target and f.target.startswith("case_plan_goal.")}
    assert goals == {f"case_plan_goal.{d}.{c}" for d in CASE_PLAN_DOMAINS for c in TARGET_COLUMNS["case_plan_goal"]}


def _column(target: str) -> KeyedColumnElement[Any]:
    section, *_, column = target.split(".")
    column_: KeyedColumnElement[Any] = SECTION_MODELS[section].__table__.columns[column]
    return column_


def test_date_fields_and_date_columns_go_together() -> None:
    mismatched = [
        (form.key, f.name)
        for form in FORMS.values()
        for f in form.fields
        if f.target and (f.type == "date") != isinstance(_column(f.target).type, Date | EncryptedDate)
    ]
    assert mismatched == []


def test_choices_into_enum_columns_are_the_enum_values() -> None:
    for form in FORMS.values():
        for f in form.fields:
            if f.target and isinstance(column_type := _column(f.target).type, SAEnum):
                assert set(f.choice_values) == set(column_type.enums), (form.key, f.name)


def test_values_fit_their_string_columns() -> None:
    for form in FORMS.values():
        for f in form.fields:
            column_type = _column(f.target).type if f.target else None
            if isinstance(column_type, String) and not isinstance(column_type, SAEnum) and column_type.length:
                longest = max((len(v) for v in f.choice_values), default=f.max_length or 0)
                assert longest <= column_type.length, (form.key, f.name)


@pytest.mark.parametrize(("form_key", "forms"), [("registration", FORMS), ("section_history", SECTION_FORMS)])
def test_the_province_choices_are_the_reference_provinces_in_both_languages(form_key, forms) -> None:
    field = forms[form_key].field("origin_province_code")
    assert [(c.value, c.label.en) for c in field.choices] == list(PROVINCES)
    assert {c.value: c.label.km for c in field.choices} == KHMER_NAMES


@pytest.mark.parametrize(("form", "field", "variable", "allowed"), WORKFLOW_CONTRACT, ids=lambda v: str(v))
def test_workflow_variable_contract(form: str, field: str, variable: str, allowed: set[str] | type) -> None:
    f = FORMS[form].field(field)
    shape = (f.workflow, f.type, set(f.choice_values)) if isinstance(allowed, set) else (f.workflow, f.type)
    expected = (variable, "choice", allowed) if isinstance(allowed, set) else (variable, TYPE_OF[allowed])
    assert shape == expected


def test_no_workflow_variable_outside_the_contract() -> None:
    declared = {(form.key, f.name, f.workflow) for form in FORMS.values() for f in form.fields if f.workflow}
    assert declared == {(form, field, variable) for form, field, variable, _ in WORKFLOW_CONTRACT}


# --- Malformed definitions ---------------------------------------------------------------------------------

LABEL = {"en": "Decision", "km": "សេចក្ដីសម្រេច"}
CHOICES = [{"value": "yes", "label": {"en": "Yes", "km": "បាទ/ចាស"}}]
# fmt: off
MALFORMED: dict[str, tuple[str, list[dict[str, object]]]] = {
    "unknown type": ("unknown type 'dropdown'", [{"name": "decision", "type": "dropdown", "label": LABEL}]),
    "duplicate field": ("duplicate field name", [{"name": "decision", "type": "text", "label": LABEL}] * 2),
    "bad target": ("no column 'nickname'",
                   [{"name": "decision", "type": "text", "label": LABEL, "target": "history.nickname"}]),
    "bad goal domain": ("unknown case-plan domain 'fun'",
                        [{"name": "decision", "type": "text", "label": LABEL, "target": "case_plan_goal.fun.goal"}]),
    "choice without choices": ("needs a non-empty list of choices",
                               [{"name": "decision", "type": "choice", "label": LABEL}]),
    "missing Khmer label": ("label has no Khmer text",
                            [{"name": "decision", "type": "text", "label": {"en": "Decision"}}]),
    "blank Khmer label": ("label has no Khmer text",
                          [{"name": "decision", "type": "text", "label": {"en": "Decision", "km": " "}}]),
    "unknown key": ("unknown keys requird",
                    [{"name": "decision", "type": "text", "label": LABEL, "requird": True}]),
    "option of another type": ("'min' is not allowed on a text field",
                               [{"name": "decision", "type": "text", "label": LABEL, "min": 1}]),
    "optional workflow field": ("must be required",
                                [{"name": "decision", "type": "choice", "label": LABEL, "choices": CHOICES,
                                  "workflow": "decision"}]),
    "workflow on long text": ("cannot set a workflow variable",
                              [{"name": "decision", "type": "long_text", "label": LABEL, "required": True,
                                "workflow": "decision"}]),
    "required_if to nothing": ("no other field of this form",
                               [{"name": "decision", "type": "text", "label": LABEL,
                                 "required_if": {"field": "other", "equals": "x"}}]),
    "required_if to a value not offered": ("not a choice of 'other'", [
        {"name": "other", "type": "choice", "label": LABEL, "choices": CHOICES},
        {"name": "decision", "type": "text", "label": LABEL, "required_if": {"field": "other", "equals": "no"}},
    ]),
    "target written twice": ("already written by another field", [
        {"name": "other", "type": "date", "label": LABEL, "target": "history.returned_on", "years_back": 1},
        {"name": "decision", "type": "date", "label": LABEL, "target": "history.returned_on", "years_back": 1},
    ]),
}
# fmt: on


@pytest.mark.parametrize(("problem", "fields"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_definition_names_file_field_and_problem(
    tmp_path: Path, problem: str, fields: list[dict[str, object]]
) -> None:
    path = write_form(tmp_path, fields, key="broken")
    with pytest.raises(FormDefinitionError) as caught:
        load_form(path)
    assert str(caught.value).startswith(f"{path}: field 'decision': ")
    assert problem in str(caught.value)


def test_invalid_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"key": "broken",', encoding="utf-8")
    with pytest.raises(FormDefinitionError, match=r"broken\.json"):
        load_form(path)


def test_file_name_must_equal_key(tmp_path: Path) -> None:
    write_form(tmp_path, SAMPLE_FIELDS).rename(tmp_path / "other.json")
    with pytest.raises(FormDefinitionError, match=r"other\.json.*must equal the file name"):
        load_forms(tmp_path)


# --- Validating submissions --------------------------------------------------------------------------------


def test_missing_required_field_is_an_error_in_english(sample: Form) -> None:
    assert check(sample, {"name": "  "}).errors == {"name": "Required field"}


def test_missing_required_field_is_an_error_in_khmer(sample: Form) -> None:
    assert check(sample, {}, lang="km").errors == {"name": "ត្រូវបំពេញ"}


def test_required_if_applies_when_its_condition_holds() -> None:
    assert set(check(FORMS["plan_approval"], {"decision": "return"}).errors) == {"comment"}


def test_required_if_does_not_apply_otherwise() -> None:
    assert check(FORMS["plan_approval"], {"decision": "approve"}).ok


def test_required_if_can_depend_on_a_yes_no_answer() -> None:
    closure = FORMS["closure"]
    raw = {"reason": "goals_met", "survivor_informed": "yes"}
    assert set(check(closure, raw).errors) == {"how_informed"}


def test_future_date_is_refused(sample: Form) -> None:
    assert "born_on" in check(sample, {**VALID_SAMPLE, "born_on": "2026-11-30"}).errors


def test_future_date_is_allowed_where_the_field_says_so(sample: Form) -> None:
    assert check(sample, {**VALID_SAMPLE, "due_on": "2027-06-01"}).values["due_on"] == dt.date(2027, 6, 1)


@pytest.mark.parametrize("value", ["29/11/2026", "2026-02-30", "20261129", "2026-1-5", "yesterday"])
def test_malformed_date_is_refused(sample: Form, value: str) -> None:
    assert "born_on" in check(sample, {**VALID_SAMPLE, "born_on": value}).errors


def test_khmer_digits_are_read_as_a_date(sample: Form) -> None:
    assert check(sample, {**VALID_SAMPLE, "born_on": "២០០០-០១-០២"}).values["born_on"] == dt.date(2000, 1, 2)


def test_choice_outside_the_list_is_refused(sample: Form) -> None:
    assert "colour" in check(sample, {**VALID_SAMPLE, "colour": "green"}).errors


def test_multi_choice_refuses_a_value_outside_the_list(sample: Form) -> None:
    assert "tags" in check(sample, {**VALID_SAMPLE, "tags": ["a", "z"]}).errors


def test_multi_choice_keeps_each_value_once(sample: Form) -> None:
    assert check(sample, {**VALID_SAMPLE, "tags": ["b", "a", "b", ""]}).values["tags"] == ["b", "a"]


def test_several_values_for_a_single_field_are_refused(sample: Form) -> None:
    assert "colour" in check(sample, {**VALID_SAMPLE, "colour": ["red", "blue"]}).errors


@pytest.mark.parametrize(("raw", "value"), [("yes", True), ("no", False), ("Yes", True)])
def test_yes_no_becomes_a_bool(sample: Form, raw: str, value: bool) -> None:
    assert check(sample, {**VALID_SAMPLE, "agreed": raw, "why": "x"}).values["agreed"] is value


def test_yes_no_refuses_other_answers(sample: Form) -> None:
    assert "agreed" in check(sample, {**VALID_SAMPLE, "agreed": "maybe"}).errors


@pytest.mark.parametrize("value", ["-1", "10.5", "11"])
def test_number_outside_its_bounds_is_refused(sample: Form, value: str) -> None:
    assert "count" in check(sample, {**VALID_SAMPLE, "count": value}).errors


@pytest.mark.parametrize(("raw", "value"), [("4", 4), ("4.0", 4), ("2.5", 2.5), ("០៣", 3)])
def test_number_is_int_when_whole_else_float(sample: Form, raw: str, value: float) -> None:
    parsed = check(sample, {**VALID_SAMPLE, "count": raw}).values["count"]
    assert (parsed, type(parsed)) == (value, type(value))


@pytest.mark.parametrize("value", ["four", "1e3", "nan", "1" * 40])
def test_not_a_number_is_refused(sample: Form, value: str) -> None:
    assert "count" in check(sample, {**VALID_SAMPLE, "count": value}).errors


def test_text_longer_than_its_limit_is_refused(sample: Form) -> None:
    errors = check(sample, {"name": "x" * 11}, lang="km").errors
    assert errors == {"name": "វែងពេក៖ យ៉ាងច្រើន 10 តួអក្សរ"}


def test_control_characters_are_refused_in_text(sample: Form) -> None:
    assert "name" in check(sample, {"name": "Sr\x00ey"}).errors


def test_default_limit_applies_to_long_text(sample: Form) -> None:
    assert "story" in check(sample, {**VALID_SAMPLE, "story": "x" * 5001}).errors


def test_person_must_be_a_known_family_member(sample: Form) -> None:
    assert "relative" in check(sample, {**VALID_SAMPLE, "relative": "7"}, **{"3": "Mother"}).errors


def test_known_family_member_is_accepted(sample: Form) -> None:
    assert check(sample, {**VALID_SAMPLE, "relative": "3"}, **{"3": "Mother"}).values["relative"] == "3"


def test_unknown_keys_are_ignored(sample: Form) -> None:
    submission = check(sample, {**VALID_SAMPLE, "csrf_token": "abc", "submit": "Save"})
    assert (submission.ok, set(submission.values)) == (True, {"name", "born_on"})


def test_values_are_stripped(sample: Form) -> None:
    assert check(sample, {"name": "  Srey \n", "colour": " red "}).values == {"name": "Srey", "colour": "red"}


def test_unsupported_language_is_a_programming_error(sample: Form) -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        validate_submission(sample, VALID_SAMPLE, lang="fr", today=TODAY)


# --- What a submission gives the engine --------------------------------------------------------------------

VISIT = {
    "visit_date": "2026-11-20",
    "contact_made": "yes",
    "mode": "home_visit",
    "risk_level": "low",
    "visit_outcome": "continue",
    "progress": "Back at school",
}


def test_workflow_values_are_json_safe() -> None:
    values = check(FORMS["follow_up_visit"], VISIT).workflow_values()
    assert json.loads(json.dumps(values)) == {
        "visit_date": "2026-11-20",
        "contact_made": True,
        "risk_level": "low",
        "visit_outcome": "continue",
    }


def test_typed_values_keep_dates_and_bools() -> None:
    values = check(FORMS["follow_up_visit"], VISIT).values
    assert (values["visit_date"], values["contact_made"]) == (dt.date(2026, 11, 20), True)


def test_record_is_json_safe(sample: Form) -> None:
    raw: dict[str, str | list[str]] = {**VALID_SAMPLE, "tags": ["a"], "count": "2.5", "agreed": "no"}
    record = check(sample, raw).record()
    assert json.loads(json.dumps(record)) == {
        "name": "Srey",
        "born_on": "2000-01-02",
        "tags": ["a"],
        "count": 2.5,
        "agreed": False,
    }


def test_targets_hold_typed_values_of_filled_fields() -> None:
    raw = {"handover_date": "2026-11-02", "escorted_by": "Dara", "received_by": "Commune chief", "signed": "yes"}
    assert check(FORMS["handover"], raw).targets() == {"history.returned_on": dt.date(2026, 11, 2)}


def test_prefill_round_trips_case_file_values() -> None:
    form = FORMS["family_assessment"]
    raw: dict[str, str | list[str]] = {
        "assessed_on": "2026-11-01",
        "household": "Mother, two brothers",
        "safety_rating": "safe_with_support",
    }
    assert prefill(form, check(form, raw).targets()) == raw


def test_prefill_reads_enums_bools_and_stored_records() -> None:
    current = {"case.risk_level": models.RiskLevel.HIGH, "contact_made": False, "visit_date": "2026-11-20"}
    assert prefill(FORMS["follow_up_visit"], current) == {
        "risk_level": "high",
        "contact_made": "no",
        "visit_date": "2026-11-20",
    }


# --- Property: no input makes validation raise -------------------------------------------------------------

CHOICE_VALUES = sorted({c.value for form in FORMS.values() for f in form.fields for c in f.choices})
PLAUSIBLE = ["", " ", "yes", "no", "2026-11-29", "2026-11-30", "0", "-3", "2.5", "red", "return", *CHOICE_VALUES]
form_values = st.one_of(st.text(), st.sampled_from(PLAUSIBLE))
raw_values = st.one_of(form_values, st.lists(form_values, max_size=3))


@st.composite
def submissions(draw: st.DrawFn) -> tuple[Form, dict[str, str | list[str]]]:
    form = draw(st.sampled_from(sorted(FORMS.values(), key=lambda f: f.key)))
    names = st.one_of(st.sampled_from([f.name for f in form.fields]), st.text(max_size=10))
    return form, draw(st.dictionaries(names, raw_values, max_size=len(form.fields) + 2))


@settings(database=None, max_examples=300, deadline=None)
@given(
    submission=submissions(),
    lang=st.sampled_from(["en", "km"]),
    today=st.dates(),
    people=st.dictionaries(st.text(max_size=4), st.text(max_size=10), max_size=3),
)
def test_validation_never_raises_on_any_input(
    submission: tuple[Form, dict[str, str | list[str]]], lang: str, today: dt.date, people: dict[str, str]
) -> None:
    form, raw = submission
    result = validate_submission(form, raw, lang=lang, today=today, people=people)
    json.dumps([result.workflow_values(), result.record(), result.errors])
    assert set(result.values).isdisjoint(result.errors)
