"""Sessions for the gap and analytics tests, stored through the real session service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Account, Session
from resolutionflow.sessions.schemas import SessionIn
from resolutionflow.sessions.service import create_session

NOW = datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def question(text: str, *, free: str | None = None, answered: bool = True) -> dict[str, Any]:
    """A question step, answered with an option or typed text (or not answered at all)."""
    step: dict[str, Any] = {
        "step_type": "question",
        "content": {"text": text, "type": "question"},
        "options_presented": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
    }
    if free is not None:
        step["free_text_input"] = free
    elif answered:
        step["selected_option"] = "yes"
    if answered:
        step["responded_at"] = iso(NOW - timedelta(hours=1))
    return step


def action(ok: bool, text: str = "Restart the service") -> dict[str, Any]:
    return {
        "step_type": "action",
        "content": {"text": text, "type": "action"},
        "action_result": {"success": ok, "details": "done" if ok else "no change"},
        "responded_at": iso(NOW - timedelta(hours=1)),
    }


async def add_session(
    db: AsyncSession,
    account: Account,
    *,
    summary: str = "Printer on floor 2 shows offline",
    domain: str | None = "printing",
    status: str = "resolved",
    tier: str = "discovery",
    flow_key: str | None = None,
    age: timedelta = timedelta(days=1),
    minutes: float = 30.0,
    steps: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Session:
    """One session created `age` ago; closed `minutes` later unless still active."""
    created = NOW - age
    line: dict[str, Any] = {
        "external_id": f"t-{uuid.uuid4().hex[:12]}",
        "problem_summary": summary,
        "problem_domain": domain,
        "status": status,
        "confidence_tier": tier,
        "confidence_score": 0.5,
        "created_at": iso(created),
        "steps": steps or [],
        **extra,
    }
    if status != "active":
        line["resolved_at"] = iso(created + timedelta(minutes=minutes))
    if flow_key:
        line["matched_flow"] = flow_key
        line["match_score"] = 0.9
    return await create_session(db, account=account, data=SessionIn.model_validate(line))
