"""Plausible dates and countries in the form definitions (issue 13 item 8): every date field has a window
around today, dates in order ("not before"/"not after" rules against another field, a workflow variable
or the case file), and countries are ISO 3166-1 alpha-2 codes. Pure validation, no database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine.cases.countries import country_choices, country_codes, country_name
from workflows import FORMS_DIR
from workflows.forms import (
    Form,
    FormDefinitionError,
    Submission,
    load_form,
    load_forms,
    validate_submission,
    years_from,
)

TODAY = dt.date(2026, 11, 29)
FORMS = load_forms()
SECTIONS = load_forms(FORMS_DIR / "sections")
RECORDS = load_forms(FORMS_DIR / "records")
ALL = [*FORMS.values(), *SECTIONS.values(), *RECORDS.values()]
LABEL = {"en": "Day", "km": "ថ្ងៃ"}


def check(form: Form, raw: dict[str, str], lang: str = "en", **kw: object) -> Submission:
    return validate_submission(form, raw, lang=lang, today=TODAY, countries=country_codes(), **kw)  # type: ignore[arg-type]


def write(tmp_path: Path, fields: list[dict[str, object]], rules: list[dict[str, object]] | None = None) -> Path:
    path = tmp_path / "sample.json"
    data: dict[str, object] = {"key": "sample", "title": {"en": "Sample", "km": "គំរូ"}, "fields": fields}
    if rules is not None:
        data["rules"] = rules
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- Every date has a window ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ALL, ids=lambda f: f.key)
def test_every_date_field_refuses_the_year_1800(form: Form) -> None:
    for f in form.fields:
        if f.type == "date":
            assert (f.years_back or 999) <= 120, (form.key, f.name)
            assert f.name in check(form, {f.name: "1800-01-01"}).errors, (form.key, f.name)


def test_a_date_field_without_its_window_is_a_definition_error(tmp_path: Path) -> None:
    path = write(tmp_path, [{"name": "day", "type": "date", "label": LABEL}])
    with pytest.raises(FormDefinitionError, match="field 'day': a date field needs years_back"):
        load_form(path)


@pytest.mark.parametrize("value", [-1, 151, 2.5, True, "10"])
def test_a_window_is_a_whole_number_of_years(tmp_path: Path, value: object) -> None:
    path = write(tmp_path, [{"name": "day", "type": "date", "label": LABEL, "years_back": value}])
    with pytest.raises(FormDefinitionError, match="years_back must be a whole number of years"):
        load_form(path)


def test_a_window_belongs_to_date_fields_only(tmp_path: Path) -> None:
    path = write(tmp_path, [{"name": "day", "type": "text", "label": LABEL, "years_back": 1}])
    with pytest.raises(FormDefinitionError, match="'years_back' is not allowed on a text field"):
        load_form(path)


@pytest.mark.parametrize("form", [SECTIONS["section_admission"], SECTIONS["section_identity"]], ids=lambda f: f.key)
def test_a_date_of_birth_is_at_most_100_years_back(form: Form) -> None:
    base = {"given_name_latin": "Testperson", "sex": "female"}
    assert check(form, {**base, "date_of_birth": "1926-11-29"}).ok
    errors = check(form, {**base, "date_of_birth": "1926-11-28"}).errors
    assert errors == {"date_of_birth": "Not a plausible date: more than 100 years ago"}
    khmer = check(form, {**base, "date_of_birth": "1800-01-01"}, lang="km").errors
    assert khmer == {"date_of_birth": "កាលបរិច្ឆេទមិនសមហេតុផល៖ លើសពី 100 ឆ្នាំមុន"}


def test_a_date_of_birth_is_not_in_the_future() -> None:
    errors = check(
        SECTIONS["section_identity"], {"given_name_latin": "T", "sex": "female", "date_of_birth": "2026-11-30"}
    ).errors
    assert errors == {"date_of_birth": "The date cannot be in the future"}


def test_a_visit_date_lies_within_the_last_year() -> None:
    form = FORMS["first_contact"]
    assert check(form, {"contact_date": "2025-11-29", "mode": "phone"}).ok
    assert check(form, {"contact_date": "2025-11-28", "mode": "phone"}).errors == {
        "contact_date": "Not a plausible date: more than a year ago"
    }
    assert check(form, {"contact_date": "2025-11-28", "mode": "phone"}, lang="km").errors == {
        "contact_date": "កាលបរិច្ឆេទមិនសមហេតុផល៖ លើសពីមួយឆ្នាំមុន"
    }


@pytest.mark.parametrize("form", [FORMS["case_plan"], SECTIONS["section_case_plan"]], ids=lambda f: f.key)
def test_a_plan_date_lies_within_five_years_ahead_and_one_back(form: Form) -> None:
    base = {"health_goal": "Synthetic goal", "family_communication_plan": "Synthetic"}
    assert check(form, {**base, "health_due_on": "2031-11-29"}).errors == {}
    assert check(form, {**base, "health_due_on": "2031-11-30"}).errors == {
        "health_due_on": "Not a plausible date: more than 5 years from today"
    }
    assert check(form, {**base, "health_due_on": "2031-11-30"}, lang="km").errors == {
        "health_due_on": "កាលបរិច្ឆេទមិនសមហេតុផល៖ លើសពី 5 ឆ្នាំពីថ្ងៃនេះ"
    }
    assert "health_due_on" in check(form, {**base, "health_due_on": "1800-01-01"}).errors


def test_one_year_ahead_is_said_in_words(tmp_path: Path) -> None:
    form = load_form(write(tmp_path, [{"name": "day", "type": "date", "label": LABEL, "years_back": 0,
                                       "years_ahead": 1}]))  # fmt: skip
    assert check(form, {"day": "2027-11-30"}).errors == {"day": "Not a plausible date: more than a year from today"}
    assert check(form, {"day": "2026-11-28"}).errors == {"day": "Not a plausible date: more than 0 years ago"}


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [(dt.date(2024, 2, 29), -100, dt.date(1924, 2, 28)), (dt.date(2026, 11, 29), 5, dt.date(2031, 11, 29)),
     (dt.date(5, 1, 1), -100, dt.date.min), (dt.date(9990, 1, 1), 20, dt.date.max)],
)  # fmt: skip
def test_years_from_keeps_to_the_calendar(day: dt.date, years: int, expected: dt.date) -> None:
    assert years_from(day, years) == expected


# --- Dates in order ---------------------------------------------------------------------------------------


def test_first_contact_before_the_hand_over_is_refused_in_english_and_khmer() -> None:
    form, raw = FORMS["first_contact"], {"contact_date": "2026-11-20", "mode": "phone"}
    handed_over = {"reintegrated_on": "2026-11-21"}
    assert check(form, raw, context=handed_over).errors == {
        "contact_date": "The first contact cannot be before the hand-over (the day of reintegration)."
    }
    assert check(form, raw, lang="km", context=handed_over).errors == {
        "contact_date": "ទំនាក់ទំនងលើកដំបូងមិនអាចមុនការប្រគល់ (ថ្ងៃសមាហរណកម្ម) បានទេ។"
    }
    assert check(form, raw, context={"reintegrated_on": "2026-11-20"}).ok  # the same day is fine


@pytest.mark.parametrize("key", ["follow_up_visit", "renewed_contact", "tracing_attempt", "case_transfer"])
def test_follow_up_dates_are_not_before_the_hand_over(key: str) -> None:
    form = FORMS[key]
    [date_field] = [f.name for f in form.fields if f.type == "date"]
    errors = check(form, {date_field: "2026-11-01"}, context={"reintegrated_on": "2026-11-02"}).errors
    assert errors[date_field] == "This date cannot be before the hand-over (the day of reintegration)."


def test_left_home_before_birth_is_refused_against_the_case_file() -> None:
    form = FORMS["registration"]
    raw = {"left_home_on": "2001-01-01", "destination_country": "TH"}
    born = {"identity.date_of_birth": dt.date(2005, 3, 4)}
    assert check(form, raw, record=born).errors["left_home_on"] == (
        "The date left home cannot be before the date of birth."
    )
    assert "left_home_on" not in check(form, {**raw, "left_home_on": "2005-03-04"}, record=born).errors
    assert "left_home_on" not in check(form, raw).errors  # no date of birth on file: nothing to compare


def test_identified_before_leaving_home_is_refused_within_the_form() -> None:
    errors = check(SECTIONS["section_history"], {"left_home_on": "2020-05-01", "identified_on": "2020-04-30"}).errors
    assert errors == {"identified_on": "The date identified cannot be before the date left home."}


def test_a_date_of_birth_after_leaving_home_is_refused() -> None:
    form = SECTIONS["section_identity"]
    raw = {"given_name_latin": "T", "sex": "female", "date_of_birth": "2010-01-02"}
    errors = check(form, raw, lang="km", record={"history.left_home_on": dt.date(2010, 1, 1)}).errors
    assert errors == {"date_of_birth": "ថ្ងៃខែឆ្នាំកំណើតមិនអាចក្រោយកាលបរិច្ឆេទចាកចេញពីផ្ទះបានទេ (សូមមើលផ្នែកប្រវត្តិ)។"}


def test_a_value_typed_in_the_form_wins_over_the_case_file(tmp_path: Path) -> None:
    fields = [{"name": "born", "type": "date", "label": LABEL, "years_back": 100, "target": "identity.date_of_birth"},
              {"name": "left", "type": "date", "label": LABEL, "years_back": 100}]  # fmt: skip
    rules = [{"then": {"field": "left", "not_before": {"record": "identity.date_of_birth"}},
              "message": {"en": "Left before birth", "km": "ចាកចេញមុនកំណើត"}}]  # fmt: skip
    form = load_form(write(tmp_path, fields, rules))
    assert form.record_refs == {"identity.date_of_birth"}
    on_file = {"identity.date_of_birth": dt.date(1990, 1, 1)}
    assert check(form, {"born": "2000-01-01", "left": "1995-01-01"}, record=on_file).errors == {
        "left": "Left before birth"
    }


def test_consent_cannot_expire_before_it_was_given() -> None:
    form = RECORDS["consent_record"]
    errors = check(form, {"given_on": "2026-11-01", "expires_on": "2026-10-31"}).errors
    assert errors["expires_on"] == "A consent cannot expire before the day it was given."


_DATE = {"name": "day", "type": "date", "label": LABEL, "years_back": 1}
_OTHER = {"name": "other", "type": "date", "label": LABEL, "years_back": 1}
_TEXT = {"name": "note", "type": "text", "label": LABEL}
_MSG = {"en": "Out of order", "km": "មិនតាមលំដាប់"}
# fmt: off
BAD_RULES: dict[str, tuple[str, list[dict[str, object]], dict[str, object]]] = {
    "on a text field": ("needs a date field of this form", [_DATE, _TEXT],
                        {"then": {"field": "note", "not_before": {"field": "day"}}, "message": _MSG}),
    "against a text field": ("no other date field of this form", [_DATE, _TEXT],
                             {"then": {"field": "day", "not_before": {"field": "note"}}, "message": _MSG}),
    "against itself": ("no other date field of this form", [_DATE],
                       {"then": {"field": "day", "not_after": {"field": "day"}}, "message": _MSG}),
    "unknown kind of date": ("names one other date", [_DATE],
                             {"then": {"field": "day", "not_before": {"setting": "x"}}, "message": _MSG}),
    "two dates": ("names one other date", [_DATE, _OTHER],
                  {"then": {"field": "day", "not_before": {"field": "other", "variable": "x"}}, "message": _MSG}),
    "in when": ("belongs in then", [_DATE, _OTHER],
                {"when": [{"field": "day", "not_before": {"field": "other"}}],
                 "then": {"field": "day", "empty": False}, "message": _MSG}),
    "bad record": ("bad record 'identity.shoe_size'", [_DATE],
                   {"then": {"field": "day", "not_before": {"record": "identity.shoe_size"}}, "message": _MSG}),
    "empty when": ("when must be a non-empty list", [_DATE, _OTHER],
                   {"when": [], "then": {"field": "day", "not_before": {"field": "other"}}, "message": _MSG}),
}
# fmt: on


@pytest.mark.parametrize(("problem", "fields", "rule"), BAD_RULES.values(), ids=BAD_RULES.keys())
def test_a_malformed_date_rule_is_a_definition_error(
    tmp_path: Path, problem: str, fields: list[dict[str, object]], rule: dict[str, object]
) -> None:
    with pytest.raises(FormDefinitionError, match="rule #1") as caught:
        load_form(write(tmp_path, fields, [rule]))
    assert problem in str(caught.value)


# --- Countries --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [FORMS["registration"], SECTIONS["section_history"]], ids=lambda f: f.key)
def test_an_unknown_country_code_is_refused_in_english_and_khmer(form: Form) -> None:
    assert check(form, {"destination_country": "ZZ"}).errors == {
        "destination_country": "Not a known country code (ISO 3166, two letters): choose a country from the list"
    }
    assert check(form, {"destination_country": "THA"}, lang="km").errors == {
        "destination_country": "មិនមែនជាលេខកូដប្រទេសដែលស្គាល់ (ISO 3166 អក្សរពីរ)៖ សូមជ្រើសរើសប្រទេសពីបញ្ជី"
    }


def test_a_country_code_is_read_in_capitals() -> None:
    assert check(SECTIONS["section_history"], {"destination_country": "th"}).values == {"destination_country": "TH"}


def test_without_a_country_list_no_code_is_accepted() -> None:
    result = validate_submission(SECTIONS["section_history"], {"destination_country": "TH"}, lang="en", today=TODAY)
    assert set(result.errors) == {"destination_country"}


def test_countries_are_iso_3166_with_khmer_names() -> None:
    codes = country_codes()
    assert {"KH", "TH", "MY", "VN", "CN"} <= codes.keys()
    assert "ZZ" not in codes
    assert all(len(code) == 2 and code.isupper() for code in codes)
    assert country_name("TH", "en") == "Thailand"
    assert country_name("TH", "km") == "ថៃ"
    assert country_name("ZZ", "km") == "ZZ"
    khmer = dict(country_choices("km"))
    assert len(khmer) == len(codes)
    assert khmer["KH"] == "កម្ពុជា"
