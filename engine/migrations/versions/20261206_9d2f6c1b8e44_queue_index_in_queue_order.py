"""the queue index in the queues' order, covering their filters and counts; a team's cases by status

Revision ID: 9d2f6c1b8e44
Revises: 3c9e4b7a1f20
Create Date: 2026-12-06 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d2f6c1b8e44"
down_revision: str | None = "3c9e4b7a1f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_work_items_queue", table_name="work_items")
    op.create_index(
        "ix_work_items_queue", "work_items",
        ["status", "team_id", sa.text("(due_at IS NULL)"), "due_at", "priority", "id", "role", "assignee_id",
         "form_key", "task_name"],
    )  # fmt: skip
    op.drop_index("ix_cases_team_id", table_name="cases")
    op.create_index("ix_cases_team_status", "cases", ["team_id", "status", "phase", "code"])


def downgrade() -> None:
    op.drop_index("ix_cases_team_status", table_name="cases")
    op.create_index("ix_cases_team_id", "cases", ["team_id"])
    op.drop_index("ix_work_items_queue", table_name="work_items")
    op.create_index("ix_work_items_queue", "work_items", ["status", "team_id", "assignee_id", "due_at"])
