"""Sessions: the filtered list, and one session's transcript with the proposal it produced."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import NotFound
from resolutionflow.flows import service as flows_service
from resolutionflow.models import CONFIDENCE_TIERS, PROBLEM_DOMAINS, SESSION_STATUSES, Session
from resolutionflow.sessions import service as sessions_service
from resolutionflow.sessions.transcript import option_labels, selected_label, step_kind, step_text
from resolutionflow.tenancy.auth import Principal
from resolutionflow.tenancy.deps import DB
from resolutionflow.web import scripts_panel
from resolutionflow.web.common import PageRoute, Viewer, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
MAX_IDS = 200


def parse_ids(raw: str | None) -> list[str]:
    """Session ids from ?ids=a,b,c (or repeated), the valid ones only, in order, unique."""
    if not raw:
        return []
    out: list[str] = []
    for part in raw.replace(" ", ",").split(","):
        try:
            value = str(uuid.UUID(part.strip()))
        except ValueError:
            continue
        if value not in out:
            out.append(value)
    return out[:MAX_IDS]


async def _sessions_by_ids(db: AsyncSession, viewer: Principal, ids: list[str]) -> list[Session]:
    found = []
    for session_id in ids:
        try:
            found.append(
                await sessions_service.get_session(
                    db, account=viewer.account, session_id=session_id
                )
            )
        except NotFound:
            continue  # another account's or gone: never say which
    return found


@router.get("/sessions")
async def session_list(
    request: Request,
    viewer: Viewer,
    db: DB,
    status: str | None = None,
    domain: str | None = None,
    tier: str | None = None,
    ids: str | None = None,
    page: str | None = None,
) -> Response:
    try:
        page_number = max(1, int(page or 1))
    except ValueError:
        page_number = 1
    state: dict[str, Any] = {
        "status": status if status in SESSION_STATUSES else "",
        "domain": domain if domain in PROBLEM_DOMAINS else "",
        "tier": tier if tier in CONFIDENCE_TIERS else "",
        "ids": ",".join(parse_ids(ids)),
        "page": page_number,
    }
    if state["ids"]:
        rows = await _sessions_by_ids(db, viewer, state["ids"].split(","))
        more = False
    else:
        # The listing has no tier filter of its own; filter the page here and fetch a little
        # more so a page is rarely short.
        rows = await sessions_service.list_sessions(
            db,
            account=viewer.account,
            status=state["status"] or None,
            domain=state["domain"] or None,
            skip=(page_number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE + 1,
        )
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    if state["tier"]:
        rows = [r for r in rows if r.confidence_tier == state["tier"]]
    if state["ids"] and state["status"]:
        rows = [r for r in rows if r.status == state["status"]]
    url_state = {**state, "page": page_number if page_number > 1 else ""}
    return await render(
        request,
        "sessions.html",
        viewer=viewer,
        db=db,
        rows=rows,
        state=state,
        url_state=url_state,
        more=more,
        statuses=SESSION_STATUSES,
        domains=PROBLEM_DOMAINS,
        tiers=CONFIDENCE_TIERS,
    )


def step_view(step: Any) -> dict[str, Any]:
    """One transcript step as the page shows it."""
    plain = {
        "step_type": step.step_type,
        "content": step.content or {},
        "context_message": step.context_message,
        "options_presented": step.options_presented,
        "selected_option": step.selected_option,
    }
    chosen = selected_label(plain)
    result = step.action_result if isinstance(step.action_result, dict) else None
    return {
        "kind": step_kind(plain),
        "text": step_text(plain),
        "question": step.context_message
        if step.context_message and step.context_message != step_text(plain)
        else None,
        "options": option_labels(plain),
        "chosen": chosen,
        "free_text": step.free_text_input,
        "was_free_text": bool(step.was_free_text),
        "skipped": bool(step.was_skipped),
        "result": result,
        "responded_at": step.responded_at,
    }


@router.get("/sessions/{session_id}")
async def session_page(
    request: Request, session_id: uuid.UUID, viewer: Viewer, db: DB, script: str | None = None
) -> Response:
    session = await sessions_service.get_session(db, account=viewer.account, session_id=session_id)
    steps = await sessions_service.get_steps(db, session=session)
    proposal = await sessions_service.proposal_of(db, account=viewer.account, session_id=session.id)
    flow = None
    if session.matched_flow_id:
        try:
            flow = await flows_service.get_flow(
                db, account=viewer.account, flow_id=session.matched_flow_id
            )
        except NotFound:
            flow = None
    scripts = await scripts_panel.panel_for(db, viewer=viewer, session=session, selected=script)
    return await render(
        request,
        "session.html",
        viewer=viewer,
        db=db,
        s=session,
        steps=[step_view(step) for step in steps],
        proposal=proposal,
        flow=flow,
        scripts=scripts,
    )
