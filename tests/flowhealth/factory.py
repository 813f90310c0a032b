"""Sessions walked through the small test flow (`tests.helpers.simple_tree`), with timings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Account, Flow, Session
from resolutionflow.sessions.schemas import SessionIn
from resolutionflow.sessions.service import create_session

QUESTION = "Is the printer showing online?"
OPTIONS = [{"value": "o-yes", "label": "Yes"}, {"value": "o-no", "label": "No"}]


def ask(at: datetime, *, picked: str | None = None, typed: str | None = None) -> dict[str, Any]:
    """The root question; `picked` an option id, or a label (then labels are the values)."""
    by_label = picked is not None and picked not in {o["value"] for o in OPTIONS}
    options = [{"value": o["label"], "label": o["label"]} for o in OPTIONS] if by_label else OPTIONS
    step: dict[str, Any] = {
        "step_type": "question",
        "content": {"text": QUESTION, "type": "question"},
        "options_presented": options,
        "responded_at": at.isoformat(),
    }
    if picked is not None:
        step["selected_option"] = picked
    if typed is not None:
        step["free_text_input"] = typed
    return step


def act(at: datetime, text: str = "Restart the spooler", ok: bool = True) -> dict[str, Any]:
    return {
        "step_type": "action",
        "content": {"text": text, "type": "action"},
        "action_result": {"success": ok, "details": ""},
        "responded_at": at.isoformat(),
    }


def resolution(at: datetime, text: str = "Jobs print") -> dict[str, Any]:
    return {
        "step_type": "resolution",
        "content": {"text": text, "type": "resolution"},
        "responded_at": at.isoformat(),
    }


async def walk(
    db: AsyncSession,
    account: Account,
    flow: Flow | None,
    start: datetime,
    status: str,
    steps: list[dict[str, Any]],
) -> Session:
    data: dict[str, Any] = {
        "problem_summary": "Printer shows offline",
        "problem_domain": "printing",
        "status": status,
        "confidence_tier": "high" if flow else "discovery",
        "confidence_score": 0.8,
        "created_at": start.isoformat(),
        "steps": steps,
        "matched_flow_id": str(flow.id) if flow else None,
        "match_score": 0.9 if flow else None,
    }
    if status == "resolved":
        data["resolution_summary"] = "Printing again"
    if status == "escalated":
        data["escalation_reason"] = "Needs a field visit"
    if status != "active":
        data["resolved_at"] = (start + timedelta(minutes=10)).isoformat()
    return await create_session(db, account=account, data=SessionIn.model_validate(data))


async def five_walks(db: AsyncSession, account: Account, flow: Flow, t: datetime) -> None:
    """Resolved via the action, escalated after it, resolved by an answer (label), abandoned
    after a typed answer, and one still active."""
    s = timedelta(seconds=1)
    await walk(
        db,
        account,
        flow,
        t,
        "resolved",
        [ask(t + 60 * s, picked="o-yes"), act(t + 180 * s), resolution(t + 200 * s)],
    )
    await walk(
        db,
        account,
        flow,
        t,
        "escalated",
        [ask(t + 30 * s, picked="o-yes"), act(t + 90 * s, ok=False)],
    )
    await walk(db, account, flow, t, "resolved", [ask(t + 120 * s, picked="No")])
    await walk(db, account, flow, t, "abandoned", [ask(t + 40 * s, typed="paper jam")])
    await walk(db, account, flow, t, "active", [ask(t + 50 * s, picked="o-yes")])
