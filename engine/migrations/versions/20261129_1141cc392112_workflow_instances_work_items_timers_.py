"""workflow instances, work items, timers, case records

Revision ID: 1141cc392112
Revises: c422fc1fa541
Create Date: 2026-11-29 13:35:33.623280
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "1141cc392112"
down_revision: str | None = "c422fc1fa541"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workflow_specs",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("process_id", sa.String(length=60), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("deployed_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_workflow_specs")),
    )
    with op.batch_alter_table("workflow_specs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workflow_specs_process_id"), ["process_id"], unique=False)

    op.create_table(
        "case_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=60), nullable=False),
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("data", engine.db.EncryptedText(), nullable=False),
        sa.Column("recorded_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_records_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_case_records_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_records")),
    )
    with op.batch_alter_table("case_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_records_case_id"), ["case_id"], unique=False)

    op.create_table(
        "workflow_instances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=60), nullable=False),
        sa.Column("spec_key", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "completed",
                "cancelled",
                name="instance_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("outcome", sa.String(length=60), nullable=True),
        sa.Column("next_process", sa.String(length=60), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("started_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("rev >= 1", name=op.f("ck_workflow_instances_rev_positive")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_workflow_instances_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["workflow_instances.id"],
            name=op.f("fk_workflow_instances_previous_id_workflow_instances"),
        ),
        sa.ForeignKeyConstraint(
            ["spec_key"], ["workflow_specs.key"], name=op.f("fk_workflow_instances_spec_key_workflow_specs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_instances")),
    )
    with op.batch_alter_table("workflow_instances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workflow_instances_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_workflow_instances_case_running", ["case_id", "status"], unique=False)

    op.create_table(
        "work_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("task_name", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("form_key", sa.String(length=60), nullable=False),
        sa.Column("process_id", sa.String(length=60), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "caseworker",
                "supervisor",
                "administrator",
                "dosvy_officer",
                "reporting",
                name="work_item_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "completed",
                "cancelled",
                name="work_item_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("due_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("follow_up_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("draft", sa.Text(), nullable=True),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name=op.f("ck_work_items_priority_range")),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_work_items_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_work_items_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["claimed_by_id"], ["users.id"], name=op.f("fk_work_items_claimed_by_id_users")),
        sa.ForeignKeyConstraint(["completed_by_id"], ["users.id"], name=op.f("fk_work_items_completed_by_id_users")),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["workflow_instances.id"],
            name=op.f("fk_work_items_instance_id_workflow_instances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_work_items_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_items")),
    )
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_items_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_items_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_items_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index("ix_work_items_queue", ["status", "team_id", "assignee_id", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_items_team_id"), ["team_id"], unique=False)

    op.create_table(
        "workflow_timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("due_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_workflow_timers_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["workflow_instances.id"],
            name=op.f("fk_workflow_timers_instance_id_workflow_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_timers")),
    )
    with op.batch_alter_table("workflow_timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workflow_timers_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workflow_timers_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_workflow_timers_instance_id"), ["instance_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workflow_timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_timers_instance_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_timers_due_at"))
        batch_op.drop_index(batch_op.f("ix_workflow_timers_case_id"))

    op.drop_table("workflow_timers")
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_items_team_id"))
        batch_op.drop_index("ix_work_items_queue")
        batch_op.drop_index(batch_op.f("ix_work_items_instance_id"))
        batch_op.drop_index(batch_op.f("ix_work_items_due_at"))
        batch_op.drop_index(batch_op.f("ix_work_items_case_id"))
        batch_op.drop_index(batch_op.f("ix_work_items_assignee_id"))

    op.drop_table("work_items")
    with op.batch_alter_table("workflow_instances", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_instances_case_running")
        batch_op.drop_index(batch_op.f("ix_workflow_instances_case_id"))

    op.drop_table("workflow_instances")
    with op.batch_alter_table("case_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_records_case_id"))

    op.drop_table("case_records")
    with op.batch_alter_table("workflow_specs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_specs_process_id"))

    op.drop_table("workflow_specs")
