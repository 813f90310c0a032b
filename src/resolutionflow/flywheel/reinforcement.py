"""Reinforcement: a session that followed its flow closely is recorded and moves the flow's
success rate; no proposal is opened.

Called inside the worker's write transaction; never commits (the worker does).
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.flywheel import repository as repo
from resolutionflow.flywheel.analysis import reinforced_success_rate
from resolutionflow.flywheel.placement import clip_title
from resolutionflow.models import Flow, Session
from resolutionflow.redaction import redact_text


def reinforcement_row(
    session: Session, flow: Flow | None, now: datetime, *, redaction: str = "standard"
) -> dict[str, Any]:
    summary = redact_text(session.problem_summary or "", redaction)
    return {
        "id": uuid.uuid4(),
        "account_id": session.account_id,
        "team_id": session.team_id,
        "source_session_id": session.id,
        "proposal_type": "auto_reinforced",
        "status": "auto_reinforced",
        "title": clip_title(f"Reinforcement: {summary or 'Session'}"),
        "description": "The session followed this flow closely; no change is needed.",
        "proposed_flow_data": {},
        "match_keywords": [],
        "confidence_score": float(session.confidence_score or 0.0),
        "supporting_session_count": 1,
        "supporting_session_ids": [str(session.id)],
        "supporting_summaries": [summary],
        "problem_domain": session.problem_domain,
        "target_flow_id": flow.id if flow else None,
        "target_flow_version": flow.version if flow else None,
        "created_at": now,
    }


async def reinforce_many(
    db: AsyncSession, *, sessions: list[Session], now: datetime, redaction: str = "standard"
) -> tuple[dict[uuid.UUID, uuid.UUID], Counter[uuid.UUID]]:
    """Reinforce for a batch of sessions at once: one insert of the tracking records and one
    update per flow, with the flow's rate moved once per session exactly as one at a time
    would (`round(old * 0.9 + 0.1, 4)`, applied in turn). Returns session id -> proposal id.

    The flows are locked last, just before the caller commits: concurrent workers reinforce
    the same few flows all the time, and a lock taken early would make them queue."""
    flow_ids = {s.matched_flow_id for s in sessions if s.matched_flow_id is not None}
    flows = await repo.flows_by_id(db, flow_ids)
    rows: list[dict[str, Any]] = []
    counts: Counter[uuid.UUID] = Counter()
    for session in sessions:
        flow = flows.get(session.matched_flow_id) if session.matched_flow_id else None
        if flow is not None and flow.account_id != session.account_id:
            flow = None
        rows.append(reinforcement_row(session, flow, now, redaction=redaction))
        if flow is not None:
            counts[flow.id] += 1
    await repo.insert_proposal_rows(db, rows)
    return {row["source_session_id"]: row["id"] for row in rows}, counts


async def apply_reinforcements(
    db: AsyncSession, counts: dict[uuid.UUID, int], now: datetime
) -> None:
    """Move each flow's success rate once per reinforcing session (locks the flows; call last)."""
    for flow in (await repo.flows_by_id(db, set(counts), lock=True)).values():
        for _ in range(counts[flow.id]):
            flow.success_rate = reinforced_success_rate(flow.success_rate)
        flow.last_matched_at = now
    await db.flush()
