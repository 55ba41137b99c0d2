"""``reintegra backup`` and ``reintegra restore``: a restored database has every row of the backup and its
audit chain verifies; bad input is refused with a clear message and changes nothing."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine.backup import BackupError, backup, restore, row_counts
from engine.crypto import install_keyring
from web.cli import main


@pytest.fixture
def run(tmp_path, keyring):
    env = {
        "REINTEGRA_INSTANCE_PATH": str(tmp_path / "instance"),
        "REINTEGRA_DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite'}",
        "REINTEGRA_PASSWORD_HASH_PROFILE": "fast",
        "REINTEGRA_ENV": "development",
    }

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), env=env, input=input)

    yield invoke
    install_keyring(keyring)


def test_backup_then_restore_brings_back_every_row_and_the_chain_verifies(run, tmp_path):
    run("migrate")
    run("seed-demo")
    target = tmp_path / "backups" / "monday.sqlite"
    made = run("backup", str(target))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    before = row_counts(f"sqlite:///{tmp_path / 'live.sqlite'}")
    with sqlite3.connect(tmp_path / "live.sqlite") as conn:  # a bad day: rows lost after the backup
        conn.execute("DELETE FROM notice_deliveries")
        conn.execute("DELETE FROM notices")
    assert row_counts(f"sqlite:///{tmp_path / 'live.sqlite'}") != before
    restored = run("restore", str(target), "--yes")
    assert restored.exit_code == 0, restored.output
    report = json.loads(restored.output)
    assert report["rows"] == before
    assert report["rows"]["cases"] == 36
    assert report["audit_lines_verified"] > 0
    assert run("audit", "verify").exit_code == 0


def test_restore_asks_first_and_a_no_changes_nothing(run, tmp_path):
    run("migrate")
    run("seed-demo")
    target = tmp_path / "b.sqlite"
    run("backup", str(target))
    with sqlite3.connect(tmp_path / "live.sqlite") as conn:
        conn.execute("DELETE FROM notice_deliveries")
    refused = run("restore", str(target), input="n\n")
    assert refused.exit_code == 1
    with sqlite3.connect(tmp_path / "live.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM notice_deliveries").fetchone()[0] == 0


def test_a_backup_never_overwrites_a_file(run, tmp_path):
    run("migrate")
    target = tmp_path / "taken.sqlite"
    target.write_text("something precious")
    result = run("backup", str(target))
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert target.read_text() == "something precious"


def test_restoring_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(run, tmp_path):
    run("migrate")
    run("seed-demo")
    before = row_counts(f"sqlite:///{tmp_path / 'live.sqlite'}")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    result = run("restore", str(junk), "--yes")
    assert result.exit_code == 1
    assert "is not a SQLite backup" in result.output
    assert row_counts(f"sqlite:///{tmp_path / 'live.sqlite'}") == before


def test_on_postgresql_backup_and_restore_round_trip(database_url, db_engine, session, factory, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_dump/pg_restore: run the suite with --database-url postgresql+psycopg://...")
    from engine.models.accounts import Role

    team = factory.team()
    factory.case(factory.user(Role.CASEWORKER, team))
    session.close()
    before = row_counts(database_url)
    target = tmp_path / "pg.dump"
    backup(database_url, target)
    with db_engine.begin() as conn:
        conn.execute(text("DELETE FROM case_events"))
    restore(database_url, target)
    assert row_counts(database_url) == before
    with pytest.raises(BackupError, match="exists already"):
        backup(database_url, target)


def test_restoring_a_missing_file_is_refused(tmp_path):
    with pytest.raises(BackupError, match="is not a backup file"):
        restore(f"sqlite:///{tmp_path / 'x.sqlite'}", tmp_path / "nowhere.dump")
