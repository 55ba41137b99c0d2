"""Demo data on an empty database: the same every time, and with the code prefix it is given."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from engine.accounts.passwords import make_hasher
from engine.demo import CASES, seed_demo
from engine.models.cases import Case
from engine.workflow.service import load_runtime
from tests.conftest import NOW, _wipe


def test_seed_is_deterministic_and_uses_the_code_prefix(session: Session, db_engine: Engine) -> None:
    hasher, runtime = make_hasher("fast"), load_runtime()
    seed_demo(session=session, hasher=hasher, now=NOW, runtime=runtime, code_prefix="DM")
    first = sorted(session.scalars(select(Case.code)))
    assert len(first) == CASES
    assert all(code.startswith("DM-") for code in first)
    session.close()
    _wipe(db_engine)
    assert session.scalar(select(func.count()).select_from(Case)) == 0
    seed_demo(session=session, hasher=hasher, now=NOW, runtime=runtime)
    again = sorted(session.scalars(select(Case.code)))
    assert [code.removeprefix("RG-") for code in again] == [code.removeprefix("DM-") for code in first]
