"""The analytics dashboard over HTTP (SPEC §11), for every role of the account."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from resolutionflow.analytics import service
from resolutionflow.analytics.schemas import Dashboard
from resolutionflow.gaps.api import router as gaps_router
from resolutionflow.gaps.detection import PERIODS
from resolutionflow.tenancy.deps import DB, AppSettings, CurrentPrincipal
from resolutionflow.tenancy.ratelimit import read_limit

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get(
    "/dashboard",
    response_model=Dashboard,
    dependencies=[Depends(read_limit)],
    summary="Confidence tiers, PSA and flywheel figures, top flows and trends over a period",
)
async def get_dashboard(
    principal: CurrentPrincipal,
    db: DB,
    settings: AppSettings,
    period_days: int = Query(
        default=30, description="7, 30 or 90", json_schema_extra={"enum": list(PERIODS)}
    ),
) -> Dashboard:
    return await service.dashboard(
        db, account=principal.account, period_days=period_days, settings=settings
    )


# Both analytics routers under one name, so the application includes them in one place.
routers = (router, gaps_router)
