"""merge notifications and security

Revision ID: c7d2e9f4a310
Revises: 410758371cbc, b6a1c0e5d201
Create Date: 2026-11-29 14:57:15.292884
"""

from collections.abc import Sequence

revision: str = "c7d2e9f4a310"
down_revision: str | None = ("410758371cbc", "b6a1c0e5d201")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
