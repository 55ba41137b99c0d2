"""One active scheduler: a PostgreSQL advisory lock, or a lock file next to the SQLite database.

A standby scheduler polls ``try_acquire``; when the active one dies its lock goes with it (the database
ends its session; the kernel closes its file) and the standby takes over. The PostgreSQL lock is
session-level, on a dedicated connection outside any pool: a pooled connection returned to its pool
would keep the lock after the scheduler that took it had stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from engine.config import Settings
from engine.db import make_engine

log = logging.getLogger(__name__)
ADVISORY_KEY = 0x5245494E54454752  # "REINTEGR": the one key every Reintegra scheduler competes for


class Leadership(Protocol):
    """The right to run the jobs."""

    def try_acquire(self) -> bool: ...
    def still_held(self) -> bool: ...
    def release(self) -> None: ...


class FileLeadership:
    """An exclusive ``flock`` on a file: released by the kernel when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def still_held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class AdvisoryLeadership:
    """``pg_try_advisory_lock`` on a dedicated connection; losing the connection loses the lead."""

    def __init__(self, database_url: str, key: int = ADVISORY_KEY) -> None:
        # TCP keepalives notice a silently dead connection, so a half-open socket cannot keep two leaders.
        self._engine = make_engine(database_url, poolclass=NullPool, connect_args={
            "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3})  # fmt: skip
        self.key = key
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return self.still_held()
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}))
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def still_held(self) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.scalar(text("SELECT 1"))
            return True
        except Exception as exc:  # noqa: BLE001 - any failure means the session, and so the lock, is gone
            log.warning("scheduler lock connection lost (%s)", type(exc).__name__)
            self._drop()
            return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except Exception as exc:  # noqa: BLE001 - closing the session below releases it anyway
                log.warning("scheduler lock not released cleanly (%s)", type(exc).__name__)
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # the connection is already broken; nothing to clean up
                conn.close()
        self._engine.dispose()


def leadership_for(settings: Settings) -> Leadership:
    """The lock that fits the database: advisory on PostgreSQL, a file next to a SQLite database."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "postgresql":
        return AdvisoryLeadership(settings.database_url)
    database = url.database
    if database and database != ":memory:":
        return FileLeadership(Path(database).with_name(Path(database).name + ".scheduler-lock"))
    return FileLeadership(Path(settings.instance_path) / "scheduler.lock")
