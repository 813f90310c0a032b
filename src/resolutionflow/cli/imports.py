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
from resolutionflow.errors import BadRequest
from resolutionflow.imports import connectors, psa
from resolutionflow.imports.files import load_export
from resolutionflow.imports.vendors import VENDORS, vendor_module

psa_app = typer.Typer(
    help="PSA connectors: pull tickets, see where a pull stands.", no_args_is_help=True
)


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


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
                    db,
                    account=acc,
                    vendor=module,
                    records=records,
                    lookups=lookups,
                    progress=lambda n: bar.advance(task, n),
                )

    summary = run(work)
    _print_psa(summary, json_out)
    if summary.errors:
        raise typer.Exit(1)


@psa_app.command("configure")
@handle_errors
def configure(
    vendor: str = typer.Option(..., "--vendor", help=f"One of: {', '.join(VENDORS)}."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    base_url: str = typer.Option(..., "--base-url", help="The PSA's API address."),
    credential: list[str] = typer.Option(
        [], "--credential", help="key=value, repeated (e.g. private_key=...)."
    ),
    webhook_secret: str | None = typer.Option(None, "--webhook-secret"),
) -> None:
    """Set up a pull connector; credentials are stored encrypted with the secret key."""
    creds: dict[str, Any] = {}
    for item in credential:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"--credential {key}: give it as key=value")
        creds[key.strip()] = value

    async def work() -> dict[str, Any]:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            return connectors.configure(
                acc,
                vendor=vendor,
                base_url=base_url,
                credentials=creds,
                webhook_secret=webhook_secret,
            )

    shown = run(work)
    console.print(
        f"{vendor} connector set: {shown['base_url']} "
        f"(credentials: {', '.join(shown['credentials'])})"
    )


@psa_app.command("pull")
@handle_errors
def pull(
    vendor: str = typer.Option(..., "--vendor", help=f"One of: {', '.join(VENDORS)}."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    page_size: int = typer.Option(100, "--page-size", min=1, max=1000),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Pull tickets updated since the last run; a stopped pull goes on from its page."""
    vendor_module(vendor)

    async def work() -> psa.PsaSummary:
        await ensure_schema()
        total = psa.PsaSummary(vendor=vendor)
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            client = connectors.client_for(acc, vendor, page_size=page_size)
        with _progress() as bar:
            task = bar.add_task(f"{vendor} pull", total=None)
            async with client:
                while True:
                    try:
                        # One transaction a page: what was pulled stays pulled if a later
                        # page fails, and the cursor says where to go on from.
                        async with unit_of_work() as db:
                            acc = await get_account(db, slug=account)
                            result = await connectors.pull_page(
                                db, account=acc, vendor=vendor, client=client
                            )
                    except Exception as exc:
                        async with unit_of_work() as db:
                            acc = await get_account(db, slug=account)
                            await connectors.record_failure(
                                db, account=acc, vendor=vendor, error=str(exc)
                            )
                        raise
                    total.add(result.summary)
                    bar.advance(task, result.summary.seen)
                    if result.done:
                        return total

    summary = run(work)
    _print_psa(summary, json_out)
    if summary.errors:
        raise typer.Exit(1)


@psa_app.command("status")
@handle_errors
def status(
    account: str = typer.Option(..., "--account", help="Account slug."),
) -> None:
    """Each connector's address and where its pull stands (never the credentials)."""

    async def work() -> list[dict[str, Any]]:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            out = []
            for vendor in VENDORS:
                try:
                    shown = connectors.describe(acc, vendor)
                except BadRequest:
                    continue
                mark = await connectors.cursor(db, account=acc, vendor=vendor)
                out.append({**shown, "cursor": connectors.cursor_dict(mark)})
            return out

    print_json(run(work))


ARTICLE_SUFFIXES = (".md", ".markdown", ".html", ".htm")


def read_articles(directory: Path) -> list[tuple[str, str]]:
    """(name relative to the directory, text) of every article file under it, sorted."""
    if not directory.is_dir():
        fail(f"{directory}: no such directory")
    out = []
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.suffix.lower() in ARTICLE_SUFFIXES:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                text = ""
                err_console.print(f"{path}: not UTF-8 text ({exc.reason}); skipped")
                continue
            out.append((path.relative_to(directory).as_posix(), text))
    return out


@handle_errors
def import_articles(
    directory: Path = typer.Argument(..., help="A folder of Markdown and HTML articles."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    json_out: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Turn knowledge-base articles into proposed flows in the review queue (once each)."""
    articles = read_articles(directory)
    if not articles:
        fail(f"{directory}: no .md or .html articles found")

    async def work() -> list[dict[str, Any]]:
        from resolutionflow.ai.base import close_provider
        from resolutionflow.ai.registry import get_provider
        from resolutionflow.config import get_settings
        from resolutionflow.imports import article_service

        await ensure_schema()
        settings = get_settings()
        provider = None if settings.ai_provider == "offline" else get_provider(settings)
        try:
            async with unit_of_work() as db:
                acc = await get_account(db, slug=account)
                results = await article_service.import_articles(
                    db, account=acc, articles=articles, provider=provider
                )
                return [r.as_dict() for r in results]
        finally:
            if provider is not None:
                await close_provider(provider)

    results = run(work)
    if json_out:
        print_json(results)
    else:
        for r in results:
            if r["status"] == "error":
                err_console.print(f"{r['name']}: {r['error']}", highlight=False, soft_wrap=True)
            else:
                console.print(
                    f"{r['name']}: {r['status']} ({r['shape'] or 'as before'}) {r['title']}",
                    highlight=False,
                )
        created = sum(r["status"] == "created" for r in results)
        present = sum(r["status"] == "already_present" for r in results)
        errors = sum(r["status"] == "error" for r in results)
        console.print(f"{created} proposed, {present} already present, {errors} error(s)")
    if any(r["status"] == "error" for r in results):
        raise typer.Exit(1)


def register(import_app: typer.Typer) -> None:
    import_app.command("psa")(import_psa)
    import_app.command("articles")(import_articles)
