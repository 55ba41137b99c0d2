"""training register: expiry, encrypted trainer, who recorded it and when

Revision ID: 7b3e91d2c4a8
Revises: 5a0d3c81e2b7
Create Date: 2026-12-05 09:00:00.000000
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "7b3e91d2c4a8"
down_revision: str | None = "5a0d3c81e2b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("trainer", engine.db.EncryptedText(), nullable=True))
        batch_op.add_column(sa.Column("recorded_at", engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
    # Nothing wrote this table before; a row that exists anyway has no known expiry, so it counts as expired
    # from the day after its completion: the register asks for it again rather than trusting it.
    bind = op.get_bind()
    for row_id, completed_on in bind.execute(sa.text("SELECT id, completed_on FROM training_records")).all():
        day = dt.date.fromisoformat(str(completed_on)[:10])
        bind.execute(sa.text("UPDATE training_records SET expires_on = :day WHERE id = :id"),
                     {"day": day + dt.timedelta(days=1), "id": row_id})  # fmt: skip
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.alter_column("expires_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_training_records_recorded_by_id_users"), "users", ["recorded_by_id"], ["id"]
        )
        batch_op.create_check_constraint(batch_op.f("ck_training_records_expires_after_completion"),
                                         "expires_on > completed_on")  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_training_records_expires_after_completion"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_training_records_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("recorded_at")
        batch_op.drop_column("trainer")
        batch_op.drop_column("expires_on")
