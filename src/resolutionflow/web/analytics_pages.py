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
        request,
        "analytics.html",
        viewer=viewer,
        db=db,
        period=days,
        periods=PERIODS,
        board=board,
        charts=charts_for(board),
        tiers=_ordered(list(board.tiers), TIER_ORDER, "tier"),
    )


GROUPS_SHOWN = 20  # recurring groups listed before "show all"


def limit_groups(gaps: list[Any], show_all: bool) -> tuple[list[Any], int, int]:
    """The gaps to list, the number of recurring groups and how many of them are held back.

    Only the display is limited: the report (and the API) keeps every group. The first
    GROUPS_SHOWN recurring groups are the largest, as the report orders them.
    """
    total = sum(1 for g in gaps if g.gap_type == "repeated_pattern")
    if show_all or total <= GROUPS_SHOWN:
        return list(gaps), total, 0
    shown, seen = [], 0
    for gap in gaps:
        if gap.gap_type == "repeated_pattern":
            seen += 1
            if seen > GROUPS_SHOWN:
                continue
        shown.append(gap)
    return shown, total, total - GROUPS_SHOWN


@router.get("/gaps")
async def gap_report(
    request: Request,
    viewer: Viewer,
    db: DB,
    settings: AppSettings,
    period: str | None = None,
    groups: str | None = None,
) -> Response:
    days = period_of(period)
    report = await gaps_service.knowledge_gaps(
        db, account=viewer.account, period_days=days, settings=settings
    )
    show_all = groups == "all"
    shown, group_total, hidden = limit_groups(report.gaps, show_all)
    return await render(
        request,
        "gaps.html",
        viewer=viewer,
        db=db,
        period=days,
        periods=PERIODS,
        gaps=shown,
        gaps_total=len(report.gaps),
        gaps_error=None,
        group_total=group_total,
        groups_hidden=hidden,
        groups_all=show_all,
        groups_shown=GROUPS_SHOWN,
    )
