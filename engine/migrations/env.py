"""Alembic environment: the URL comes from the caller's config or from ``REINTEGRA_DATABASE_URL``."""

from __future__ import annotations

from alembic import context

from engine.config import Settings
from engine.db import make_engine
from engine.models import Base

config = context.config
url = config.attributes.get("database_url") or Settings.from_env().database_url
connection = config.attributes.get("connection")


def _run(conn: object) -> None:
    context.configure(
        connection=conn,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif connection is not None:
    _run(connection)
else:
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
