"""`resolutionflow worker|proposals` and `sessions retry`: running and inspecting the flywheel."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from resolutionflow import logs
from resolutionflow.accounts.service import get_account
from resolutionflow.cli.common import console, ensure_schema, handle_errors, print_json, run
from resolutionflow.cli.data import sessions_app
from resolutionflow.config import get_settings
from resolutionflow.db import unit_of_work
from resolutionflow.flywheel import repository as flywheel_repo
from resolutionflow.models.base import utcnow
from resolutionflow.review import service as review_service
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
) -> None:
    """Analyse resolved sessions: periodically (default every 5 minutes) or once with --drain."""
    if ctx.invoked_subcommand is not None:
        return
    settings = get_settings()
    if drain:
        stats = run(lambda: _drain(settings, quiet=json_out))
        if json_out:
            print_json({"processed": stats.processed, "outcomes": stats.outcomes,
                        "seconds": round(stats.seconds, 3)})  # fmt: skip
        else:
            parts = ", ".join(f"{k} {v}" for k, v in sorted(stats.outcomes.items())) or "nothing"
            console.print(f"drained {stats.processed} session(s) in {stats.seconds:.1f}s: {parts}")
        return
    if not os.environ.get("RESOLUTIONFLOW_LOG_LEVEL"):
        logs.configure(level="INFO")  # a long-running worker reports what it does
    run(lambda: _periodic(settings, interval or settings.worker_interval_seconds))


async def _drain(settings: Any, *, quiet: bool) -> Any:
    from resolutionflow.notifications import webhooks

    try:
        return await _drain_queue(settings, quiet=quiet)
    finally:
        await webhooks.drain(30)  # let webhook deliveries finish before the loop closes


async def _drain_queue(settings: Any, *, quiet: bool) -> Any:
    from resolutionflow.flywheel.worker import Worker

    await ensure_schema()
    async with unit_of_work(settings, write=False) as db:
        total = await flywheel_repo.remaining(db, now=utcnow())
    worker = Worker(settings)
    if quiet:
        return await worker.drain(wait_for_others=True)
    columns = (TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[last]}"))  # fmt: skip
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("drain", total=total or None, last="")

        def step(outcome: Any) -> None:
            progress.update(task, advance=1, last=outcome.result)

        return await worker.drain(on_progress=step, wait_for_others=True)


async def _periodic(settings: Any, interval: int) -> None:
    from resolutionflow.flywheel.scheduler import start_periodic
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
    scheduler.shutdown(wait=False)


@sessions_app.command("retry")
@handle_errors
def retry(
    failed: bool = typer.Option(False, "--failed", help="Requeue every failed session."),
    account: str | None = typer.Option(None, "--account", help="Only this account."),
) -> None:
    """Put failed analyses back in the queue."""
    if not failed:
        raise typer.BadParameter("say which sessions: --failed")

    async def work() -> int:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account) if account else None
            return await sessions_service.retry_failed(db, account=acc)

    console.print(f"{run(work)} session(s) queued again")


@proposals_app.command("list")
@handle_errors
def list_proposals(
    account: str = typer.Option(..., "--account", help="Account slug."),
    status: str | None = typer.Option(None, "--status"),
    proposal_type: str | None = typer.Option(None, "--type"),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List an account's flow proposals, newest first."""

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
    table = Table("type", "status", "sessions", "confidence", "domain", "title")
    for r in rows:
        table.add_row(
            r["proposal_type"], r["status"], str(r["supporting_session_count"]),
            f"{r['confidence_score']:.2f}", r["problem_domain"] or "", r["title"][:60],
        )  # fmt: skip
    console.print(table)
