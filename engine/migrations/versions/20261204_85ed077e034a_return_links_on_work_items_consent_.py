"""return links on work items, consent withdrawal reason

Revision ID: 85ed077e034a
Revises: c58a36030249
Create Date: 2026-12-04 21:20:22.453089
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "85ed077e034a"
down_revision: str | None = "c58a36030249"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawal_reason", engine.db.EncryptedText(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_consent_records_withdrawn_by_id_users"), "users", ["withdrawn_by_id"], ["id"]
        )

    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("return_record_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("earlier_record_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_work_items_earlier_record_id_case_records"),
            "case_records",
            ["earlier_record_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_work_items_return_record_id_case_records"),
            "case_records",
            ["return_record_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_work_items_return_record_id_case_records"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_work_items_earlier_record_id_case_records"), type_="foreignkey")
        batch_op.drop_column("earlier_record_id")
        batch_op.drop_column("return_record_id")

    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consent_records_withdrawn_by_id_users"), type_="foreignkey")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawal_reason")
