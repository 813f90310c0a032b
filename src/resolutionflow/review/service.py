"""Review-queue logic: listing, stats, detail with before/after, and the review decision.

The decision is a compare-and-set on the proposal's status, in the same transaction as the
flow it publishes: of two reviewers racing, one commits and the other gets Conflict, and its
flow is rolled back with it, so a proposal never yields two flows.
"""

from __future__ import annotations

import copy
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import BadRequest, Conflict, Invalid, NotFound, Problem
from resolutionflow.flows import service as flows_service
from resolutionflow.flows.diff import compare_trees
from resolutionflow.flows.merge import apply_enhancement
from resolutionflow.flows.schemas import FlowIn, FlowUpdate
from resolutionflow.flows.structure import validate_tree
from resolutionflow.models import Account, Flow, FlowProposal, User
from resolutionflow.models.base import utcnow
from resolutionflow.notifications import service as notifications
from resolutionflow.review import repository as repo
from resolutionflow.review import risk
from resolutionflow.review.schemas import ProposalDetail, ReviewIn
from resolutionflow.tenancy.roles import require_admin, require_team_review
from resolutionflow.tenancy.scope import get_scoped

log = logging.getLogger(__name__)

REVIEWABLE = ("pending", "dismissed")

# The review state machine: each action, the statuses it may start from, and where it leads.
# Reopening undoes a rejection or a dismissal (account admins only); a published proposal is
# never reopened, its flow exists.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve": (REVIEWABLE, "approved"),
    "modify": (REVIEWABLE, "modified"),
    "reject": (REVIEWABLE, "rejected"),
    "dismiss": (REVIEWABLE, "dismissed"),
    "reopen": (("rejected", "dismissed"), "pending"),
}
REOPENABLE = TRANSITIONS["reopen"][0]


async def all_proposals(
    db: AsyncSession,
    *,
    account: Account,
    status: str | None = None,
    proposal_type: str | None = None,
    domain: str | None = None,
) -> list[FlowProposal]:
    return await repo.all_proposals(
        db, account.id, status=status, proposal_type=proposal_type, domain=domain
    )


async def list_page(
    db: AsyncSession,
    *,
    account: Account,
    status: str | None,
    proposal_type: str | None,
    domain: str | None,
    sort_by: str,
    skip: int,
    limit: int,
) -> tuple[list[Any], int]:
    return await repo.page(
        db,
        account.id,
        status=status,
        proposal_type=proposal_type,
        domain=domain,
        sort_by=sort_by,
        skip=skip,
        limit=limit,
    )


async def stats(db: AsyncSession, *, account: Account) -> dict[str, Any]:
    week_ago = utcnow() - timedelta(days=7)
    return await repo.stats(db, account.id, since=week_ago)


def _tree_of(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A flow payload may be {tree_structure, ...} or the bare tree itself."""
    if not isinstance(data, dict):
        return None
    tree = data.get("tree_structure", data)
    return tree if isinstance(tree, dict) else None


def _diff_of(proposal: Any) -> dict[str, Any]:
    """The stored change of an enhancement (a FlowProposal or a row of one)."""
    data = proposal.proposed_flow_data or {}
    return {
        "new_nodes": list(data.get("new_nodes") or []),
        "modified_options": list(data.get("modified_options") or []),
    }


def rebase_enhancement(proposal: Any, target: Flow) -> tuple[dict[str, Any] | None, str | None]:
    """The enhanced tree on the target's current version, or why the diff no longer applies.

    `proposal` is a FlowProposal or a row of one: only its columns are read."""
    stored = _tree_of(proposal.merged_flow_data)
    if stored is not None and proposal.target_flow_version == target.version:
        return stored, None
    merged, problems = apply_enhancement(target.tree_structure, _diff_of(proposal))
    if problems:
        names = "; ".join(str(p) for p in problems[:5])
        return None, (
            f"flow '{target.name}' changed since this proposal (version "
            f"{proposal.target_flow_version} -> {target.version}) and the change no longer "
            f"applies: {names}"
        )
    return merged, None


async def detail(db: AsyncSession, *, account: Account, proposal_id: Any) -> ProposalDetail:
    # A plain row, not an ORM object: this is the queue's hottest read, and nothing here writes.
    try:
        key = proposal_id if isinstance(proposal_id, uuid.UUID) else uuid.UUID(str(proposal_id))
    except ValueError:
        raise NotFound(f"proposal {proposal_id} not found") from None
    proposal: Any = await repo.proposal_row(db, account.id, key)
    if proposal is None:
        raise NotFound(f"proposal {proposal_id} not found")
    out = ProposalDetail.model_validate(dict(proposal._mapping))
    if proposal.proposal_type == "new_flow":
        out.flow = _tree_of(proposal.proposed_flow_data)
        out.risks = risk.node_risks(out.flow)
    elif proposal.proposal_type in ("enhancement", "branch_addition") and proposal.target_flow_id:
        target = await repo.flow_in_account(db, account.id, proposal.target_flow_id)
        if target is None:
            out.conflict = "the target flow no longer exists"
        else:
            out.current_target_version = target.version
            out.before = target.tree_structure
            after, conflict = rebase_enhancement(proposal, target)
            out.after, out.conflict = after, conflict
            out.risks = risk.node_risks(after, before=target.tree_structure)
            if after is not None:
                out.change = {
                    **(proposal.proposed_diff or {}),
                    "comparison": compare_trees(target.tree_structure, after),
                }
    return out


def _flow_fields(proposal: FlowProposal, data: dict[str, Any] | None) -> dict[str, Any]:
    """Name, description and keywords for publishing, from the reviewer's data or the proposal."""
    data = data if isinstance(data, dict) and "tree_structure" in data else {}
    keywords = data.get("match_keywords")
    if keywords is None:
        keywords = (proposal.proposed_flow_data or {}).get(
            "match_keywords"
        ) or proposal.match_keywords
    return {
        "name": str(data.get("name") or proposal.title)[:255],
        "description": data.get("description", proposal.description),
        "match_keywords": [str(k) for k in keywords or []],
    }


def _change_note(what: str, proposal: FlowProposal, notes: str | None) -> str:
    """The version's note: which proposal it came from, by title, and the reviewer's note."""
    text = f"{what} from the proposal “{proposal.title}”"
    if notes and notes.strip():
        text += f". Reviewer's note: {notes.strip()}"
    return text[:2000]


def _check(tree: Any) -> dict[str, Any]:
    problems = (
        validate_tree(tree)
        if tree is not None
        else [
            Problem("tree_structure", "the proposal has no flow to publish; use modify with a flow")
        ]
    )
    if problems:
        raise Invalid(f"the flow has {len(problems)} problem(s)", problems=problems)
    return tree  # type: ignore[return-value]


async def _publish_new(
    db: AsyncSession,
    *,
    account: Account,
    proposal: FlowProposal,
    reviewer: User,
    data: dict[str, Any] | None,
    notes: str | None = None,
) -> Flow:
    tree = _check(_tree_of(data) if data is not None else _tree_of(proposal.proposed_flow_data))
    fields = _flow_fields(proposal, data)
    flow_in = FlowIn.model_construct(
        key=None,
        name=fields["name"],
        description=fields["description"],
        problem_domain=proposal.problem_domain,
        match_keywords=fields["match_keywords"],
        tree_structure=tree,
    )
    return await flows_service.create_flow(
        db,
        account=account,
        data=flow_in,
        author=reviewer,
        origin="ai_generated",
        team_id=proposal.team_id,
        source_session_id=proposal.source_session_id,
        proposal_id=proposal.id,
        change_note=_change_note("Published", proposal, notes),
    )


async def _publish_enhancement(
    db: AsyncSession,
    *,
    account: Account,
    proposal: FlowProposal,
    reviewer: User,
    data: dict[str, Any] | None,
    notes: str | None = None,
) -> Flow:
    if proposal.target_flow_id is None:
        raise Conflict("the proposal names no target flow")
    target = await repo.flow_in_account(db, account.id, proposal.target_flow_id)
    if target is None:
        raise Conflict("the target flow no longer exists")
    if data is not None:
        tree = _check(_tree_of(data))
    else:
        rebased, conflict = rebase_enhancement(proposal, target)
        if conflict:
            raise Conflict(conflict)
        tree = _check(rebased)
    keywords = (data or {}).get("match_keywords") if isinstance(data, dict) else None
    return await flows_service.publish_version(
        db,
        account=account,
        flow=target,
        changes=FlowUpdate(
            tree_structure=copy.deepcopy(tree),
            match_keywords=keywords,
            change_note=_change_note("Enhancement", proposal, notes),
            base_version=target.version,
        ),
        author=reviewer,
        proposal_id=proposal.id,
        origin="ai_enhanced",
        source_session_id=proposal.source_session_id,
    )


async def review(
    db: AsyncSession, *, account: Account, proposal_id: Any, reviewer: User, body: ReviewIn
) -> FlowProposal:
    # Lock the proposal first: a second reviewer waits here until the first commits and then
    # sees the decision (400), instead of racing to publish the same flow.
    proposal = await get_scoped(
        db, FlowProposal, proposal_id, account.id, what="proposal", for_update=True
    )
    require_team_review(reviewer.role, reviewer.team_id, proposal.team_id)
    if proposal.status not in TRANSITIONS[body.action][0]:
        raise BadRequest(f"Cannot review proposal in status: {proposal.status}")
    previous_status = proposal.status
    published: Flow | None = None
    acknowledged: dict[str, Any] | None = None
    if body.action in ("approve", "modify"):
        if proposal.proposal_type == "auto_reinforced":
            raise BadRequest(f"Cannot approve proposal of type: {proposal.proposal_type}")
        if body.action == "modify" and not body.modified_flow_data:
            raise BadRequest("modified_flow_data is required for modify action")
        acknowledged = await _acknowledged_risks(db, account=account, proposal=proposal, body=body)
        publish = _publish_new if proposal.proposal_type == "new_flow" else _publish_enhancement
        published = await publish(
            db,
            account=account,
            proposal=proposal,
            reviewer=reviewer,
            data=body.modified_flow_data,
            notes=body.reviewer_notes,
        )
    new_status = TRANSITIONS[body.action][1]
    now = utcnow()
    values = {
        "status": new_status,
        "reviewed_by": reviewer.id,
        "reviewed_at": now,
        "reviewer_notes": body.reviewer_notes,
        "published_flow_id": published.id if published else proposal.published_flow_id,
        "risk_acknowledgement": (
            {**acknowledged, "by": str(reviewer.id), "at": now.isoformat()}
            if acknowledged
            else proposal.risk_acknowledgement
        ),
    }
    changed = await repo.update_if_status(
        db, account_id=account.id, proposal_id=proposal.id, status=previous_status, values=values
    )
    if not changed:
        raise Conflict("someone else reviewed this proposal at the same time; reload it")
    # The decision is made: nobody needs to be told it waits any more.
    await notifications.settle_proposal(db, account_id=account.id, proposal_id=proposal.id)
    await db.refresh(proposal)
    log.info(
        "proposal %s (%s) %s by %s%s",
        proposal.id,
        proposal.proposal_type,
        proposal.status,
        reviewer.email,
        f", published as flow {published.id}" if published else "",
    )
    return proposal


async def reopen(
    db: AsyncSession, *, account: Account, proposal_id: Any, reviewer: User, reason: str | None
) -> FlowProposal:
    """Put a rejected or dismissed proposal back in the queue (account admins only); the
    earlier decision and its note stay readable in the new note."""
    require_admin(reviewer.role)
    proposal = await get_scoped(
        db, FlowProposal, proposal_id, account.id, what="proposal", for_update=True
    )
    allowed, target = TRANSITIONS["reopen"]
    if proposal.status not in allowed:
        raise BadRequest(
            f"only a rejected or dismissed proposal can be reopened; this one is {proposal.status}"
        )
    previous = proposal.status
    earlier = f"{previous}" + (f": {proposal.reviewer_notes}" if proposal.reviewer_notes else "")
    note = f"Reopened (was {earlier})" + (f". {reason}" if reason else "")
    values = {
        "status": target,
        "reviewed_by": reviewer.id,
        "reviewed_at": utcnow(),
        "reviewer_notes": note[:5000],
    }
    if not await repo.update_if_status(
        db, account_id=account.id, proposal_id=proposal.id, status=previous, values=values
    ):
        raise Conflict("someone else changed this proposal at the same time; reload it")
    await db.refresh(proposal)
    log.info("proposal %s reopened by %s (was %s)", proposal.id, reviewer.email, previous)
    return proposal


async def _acknowledged_risks(
    db: AsyncSession, *, account: Account, proposal: FlowProposal, body: ReviewIn
) -> dict[str, Any] | None:
    """The high-risk commands in the flow about to be published, once the reviewer has
    acknowledged them; BadRequest naming each one when they have not."""
    before: dict[str, Any] | None = None
    if body.modified_flow_data is not None:
        tree = _tree_of(body.modified_flow_data)
    elif proposal.proposal_type == "new_flow":
        tree = _tree_of(proposal.proposed_flow_data)
    else:
        target = (
            await repo.flow_in_account(db, account.id, proposal.target_flow_id)
            if proposal.target_flow_id
            else None
        )
        if target is None:
            return None  # publishing fails with the reason
        tree, _ = rebase_enhancement(proposal, target)
        before = target.tree_structure
    if proposal.proposal_type != "new_flow" and body.modified_flow_data is not None:
        target = (
            await repo.flow_in_account(db, account.id, proposal.target_flow_id)
            if proposal.target_flow_id
            else None
        )
        before = target.tree_structure if target is not None else None
    found = risk.high(risk.node_risks(tree, before=before))
    if not found:
        return None
    if not body.acknowledge_risks:
        raise BadRequest(
            f"the flow holds {len(found)} high-risk command(s); read them and approve again "
            "with acknowledge_risks set to confirm they belong in the flow",
            problems=[
                Problem(f"node {r['node_id']}", f"{r['command']}: {r['message']}") for r in found
            ],
        )
    return {"findings": found}


def proposal_export(p: FlowProposal) -> dict[str, Any]:
    """A proposal with the seed's field names, as `proposals list --json` prints it."""
    return {
        "id": str(p.id),
        "proposal_type": p.proposal_type,
        "status": p.status,
        "title": p.title,
        "description": p.description,
        "problem_domain": p.problem_domain,
        "confidence_score": p.confidence_score,
        "supporting_session_count": p.supporting_session_count,
        "supporting_session_ids": list(p.supporting_session_ids or []),
        "source_session_id": str(p.source_session_id),
        "target_flow_id": str(p.target_flow_id) if p.target_flow_id else None,
        "proposed_flow_data": p.proposed_flow_data,
        "proposed_diff": p.proposed_diff,
        "created_at": p.created_at.isoformat() if p.created_at else None,
    }
