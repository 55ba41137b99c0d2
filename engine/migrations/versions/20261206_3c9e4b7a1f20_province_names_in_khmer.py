"""province names in Khmer

Revision ID: 3c9e4b7a1f20
Revises: 7b3e91d2c4a8
Create Date: 2026-12-06 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.accounts.provinces import KHMER_NAMES

revision: str = "3c9e4b7a1f20"
down_revision: str | None = "7b3e91d2c4a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

provinces = sa.table("provinces", sa.column("code", sa.String), sa.column("name_km", sa.String))


def upgrade() -> None:
    for code, name in KHMER_NAMES.items():
        op.execute(provinces.update().where(provinces.c.code == code).values(name_km=name))


def downgrade() -> None:
    op.execute(provinces.update().values(name_km=None))
