"""The ``reintegra`` command: migrate, create users, seed demo data, serve, run the scheduler, check.

The composition root for operators: it reads the settings once, installs the keys and calls one
engine service per command.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engine.accounts.passwords import make_hasher
from engine.accounts.service import create_user
from engine.clock import system_clock
from engine.config import ConfigError, Settings
from engine.crypto import install_keyring, load_keyring, load_secret_key
from engine.db import make_engine, make_session_factory
from engine.errors import DomainError, InvalidInput
from engine.models.accounts import Role


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None


def _session(settings: Settings) -> Session:
    install_keyring(load_keyring(settings))
    return make_session_factory(make_engine(settings.database_url))()


def _now() -> dt.datetime:
    return system_clock()


@click.group()
def main() -> None:
    """Reintegra: case management for the reintegration and follow-up of trafficking survivors."""


from web import cli_security  # noqa: E402 - registered once the group exists

cli_security.register(main, _settings, _session)


@main.command()
def migrate() -> None:
    """Bring the database to the newest schema."""
    from engine.migrate import upgrade

    settings = _settings()
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    click.echo("database is at the newest schema")
    try:
        session = _session(settings)
    except ConfigError as exc:
        click.echo(f"names not indexed for search ({exc}); run `reintegra reindex` once the keys are set", err=True)
        return
    from engine.cases.search import reindex_names
    from engine.crypto import current_keyring
    from engine.security.rotation import encrypt_leftovers

    try:  # a migration holds no keys: what it could not do with them is done here
        encrypted = encrypt_leftovers(session=session, keyring=current_keyring())
        report = reindex_names(session=session, only_missing=True)
    finally:
        session.close()
    if encrypted:
        click.echo(f"encrypted {encrypted} values stored in clear before their columns were encrypted")
    if report.identities:
        click.echo(f"indexed the names of {report.identities} case files for search")


@main.command()
def reindex() -> None:
    """Rebuild the name search index (keyed hashes of name tokens) of every case file; safe to re-run."""
    from engine.cases.search import reindex_names

    session = _session(_settings())
    try:
        report = reindex_names(session=session)
    finally:
        session.close()
    click.echo(f"indexed the names of {report.identities} case files for search ({report.tokens} tokens)")


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--display-name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--team-id", type=int, default=None, help="Team of a caseworker or supervisor.")
@click.option("--organisation-id", type=int, default=None)
@click.option("--language", type=click.Choice(["en", "km"]), default="en")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(
    username: str, display_name: str, role: str, team_id: int | None, organisation_id: int | None,
    language: str, password_stdin: bool,
) -> None:  # fmt: skip
    """Create a user (the password is prompted for, never passed as an argument)."""
    settings = _settings()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    session = _session(settings)
    try:
        user_id = create_user(
            session=session, hasher=make_hasher(settings.password_hash_profile), now=_now(), username=username,
            display_name=display_name, password=password, role=Role(role), organisation_id=organisation_id,
            team_id=team_id, language=language,
        )  # fmt: skip
    except InvalidInput as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc} {details}") from None
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        session.close()
    click.echo(f"created user {username} (id {user_id})")


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Fill an empty database with synthetic demo data and print the demo logins."""
    from engine.demo import DEMO_PASSWORD, seed_demo

    settings = _settings()
    if settings.is_production:
        raise click.ClickException("demo data is never seeded in production")
    session = _session(settings)
    try:
        from engine.workflow.service import load_runtime

        logins = seed_demo(session=session, hasher=make_hasher(settings.password_hash_profile), now=_now(),
                           runtime=load_runtime(), code_prefix=settings.case_code_prefix)  # fmt: skip
    finally:
        session.close()
    if logins is None:
        click.echo("the database already has users; demo data not seeded")
    else:
        click.echo(f"seeded demo data: {len(logins)} users")
    print_demo_logins(DEMO_PASSWORD)


def print_demo_logins(password: str) -> None:
    """Print the demo accounts (same on every seeded database)."""
    from engine.demo import DEMO_USERS

    click.echo("")
    click.echo(f"Demo logins (password for all: {password}):")
    for username, role, team in DEMO_USERS:
        click.echo(f"  {username:<16} {role.value:<14} {team or ''}")
    click.echo("")


@main.command()
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")), show_default="5000")
@click.option("--server", type=click.Choice(["auto", "werkzeug", "gunicorn"]), default="auto",
              help="auto: gunicorn in production, the threaded development server otherwise.")  # fmt: skip
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn workers.")
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=False, show_default=True,
              help="Also run the scheduler in this process (development server only; `make run` does).")  # fmt: skip
def serve(host: str, port: int, server: str, workers: int, with_scheduler: bool) -> None:
    """Serve the web app."""
    settings = _settings()
    if server == "auto":
        server = "gunicorn" if settings.is_production else "werkzeug"
    if with_scheduler and server == "gunicorn":
        raise click.ClickException("with gunicorn, run the scheduler as its own process: `reintegra scheduler`")
    if server == "gunicorn":
        gunicorn = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
        # Fixed arguments, no shell: replace this process by gunicorn serving the WSGI app.
        argv = [gunicorn, "--bind", f"{host}:{port}", "--workers", str(workers), "web.wsgi:app"]
        os.execv(gunicorn, argv)  # noqa: S606
    from web import create_app

    app = create_app(settings)
    if with_scheduler:
        from notifications.jobs import build_context
        from notifications.leader import leadership_for
        from notifications.scheduler import SchedulerRunner, start_in_thread

        # The lock keeps this to one scheduler even if `reintegra scheduler` runs as well.
        start_in_thread(SchedulerRunner(build_context(settings), leadership_for(settings)))
        click.echo("scheduler: running in this process (it stands by if another scheduler is active)")
    click.echo(f"Reintegra on http://{host}:{port}/  (Ctrl+C to stop)")
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)


@main.command()
@click.option(
    "--once", is_flag=True, help="Run every job once now and exit (refused while another scheduler is active)."
)
def scheduler(once: bool) -> None:
    """Run the scheduler: timers, reminders, digests, lost contact and the outbox (one active at a time)."""
    import logging
    import signal

    from notifications.jobs import JOBS, build_context, run_job
    from notifications.leader import leadership_for
    from notifications.scheduler import SchedulerRunner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    settings = _settings()
    context = build_context(settings)
    leadership = leadership_for(settings)
    if once:
        if not leadership.try_acquire():
            raise click.ClickException("another scheduler is active; it runs the jobs")
        try:
            errors = [f"{job.id}: {error}" for job in JOBS if (error := run_job(context, job))]
        finally:
            leadership.release()
        for line in errors:
            click.echo(f"failed: {line}", err=True)
        if errors:
            raise SystemExit(1)
        click.echo(f"ran {len(JOBS)} jobs once")
        return
    runner = SchedulerRunner(context, leadership)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: runner.stop())
    runner.run()


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Write a consistent copy of the database to TARGET (the app may keep serving). Keys are not in it."""
    from engine.backup import BackupError, backup, row_counts

    settings = _settings()
    try:
        backup(settings.database_url, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    total = sum(row_counts(settings.database_url).values())
    click.echo(f"backup written to {target} ({total} rows); keep the keys backed up separately")


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: the database is replaced by the backup.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database by the backup SOURCE, then verify the audit chain. Stop the app and scheduler first."""
    from engine import audit as audit_log
    from engine.backup import BackupError, restore, row_counts

    settings = _settings()
    if not yes:
        click.confirm(f"Replace the database at {make_url(settings.database_url).render_as_string()} by {source}?",
                      abort=True)  # fmt: skip
    try:
        restore(settings.database_url, source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    counts = row_counts(settings.database_url)
    session = _session(settings)
    try:
        result = audit_log.verify(session=session)
    finally:
        session.close()
    click.echo(json.dumps({"restored_from": str(source), "rows": counts, "audit_lines_verified": result.checked}))
    if not result.ok:
        raise click.ClickException(f"restored, but the audit log does not verify: {result.problem}")


@main.command()
def check() -> None:
    """Validate the configuration, the keys, the database schema and the workflow files."""
    from engine.migrate import pending

    problems: list[str] = []
    settings = _settings()
    click.echo(f"environment: {settings.env}")
    try:
        load_secret_key(settings)
        install_keyring(load_keyring(settings))
        click.echo("keys: ok")
    except ConfigError as exc:
        problems.append(f"keys: {exc}")
    try:
        if pending(settings.database_url):
            problems.append("database: not at the newest schema; run `reintegra migrate`")
        else:
            click.echo("database: at the newest schema")
    except Exception as exc:  # noqa: BLE001 - any driver error is reported, not raised
        problems.append(f"database: cannot connect ({type(exc).__name__})")
    from engine.workflow.check import check_workflows

    workflow_problems = check_workflows()
    if workflow_problems:
        problems += [f"workflows: {p}" for p in workflow_problems]
    else:
        click.echo("workflows: every diagram, decision table, form and the phase chain are valid")
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("all checks passed")
