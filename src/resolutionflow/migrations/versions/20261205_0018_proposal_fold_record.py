"""A pending proposal keeps the tree it started with and the distinct routes folded into it
since, so its tree can be built again from them in one fixed order whatever order its
sessions arrived in.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("flow_proposals") as batch:
        batch.add_column(sa.Column("fold_record", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flow_proposals") as batch:
        batch.drop_column("fold_record")
