"""Database plumbing: engine and session factory, ``transaction()``, shared column types, metadata.

The only ``commit()`` in the code base lives in :func:`transaction`. SQLite gets WAL, foreign keys, a
busy timeout and real ``BEGIN``/``SAVEPOINT`` handling; PostgreSQL is used through psycopg 3, whose prepared
statements are kept across the rollback that ends each request (``_psycopg_connection_class``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, Enum, MetaData, String, Text, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from engine.crypto import current_keyring
from engine.errors import N_, ConcurrentChange

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model; its metadata carries the constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC instant on every backend; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class EncryptedText(TypeDecorator[str]):
    """Text encrypted at rest with the process key ring; cannot be filtered or sorted in SQL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current_keyring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current_keyring().decrypt(value)


class EncryptedDate(TypeDecorator[dt.date]):
    """A date encrypted at rest (stored as an encrypted ISO string)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: dt.date | None, dialect: Dialect) -> str | None:
        return None if value is None else current_keyring().encrypt(value.isoformat())

    def process_result_value(self, value: str | None, dialect: Dialect) -> dt.date | None:
        return None if value is None else dt.date.fromisoformat(current_keyring().decrypt(value))


def enum_column(cls: type[enum.Enum], name: str, length: int = 32) -> Enum:
    """An enum stored as its value (not the member name), checked by a named constraint on every backend."""
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=length,
                values_callable=lambda e: [m.value for m in e])  # fmt: skip


def blind_index(value: str | None) -> str | None:
    """Keyed hash for exact lookup of an encrypted value (``None`` stays ``None``)."""
    return None if value is None or not value.strip() else current_keyring().blind_index(value)


BlindIndex = String(64)
__all__ = ["Base", "BlindIndex", "Date", "EncryptedDate", "EncryptedText", "UTCDateTime"]


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and working transactions and savepoints."""
    if database_url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(database_url, **kwargs)
        _create_private(engine.url.database)
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(database_url, **kwargs)
    if engine.dialect.driver == "psycopg":
        event.listen(engine, "do_connect", _connect_keeping_prepared)
    return engine


def _connect_keeping_prepared(_dialect: Dialect, _record: Any, cargs: Any, cparams: Any) -> Any:
    return _psycopg_connection_class().connect(*cargs, **cparams)


@functools.cache
def _psycopg_connection_class() -> Any:
    """psycopg's connection, except that a rollback keeps the statements it prepared.

    psycopg prepares a statement on the server once the connection has run it five times, but forgets
    every prepared statement (and the counts) at each ``rollback()``, in case the transaction dropped what
    one refers to. Every request here ends in a rollback (a page that only reads, and the pool's reset when
    the session gives the connection back), so no statement was ever prepared, and each one was parsed and
    planned anew: a step completed 9-13 % faster with them kept (BENCHMARKS.md). Nothing a request or the
    scheduler runs creates or drops tables (migrations run in their own process); a statement that does
    (``DROP``, ``ALTER``, ``DISCARD ALL``) still clears them, as psycopg does; ``tests/engine/test_prepared.py``
    checks both on PostgreSQL."""
    import psycopg  # PostgreSQL only
    from psycopg.pq import TransactionStatus

    class KeepPrepared(psycopg.Connection[Any]):
        def _rollback_gen(self) -> Any:  # psycopg 3.3's, minus ``self._prepared.clear()``
            if self._num_transactions or self._tpc:
                return (yield from super()._rollback_gen())  # psycopg's own refusals
            if self._pipeline:
                yield from self._pipeline._sync_gen()
            if self.pgconn.transaction_status == TransactionStatus.IDLE:
                return None
            yield from self._exec_command(b"ROLLBACK")
            yield from self._prepared.maintain_gen(self)  # what psycopg had queued to deallocate, if anything
            if self._pipeline:
                yield from self._pipeline._sync_gen()
            return None

    return KeepPrepared


def _create_private(path: str | None) -> None:
    """Create a new SQLite file readable by its owner only (0600, like the keys); SQLite gives its WAL and
    shared-memory files the same mode. An existing file keeps the mode its operator chose."""
    if path in (None, "", ":memory:") or path.startswith("file:"):
        return
    file = Path(path)
    if not file.exists() and file.parent.is_dir():
        with contextlib.suppress(FileExistsError):  # another process created it meanwhile
            os.close(os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _tune_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT and transactional DDL;
    # SQLAlchemy's documented recipe: switch it off and emit BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(_SQLITE_BEGIN, '')}".strip())


_SQLITE_BEGIN = "reintegra_sqlite_begin"


def _begin_for_writing(session: Session) -> None:
    # SQLite (WAL) cannot upgrade a read snapshot that another writer has overtaken: the write fails at
    # once with "database is locked". So a use case starts with a fresh BEGIN IMMEDIATE (waiting up to
    # busy_timeout for the write lock) instead of writing inside an earlier read-only transaction.
    # A transaction that already holds changes (pending or flushed) is kept, as it would be on PostgreSQL.
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
            return
        session.commit()  # ends a read-only snapshot; nothing is written, loaded objects stay loaded
    session.connection(execution_options={_SQLITE_BEGIN: "IMMEDIATE"})


_WROTE = "reintegra_flushed"


@event.listens_for(Session, "after_flush")
def _mark_written(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_written(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (views render after the use case ends)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


_CONCURRENT_CHANGE = N_("Someone else changed this record in the meantime. Nothing was saved; reload and try again.")


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Run one use case: commit at the end of the outermost block, roll back on any exception.

    A stale optimistic revision becomes :class:`ConcurrentChange`, so the user is told that someone
    else changed the record and nothing of theirs was half-written. On SQLite the same race can show up
    earlier, as a write refused because the transaction's snapshot is stale (``SQLITE_BUSY_SNAPSHOT``:
    another connection committed after this one read); that is the same conflict and is reported the same.
    """
    depth = session.info.get("tx_depth", 0)
    if depth == 0:
        _begin_for_writing(session)
    session.info["tx_depth"] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except StaleDataError:
        if depth == 0:
            session.rollback()
        raise ConcurrentChange(_CONCURRENT_CHANGE) from None
    except OperationalError as exc:
        if depth == 0:
            session.rollback()
        if getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY_SNAPSHOT:
            raise ConcurrentChange(_CONCURRENT_CHANGE) from None
        raise
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info["tx_depth"] = depth
