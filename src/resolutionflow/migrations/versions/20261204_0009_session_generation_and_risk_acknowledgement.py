"""Sign-ins can be ended (a per-user generation in the session cookie), and a review records
the risky commands the reviewer acknowledged.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0009"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("flow_proposals") as batch:
        batch.add_column(sa.Column("risk_acknowledgement", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flow_proposals") as batch:
        batch.drop_column("risk_acknowledgement")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
