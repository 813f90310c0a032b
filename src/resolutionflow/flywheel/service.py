"""Writing analysis outcomes: reinforcements, new-flow and enhancement proposals, merges.

Called inside the worker's short write transaction, after the lease is confirmed; never
commits (the worker does).
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.ai.base import GenerationResult
from resolutionflow.flows.fold import fold_session_into_flow
from resolutionflow.flows.structure import validate_tree
from resolutionflow.flywheel import repository as repo
from resolutionflow.flywheel.analysis import reinforced_success_rate
from resolutionflow.flywheel.enhancement_diff import diff_between
from resolutionflow.flywheel.similarity import ProposalText, find_most_similar
from resolutionflow.models import Flow, FlowProposal, Session
from resolutionflow.notifications.service import (
    PROPOSAL_PENDING,
    notify_reviewers,
    proposal_pending_payload,
)

MAX_SUMMARIES = 50


def _title(text: str) -> str:
    return text if len(text) <= 255 else text[:252].rstrip() + "..."


async def reinforce(db: AsyncSession, *, session: Session, now: datetime) -> FlowProposal:
    """The session followed a flow: raise its success rate and keep a tracking record."""
    flow = None
    if session.matched_flow_id is not None:
        flow = await repo.flow_of_account(
            db, session.account_id, session.matched_flow_id, lock=True
        )
    if flow is not None:
        flow.success_rate = reinforced_success_rate(flow.success_rate)
        flow.last_matched_at = now
    proposal = FlowProposal(
        id=uuid.uuid4(),
        account_id=session.account_id,
        team_id=session.team_id,
        source_session_id=session.id,
        proposal_type="auto_reinforced",
        status="auto_reinforced",
        title=_title(f"Reinforcement: {session.problem_summary or 'Session'}"),
        description="The session followed this flow closely; no change is needed.",
        proposed_flow_data={},
        confidence_score=float(session.confidence_score or 0.0),
        supporting_session_count=1,
        supporting_session_ids=[str(session.id)],
        supporting_summaries=[session.problem_summary],
        problem_domain=session.problem_domain,
        target_flow_id=flow.id if flow else None,
        target_flow_version=flow.version if flow else None,
        created_at=now,
    )
    db.add(proposal)
    await db.flush()
    return proposal


def _text_of(proposal: FlowProposal) -> ProposalText:
    return ProposalText(
        id=str(proposal.id),
        title=proposal.title,
        description=proposal.description or "",
        keywords=list(proposal.match_keywords or []),
        summaries=list(proposal.supporting_summaries or []),
    )


async def _find_similar(
    db: AsyncSession,
    *,
    session: Session,
    new_text: ProposalText,
    domain: str | None,
    proposal_type: str,
    target_flow_id: uuid.UUID | None = None,
) -> FlowProposal | None:
    await repo.lock_merge_scope(db, session.account_id, domain, proposal_type)
    candidates = await repo.pending_candidates(
        db, session.account_id, domain=domain, proposal_type=proposal_type,
        target_flow_id=target_flow_id,
    )  # fmt: skip
    if not candidates:
        return None
    best_id, _score = find_most_similar(new_text, [_text_of(c) for c in candidates])
    if best_id is None:
        return None
    return await repo.lock_proposal(db, uuid.UUID(best_id))


def _count_session(proposal: FlowProposal, session: Session) -> bool:
    """Add the session to the proposal's support; False if it was already counted."""
    sid = str(session.id)
    ids = list(proposal.supporting_session_ids or [])
    if sid in ids or proposal.source_session_id == session.id:
        return False
    ids.append(sid)
    proposal.supporting_session_ids = ids
    proposal.supporting_session_count = len(ids)
    proposal.confidence_score = min(1.0, round((proposal.confidence_score or 0.0) + 0.1, 4))
    summaries = list(proposal.supporting_summaries or [])
    if len(summaries) < MAX_SUMMARIES:
        summaries.append(session.problem_summary)
    proposal.supporting_summaries = summaries
    return True


def _folded(tree: dict[str, Any], snapshot: dict[str, Any]) -> dict[str, Any]:
    folded = fold_session_into_flow(copy.deepcopy(tree), snapshot)
    return folded if not validate_tree(folded) else tree


async def record_new_flow(
    db: AsyncSession,
    *,
    session: Session,
    snapshot: dict[str, Any],
    generated: dict[str, Any],
    now: datetime,
) -> tuple[FlowProposal, bool]:
    """Merge into a similar pending new-flow proposal, or create one and notify reviewers."""
    domain = generated.get("problem_domain") or session.problem_domain
    title = _title(str(generated.get("title") or session.problem_summary or "Untitled flow"))
    keywords = [str(k) for k in generated.get("match_keywords") or []][:20]
    new_text = ProposalText(
        id="new", title=title, description=str(generated.get("description") or ""),
        keywords=keywords, summaries=[session.problem_summary],
    )  # fmt: skip
    similar = await _find_similar(
        db, session=session, new_text=new_text, domain=domain, proposal_type="new_flow"
    )
    if similar is not None:
        if _count_session(similar, session):
            data = dict(similar.proposed_flow_data or {})
            if isinstance(data.get("tree_structure"), dict):
                data["tree_structure"] = _folded(data["tree_structure"], snapshot)
            similar.proposed_flow_data = data
        await db.flush()
        return similar, True
    proposal = FlowProposal(
        id=uuid.uuid4(),
        account_id=session.account_id,
        team_id=session.team_id,
        source_session_id=session.id,
        proposal_type="new_flow",
        status="pending",
        title=title,
        description=generated.get("description"),
        proposed_flow_data={
            "tree_structure": generated["tree_structure"],
            "match_keywords": keywords,
        },
        match_keywords=keywords,
        confidence_score=float(session.confidence_score or 0.0),
        supporting_session_count=1,
        supporting_session_ids=[str(session.id)],
        supporting_summaries=[session.problem_summary],
        problem_domain=domain,
        created_at=now,
    )
    db.add(proposal)
    await db.flush()
    await notify_reviewers(
        db, account_id=session.account_id, kind=PROPOSAL_PENDING,
        payload=proposal_pending_payload(proposal),
    )  # fmt: skip
    return proposal, False


async def record_enhancement(
    db: AsyncSession,
    *,
    session: Session,
    snapshot: dict[str, Any],
    flow: Flow,
    generated: dict[str, Any],
    now: datetime,
) -> tuple[FlowProposal, bool]:
    """Merge into a similar pending enhancement of the same flow, or create one and notify."""
    diff_description = str(
        generated.get("diff_description")
        or "The session left the flow at a point it does not cover."
    )
    title = _title(str(generated.get("title") or f"Enhancement: {session.problem_summary}"))
    new_text = ProposalText(
        id="new", title=title, description=diff_description,
        keywords=list(flow.match_keywords or []), summaries=[session.problem_summary],
    )  # fmt: skip
    similar = await _find_similar(
        db, session=session, new_text=new_text, domain=session.problem_domain,
        proposal_type="enhancement", target_flow_id=flow.id,
    )  # fmt: skip
    if similar is not None:
        if _count_session(similar, session) and isinstance(similar.merged_flow_data, dict):
            base = flow.tree_structure
            merged = _folded(similar.merged_flow_data.get("tree_structure") or base, snapshot)
            diff = diff_between(base, merged)
            similar.merged_flow_data = {**similar.merged_flow_data, "tree_structure": merged}
            similar.proposed_flow_data = diff
            similar.proposed_diff = {**(similar.proposed_diff or {}), **diff}
        await db.flush()
        return similar, True
    diff = {
        "new_nodes": generated.get("new_nodes") or [],
        "modified_options": generated.get("modified_options") or [],
    }
    proposal = FlowProposal(
        id=uuid.uuid4(),
        account_id=session.account_id,
        team_id=session.team_id,
        source_session_id=session.id,
        proposal_type="enhancement",
        status="pending",
        target_flow_id=flow.id,
        target_flow_version=flow.version,
        title=title,
        description=diff_description,
        proposed_flow_data=diff,
        proposed_diff={"diff_description": diff_description, **diff},
        merged_flow_data={
            "tree_structure": generated["merged_tree"],
            "match_keywords": list(flow.match_keywords or []),
        },
        match_keywords=list(flow.match_keywords or []),
        confidence_score=float(session.confidence_score or 0.0),
        supporting_session_count=1,
        supporting_session_ids=[str(session.id)],
        supporting_summaries=[session.problem_summary],
        problem_domain=session.problem_domain,
        created_at=now,
    )
    db.add(proposal)
    await db.flush()
    await notify_reviewers(
        db, account_id=session.account_id, kind=PROPOSAL_PENDING,
        payload=proposal_pending_payload(proposal),
    )  # fmt: skip
    return proposal, False


async def record_usage(
    db: AsyncSession, *, account_id: uuid.UUID, usage: list[GenerationResult], now: datetime
) -> None:
    totals: dict[tuple[str, str], list[int]] = {}
    for result in usage:
        entry = totals.setdefault((result.provider, result.model), [0, 0, 0])
        entry[0] += 1
        entry[1] += result.input_tokens
        entry[2] += result.output_tokens
    for (provider, model), (calls, tokens_in, tokens_out) in totals.items():
        await repo.add_usage(
            db, account_id=account_id, day=now.date(), provider=provider, model=model,
            calls=calls, input_tokens=tokens_in, output_tokens=tokens_out,
        )  # fmt: skip
