"""transaction(): one commit per use case, nesting, rollback, and SQLite's fresh write transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.db import transaction
from engine.models.accounts import Organisation, OrganisationKind


def _org(name: str) -> Organisation:
    return Organisation(name=name, kind=OrganisationKind.GOVERNMENT_SHELTER, province_code="12")


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Organisation))


def test_nested_transactions_commit_once_at_the_outermost_block(session, db_engine):
    with transaction(session):
        session.add(_org("Outer shelter"))
        with transaction(session):
            session.add(_org("Inner shelter"))
        with db_engine.connect() as other:
            assert other.scalar(select(func.count()).select_from(Organisation)) == 0
    assert _count(session) == 2


def _fail_half_way(session) -> None:
    with transaction(session):
        session.add(_org("Half-written shelter"))
        session.flush()
        raise RuntimeError("boom")


def test_an_exception_rolls_back_everything_of_the_use_case(session):
    with pytest.raises(RuntimeError):
        _fail_half_way(session)
    assert _count(session) == 0


def test_changes_flushed_before_a_use_case_are_kept_not_discarded(session):
    session.add(_org("Flushed shelter"))
    session.flush()
    with transaction(session):
        session.add(_org("Use-case shelter"))
    session.rollback()
    assert _count(session) == 2


def test_a_use_case_after_a_read_sees_other_writers(session, db_engine):
    assert _count(session) == 0  # opens a read transaction (a snapshot on SQLite)
    with db_engine.begin() as other:
        other.execute(Organisation.__table__.insert().values(name="Other writer", kind="government_shelter",
                                                             province_code="12", active=True))  # fmt: skip
    with transaction(session):
        session.add(_org("After the read"))
    assert _count(session) == 2
