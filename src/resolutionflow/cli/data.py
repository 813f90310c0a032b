"""`resolutionflow import|export|sessions`: moving sessions and flows in and out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from resolutionflow.accounts.service import get_account
from resolutionflow.cli.common import (
    analysis_note,
    console,
    ensure_schema,
    err_console,
    fail,
    handle_errors,
    print_json,
    print_rows,
    run,
)
from resolutionflow.db import unit_of_work
from resolutionflow.flows import service as flows_service
from resolutionflow.sessions import importer
from resolutionflow.sessions import service as sessions_service
from resolutionflow.sessions.schemas import SessionStatus

# Options typed with a Literal take only its values: anything else is refused with the
# allowed values listed (and --help lists them), instead of quietly matching nothing.
AnalysisStatus = Literal["pending", "processing", "completed", "failed", "skipped", "waiting"]

import_app = typer.Typer(help="Import sessions or flows.", no_args_is_help=True)
export_app = typer.Typer(help="Export flows.", no_args_is_help=True)
sessions_app = typer.Typer(help="Troubleshooting sessions.", no_args_is_help=True)


class _StrictRejected(Exception):
    def __init__(self, summary: importer.ImportSummary) -> None:
        self.summary = summary


def _kind_of(path: Path) -> str:
    """What a path that is not a regular file is, in words."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return "missing"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _read_text(path: Path) -> str:
    """The file's text. Devices and pipes are read too (`<(jq -c ...)` works), `-` is stdin;
    what cannot be read gets its own message, never a misleading "no such file"."""
    if str(path) == "-":
        import sys

        return sys.stdin.read()
    if not path.is_file():
        kind = _kind_of(path)
        if kind == "missing":
            fail(f"{path}: no such file")
        if kind in ("a directory", "a socket"):
            fail(f"{path} is {kind}, not a file")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        fail(f"{path}: cannot be read ({exc.strerror or exc})")
    raise AssertionError("unreachable")


def _json_array_hint(path: Path, text: str) -> str | None:
    """A message when the file is one JSON array (or one pretty-printed object) rather than
    JSON Lines, which would otherwise come back as one error per line."""
    start = text.lstrip()[:1]
    if start not in ("[", "{"):
        return None
    if start == "{":
        first = next(line for line in text.splitlines() if line.strip())
        try:
            json.loads(first)
            return None  # the first line is a whole object: JSON Lines
        except json.JSONDecodeError:
            pass
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return None
    if isinstance(doc, list):
        return (
            f"{path} is a JSON array, not JSON Lines: put one session object per line, "
            f"e.g. `jq -c '.[]' {path} > sessions.jsonl` ({len(doc)} item(s) in the array)"
        )
    if isinstance(doc, dict):
        return (
            f"{path} is one JSON object spread over several lines, not JSON Lines: put each "
            f"session on a line of its own, e.g. `jq -c . {path} > sessions.jsonl`"
        )
    return None


@import_app.command("sessions")
@handle_errors
def import_sessions(
    file: Path = typer.Argument(
        ..., help="A JSON Lines file, one session per line (`-` reads standard input)."
    ),
    account: str = typer.Option(..., "--account", help="Account slug."),
    strict: bool = typer.Option(False, "--strict", help="Store nothing if any line is bad."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Import sessions. Bad lines are reported by number and skipped; re-importing adds nothing.

    Each line is a session object: problem_summary and status are required; external_id (the
    idempotency key), problem_domain, team, engineer, matched_flow, match_score, resolution or
    escalation fields, timestamps and steps are optional. README.md lists every field and
    tests/data/sample_sessions.jsonl is a sample."""
    text = _read_text(file)
    hint = _json_array_hint(file, text)
    if hint:
        fail(hint)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        err_console.print(f"{file} is empty: nothing to import", highlight=False, soft_wrap=True)
        if json_out:
            print_json(importer.ImportSummary().as_dict())
        return
    show_progress = err_console.is_terminal and not json_out

    async def work() -> importer.ImportSummary:
        await ensure_schema()
        progress = Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            disable=not show_progress,
        )
        task = progress.add_task("import", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            with progress:
                async with unit_of_work() as db:
                    acc = await get_account(db, slug=account)
                    summary = await importer.import_sessions(
                        db, account=acc, lines=lines, strict=strict, on_progress=step
                    )
                    if summary.strict_rejected:
                        raise _StrictRejected(summary)  # rolls the whole import back
                    progress.update(task, completed=progress.tasks[0].total or 0)
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


def _session_row(s: Any) -> dict[str, Any]:
    return {
        "id": str(s.id),
        "external_id": s.external_id,
        "status": s.status,
        "analysis_status": s.analysis_status,
        "problem_domain": s.problem_domain,
        "problem_summary": s.problem_summary,
        # Why the analysis is where it is (a budget wait, a retry, a failure) and when a
        # parked or retrying session is next picked up.
        "analysis_note": analysis_note(s.analysis_status, s.analysis_error, s.analysis_not_before)
        or None,
        "resumes_at": s.analysis_not_before
        if s.analysis_status in ("waiting", "pending")
        else None,
    }


@sessions_app.command("list")
@handle_errors
def list_sessions(
    account: str = typer.Option(..., "--account", help="Account slug."),
    analysis_status: AnalysisStatus | None = typer.Option(
        None, "--analysis-status", help="Only sessions whose analysis is in this state."
    ),
    status: SessionStatus | None = typer.Option(
        None, "--status", help="Only sessions in this state."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List an account's sessions, newest first, with both ids (either works wherever a
    command takes a session) and why a waiting or failed analysis is where it is."""

    async def work() -> list[dict[str, Any]]:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            rows = await sessions_service.list_sessions(
                db, account=acc, analysis_status=analysis_status, status=status, limit=limit
            )
            return [_session_row(s) for s in rows]

    rows = run(work)
    if json_out:
        print_json(rows)
        return
    if not rows:
        console.print("no sessions")
        return
    lines = []
    for r in rows:
        analysis = r["analysis_status"] or ""
        if r["analysis_note"]:
            analysis += f" ({r['analysis_note']})"
        lines.append(
            [
                r["id"],
                r["external_id"] or "",
                r["status"],
                r["problem_domain"] or "",
                analysis,
                r["problem_summary"],
            ]
        )
    print_rows(["id", "external id", "status", "domain", "analysis", "summary"], lines, cap=70)
    waiting = sum(1 for r in rows if r["analysis_status"] == "waiting")
    if waiting:
        console.print(
            f"{waiting} session(s) wait for the daily proposal budget; an admin can backfill "
            "them now with `resolutionflow worker --drain --budget N`"
        )


async def find_session(ref: str, account: str | None, db: Any) -> Any:
    """The session a command names, by internal or external id (see `sessions list`)."""
    acc = await get_account(db, slug=account) if account else None
    return await sessions_service.find_session(db, ref=ref, account=acc)


@sessions_app.command("show")
@handle_errors
def show_session(
    session: str = typer.Argument(..., help="Session id or external id."),
    account: str | None = typer.Option(
        None, "--account", help="Account slug (needed when an external id is in several)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One session: its state, its analysis (and why it waits), its steps."""

    async def work() -> dict[str, Any]:
        await ensure_schema()
        async with unit_of_work(write=False) as db:
            found = await find_session(session, account, db)
            steps = await sessions_service.get_steps(db, session=found)
            row = _session_row(found)
            row |= {
                "confidence_tier": found.confidence_tier,
                "resolution_summary": found.resolution_summary,
                "escalation_reason": found.escalation_reason,
                "created_at": found.created_at,
                "resolved_at": found.resolved_at,
                "analysis_attempts": found.analysis_attempts,
                "analysis_error": found.analysis_error,
                "proposal_id": str(found.proposal_id) if found.proposal_id else None,
                "steps": [
                    {
                        "step_order": st.step_order,
                        "step_type": st.step_type,
                        "text": (st.content or {}).get("text"),
                    }
                    for st in steps
                ],
            }
            return row

    row = run(work)
    if json_out:
        print_json(row)
        return
    console.print(f"[bold]{row['problem_summary']}[/]", highlight=False)
    for label, key in (
        ("id", "id"),
        ("external id", "external_id"),
        ("status", "status"),
        ("domain", "problem_domain"),
        ("tier", "confidence_tier"),
        ("resolution", "resolution_summary"),
        ("escalation", "escalation_reason"),
        ("analysis", "analysis_status"),
        ("why", "analysis_note"),
        ("proposal", "proposal_id"),
    ):
        if row.get(key):
            console.print(f"{label:>12}: {row[key]}", highlight=False, soft_wrap=True)
    if row["analysis_status"] == "waiting":
        console.print(
            "              backfill now: `resolutionflow worker --drain --budget N`",
            highlight=False,
        )
    for st in row["steps"]:
        console.print(
            f"  {st['step_order']:>3} {st['step_type']:<10} {st['text'] or ''}", highlight=False
        )
