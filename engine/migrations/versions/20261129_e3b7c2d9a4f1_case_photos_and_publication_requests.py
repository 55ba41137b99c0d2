"""case photos and publication requests (Article 49)

Revision ID: e3b7c2d9a4f1
Revises: c7d2e9f4a310
Create Date: 2026-11-29 16:19:05.034579
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "e3b7c2d9a4f1"
down_revision: str | None = "c7d2e9f4a310"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("data", engine.db.EncryptedText(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_photos_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consent_records.id"], name=op.f("fk_case_photos_consent_id_consent_records")
        ),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name=op.f("fk_case_photos_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_photos")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_photos_case_id")),
    )
    op.create_table(
        "publication_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("purpose", engine.db.EncryptedText(), nullable=False),
        sa.Column("field_groups", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", engine.db.EncryptedText(), nullable=True),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name=op.f("ck_publication_requests_decided_has_decided_at")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused')", name=op.f("ck_publication_requests_status_known")
        ),
        sa.CheckConstraint("length(field_groups) > 0", name=op.f("ck_publication_requests_names_groups")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_publication_requests_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consent_records.id"], name=op.f("fk_publication_requests_consent_id_consent_records")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_publication_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_publication_requests_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_requests")),
    )
    with op.batch_alter_table("publication_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publication_requests_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("publication_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_requests_case_id"))

    op.drop_table("publication_requests")
    op.drop_table("case_photos")
