"""The knowledge-gap report over HTTP (SPEC §10), for every role of the account."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from resolutionflow.gaps import service
from resolutionflow.gaps.detection import PERIODS
from resolutionflow.gaps.schemas import KnowledgeGapReport
from resolutionflow.tenancy.deps import DB, AppSettings, CurrentPrincipal
from resolutionflow.tenancy.ratelimit import read_limit

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get(
    "/knowledge-gaps",
    response_model=KnowledgeGapReport,
    dependencies=[Depends(read_limit)],
    summary="Where the flow library falls short: the four gap signals over 7, 30 or 90 days",
)
async def knowledge_gaps(
    principal: CurrentPrincipal,
    db: DB,
    settings: AppSettings,
    period_days: int = Query(
        default=30, description="7, 30 or 90", json_schema_extra={"enum": list(PERIODS)}
    ),
) -> KnowledgeGapReport:
    return await service.knowledge_gaps(
        db, account=principal.account, period_days=period_days, settings=settings
    )
