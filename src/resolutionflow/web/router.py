"""The web pages as one router, included by the app next to the JSON API."""

from __future__ import annotations

from fastapi import APIRouter

from resolutionflow.web import (
    admin_pages,
    analytics_pages,
    auth_pages,
    editor_pages,
    flow_pages,
    import_pages,
    notification_pages,
    review_pages,
    runner_pages,
    scripts_panel,
    session_pages,
)

web_router = APIRouter(include_in_schema=False)
for module in (
    auth_pages,
    review_pages,
    editor_pages,
    flow_pages,
    session_pages,
    scripts_panel,
    notification_pages,
    analytics_pages,
    runner_pages,
    import_pages,
    admin_pages,
):
    web_router.include_router(module.router)
