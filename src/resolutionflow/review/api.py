"""The review queue over HTTP (SPEC §8): list, stats, detail, review."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query

from resolutionflow.api_errors import error_response
from resolutionflow.review import service
from resolutionflow.review.schemas import (
    ProposalDetail,
    ProposalPage,
    ProposalStats,
    ProposalStatus,
    ProposalType,
    ReopenIn,
    ReviewIn,
    SortBy,
)
from resolutionflow.sessions.schemas import ProblemDomain
from resolutionflow.tenancy.deps import DB, Admin, CurrentPrincipal, Reviewer
from resolutionflow.tenancy.ratelimit import read_limit, review_limit

router = APIRouter(prefix="/flow-proposals", tags=["review queue"])


@router.get(
    "",
    response_model=ProposalPage,
    dependencies=[Depends(read_limit)],
    summary="List proposals with filters, sort and paging; includes the total count",
)
async def list_proposals(
    principal: CurrentPrincipal,
    db: DB,
    status: ProposalStatus | None = None,
    type: ProposalType | None = None,
    domain: ProblemDomain | None = None,
    sort_by: SortBy = "newest",
    skip: int = Query(default=0, ge=0, le=1_000_000),
    limit: int = Query(default=20, ge=1, le=100),
) -> dict[str, Any]:
    rows, total = await service.list_page(
        db,
        account=principal.account,
        status=status,
        proposal_type=type,
        domain=domain,
        sort_by=sort_by,
        skip=skip,
        limit=limit,
    )
    # Plain data: the response model validates and serialises it once, in one pass.
    return {"items": rows, "total": total, "skip": skip, "limit": limit}


@router.get(
    "/stats",
    response_model=ProposalStats,
    dependencies=[Depends(read_limit)],
    summary="Queue stats: pending, decisions and reinforcements this week, top domains",
)
async def proposal_stats(principal: CurrentPrincipal, db: DB) -> dict[str, Any]:
    return await service.stats(db, account=principal.account)


@router.get(
    "/{proposal_id}",
    response_model=ProposalDetail,
    dependencies=[Depends(read_limit)],
    summary="A proposal with its flow (enhancements: before, after and the change)",
)
async def get_proposal(
    proposal_id: uuid.UUID, principal: CurrentPrincipal, db: DB
) -> ProposalDetail:
    return await service.detail(db, account=principal.account, proposal_id=proposal_id)


@router.post(
    "/{proposal_id}/review",
    response_model=ProposalDetail,
    dependencies=[Depends(review_limit)],
    summary="Approve, modify (edit & publish), reject or dismiss (team admin, admin)",
    responses={
        400: error_response("Not reviewable in its status, or a rule of the action unmet"),
        409: error_response("Reviewed concurrently, or the target flow changed incompatibly"),
        422: error_response("The flow to publish is not valid; every problem is listed"),
    },
)
async def review_proposal(
    proposal_id: uuid.UUID, body: ReviewIn, principal: Reviewer, db: DB
) -> ProposalDetail:
    await service.review(
        db, account=principal.account, proposal_id=proposal_id, reviewer=principal.user, body=body
    )
    await db.commit()
    return await service.detail(db, account=principal.account, proposal_id=proposal_id)


@router.post(
    "/{proposal_id}/reopen",
    response_model=ProposalDetail,
    dependencies=[Depends(review_limit)],
    summary="Put a rejected or dismissed proposal back in the queue (admin)",
    responses={400: error_response("The proposal is neither rejected nor dismissed")},
)
async def reopen_proposal(
    proposal_id: uuid.UUID, body: ReopenIn, principal: Admin, db: DB
) -> ProposalDetail:
    await service.reopen(
        db,
        account=principal.account,
        proposal_id=proposal_id,
        reviewer=principal.user,
        reason=body.reason,
    )
    await db.commit()
    return await service.detail(db, account=principal.account, proposal_id=proposal_id)
