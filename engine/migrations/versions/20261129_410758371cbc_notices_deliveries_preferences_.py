"""Notices (the outbox), their deliveries, notification preferences and scheduler status

Revision ID: 410758371cbc
Revises: 1141cc392112
Create Date: 2026-11-29 13:51:25.986418
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "410758371cbc"
down_revision: str | None = "1141cc392112"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_jobs",
        sa.Column("job_id", sa.String(length=60), nullable=False),
        sa.Column("last_started_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_outcome", sa.String(length=20), nullable=True),
        sa.Column("last_result", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_error_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_run_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_scheduler_jobs")),
    )
    op.create_table(
        "scheduler_nodes",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("started_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_nodes")),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("email_address", sa.String(length=254), nullable=True),
        sa.Column("chat", sa.Boolean(), nullable=False),
        sa.Column("chat_id", sa.String(length=120), nullable=True),
        sa.Column("daily_digest", sa.Boolean(), nullable=False),
        sa.Column("weekly_digest", sa.Boolean(), nullable=False),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("period", sa.String(length=60), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_notices_case_id_cases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("kind", "subject", "period", name="uq_notices_key"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_case_id"), ["case_id"], unique=False)

    op.create_table(
        "notice_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "inbox", "email", "chat", name="notice_channel", native_enum=False, create_constraint=True, length=16
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                "cancelled",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_notice_deliveries_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_deliveries_notice_id_notices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_notice_deliveries_recipient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_deliveries")),
        sa.UniqueConstraint("notice_id", "recipient_id", "channel", name="uq_notice_deliveries_target"),
    )
    with op.batch_alter_table("notice_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_notice_deliveries_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_notice_deliveries_inbox", ["recipient_id", "channel", "read_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_deliveries_notice_id"), ["notice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notice_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_deliveries_notice_id"))
        batch_op.drop_index("ix_notice_deliveries_inbox")
        batch_op.drop_index("ix_notice_deliveries_due")

    op.drop_table("notice_deliveries")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_case_id"))

    op.drop_table("notices")
    op.drop_table("notification_preferences")
    op.drop_table("scheduler_nodes")
    op.drop_table("scheduler_jobs")
