"""Sessions over HTTP: create, add steps, resolve or escalate, read with transcript, import."""

from __future__ import annotations

import codecs
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from resolutionflow.api_errors import error_response
from resolutionflow.errors import Invalid
from resolutionflow.sessions import importer, service
from resolutionflow.sessions.schemas import (
    EscalateIn,
    ResolveIn,
    SessionIn,
    SessionRead,
    SessionSummaryRead,
    StepRead,
    StepsAppend,
)
from resolutionflow.sessions.snapshot import session_snapshot
from resolutionflow.sessions.transcript import build_transcript
from resolutionflow.tenancy.deps import DB, CurrentPrincipal, Reviewer

router = APIRouter(prefix="/sessions", tags=["sessions"])


class SessionDetail(SessionRead):
    steps: list[StepRead]
    transcript: str
    proposal_id: uuid.UUID | None = None
    proposal_type: str | None = None
    proposal_status: str | None = None


class ImportError_(BaseModel):
    line: int
    field: str
    message: str


class ImportResult(BaseModel):
    stored: int
    already_present: int
    teams_created: int
    engineers_created: int
    errors: list[ImportError_]


async def _body_lines(request: Request) -> list[str]:
    """The body's lines, decoded as the bytes stream in: the body is never held whole (an
    import may be tens of megabytes), and one over the import limit is cut off with 413."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines: list[str] = []
    pending = ""
    seen = 0
    async for chunk in request.stream():
        try:
            text = pending + decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise Invalid(
                f"the body is not UTF-8 text ({exc.reason} at byte {seen + exc.start})"
            ) from None
        seen += len(chunk)
        parts = text.splitlines(keepends=True)
        # A last part without its line break, or ending in a CR whose LF may come next, waits.
        last = parts[-1] if parts else ""
        pending = parts.pop() if last and (last.endswith("\r") or last[-1] not in "\n\r") else ""
        lines += [part.rstrip("\r\n") for part in parts]
    try:
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise Invalid(f"the body is not UTF-8 text ({exc.reason} at the end)") from None
    if pending:
        lines += [part.rstrip("\r\n") for part in pending.splitlines()]
    return lines


async def _detail(db: DB, principal: CurrentPrincipal, session_id: uuid.UUID) -> SessionDetail:
    session = await service.get_session(db, account=principal.account, session_id=session_id)
    steps = await service.get_steps(db, session=session)
    proposal = await service.proposal_of(db, account=principal.account, session_id=session.id)
    return SessionDetail(
        **SessionRead.model_validate(session).model_dump(),
        steps=[StepRead.model_validate(s) for s in steps],
        transcript=build_transcript(session_snapshot(session, steps)),
        proposal_id=proposal.id if proposal else None,
        proposal_type=proposal.proposal_type if proposal else None,
        proposal_status=proposal.status if proposal else None,
    )


@router.post("", response_model=SessionDetail, status_code=201, summary="Create a session")
async def create_session(body: SessionIn, principal: CurrentPrincipal, db: DB) -> SessionDetail:
    session = await service.create_session(
        db, account=principal.account, data=body, engineer=principal.user
    )
    await db.commit()
    return await _detail(db, principal, session.id)


@router.get("", response_model=list[SessionSummaryRead], summary="List sessions, newest first")
async def list_sessions(
    principal: CurrentPrincipal,
    db: DB,
    status: Literal["active", "resolved", "escalated", "requesting_escalation", "abandoned"]
    | None = None,
    analysis_status: Literal["pending", "processing", "completed", "failed", "skipped", "waiting"]
    | None = None,
    domain: str | None = Query(default=None, max_length=100),
    skip: int = Query(default=0, ge=0, le=1_000_000),
    limit: int = Query(default=50, ge=1, le=500),
) -> list[SessionSummaryRead]:
    rows = await service.list_sessions(
        db,
        account=principal.account,
        status=status,
        analysis_status=analysis_status,
        domain=domain,
        skip=skip,
        limit=limit,
    )
    return [SessionSummaryRead.model_validate(s) for s in rows]


@router.get("/{session_id}", response_model=SessionDetail, summary="A session with its transcript")
async def get_session(session_id: uuid.UUID, principal: CurrentPrincipal, db: DB) -> SessionDetail:
    return await _detail(db, principal, session_id)


@router.post("/{session_id}/steps", response_model=list[StepRead], summary="Add steps")
async def append_steps(
    session_id: uuid.UUID, body: StepsAppend, principal: CurrentPrincipal, db: DB
) -> list[StepRead]:
    steps = await service.append_steps(
        db, account=principal.account, session_id=session_id, steps=body.steps
    )
    await db.commit()
    return [StepRead.model_validate(s) for s in steps]


@router.post(
    "/{session_id}/resolve", response_model=SessionDetail, summary="Resolve (queues analysis)"
)
async def resolve(
    session_id: uuid.UUID, principal: CurrentPrincipal, db: DB, body: ResolveIn | None = None
) -> SessionDetail:
    await service.resolve_session(
        db, account=principal.account, session_id=session_id, data=body or ResolveIn()
    )
    await db.commit()
    return await _detail(db, principal, session_id)


@router.post(
    "/{session_id}/escalate", response_model=SessionDetail, summary="Escalate (skips analysis)"
)
async def escalate(
    session_id: uuid.UUID, body: EscalateIn, principal: CurrentPrincipal, db: DB
) -> SessionDetail:
    await service.escalate_session(db, account=principal.account, session_id=session_id, data=body)
    await db.commit()
    return await _detail(db, principal, session_id)


@router.post(
    "/{session_id}/retry-analysis",
    response_model=SessionDetail,
    summary="Queue a failed analysis again (team admin, admin)",
)
async def retry_analysis(session_id: uuid.UUID, principal: Reviewer, db: DB) -> SessionDetail:
    session = await service.get_session(db, account=principal.account, session_id=session_id)
    await service.retry_analysis(db, account=principal.account, session=session)
    await db.commit()
    await db.refresh(session)  # the requeue is a bulk UPDATE: the loaded row is stale
    return await _detail(db, principal, session_id)


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Import sessions as JSON Lines (team admin, admin)",
    responses={422: error_response("--strict and some lines are bad: nothing stored")},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        }
    },
)
async def import_sessions(
    request: Request, principal: Reviewer, db: DB, strict: bool = Query(default=False)
) -> Any:
    lines = await _body_lines(request)
    summary = await importer.import_sessions(
        db, account=principal.account, lines=lines, strict=strict
    )
    if summary.strict_rejected:
        await db.rollback()
        body = {**summary.as_dict(), "stored": 0, "teams_created": 0, "engineers_created": 0}
        return JSONResponse(
            {"error": "invalid", "detail": "some lines are bad; nothing was stored", **body},
            status_code=422,
        )
    await db.commit()
    return summary.as_dict()
