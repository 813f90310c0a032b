"""PostgreSQL notifies every process when a column an API token's sign-in depends on changes
(api_tokens, users, accounts), so what a server process remembers of a token is forgotten at
once. Nothing on SQLite, which has no NOTIFY.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

from alembic import op

from resolutionflow.models.sign_in_notices import trigger_ddl

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in trigger_ddl():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in trigger_ddl(drop=True):
        op.execute(statement)
