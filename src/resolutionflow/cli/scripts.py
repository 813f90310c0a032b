"""`resolutionflow script`: a script for the task at hand in a session (never run here)."""

from __future__ import annotations

import sys
from typing import Literal

import typer

from resolutionflow.cli.common import (
    ensure_schema,
    err_console,
    handle_errors,
    print_json,
    run,
)
from resolutionflow.config import get_settings
from resolutionflow.db import unit_of_work

# The languages and the other names they go by; anything else is refused, listing these.
Language = Literal["powershell", "bash", "ps", "ps1", "pwsh", "sh", "shell", "linux"]


@handle_errors
def script(
    request: str = typer.Argument(
        ..., help='What the script should do, e.g. "clear the print queue"'
    ),
    session: str = typer.Option(
        ..., "--session", help="The session it is for: its id or its external id"
    ),
    account: str | None = typer.Option(
        None, "--account", help="Account slug (needed when an external id is in several)"
    ),
    lang: Language = typer.Option("powershell", "--lang", help="The script language"),
    step: int | None = typer.Option(None, "--step", help="The step it is for"),
    json_out: bool = typer.Option(False, "--json", help="Print the answer as JSON"),
) -> None:
    """Generate a script for a session. The script alone goes to standard output (copy it, or
    redirect it to a file); what it does, its parameters and risks go to standard error.
    Exits 1 when no vetted script fits the request."""
    from resolutionflow.cli.data import find_session
    from resolutionflow.models import Account
    from resolutionflow.scriptgen import service
    from resolutionflow.scriptgen.risk import normalise_language

    language = normalise_language(lang)
    settings = get_settings()

    async def work() -> dict:  # type: ignore[type-arg]
        await ensure_schema()
        async with unit_of_work(settings, write=False) as db:
            found = await find_session(session, account, db)
            acc = await db.get(Account, found.account_id)
            assert acc is not None
            context = await service.script_context(
                db, account=acc, session_id=found.id, step_order=step
            )
        answer = await service.produce(settings, context, request=request, language=language)
        async with unit_of_work(settings) as db:
            row = await service.record(
                db, context=context, user=None, request=request, language=language, answer=answer
            )
            result = service.as_cli_dict(row)
        result["suggestions"] = answer.get("suggestions") or []
        return result

    result = run(work)
    if json_out:
        result.pop("suggestions", None)
        print_json(result)
        return
    if result["script"]:
        text = result["script"]
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        err_console.print(
            f"[bold]{result['template'] or 'script'}[/] ({result['language']})", highlight=False
        )
    err_console.print(result["explanation"], highlight=False, soft_wrap=True)
    for risk in result["risks"]:
        err_console.print(
            f"[yellow]risk[/] line {risk.get('line')}: {risk.get('message')}",
            highlight=False,
            soft_wrap=True,
        )
    for s in result["suggestions"] if not result["script"] else []:
        err_console.print(f"  closest: {s.get('id')} — {s.get('title')}", highlight=False)
    if not result["script"]:
        raise typer.Exit(1)
