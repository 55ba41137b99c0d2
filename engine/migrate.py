"""Bring a database to the newest schema, and check that the models and migrations agree."""

from __future__ import annotations

import warnings
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config for ``database_url`` that needs no ini file."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Migrate ``database_url`` up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Migrate ``database_url`` down to ``revision``."""
    command.downgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models hold a change that no migration has (``alembic check``).

    SQLite cannot reflect an index on an expression (the queue index orders by ``due_at IS NULL``), so there
    Alembic leaves such an index out of the comparison and says so; PostgreSQL compares it too.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        command.check(alembic_config(database_url))


def pending(database_url: str) -> bool:
    """True when ``database_url`` is not at the newest revision."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from engine.db import make_engine

    script = ScriptDirectory.from_config(alembic_config(database_url))
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    return current != set(script.get_heads())
