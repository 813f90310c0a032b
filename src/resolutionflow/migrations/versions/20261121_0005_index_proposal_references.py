"""Index the columns that point at proposals, so deleting a proposal finds its referrers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 07:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sessions_proposal_id", "sessions", ["proposal_id"])
    op.create_index("ix_flow_versions_proposal_id", "flow_versions", ["proposal_id"])


def downgrade() -> None:
    op.drop_index("ix_flow_versions_proposal_id", table_name="flow_versions")
    op.drop_index("ix_sessions_proposal_id", table_name="sessions")
