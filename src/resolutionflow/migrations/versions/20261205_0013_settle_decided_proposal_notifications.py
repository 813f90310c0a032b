"""Notifications about proposals already decided no longer count as unread.

A decision now marks the 'proposal pending' notifications about its proposal read; this does
the same, once, for the decisions made before, so the badge counts only work still waiting.
Data only: no schema change, and nothing to undo.

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-05 08:00:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

notifications = sa.table(
    "notifications",
    sa.column("id"),
    sa.column("kind", sa.String),
    sa.column("payload"),
    sa.column("read_at", sa.DateTime(timezone=True)),
)
proposals = sa.table("flow_proposals", sa.column("id"), sa.column("status", sa.String))
BATCH = 500


def _proposal_id(payload: object) -> str | None:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    value = payload.get("proposal_id") if isinstance(payload, dict) else None
    return str(value).replace("-", "").lower() if value else None


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(notifications.c.id, notifications.c.payload).where(
            notifications.c.kind == "proposal.pending", notifications.c.read_at.is_(None)
        )
    ).all()
    if not rows:
        return
    status = {
        str(pid).replace("-", "").lower(): st
        for pid, st in bind.execute(sa.select(proposals.c.id, proposals.c.status)).all()
    }
    decided = [
        row.id
        for row in rows
        if status.get(_proposal_id(row.payload) or "", "pending") != "pending"
    ]
    now = datetime.now(UTC)
    for start in range(0, len(decided), BATCH):
        bind.execute(
            notifications.update()
            .where(notifications.c.id.in_(decided[start : start + BATCH]))
            .values(read_at=now)
        )


def downgrade() -> None:
    pass  # which notifications were read by hand is not known; nothing to undo
