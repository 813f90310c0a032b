"""Flows get an owner and a review-by date (verification); sessions are found by their flow
for the per-node figures.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_DAYS = 180


def upgrade() -> None:
    with op.batch_alter_table("flows") as batch:
        batch.add_column(sa.Column("owner_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("review_by", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            "fk_flows_owner_id_users", "users", ["owner_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_flows_account_review_by", ["account_id", "review_by"])
    # Existing flows: the author owns them, and they count as verified when last published.
    flows = sa.table(
        "flows",
        sa.column("owner_id", sa.Uuid()),
        sa.column("author_id", sa.Uuid()),
        sa.column("verified_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.execute(flows.update().values(owner_id=flows.c.author_id, verified_at=flows.c.updated_at))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            f"UPDATE flows SET review_by = verified_at + interval '{REVIEW_DAYS} days' "
            "WHERE verified_at IS NOT NULL"
        )
    else:
        op.execute(
            f"UPDATE flows SET review_by = datetime(verified_at, '+{REVIEW_DAYS} days') "
            "WHERE verified_at IS NOT NULL"
        )
    op.create_index(
        "ix_sessions_flow_created",
        "sessions",
        ["matched_flow_id", "created_at"],
        postgresql_include=["status", "account_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_flow_created", table_name="sessions")
    with op.batch_alter_table("flows") as batch:
        batch.drop_index("ix_flows_account_review_by")
        batch.drop_constraint("fk_flows_owner_id_users", type_="foreignkey")
        batch.drop_column("review_by")
        batch.drop_column("verified_at")
        batch.drop_column("owner_id")
