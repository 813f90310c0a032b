"""The script generator on a session's page: the request form, the result and the history.

The server never runs a script; it only writes and reviews one. As in the API, no transaction
stays open while the answer is produced (a model may take a while).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import Problem, ResolutionFlowError
from resolutionflow.models import Session
from resolutionflow.scriptgen import service
from resolutionflow.scriptgen.schemas import ScriptAsk
from resolutionflow.tenancy.auth import Principal
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.web.common import Form, PageRoute, Viewer, form_text, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LANGUAGES = (("powershell", "PowerShell"), ("bash", "Bash"))
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


async def panel_for(
    db: AsyncSession, *, viewer: Principal, session: Session, selected: str | None = None
) -> dict[str, Any]:
    """The history of requests, newest first, and the one to show (chosen, else the newest)."""
    rows = await service.history(db, account=viewer.account, session_id=session.id)
    shown = next((r for r in rows if str(r.id) == selected), rows[0] if rows else None)
    risks = sorted(
        shown.risks if shown else [], key=lambda r: SEVERITY_ORDER.get(str(r.get("severity")), 9)
    )
    return {"history": rows, "shown": shown, "risks": risks, "languages": LANGUAGES}


@router.post("/sessions/{session_id}/scripts")
async def ask_for_script(
    request: Request,
    session_id: uuid.UUID,
    viewer: Viewer,
    form: Form,
    db: DB,
    settings: AppSettings,
) -> Response:
    here = f"/sessions/{session_id}"
    try:
        ask = ScriptAsk.model_validate(
            {
                "request": form_text(form, "request"),
                "language": form_text(form, "language") or "powershell",
            }
        )
    except ValidationError as exc:
        problems = [Problem(str(e["loc"][0]), e["msg"]) for e in exc.errors()]
        return redirect(
            f"{here}#scripts",
            settings,
            message="Describe what the script should do.",
            kind="error",
            problems=problems,
        )
    try:
        context = await service.script_context(
            db, account=viewer.account, session_id=session_id, step_order=None
        )
        await db.rollback()
        answer = await service.produce(
            settings, context, request=ask.request, language=ask.language
        )
        await db.refresh(viewer.user)  # the rollback expired it
        row = await service.record(
            db,
            context=context,
            user=viewer.user,
            request=ask.request,
            language=ask.language,
            answer=answer,
        )
        await db.commit()
    except ResolutionFlowError as exc:
        await db.rollback()
        if exc.status_code == 404:
            raise
        return redirect(
            f"{here}#scripts",
            settings,
            message=f"No script was made: {exc.message}.",
            kind="error",
            problems=exc.problems,
        )
    if row.refused:
        message, kind = "The request was refused; the reason is below.", "warning"
    elif not row.script:
        message, kind = "No script in the library fits that request; see the suggestions.", "info"
    else:
        message, kind = "Script ready. Read the risk report before running it.", "success"
    return redirect(f"{here}?script={row.id}#scripts", settings, message=message, kind=kind)
