"""Gap report and dashboard: covering partial indexes over answered questions and actions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ANSWERED = "step_type = 'question' AND responded_at IS NOT NULL AND context_message IS NOT NULL"
BYTES_PG = "octet_length(context_message) + coalesce(octet_length(free_text_input), 0)"
BYTES_SQLITE = (
    "length(CAST(context_message AS BLOB)) + coalesce(length(CAST(free_text_input AS BLOB)), 0)"
)
LIMIT = 2000
ACTIONS = {
    "failed": (
        "step_type = 'action' AND (action_result ->> 'success') = 'false'",
        "step_type = 'action' AND json_extract(action_result, '$.success') = 0",
    ),
    "succeeded": (
        "step_type = 'action' AND (action_result ->> 'success') = 'true'",
        "step_type = 'action' AND json_extract(action_result, '$.success') = 1",
    ),
}


def upgrade() -> None:
    op.create_index(
        "ix_session_steps_answers",
        "session_steps",
        ["session_id"],
        unique=False,
        postgresql_include=["context_message", "was_free_text", "free_text_input"],
        postgresql_where=sa.text(f"{ANSWERED} AND {BYTES_PG} <= {LIMIT}"),
        sqlite_where=sa.text(f"{ANSWERED} AND {BYTES_SQLITE} <= {LIMIT}"),
    )
    op.create_index(
        "ix_session_steps_long_answers",
        "session_steps",
        ["session_id"],
        unique=False,
        postgresql_where=sa.text(f"{ANSWERED} AND {BYTES_PG} > {LIMIT}"),
        sqlite_where=sa.text(f"{ANSWERED} AND {BYTES_SQLITE} > {LIMIT}"),
    )
    for outcome, (pg_where, sqlite_where) in ACTIONS.items():
        op.create_index(
            f"ix_session_steps_{outcome}_actions",
            "session_steps",
            ["session_id"],
            unique=False,
            postgresql_include=["step_order"],
            postgresql_where=sa.text(pg_where),
            sqlite_where=sa.text(sqlite_where),
        )


def downgrade() -> None:
    for outcome in ACTIONS:
        op.drop_index(f"ix_session_steps_{outcome}_actions", table_name="session_steps")
    op.drop_index("ix_session_steps_long_answers", table_name="session_steps")
    op.drop_index("ix_session_steps_answers", table_name="session_steps")
