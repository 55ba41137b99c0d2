"""Alembic migrations of the whole schema (run through ``reintegra migrate`` or ``engine.migrate``)."""
