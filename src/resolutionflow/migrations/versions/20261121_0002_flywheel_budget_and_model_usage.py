"""Flywheel and scripts: the daily proposal budget, per-day model token usage, proposal
summaries, and script requests kept with their sessions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 04:55:13.228812
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from resolutionflow.models.base import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.add_column(sa.Column("proposal_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            "fk_sessions_proposal_id_flow_proposals",
            "flow_proposals",
            ["proposal_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("flow_proposals") as batch_op:
        batch_op.add_column(
            sa.Column("supporting_summaries", JSON, nullable=False, server_default="[]")
        )
        batch_op.alter_column("supporting_summaries", server_default=None)
    op.create_table(
        "model_usage",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_model_usage_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "day", "provider", "model", name=op.f("pk_model_usage")
        ),
    )
    op.create_table(
        "proposal_budgets",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_proposal_budgets_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_proposal_budgets")),
    )

    op.create_table(
        "script_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("step_order", sa.Integer(), nullable=True),
        sa.Column("request_text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("template", sa.String(length=100), nullable=True),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("requires_confirmation", sa.Boolean(), nullable=False),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("parameters", JSON, nullable=False),
        sa.Column("risks", JSON, nullable=False),
        sa.Column("suggestions", JSON, nullable=False),
        sa.Column("problems", JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_script_requests_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_script_requests_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_script_requests_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_requests")),
    )
    with op.batch_alter_table("script_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_script_requests_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_script_requests_session_created", ["session_id", "created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("script_requests")
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.drop_constraint("fk_sessions_proposal_id_flow_proposals", type_="foreignkey")
        batch_op.drop_column("proposal_id")
    with op.batch_alter_table("flow_proposals") as batch_op:
        batch_op.drop_column("supporting_summaries")
    op.drop_table("proposal_budgets")
    op.drop_table("model_usage")
