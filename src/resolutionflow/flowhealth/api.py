"""Flow health over HTTP: per-node figures, verifying a flow, changing its owner."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from resolutionflow.api_errors import error_response
from resolutionflow.flowhealth import service
from resolutionflow.flowhealth.schemas import FlowOwnershipRead, FlowStats, OwnerChange
from resolutionflow.tenancy.deps import DB, Admin, CurrentPrincipal
from resolutionflow.tenancy.ratelimit import read_limit

router = APIRouter(prefix="/flows", tags=["flow health"], dependencies=[Depends(read_limit)])

FlowKey = Path(min_length=1, max_length=100, description="The flow's key (or its id)")


@router.get(
    "/{key}/stats",
    response_model=FlowStats,
    summary="Per-node figures of a flow version: reached, ended, options, free text, time",
)
async def flow_stats(
    principal: CurrentPrincipal,
    db: DB,
    key: str = FlowKey,
    version: int | None = Query(default=None, ge=1, le=1_000_000),
) -> FlowStats:
    return await service.flow_stats(db, account=principal.account, key=key, version=version)


@router.post(
    "/{key}/verify",
    response_model=FlowOwnershipRead,
    summary="Confirm the flow is still right (its owner or an admin); moves its review-by date",
    responses={403: error_response("Neither the flow's owner nor an admin")},
)
async def verify_flow(principal: CurrentPrincipal, db: DB, key: str = FlowKey) -> FlowOwnershipRead:
    flow = await service.verify_flow(db, account=principal.account, user=principal.user, key=key)
    await db.commit()
    return FlowOwnershipRead.model_validate(flow)


@router.put(
    "/{key}/owner", response_model=FlowOwnershipRead, summary="Give a flow a new owner (admin)"
)
async def change_owner(
    body: OwnerChange, principal: Admin, db: DB, key: str = FlowKey
) -> FlowOwnershipRead:
    flow = await service.set_owner(
        db,
        account=principal.account,
        actor=principal.user,
        key=key,
        owner_email=body.owner_email,
        owner_id=body.owner_id,
    )
    await db.commit()
    return FlowOwnershipRead.model_validate(flow)
