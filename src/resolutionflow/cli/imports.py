"""`resolutionflow import psa|articles` and `resolutionflow psa pull`: existing knowledge in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
from resolutionflow.imports import psa
from resolutionflow.imports.files import load_export
from resolutionflow.imports.vendors import VENDORS, vendor_module

psa_app = typer.Typer(help="PSA connectors: pull tickets, see where a pull stands.",
                      no_args_is_help=True)  # fmt: skip


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), TimeElapsedColumn(), console=err_console, transient=False,
    )  # fmt: skip


def _print_psa(summary: psa.PsaSummary, json_out: bool) -> None:
    if json_out:
        print_json(summary.as_dict())
    else:
        for error in summary.errors:
            err_console.print(str(error), highlight=False, soft_wrap=True)
        console.print(
            f"{summary.vendor}: {summary.stored} stored, {summary.updated} updated, "
            f"{summary.already_present} already present, {len(summary.errors)} error(s)"
        )


@handle_errors
def import_psa(
    file: Path = typer.Argument(..., help="A vendor export: JSON (tickets or a bundle) or JSONL."),
    vendor: str = typer.Option(..., "--vendor", help=f"One of: {', '.join(VENDORS)}."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Import PSA tickets as sessions. Re-importing changes nothing; bad records are reported."""
    module = vendor_module(vendor)
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    try:
        records, lookups = load_export(module, text)
    except ValueError as exc:
        fail(f"{file}: {exc}")

    async def work() -> psa.PsaSummary:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            with _progress() as bar:
                task = bar.add_task(f"{vendor} tickets", total=len(records))
                return await psa.import_records(
                    db, account=acc, vendor=module, records=records, lookups=lookups,
                    progress=lambda n: bar.advance(task, n),
                )  # fmt: skip

    summary = run(work)
    _print_psa(summary, json_out)
    if summary.errors:
        raise typer.Exit(1)


def register(import_app: typer.Typer) -> None:
    import_app.command("psa")(import_psa)


__all__ = ["Any", "psa_app", "register"]
