"""My notifications over HTTP: list, unread count, mark read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from resolutionflow.notifications import service
from resolutionflow.tenancy.deps import DB, CurrentPrincipal

router = APIRouter(prefix="/notifications", tags=["notifications"])


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationRead]
    unread: int


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] | None = Field(default=None, max_length=1000, description="None: all")


@router.get("", response_model=NotificationList, summary="My notifications, newest first")
async def list_notifications(
    principal: CurrentPrincipal,
    db: DB,
    unread_only: bool = False,
    skip: int = Query(default=0, ge=0, le=1_000_000),
    limit: int = Query(default=50, ge=1, le=200),
) -> NotificationList:
    rows = await service.list_mine(
        db, user=principal.user, unread_only=unread_only, skip=skip, limit=limit
    )
    return NotificationList(
        items=[NotificationRead.model_validate(n) for n in rows],
        unread=await service.unread_count(db, user=principal.user),
    )


@router.post("/read", summary="Mark some or all of my notifications read")
async def mark_read(body: MarkRead, principal: CurrentPrincipal, db: DB) -> dict[str, int]:
    changed = await service.mark_read(db, user=principal.user, ids=body.ids)
    await db.commit()
    return {"marked": changed}
