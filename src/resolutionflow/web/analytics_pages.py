"""The analytics dashboard (period switch, charts drawn on the server) and the gap report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from resolutionflow.analytics import service as analytics_service
from resolutionflow.analytics.schemas import Dashboard
from resolutionflow.gaps import service as gaps_service
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.web.charts import Series, as_percent, bar_chart, grouped_bars, line_chart
from resolutionflow.web.common import PageRoute, Viewer, render
from resolutionflow.web.templating import humanise

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PERIODS = (7, 30, 90)
TIER_ORDER = ("high", "medium", "low", "discovery")
TYPE_ORDER = ("new_flow", "enhancement", "branch_addition", "auto_reinforced")


def period_of(value: str | None) -> int:
    try:
        days = int(value or 30)
    except ValueError:
        return 30
    return days if days in PERIODS else 30


def _ordered(items: list[Any], order: tuple[str, ...], key: str) -> list[Any]:
    rank = {name: i for i, name in enumerate(order)}
    return sorted(items, key=lambda item: (rank.get(getattr(item, key), 99), getattr(item, key)))


def charts_for(board: Dashboard) -> dict[str, str]:
    """Every chart of the dashboard as SVG text, keyed by its element id."""
    tiers = _ordered(list(board.tiers), TIER_ORDER, "tier")
    names = [humanise(t.tier) for t in tiers]
    trend = board.daily if board.period_days <= 30 else board.weekly
    labels = [p.period[5:] for p in trend]  # "11-14" for a day, "W47" for a week
    by_type = board.flywheel.by_type
    types = [t for t in TYPE_ORDER if t in by_type] + sorted(set(by_type) - set(TYPE_ORDER))
    psa = board.psa
    return {
        "chart-tiers": bar_chart(
            names, [t.sessions for t in tiers], title="Sessions by confidence tier"
        ),
        "chart-outcomes": grouped_bars(
            names,
            [
                Series("resolved", [t.resolution_rate for t in tiers], "ok"),
                Series("escalated", [t.escalation_rate for t in tiers], "bad"),
            ],
            title="Resolution and escalation rate by tier",
            fmt=as_percent,
            top=1.0,
        ),
        "chart-trend": line_chart(
            labels,
            [
                Series("started", [p.created for p in trend]),
                Series("resolved", [p.resolved for p in trend], "alt"),
                Series("escalated", [p.escalated for p in trend], "bad"),
            ],
            title="Sessions over time",
        ),
        "chart-psa": bar_chart(
            ["With ticket", "Resolved", "Escalated", "First-time fix", "Eventual success"],
            [
                psa.sessions_with_ticket,
                psa.resolved,
                psa.escalated,
                psa.first_time_fixes,
                psa.eventual_successes,
            ],
            title="PSA ticket outcomes",
        ),
        "chart-flywheel": bar_chart(
            [humanise(t) for t in types],
            [by_type[t] for t in types],
            title="Proposals by type",
            css="alt",
        ),
    }


@router.get("/analytics")
async def dashboard(
    request: Request, viewer: Viewer, db: DB, settings: AppSettings, period: str | None = None
) -> Response:
    days = period_of(period)
    board = await analytics_service.dashboard(
        db, account=viewer.account, period_days=days, settings=settings
    )
    return await render(
        request, "analytics.html", viewer=viewer, db=db, period=days, periods=PERIODS,
        board=board, charts=charts_for(board),
        tiers=_ordered(list(board.tiers), TIER_ORDER, "tier"),
    )  # fmt: skip


@router.get("/gaps")
async def gap_report(
    request: Request, viewer: Viewer, db: DB, settings: AppSettings, period: str | None = None
) -> Response:
    days = period_of(period)
    report = await gaps_service.knowledge_gaps(
        db, account=viewer.account, period_days=days, settings=settings
    )
    return await render(
        request, "gaps.html", viewer=viewer, db=db, period=days, periods=PERIODS,
        gaps=report.gaps, gaps_error=None,
    )  # fmt: skip
