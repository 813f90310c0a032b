"""`resolutionflow worker|proposals` and `sessions retry`: running and inspecting the flywheel."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from resolutionflow import logs
from resolutionflow.accounts.service import get_account
from resolutionflow.cli.common import (
    console,
    ensure_schema,
    handle_errors,
    print_json,
    print_rows,
    run,
)
from resolutionflow.cli.data import sessions_app
from resolutionflow.config import get_settings
from resolutionflow.db import unit_of_work
from resolutionflow.errors import BadRequest
from resolutionflow.review import service as review_service
from resolutionflow.review.schemas import ProposalStatus, ProposalType
from resolutionflow.sessions import service as sessions_service

worker_app = typer.Typer(help="The flywheel worker.", invoke_without_command=True)
proposals_app = typer.Typer(help="Flow proposals.", no_args_is_help=True)


@worker_app.callback()
@handle_errors
def worker(
    ctx: typer.Context,
    drain: bool = typer.Option(False, "--drain", help="Work until the queue is empty, then exit."),
    interval: int | None = typer.Option(None, "--interval", help="Seconds between runs."),
    json_out: bool = typer.Option(False, "--json", help="With --drain: print outcome counts."),
    one_off_budget: int | None = typer.Option(
        None,
        "--budget",
        min=0,
        help="With --drain: today's proposal limit for this run only (0: no limit), and wake "
        "the sessions parked by the daily budget. For backfilling imported history.",
    ),
) -> None:
    """Analyse resolved sessions: periodically (default every 5 minutes) or once with --drain."""
    if ctx.invoked_subcommand is not None:
        return
    settings = get_settings()
    if one_off_budget is not None and not drain:
        raise typer.BadParameter("--budget is a one-off for a drain: add --drain")
    if drain:
        if one_off_budget is not None:
            settings = settings.model_copy(update={"daily_proposal_budget": one_off_budget})
        backfill = one_off_budget is not None
        stats = run(lambda: _drain(settings, quiet=json_out, backfill=backfill))
        if json_out:
            print_json(
                {
                    "processed": stats.processed,
                    "outcomes": stats.outcomes,
                    "seconds": round(stats.seconds, 3),
                }
            )
        else:
            parts = ", ".join(f"{k} {v}" for k, v in sorted(stats.outcomes.items())) or "nothing"
            console.print(f"drained {stats.processed} session(s) in {stats.seconds:.1f}s: {parts}")
        return
    if not os.environ.get("RESOLUTIONFLOW_LOG_LEVEL"):
        logs.configure(level="INFO")  # a long-running worker reports what it does
    run(lambda: _periodic(settings, interval or settings.worker_interval_seconds))


async def _drain(settings: Any, *, quiet: bool, backfill: bool = False) -> Any:
    from resolutionflow.notifications import webhooks

    try:
        return await _drain_queue(settings, quiet=quiet, backfill=backfill)
    finally:
        await webhooks.drain(30)  # let webhook deliveries finish before the loop closes


async def _drain_queue(settings: Any, *, quiet: bool, backfill: bool = False) -> Any:
    from resolutionflow.flywheel import budget
    from resolutionflow.flywheel.worker import Worker

    await ensure_schema()
    if backfill:
        async with unit_of_work(settings) as db:
            woken = await budget.wake_parked(db)
        if woken and not quiet:
            console.print(f"{woken} session(s) parked by the daily budget queued again")
    worker = Worker(settings)
    total = await worker.waiting()
    if quiet:
        return await worker.drain(wait_for_others=True)
    columns = (
        TextColumn("analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("drain", total=total or None, last="")

        def step(outcome: Any) -> None:
            progress.update(task, advance=1, last=outcome.result)
            # A session parked for the budget and woken by a merge is counted twice.
            done = progress.tasks[0].completed
            if total and done > (progress.tasks[0].total or 0):
                progress.update(task, total=done)

        return await worker.drain(on_progress=step, wait_for_others=True)


async def _periodic(settings: Any, interval: int) -> None:
    from resolutionflow.flywheel.scheduler import start_periodic, stop_periodic
    from resolutionflow.flywheel.worker import Worker

    await ensure_schema()
    worker = Worker(settings)
    scheduler = start_periodic(worker, interval_seconds=interval)
    console.print(f"worker {worker.worker_id} running every {interval}s; Ctrl-C stops it")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    console.print("stopping: finishing the sessions in hand")
    await stop_periodic(scheduler, worker, grace_seconds=25)


@sessions_app.command("retry")
@handle_errors
def retry(
    failed: bool = typer.Option(False, "--failed", help="Requeue every failed session."),
    session: str | None = typer.Option(
        None, "--session", help="Requeue this failed session (id or external id)."
    ),
    account: str | None = typer.Option(None, "--account", help="Only this account."),
    json_out: bool = typer.Option(False, "--json", help='Print {"queued": N}.'),
) -> None:
    """Put failed analyses back in the queue."""
    if not failed and not session:
        raise typer.BadParameter("say which sessions: --failed, or --session ID")

    async def work() -> int:
        from resolutionflow.cli.data import find_session

        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account) if account else None
            if session:
                found = await find_session(session, account, db)
                return await sessions_service.retry_failed(db, session_ids=[found.id])
            return await sessions_service.retry_failed(db, account=acc)

    queued = run(work)
    if json_out:
        print_json({"queued": queued})
    else:
        console.print(f"{queued} session(s) queued again")


@proposals_app.command("list")
@handle_errors
def list_proposals(
    account: str = typer.Option(..., "--account", help="Account slug."),
    status: ProposalStatus | None = typer.Option(None, "--status"),
    proposal_type: ProposalType | None = typer.Option(None, "--type"),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List an account's flow proposals, newest first (ids for `proposals show|approve|...`)."""

    async def work() -> list[dict[str, Any]]:
        await ensure_schema()
        async with unit_of_work(write=False) as db:
            acc = await get_account(db, slug=account)
            rows = await review_service.all_proposals(
                db, account=acc, status=status, proposal_type=proposal_type
            )
            return [review_service.proposal_export(p) for p in rows]

    rows = run(work)
    if json_out:
        print_json(rows)
        return
    if not rows:
        console.print("no proposals")
        return
    print_rows(
        ["id", "type", "status", "sessions", "score", "domain", "title"],
        [
            [
                r["id"],
                r["proposal_type"],
                r["status"],
                str(r["supporting_session_count"]),
                f"{r['confidence_score']:.2f}",
                r["problem_domain"] or "",
                r["title"],
            ]
            for r in rows
        ],
    )


def _node_lines(tree: dict[str, Any] | None) -> list[str]:
    """The flow's nodes, one line each: id, type, title."""
    if not isinstance(tree, dict):
        return []
    nodes = [tree, *(tree.get("children") or [])]
    return [
        f"  {n.get('id', '?'):<14} {n.get('type', '?'):<10} "
        f"{n.get('title') or n.get('question') or ''}"
        for n in nodes
        if isinstance(n, dict)
    ]


@proposals_app.command("show")
@handle_errors
def show_proposal(
    proposal_id: str = typer.Argument(..., help="Proposal id (see `proposals list`)."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    json_out: bool = typer.Option(False, "--json", help="Print the detail as JSON."),
) -> None:
    """One proposal: what it proposes, its evidence, risky commands, any conflict."""

    async def work() -> Any:
        await ensure_schema()
        async with unit_of_work(write=False) as db:
            acc = await get_account(db, slug=account)
            return await review_service.detail(db, account=acc, proposal_id=proposal_id)

    detail = run(work)
    if json_out:
        print_json(detail.model_dump(mode="json"))
        return
    _print_detail(detail)


def _print_detail(d: Any) -> None:
    console.print(f"[bold]{d.title}[/]", highlight=False)
    for label, value in (
        ("id", d.id),
        ("type", d.proposal_type),
        ("status", d.status),
        ("domain", d.problem_domain),
        ("confidence", f"{d.confidence_score:.2f}"),
        ("sessions", d.supporting_session_count),
        ("description", d.description),
        ("reviewer note", d.reviewer_notes),
        ("published flow", d.published_flow_id),
        ("conflict", d.conflict),
    ):
        if value not in (None, ""):
            console.print(f"{label:>15}: {value}", highlight=False, soft_wrap=True)
    tree = d.flow if d.proposal_type == "new_flow" else d.after
    lines = _node_lines(tree)
    if lines:
        console.print("nodes:" if d.proposal_type == "new_flow" else "nodes after the change:")
        for line in lines:
            console.print(line, highlight=False, soft_wrap=True)
    for r in d.risks:
        console.print(
            f"[yellow]risk[/] {r.get('level', '')} node {r.get('node_id')}: "
            f"{r.get('command', '')} {r.get('message', '')}",
            highlight=False,
            soft_wrap=True,
        )


def _decide(
    action: str,
    proposal_id: str,
    account: str,
    reviewer_email: str | None,
    note: str | None,
    acknowledge_risks: bool,
    json_out: bool,
) -> None:
    from resolutionflow.accounts import service as accounts_service
    from resolutionflow.models.account import REVIEWER_ROLES
    from resolutionflow.review.schemas import ReviewIn

    async def work() -> Any:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            reviewer = await _reviewer(db, acc, reviewer_email, accounts_service, REVIEWER_ROLES)
            body = ReviewIn(action=action, reviewer_notes=note, acknowledge_risks=acknowledge_risks)  # type: ignore[arg-type]
            await review_service.review(
                db, account=acc, proposal_id=proposal_id, reviewer=reviewer, body=body
            )
            await db.flush()
        async with unit_of_work(write=False) as db:
            acc = await get_account(db, slug=account)
            detail = await review_service.detail(db, account=acc, proposal_id=proposal_id)
            return detail, reviewer.email

    detail, email = run(work)
    if json_out:
        print_json(detail.model_dump(mode="json"))
        return
    done = f"{detail.status} by {email}"
    if detail.published_flow_id:
        done += f"; published as flow {detail.published_flow_id}"
    console.print(f"{detail.title}: {done}", highlight=False, soft_wrap=True)


async def _reviewer(db: Any, acc: Any, email: str | None, accounts: Any, roles: Any) -> Any:
    """The user a CLI decision is recorded under: `--as EMAIL` (an admin or team admin of the
    account), or else the account's first admin."""
    if email:
        user = await accounts.user_by_email(db, email=email)
        if user.account_id != acc.id:
            raise BadRequest(f"{email} is not a user of account {acc.slug}")
        if user.role not in roles:
            raise BadRequest(f"{email} is {user.role}; reviews are made by {' or '.join(roles)}")
        return user
    admins = [u for u in await accounts.list_users(db, account=acc) if u.role == "admin"]
    if not admins:
        raise BadRequest(
            f"account {acc.slug} has no admin: say who reviews with --as EMAIL (a team admin)"
        )
    return min(admins, key=lambda u: (u.created_at, u.email))


_AS = typer.Option(
    None,
    "--as",
    metavar="EMAIL",
    help="Who decides (an admin or team admin of the account). Default: the account's first "
    "admin. The decision is recorded under this user.",
)
_ACCOUNT = typer.Option(..., "--account", help="Account slug.")
_JSON = typer.Option(False, "--json", help="Print the proposal after the decision as JSON.")


@proposals_app.command("approve")
@handle_errors
def approve(
    proposal_id: str = typer.Argument(..., help="Proposal id (see `proposals list`)."),
    account: str = _ACCOUNT,
    reviewer: str | None = _AS,
    note: str | None = typer.Option(None, "--note", help="A note kept with the decision."),
    acknowledge_risks: bool = typer.Option(
        False,
        "--acknowledge-risks",
        help="Confirm the high-risk commands `proposals show` lists belong in the flow.",
    ),
    json_out: bool = _JSON,
) -> None:
    """Approve a proposal: publish it as a new flow or a new version of its flow."""
    _decide("approve", proposal_id, account, reviewer, note, acknowledge_risks, json_out)


@proposals_app.command("reject")
@handle_errors
def reject(
    proposal_id: str = typer.Argument(..., help="Proposal id (see `proposals list`)."),
    account: str = _ACCOUNT,
    reviewer: str | None = _AS,
    reason: str = typer.Option(..., "--reason", help="Why: kept with the decision."),
    json_out: bool = _JSON,
) -> None:
    """Reject a proposal (it will not be published)."""
    if not reason.strip():
        raise typer.BadParameter("say why the proposal is rejected", param_hint="--reason")
    _decide("reject", proposal_id, account, reviewer, reason, False, json_out)


@proposals_app.command("dismiss")
@handle_errors
def dismiss(
    proposal_id: str = typer.Argument(..., help="Proposal id (see `proposals list`)."),
    account: str = _ACCOUNT,
    reviewer: str | None = _AS,
    note: str | None = typer.Option(None, "--note", help="A note kept with the decision."),
    json_out: bool = _JSON,
) -> None:
    """Dismiss a proposal for now (it can still be reviewed later)."""
    _decide("dismiss", proposal_id, account, reviewer, note, False, json_out)
