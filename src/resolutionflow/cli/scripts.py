"""`resolutionflow script`: a script for the task at hand in a session (never run here)."""

from __future__ import annotations

import typer
from rich.panel import Panel
from rich.syntax import Syntax

from resolutionflow.cli.common import console, ensure_schema, handle_errors, print_json, run
from resolutionflow.config import get_settings
from resolutionflow.db import unit_of_work


@handle_errors
def script(
    request: str = typer.Argument(
        ..., help='What the script should do, e.g. "clear the print queue"'
    ),
    session: str = typer.Option(..., "--session", help="Session id"),
    lang: str = typer.Option("powershell", "--lang", help="powershell or bash"),
    step: int | None = typer.Option(None, "--step", help="The step it is for"),
    json_out: bool = typer.Option(False, "--json", help="Print the answer as JSON"),
) -> None:
    """Generate a script for a session: the script, what it does, its parameters and risks."""
    from resolutionflow.models import Account, Session
    from resolutionflow.scriptgen import service
    from resolutionflow.scriptgen.risk import normalise_language

    language = normalise_language(lang)
    settings = get_settings()

    async def work() -> dict:  # type: ignore[type-arg]
        import uuid

        await ensure_schema()
        try:
            session_id = uuid.UUID(session)
        except ValueError:
            raise typer.BadParameter(f"'{session}' is not a session id") from None
        async with unit_of_work(settings, write=False) as db:
            found = await db.get(Session, session_id)
            account = await db.get(Account, found.account_id) if found else None
            if account is None:
                from resolutionflow.errors import NotFound

                raise NotFound(f"session {session} not found")
            context = await service.script_context(
                db, account=account, session_id=session_id, step_order=step
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
        lexer = "powershell" if result["language"] == "powershell" else "bash"
        console.print(Panel(Syntax(result["script"], lexer), title=result["template"] or "script"))
    console.print(result["explanation"])
    for risk in result["risks"]:
        console.print(f"[yellow]risk[/] line {risk.get('line')}: {risk.get('message')}")
    for s in result["suggestions"] if not result["script"] else []:
        console.print(f"  closest: {s.get('id')} — {s.get('title')}")
