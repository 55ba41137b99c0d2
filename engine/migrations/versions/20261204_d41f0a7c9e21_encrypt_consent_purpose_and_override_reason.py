"""encrypt consent purpose and transfer override reason

The columns become encrypted text. A migration holds no keys, so the values already stored stay as
they were here; ``reintegra migrate`` then encrypts them (``engine.security.rotation.encrypt_leftovers``).

Revision ID: d41f0a7c9e21
Revises: 85ed077e034a
Create Date: 2026-12-04 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "d41f0a7c9e21"
down_revision: str | None = "85ed077e034a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.alter_column("purpose", existing_type=sa.String(length=200), type_=engine.db.EncryptedText(),
                              existing_nullable=True)  # fmt: skip
    with op.batch_alter_table("case_transfers", schema=None) as batch_op:
        batch_op.alter_column("override_reason", existing_type=sa.Text(), type_=engine.db.EncryptedText(),
                              existing_nullable=True)  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("case_transfers", schema=None) as batch_op:
        batch_op.alter_column("override_reason", existing_type=engine.db.EncryptedText(), type_=sa.Text(),
                              existing_nullable=True)  # fmt: skip
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.alter_column("purpose", existing_type=engine.db.EncryptedText(), type_=sa.String(length=200),
                              existing_nullable=True)  # fmt: skip
