"""Script generation over HTTP: ask for a script for a session, and its history."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from resolutionflow.scriptgen import service
from resolutionflow.scriptgen.schemas import ScriptAsk, ScriptRead
from resolutionflow.tenancy.deps import DB, AppSettings, CurrentPrincipal

router = APIRouter(prefix="/sessions/{session_id}/scripts", tags=["scripts"])


@router.post(
    "",
    response_model=ScriptRead,
    status_code=201,
    summary="Get a script for the task at hand (never run by the server)",
)
async def ask_for_script(
    session_id: uuid.UUID,
    body: ScriptAsk,
    principal: CurrentPrincipal,
    db: DB,
    settings: AppSettings,
) -> ScriptRead:
    context = await service.script_context(
        db, account=principal.account, session_id=session_id, step_order=body.step_order
    )
    await db.commit()  # ends the read; no transaction stays open while a model writes
    answer = await service.produce(
        settings, context, request=body.request, language=body.language, params=body.parameters
    )
    row = await service.record(
        db,
        context=context,
        user=principal.user,
        request=body.request,
        language=body.language,
        answer=answer,
    )
    await db.commit()
    return ScriptRead.model_validate(row)


@router.get("", response_model=list[ScriptRead], summary="Scripts asked for in this session")
async def script_history(
    session_id: uuid.UUID, principal: CurrentPrincipal, db: DB
) -> list[ScriptRead]:
    rows = await service.history(db, account=principal.account, session_id=session_id)
    return [ScriptRead.model_validate(r) for r in rows]
