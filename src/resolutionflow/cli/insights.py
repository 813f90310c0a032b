"""`resolutionflow gaps` and `resolutionflow analytics`: the reports a service-desk lead reads."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from resolutionflow.accounts.service import get_account
from resolutionflow.analytics.schemas import Dashboard
from resolutionflow.cli.common import console, ensure_schema, handle_errors, print_json, run
from resolutionflow.db import unit_of_work
from resolutionflow.gaps.schemas import KnowledgeGapReport
from resolutionflow.gaps.service import check_period

_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if value < 1 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _short_evidence(evidence: dict[str, Any]) -> str:
    parts = []
    for key, value in evidence.items():
        if key in ("context_message", "domain", "label"):
            continue
        if isinstance(value, list):
            value = f"{len(value)} item(s)"
        parts.append(f"{key}={_num(value)}")
    return ", ".join(parts)


@handle_errors
def gaps(
    account: str = typer.Option(..., "--account", help="Account slug."),
    period: int = typer.Option(30, "--period", help="Days to look back: 7, 30 or 90."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Knowledge gaps: where engineers work without a flow, or the flows fall short."""
    check_period(period)

    async def work() -> KnowledgeGapReport:
        await ensure_schema()
        async with unit_of_work(write=False) as db:
            acc = await get_account(db, slug=account)
            from resolutionflow.gaps.service import knowledge_gaps

            return await knowledge_gaps(db, account=acc, period_days=period)

    report = run(work)
    if json_out:
        print_json(report.model_dump(mode="json"))
        return
    if not report.gaps:
        console.print(f"No knowledge gaps in the last {period} days.")
        return
    table = Table(title=f"Knowledge gaps, last {period} days", show_lines=True)
    for column in ("severity", "signal", "domain", "gap", "evidence", "suggested action"):
        # The signal's name is what a reader greps for: never wrapped or cut, however narrow.
        signal = column == "signal"
        table.add_column(column, no_wrap=signal, min_width=19 if signal else None)
    for gap in report.gaps:
        table.add_row(
            f"[{_SEVERITY_STYLE.get(gap.severity, '')}]{gap.severity}[/]",
            gap.gap_type,
            gap.domain or "-",
            f"{gap.title}\n{gap.description}",
            _short_evidence(gap.evidence),
            gap.suggested_action,
        )
    console.print(table)


def _dashboard_tables(board: Dashboard) -> list[Table]:
    tiers = Table(
        title=f"Confidence tiers, last {board.period_days} days ({board.sessions:,} sessions)"
    )
    for column in (
        "tier",
        "sessions",
        "resolved",
        "escalated",
        "resolution rate",
        "escalation rate",
        "mean min",
        "median min",
    ):
        tiers.add_column(column, justify="right")
    for t in board.tiers:
        tiers.add_row(
            t.tier,
            *(
                _num(v)
                for v in (
                    t.sessions,
                    t.resolved,
                    t.escalated,
                    t.resolution_rate,
                    t.escalation_rate,
                    t.mean_minutes_to_resolve,
                    t.median_minutes_to_resolve,
                )
            ),
        )
    psa = Table(title="PSA tickets")
    psa.add_column("figure")
    psa.add_column("value", justify="right")
    for name, value in board.psa.model_dump().items():
        psa.add_row(name.replace("_", " "), _num(value))
    fly = Table(title="Flywheel")
    fly.add_column("figure")
    fly.add_column("value", justify="right")
    f = board.flywheel
    for name, value in (
        ("proposals", f.proposals),
        ("acceptance rate", f.acceptance_rate),
        ("median hours to review", f.median_hours_to_review),
        ("flows published", f.flows_published),
        ("reinforcements", f.reinforcements),
        *((f"type {k}", v) for k, v in f.by_type.items()),
        *((f"status {k}", v) for k, v in f.by_status.items()),
    ):
        fly.add_row(name, _num(value))
    flows = Table(title="Top flows by use")
    for column in ("flow", "uses", "resolved", "escalated", "success rate"):
        flows.add_column(column, justify="left" if column == "flow" else "right")
    for u in f.top_flows_by_use:
        flows.add_row(u.name, *(_num(v) for v in (u.uses, u.resolved, u.escalated, u.success_rate)))
    weekly = Table(title="Sessions per ISO week of creation")
    for column in ("week", "created", "resolved", "escalated"):
        weekly.add_column(column, justify="right")
    for p in board.weekly:
        weekly.add_row(p.period, _num(p.created), _num(p.resolved), _num(p.escalated))
    return [tiers, psa, fly, flows, weekly]


@handle_errors
def analytics(
    account: str = typer.Option(..., "--account", help="Account slug."),
    period: int = typer.Option(30, "--period", help="Days to look back: 7, 30 or 90."),
    json_out: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """The dashboard figures: confidence tiers, PSA, flywheel, top flows and trends."""
    check_period(period)

    async def work() -> Dashboard:
        await ensure_schema()
        async with unit_of_work(write=False) as db:
            acc = await get_account(db, slug=account)
            from resolutionflow.analytics.service import dashboard

            return await dashboard(db, account=acc, period_days=period)

    board = run(work)
    if json_out:
        print_json(board.model_dump(mode="json"))
        return
    for table in _dashboard_tables(board):
        console.print(table)
