"""A new SQLite database is readable by its owner only, like the keys: the file, its WAL and its
shared memory are 0600 whatever the umask allows."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from engine import migrate
from engine.db import make_engine


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        file = tmp_path / "reintegra.sqlite"
        engine = make_engine(f"sqlite:///{file}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            wal = tmp_path / "reintegra.sqlite-wal"
            assert wal.exists()
            assert _mode(wal) == 0o600
        assert _mode(file) == 0o600
        engine.dispose()
    finally:
        os.umask(old)


def test_migrating_a_new_database_creates_it_owner_only(tmp_path: Path, keyring: object) -> None:
    file = tmp_path / "instance" / "reintegra.sqlite"
    file.parent.mkdir()
    migrate.upgrade(f"sqlite:///{file}")
    assert _mode(file) == 0o600


def test_an_existing_database_keeps_the_mode_its_operator_chose(tmp_path: Path) -> None:
    file = tmp_path / "shared.sqlite"
    file.touch(mode=0o640)
    file.chmod(0o640)
    engine = make_engine(f"sqlite:///{file}")
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    assert _mode(file) == 0o640
