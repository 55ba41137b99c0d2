"""Implausible dates and unknown countries are refused by the engine's use cases (issue 13 item 8):
admission and case-file sections against what is on file; each refusal writes nothing and speaks the
user's language. Workflow steps: tests/workflows/test_step_dates.py."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.cases.sections import parse_admission, read_section, update_section
from engine.errors import InvalidInput
from engine.models.accounts import Role
from engine.models.cases import History, Identity
from tests.conftest import NOW

LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def worker(factory):
    return factory.user(Role.CASEWORKER, factory.team())


@pytest.fixture
def case(factory, worker):
    return factory.case(worker, date_of_birth=dt.date(2005, 3, 4))


def save(session, worker, case, key, lang="en", **raw):
    token = read_section(session=session, actor=worker, code=case.code, key=key).token
    return update_section(session=session, actor=worker, now=LATER, code=case.code, key=key, raw=raw, token=token,
                          lang=lang)  # fmt: skip


def history(session, case):
    session.rollback()
    return session.scalar(select(History).where(History.case_id == case.id))


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "Not a plausible date: more than 100 years ago"), ("km", "កាលបរិច្ឆេទមិនសមហេតុផល៖ លើសពី 100 ឆ្នាំមុន")],
)
def test_admission_refuses_a_birth_in_1800(lang, message):
    with pytest.raises(InvalidInput) as refused:
        parse_admission(raw={"given_name_latin": "Testperson", "sex": "female", "date_of_birth": "1800-01-01"},
                        lang=lang, now=NOW)  # fmt: skip
    assert refused.value.fields == {"date_of_birth": message}


def test_a_history_saying_she_left_home_before_birth_is_refused_and_writes_nothing(session, worker, case):
    with pytest.raises(InvalidInput) as refused:
        save(session, worker, case, "history", left_home_on="2004-12-31", narrative="Synthetic narrative")
    assert refused.value.fields == {"left_home_on": "The date left home cannot be before the date of birth."}
    row = history(session, case)
    assert row is None or row.narrative is None


def test_leaving_home_on_the_day_of_birth_or_later_is_saved(session, worker, case):
    save(session, worker, case, "history", left_home_on="2005-03-04", identified_on="2020-01-01")
    assert history(session, case).left_home_on == dt.date(2005, 3, 4)


def test_a_history_dated_1800_is_refused(session, worker, case):
    with pytest.raises(InvalidInput) as refused:
        save(session, worker, case, "history", lang="km", left_home_on="1800-06-01")
    assert refused.value.fields == {"left_home_on": "កាលបរិច្ឆេទមិនសមហេតុផល៖ លើសពី 100 ឆ្នាំមុន"}


def test_an_unknown_destination_country_is_refused(session, worker, case):
    with pytest.raises(InvalidInput) as refused:
        save(session, worker, case, "history", destination_country="ZZ", narrative="Synthetic narrative")
    assert refused.value.fields == {
        "destination_country": "Not a known country code (ISO 3166, two letters): choose a country from the list"
    }
    assert history(session, case) is None


def test_a_known_destination_country_is_saved_as_its_code(session, worker, case):
    save(session, worker, case, "history", destination_country="my")
    assert history(session, case).destination_country == "MY"


def test_the_date_of_birth_cannot_move_after_leaving_home(session, worker, case):
    save(session, worker, case, "history", left_home_on="2012-01-01")
    with pytest.raises(InvalidInput) as refused:
        save(session, worker, case, "identity", given_name_latin="Testperson", sex="female", date_of_birth="2013-01-01")
    assert set(refused.value.fields) == {"date_of_birth"}
    session.rollback()
    assert session.scalar(select(Identity.date_of_birth).where(Identity.case_id == case.id)) == dt.date(2005, 3, 4)


def test_a_plan_date_far_ahead_is_refused(session, worker, case):
    with pytest.raises(InvalidInput) as refused:
        save(
            session,
            worker,
            case,
            "case_plan",
            health_goal="Synthetic goal",
            health_due_on="2099-01-01",
            family_communication_plan="Synthetic plan",
        )
    assert refused.value.fields == {"health_due_on": "Not a plausible date: more than 5 years from today"}
