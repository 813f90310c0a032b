"""Pull connectors remember where they stopped: one cursor per account and PSA vendor.

Revision ID: 0014
Revises: 0009
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resolutionflow.models.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_cursors",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("vendor", sa.String(length=30), nullable=False),
        sa.Column("updated_since", UTCDateTime(), nullable=True),
        sa.Column("run_high_mark", UTCDateTime(), nullable=True),
        sa.Column("next_page", sa.Text(), nullable=True),
        sa.Column("tickets_seen", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_import_cursors_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_cursors")),
        sa.UniqueConstraint(
            "account_id", "vendor", name=op.f("uq_import_cursors_account_id_vendor")
        ),
    )


def downgrade() -> None:
    op.drop_table("import_cursors")
