"""Review queue: proposal_counts rollup kept by triggers, indexes for its sorts and windows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resolutionflow.models.proposal_counts import BACKFILL, trigger_ddl

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposal_counts",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("proposal_type", sa.String(length=30), nullable=False),
        sa.Column("problem_domain", sa.String(length=100), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_proposal_counts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id",
            "status",
            "proposal_type",
            "problem_domain",
            name=op.f("pk_proposal_counts"),
        ),
    )
    op.create_index(
        "ix_flow_proposals_account_status_confidence",
        "flow_proposals",
        ["account_id", "status", "confidence_score", "created_at"],
    )
    op.create_index(
        "ix_flow_proposals_account_status_sessions",
        "flow_proposals",
        ["account_id", "status", "supporting_session_count", "created_at"],
    )
    op.create_index(
        "ix_flow_proposals_account_status_reviewed",
        "flow_proposals",
        ["account_id", "status", "reviewed_at"],
    )
    op.create_index(
        "ix_flow_proposals_account_domain_created",
        "flow_proposals",
        ["account_id", "problem_domain", "created_at"],
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # No proposal may be written between the count and the triggers taking over.
        op.execute("LOCK TABLE flow_proposals IN SHARE ROW EXCLUSIVE MODE")
    op.execute(BACKFILL)
    for statement in trigger_ddl(dialect):
        op.execute(statement)


def downgrade() -> None:
    for statement in trigger_ddl(op.get_bind().dialect.name, drop=True):
        op.execute(statement)
    op.drop_index("ix_flow_proposals_account_domain_created", table_name="flow_proposals")
    op.drop_index("ix_flow_proposals_account_status_reviewed", table_name="flow_proposals")
    op.drop_index("ix_flow_proposals_account_status_sessions", table_name="flow_proposals")
    op.drop_index("ix_flow_proposals_account_status_confidence", table_name="flow_proposals")
    op.drop_table("proposal_counts")
