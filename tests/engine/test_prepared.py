"""On PostgreSQL the statements psycopg prepares outlive the rollback that ends every request (``engine.db``:
psycopg forgot them at each rollback, so none was ever prepared), and a statement that drops or alters a
table still discards them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import ProgrammingError

QUERY = text("SELECT count(*) FROM users WHERE id = :id")


@pytest.fixture
def connection(db_engine: Engine) -> Iterator[Connection]:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
    with db_engine.connect() as conn:
        yield conn


def _prepared(conn: Connection) -> list[str]:
    return list(conn.execute(text("SELECT statement FROM pg_prepared_statements")).scalars())


def _each_in_its_own_transaction(conn: Connection, times: int) -> None:
    for n in range(times):
        conn.execute(QUERY, {"id": n})
        conn.rollback()  # as a request that only reads ends


def test_a_statement_run_in_request_after_request_is_prepared_once_and_kept(connection: Connection) -> None:
    _each_in_its_own_transaction(connection, 6)
    assert [s for s in _prepared(connection) if "FROM users WHERE id" in s], "psycopg prepares it on the 6th run"
    connection.rollback()
    assert [s for s in _prepared(connection) if "FROM users WHERE id" in s], "a rollback keeps it"
    _each_in_its_own_transaction(connection, 3)  # and it still runs, prepared
    connection.rollback()


def test_a_failed_statement_and_its_rollback_leave_the_prepared_ones_usable(connection: Connection) -> None:
    _each_in_its_own_transaction(connection, 6)
    with pytest.raises(ProgrammingError, match="no_such_table"):
        connection.execute(text("SELECT * FROM no_such_table"))
    connection.rollback()
    assert connection.execute(QUERY, {"id": 1}).scalar_one() == 0
    connection.rollback()


def test_dropping_a_table_discards_the_prepared_statements(connection: Connection) -> None:
    _each_in_its_own_transaction(connection, 6)
    assert _prepared(connection)
    connection.execute(text("CREATE TEMPORARY TABLE scratch (n integer)"))
    connection.execute(text("DROP TABLE scratch"))
    assert _prepared(connection) == [], "DROP clears them, as psycopg does"
    connection.rollback()
