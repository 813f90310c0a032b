"""A proposal records what wrote it (the provider, or the offline draft used when the model's
answer could not be), and the model's error in that case.

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("flow_proposals") as batch:
        batch.add_column(sa.Column("generated_by", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("model_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flow_proposals") as batch:
        batch.drop_column("model_error")
        batch.drop_column("generated_by")
