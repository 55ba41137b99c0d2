"""account administration: forced password change, deactivation time, session epoch

Revision ID: 5a0d3c81e2b7
Revises: d41f0a7c9e21
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "5a0d3c81e2b7"
down_revision: str | None = "d41f0a7c9e21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("deactivated_at", engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("must_change_password")
