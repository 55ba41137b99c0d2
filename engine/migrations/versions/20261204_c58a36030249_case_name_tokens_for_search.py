"""case name tokens for search

Keyed hashes of the normalised tokens of survivors' names (``engine.names``). A migration has no
keys to decrypt the names with, so the table is filled by ``reintegra migrate`` right after it upgrades
(identities without tokens, when the keys are loaded) or by ``reintegra reindex``.

Revision ID: c58a36030249
Revises: e3b7c2d9a4f1
Create Date: 2026-12-04 21:18:09.106356
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c58a36030249"
down_revision: str | None = "e3b7c2d9a4f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_name_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_name_tokens_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["case_identities.id"],
            name=op.f("fk_case_name_tokens_identity_id_case_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_name_tokens")),
        sa.UniqueConstraint("identity_id", "token", name=op.f("uq_case_name_tokens_identity_id_token")),
    )
    with op.batch_alter_table("case_name_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_name_tokens_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_case_name_tokens_token_case", ["token", "case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_name_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_case_name_tokens_token_case")
        batch_op.drop_index(batch_op.f("ix_case_name_tokens_case_id"))

    op.drop_table("case_name_tokens")
