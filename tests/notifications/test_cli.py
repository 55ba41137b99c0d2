"""`reintegra scheduler --once` runs every job against a fresh database, and refuses while another
scheduler is active; `serve --scheduler` runs only beside the development server."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from engine.crypto import install_keyring
from notifications.leader import FileLeadership
from web.cli import main


@pytest.fixture
def run(tmp_path, keyring):
    env = {
        "REINTEGRA_INSTANCE_PATH": str(tmp_path / "instance"),
        "REINTEGRA_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "REINTEGRA_PASSWORD_HASH_PROFILE": "fast",
        "REINTEGRA_ENV": "development",
    }

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), env=env)

    yield invoke
    install_keyring(keyring)  # the commands install the instance's own key ring


def test_scheduler_once_runs_every_job_and_records_it(run, tmp_path):
    assert run("migrate").exit_code == 0
    result = run("scheduler", "--once")
    assert result.exit_code == 0, result.output
    assert "ran 8 jobs once" in result.output
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        outcomes = conn.execute("select job_id, last_outcome from scheduler_jobs order by job_id").fetchall()
    assert len(outcomes) == 8
    assert {outcome for _job, outcome in outcomes} == {"ok"}


def test_scheduler_once_refuses_while_another_scheduler_is_active(run, tmp_path):
    run("migrate")
    active = FileLeadership(tmp_path / "cli.sqlite.scheduler-lock")
    assert active.try_acquire()
    try:
        result = run("scheduler", "--once")
    finally:
        active.release()
    assert result.exit_code == 1
    assert "another scheduler is active" in result.output


def test_the_scheduler_runs_in_the_web_process_only_with_the_development_server(run):
    result = run("serve", "--server", "gunicorn", "--scheduler")
    assert result.exit_code == 1
    assert "run the scheduler as its own process" in result.output
