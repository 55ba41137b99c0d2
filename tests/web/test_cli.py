"""The `reintegra` command, run in-process against a fresh SQLite database in a temporary folder."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from engine.crypto import install_keyring
from engine.demo import DEMO_PASSWORD, DEMO_USERS
from web.cli import main


@pytest.fixture
def run(tmp_path, keyring):
    env = {
        "REINTEGRA_INSTANCE_PATH": str(tmp_path / "instance"),
        "REINTEGRA_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "REINTEGRA_PASSWORD_HASH_PROFILE": "fast",
        "REINTEGRA_ENV": "development",
    }

    def invoke(*args: str, input: str | None = None, **extra: str):
        return CliRunner().invoke(main, list(args), env={**env, **extra}, input=input)

    yield invoke
    install_keyring(keyring)  # the commands install the instance's own key ring


def test_migrate_creates_the_schema(run, tmp_path):
    result = run("migrate")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        assert conn.execute("select count(*) from provinces").fetchone() == (25,)


def test_seed_demo_prints_every_login_and_is_safe_to_rerun(run, tmp_path):
    run("migrate")
    first = run("seed-demo")
    assert first.exit_code == 0, first.output
    assert "seeded demo data: 9 users" in first.output
    assert DEMO_PASSWORD in first.output
    for username, _role, _team in DEMO_USERS:
        assert username in first.output
    again = run("seed-demo")
    assert again.exit_code == 0
    assert "already has users" in again.output
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        assert conn.execute("select count(*) from users").fetchone() == (9,)


def test_seed_demo_refuses_production(run):
    result = run(
        "seed-demo", REINTEGRA_ENV="production", REINTEGRA_PASSWORD_HASH_PROFILE="default",
        REINTEGRA_SECRET_KEY="x" * 40,
        REINTEGRA_ENCRYPTION_KEYS="a2V5LWZvci10ZXN0cy1vbmx5LW5vdC1hLXNlY3JldCE=",
        REINTEGRA_INDEX_KEY="i" * 40,
    )  # fmt: skip
    assert result.exit_code != 0
    assert "never seeded in production" in result.output


def test_create_user_reads_the_password_from_stdin(run, tmp_path):
    run("migrate")
    result = run(
        "create-user", "--username", "admin.two", "--display-name", "Test Admin", "--role", "administrator",
        "--password-stdin", input="a-long-enough-passphrase\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created user admin.two" in result.output
    assert "a-long-enough-passphrase" not in result.output
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        stored = conn.execute("select password_hash from users where username = 'admin.two'").fetchone()[0]
    assert stored.startswith("$argon2id$")


def test_create_user_explains_a_weak_password(run):
    run("migrate")
    result = run(
        "create-user", "--username", "admin.three", "--display-name", "Test Admin", "--role", "administrator",
        "--password-stdin", input="short\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "password: The password must be at least 10 characters long." in result.output


def test_create_caseworker_without_team_is_refused(run):
    run("migrate")
    result = run(
        "create-user", "--username", "cw.lost", "--display-name", "Test CW", "--role", "caseworker",
        "--password-stdin", input="a-long-enough-passphrase\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "team_id" in result.output


def test_check_passes_on_a_migrated_database(run):
    run("migrate")
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "all checks passed" in result.output


def test_check_fails_before_migration(run):
    result = run("check")
    assert result.exit_code == 1
    assert "not at the newest schema" in result.output


def test_unknown_setting_is_a_clear_error(run):
    result = run("check", REINTEGRA_DATABSE_URL="sqlite://")
    assert result.exit_code == 1
    assert "unknown setting(s): REINTEGRA_DATABSE_URL" in result.output


def test_production_without_secret_key_refuses_to_start(run):
    result = run("check", REINTEGRA_ENV="production", REINTEGRA_PASSWORD_HASH_PROFILE="default")
    assert result.exit_code == 1
    assert "REINTEGRA_SECRET_KEY" in result.output


def test_audit_verify_passes_then_detects_tampering(run, tmp_path):
    run("migrate")
    run("seed-demo")
    ok = run("audit", "verify")
    assert ok.exit_code == 0, ok.output
    assert "audit log intact" in ok.output
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        conn.execute("UPDATE audit_events SET detail = 'edited' WHERE id = (SELECT MIN(id) FROM audit_events)")
    bad = run("audit", "verify")
    assert bad.exit_code == 1
    assert "tampered" in bad.output


def test_keys_new_then_rotate_re_encrypts_everything(run, tmp_path):
    run("migrate")
    run("seed-demo")
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        before = conn.execute("SELECT narrative FROM case_histories WHERE narrative IS NOT NULL LIMIT 1").fetchone()[0]
    assert run("keys", "new").exit_code == 0
    rotated = run("keys", "rotate")
    assert rotated.exit_code == 0, rotated.output
    assert '"rotated": 0' not in rotated.output
    again = run("keys", "rotate")
    assert '"rotated": 0' in again.output
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        after = conn.execute("SELECT narrative FROM case_histories WHERE narrative IS NOT NULL LIMIT 1").fetchone()[0]
    assert after != before
    check = run("check")
    assert check.exit_code == 0, check.output


def test_audit_anchor_then_verify_catches_the_newest_lines_deleted(run, tmp_path):
    run("migrate")
    run("seed-demo")
    anchors = tmp_path / "anchors.txt"
    marked = run("audit", "anchor", "--append", str(anchors))
    assert marked.exit_code == 0, marked.output
    assert anchors.read_text().strip() == marked.output.strip()
    assert run("audit", "verify", "--anchor-file", str(anchors)).exit_code == 0
    line_id = marked.output.strip().partition(":")[0]
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:  # cut the newest line, move the head back
        prev = conn.execute("SELECT prev_hash FROM audit_events WHERE id = ?", (int(line_id),)).fetchone()[0]
        conn.execute("DELETE FROM audit_events WHERE id = ?", (int(line_id),))
        conn.execute("UPDATE audit_head SET last_id = ?, last_hash = ?", (int(line_id) - 1, prev))
    assert run("audit", "verify").exit_code == 0  # invisible without the anchor
    bad = run("audit", "verify", "--anchor-file", str(anchors))
    assert bad.exit_code == 1
    assert "recorded by an anchor, was deleted" in bad.output
    assert run("audit", "verify", "--anchor", "nonsense").exit_code == 2


def test_keys_new_adds_an_audit_key_and_the_old_lines_still_verify(run, tmp_path):
    run("migrate")
    run("seed-demo")
    assert run("keys", "new").exit_code == 0
    keys = json.loads((tmp_path / "instance" / "keys.json").read_text())
    assert len(keys["audit_keys"]) >= 1
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        before = conn.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    created = run(
        "create-user", "--username", "admin.three", "--display-name", "Test Admin", "--role", "administrator",
        "--password-stdin", input="a-long-enough-passphrase\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:  # a line sealed by the new key after the old ones
        assert conn.execute("SELECT max(id) FROM audit_events").fetchone()[0] > before
    ok = run("audit", "verify")
    assert ok.exit_code == 0, ok.output


def test_reindex_rebuilds_the_name_search_index_and_migrate_fills_what_is_missing(run, tmp_path):
    run("migrate")
    run("seed-demo")
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        identities = conn.execute("SELECT count(*) FROM case_identities").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM case_name_tokens").fetchone()[0] > identities  # kept at seeding
        conn.execute("DELETE FROM case_name_tokens")
    migrated = run("migrate")
    assert migrated.exit_code == 0, migrated.output
    assert f"indexed the names of {identities} case files for search" in migrated.output
    assert "indexed the names" not in run("migrate").output  # nothing was missing any more
    rebuilt = run("reindex")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"indexed the names of {identities} case files for search" in rebuilt.output
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        tokens = [row[0] for row in conn.execute("SELECT token FROM case_name_tokens")]
    assert tokens
    assert all(len(t) == 64 and "Demo" not in t for t in tokens)
