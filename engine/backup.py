"""Backups of the whole database, and restoring one: SQLite through its online backup API (the app may
keep serving), PostgreSQL through ``pg_dump``/``pg_restore`` (custom format, one transaction).

A backup holds the case files encrypted as the database does; the keys are not in it, so keep the key
file (or the environment's keys) backed up separately: a backup without its keys cannot be read, which
is also what makes a stolen one useless. Backup files are created readable by their owner only.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from engine.db import Base, make_engine


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why (never a value from a case file)."""


def backup(database_url: str, target: Path) -> None:
    """Write a consistent copy of the database at ``database_url`` to ``target`` (which must not exist)."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    url = make_url(database_url)
    try:
        if url.get_backend_name() == "sqlite":
            with _sqlite(url.database) as source, sqlite3.connect(target) as copy:
                source.backup(copy)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), "--dbname", _libpq(database_url)])
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def restore(database_url: str, source: Path) -> None:
    """Replace the database at ``database_url`` by the backup ``source``; stop the app and the scheduler first."""
    if not source.is_file():
        raise BackupError(f"{source} is not a backup file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_file:
                if backup_file.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError(f"{source} is damaged (integrity check failed)")
                with _sqlite(url.database) as live:
                    backup_file.backup(live)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not a SQLite backup ({exc.__class__.__name__})") from None
        return
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
          "--dbname", _libpq(database_url), str(source)])  # fmt: skip


def row_counts(database_url: str) -> dict[str, int]:
    """Rows in every table: what a restore is checked against."""
    import engine.models  # noqa: F401  (every table on the metadata)

    db = make_engine(database_url)
    try:
        with db.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}
    finally:
        db.dispose()


def _sqlite(path: str | None) -> sqlite3.Connection:
    if not path or path == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return sqlite3.connect(path, timeout=30)


def _libpq(database_url: str) -> str:
    """The URL in the form the PostgreSQL tools read (without SQLAlchemy's driver name)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own arguments
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{command[0]} failed: {last}")
