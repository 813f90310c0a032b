"""My notifications: the list with what each is about, and marking them read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from resolutionflow.notifications import service as notifications
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.web.auth_pages import safe_next
from resolutionflow.web.common import Form, PageRoute, Viewer, form_text, redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/notifications")
async def notification_list(
    request: Request, viewer: Viewer, db: DB, unread: str | None = None
) -> Response:
    rows = await notifications.list_mine(db, user=viewer.user, unread_only=unread == "1", limit=100)
    return await render(
        request,
        "notifications.html",
        viewer=viewer,
        db=db,
        rows=rows,
        unread_only=unread == "1",
    )


@router.post("/notifications/read")
async def mark_read(viewer: Viewer, form: Form, db: DB, settings: AppSettings) -> Response:
    raw = form_text(form, "id")
    ids: list[uuid.UUID] | None = None
    if raw:
        try:
            ids = [uuid.UUID(raw)]
        except ValueError:
            ids = []
    changed = await notifications.mark_read(db, user=viewer.user, ids=ids)
    await db.commit()
    target = form_text(form, "next")
    if target:
        return redirect(safe_next(target), settings)
    message = "Marked as read." if ids else f"Marked {changed} notification(s) as read."
    return redirect("/notifications", settings, message=message, kind="info")
