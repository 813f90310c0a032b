"""`resolutionflow import|export|sessions`: moving sessions and flows in and out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from resolutionflow.accounts.service import get_account
from resolutionflow.cli.common import (
    console,
    ensure_schema,
    err_console,
    fail,
    handle_errors,
    print_json,
    run,
)
from resolutionflow.db import unit_of_work
from resolutionflow.flows import service as flows_service
from resolutionflow.sessions import importer
from resolutionflow.sessions import service as sessions_service

import_app = typer.Typer(help="Import sessions or flows.", no_args_is_help=True)
export_app = typer.Typer(help="Export flows.", no_args_is_help=True)
sessions_app = typer.Typer(help="Troubleshooting sessions.", no_args_is_help=True)


class _StrictRejected(Exception):
    def __init__(self, summary: importer.ImportSummary) -> None:
        self.summary = summary


def _read_text(path: Path) -> str:
    if not path.is_file():
        fail(f"{path}: no such file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    raise AssertionError("unreachable")


@import_app.command("sessions")
@handle_errors
def import_sessions(
    file: Path = typer.Argument(..., help="A JSON Lines file, one session per line."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    strict: bool = typer.Option(False, "--strict", help="Store nothing if any line is bad."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Import sessions. Bad lines are reported by number and skipped; re-importing adds nothing."""
    text = _read_text(file)

    async def work() -> importer.ImportSummary:
        await ensure_schema()
        try:
            async with unit_of_work() as db:
                acc = await get_account(db, slug=account)
                summary = await importer.import_sessions(
                    db, account=acc, lines=text.splitlines(), strict=strict
                )
                if summary.strict_rejected:
                    raise _StrictRejected(summary)  # rolls the whole import back
                return summary
        except _StrictRejected as rejected:
            rejected.summary.stored = 0
            rejected.summary.teams_created = rejected.summary.engineers_created = 0
            return rejected.summary

    summary = run(work)
    if json_out:
        print_json(summary.as_dict())
    else:
        for error in summary.errors:
            err_console.print(str(error), highlight=False, soft_wrap=True)
        verb = (
            "nothing stored (--strict)" if summary.strict_rejected else f"{summary.stored} stored"
        )
        console.print(
            f"{verb}, {summary.already_present} already present, {len(summary.errors)} error(s); "
            f"{summary.teams_created} team(s) and {summary.engineers_created} engineer(s) created"
        )
    if summary.errors:
        raise typer.Exit(1)


def _load_json(path: Path) -> Any:
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")


@import_app.command("flows")
@handle_errors
def import_flows(
    file: Path = typer.Argument(..., help="A JSON array of {key, name, ..., tree_structure}."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Import flows by key: new keys are created, changed ones get a new version."""
    items = _load_json(file)

    async def work() -> dict[str, Any]:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            summary = await flows_service.import_flows(db, account=acc, items=items)
            return summary.as_dict()

    result = run(work)
    if json_out:
        print_json(result)
    else:
        console.print(
            f"{len(result['created'])} created, {len(result['updated'])} updated, "
            f"{len(result['unchanged'])} unchanged"
        )


@export_app.command("flows")
@handle_errors
def export_flows(
    account: str = typer.Option(..., "--account", help="Account slug."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to a file."),
) -> None:
    """Export every flow of the account as a JSON array (the import format)."""

    async def work() -> list[dict[str, Any]]:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            return await flows_service.export_flows(db, account=acc)

    flows = run(work)
    if output:
        output.write_text(json.dumps(flows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"{len(flows)} flow(s) written to {output}")
    else:
        print_json(flows)


@sessions_app.command("list")
@handle_errors
def list_sessions(
    account: str = typer.Option(..., "--account", help="Account slug."),
    analysis_status: str | None = typer.Option(None, "--analysis-status"),
    status: str | None = typer.Option(None, "--status"),
    limit: int | None = typer.Option(None, "--limit", min=1),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List an account's sessions, newest first."""

    async def work() -> list[dict[str, Any]]:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            rows = await sessions_service.list_sessions(
                db, account=acc, analysis_status=analysis_status, status=status, limit=limit
            )
            return [
                {
                    "id": str(s.id),
                    "external_id": s.external_id,
                    "status": s.status,
                    "analysis_status": s.analysis_status,
                    "problem_domain": s.problem_domain,
                    "problem_summary": s.problem_summary,
                }
                for s in rows
            ]

    rows = run(work)
    if json_out:
        print_json(rows)
        return
    table = Table("external id", "status", "analysis", "domain", "summary")
    for r in rows:
        table.add_row(
            r["external_id"] or "", r["status"], r["analysis_status"] or "",
            r["problem_domain"] or "", r["problem_summary"][:70],
        )  # fmt: skip
    console.print(table)
