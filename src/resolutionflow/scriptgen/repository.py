"""The SQL of script generation: keeping a request and reading a session's requests back."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import ScriptRequest
from resolutionflow.tenancy.scope import scoped


async def add_request(db: AsyncSession, row: ScriptRequest) -> ScriptRequest:
    db.add(row)
    await db.flush()
    return row


async def requests_of_session(
    db: AsyncSession, account_id: uuid.UUID, session_id: uuid.UUID
) -> list[ScriptRequest]:
    """A session's script requests, newest first."""
    stmt = (
        scoped(ScriptRequest, account_id)
        .where(ScriptRequest.session_id == session_id)
        .order_by(ScriptRequest.created_at.desc(), ScriptRequest.id)
    )
    return list((await db.execute(stmt)).scalars())
