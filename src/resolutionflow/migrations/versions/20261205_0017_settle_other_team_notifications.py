"""Team admins no longer hold unread notices about other teams' proposals.

A new proposal now notifies the admins and only the team admins who may review it (its own
team's, or all of them when it is account-wide). Before, every team admin was told, and a
notice about another team's proposal led to a page with nothing to do on it. This marks
those notices read, once. Data only: no schema change, and nothing to undo.

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-05 12:00:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

notifications = sa.table(
    "notifications",
    sa.column("id"),
    sa.column("user_id"),
    sa.column("kind", sa.String),
    sa.column("payload"),
    sa.column("read_at", sa.DateTime(timezone=True)),
)
users = sa.table("users", sa.column("id"), sa.column("role", sa.String), sa.column("team_id"))
proposals = sa.table("flow_proposals", sa.column("id"), sa.column("team_id"))
BATCH = 500


def _key(value: object) -> str:
    return str(value).replace("-", "").lower() if value else ""


def _proposal_id(payload: object) -> str:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return ""
    return _key(payload.get("proposal_id")) if isinstance(payload, dict) else ""


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(notifications.c.id, notifications.c.payload, users.c.team_id)
        .select_from(notifications.join(users, users.c.id == notifications.c.user_id))
        .where(
            notifications.c.kind == "proposal.pending",
            notifications.c.read_at.is_(None),
            users.c.role == "team_admin",
        )
    ).all()
    if not rows:
        return
    team_of = {
        _key(pid): _key(team)
        for pid, team in bind.execute(
            sa.select(proposals.c.id, proposals.c.team_id).where(proposals.c.team_id.is_not(None))
        ).all()
    }
    elsewhere = [
        row.id
        for row in rows
        if (team := team_of.get(_proposal_id(row.payload))) and team != _key(row.team_id)
    ]
    now = datetime.now(UTC)
    for start in range(0, len(elsewhere), BATCH):
        bind.execute(
            notifications.update()
            .where(notifications.c.id.in_(elsewhere[start : start + BATCH]))
            .values(read_at=now)
        )


def downgrade() -> None:
    pass  # which notices were read by hand is not known; nothing to undo
