"""`resolutionflow flows`: checking flow files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from resolutionflow.cli.common import console, err_console, handle_errors, print_json
from resolutionflow.cli.data import _load_json
from resolutionflow.errors import Problem
from resolutionflow.flows.structure import validate_tree

app = typer.Typer(help="Flows.", no_args_is_help=True)


def _problems_of(doc: Any) -> list[Problem]:
    """A file may hold a bare tree_structure, one flow object, or an array of flows."""
    if isinstance(doc, list):
        out: list[Problem] = []
        for index, item in enumerate(doc):
            label = item.get("key") or item.get("name") if isinstance(item, dict) else None
            where = f"flows[{index}]" + (f" ({label})" if label else "")
            out += [Problem(f"{where} {p.location}", p.message) for p in _problems_of(item)]
        return out
    if isinstance(doc, dict) and "tree_structure" in doc:
        return validate_tree(doc["tree_structure"])
    return validate_tree(doc)


@app.command("validate")
@handle_errors
def validate(
    file: Path = typer.Argument(..., help="A flow JSON file (tree, flow object or array)."),
    json_out: bool = typer.Option(False, "--json", help="Print the problems as a JSON array."),
) -> None:
    """Check a flow against every structure rule; exit 1 if anything is wrong."""
    problems = _problems_of(_load_json(file))
    if json_out:
        print_json([p.as_dict() for p in problems])
    elif problems:
        for problem in problems:
            err_console.print(
                f"node {problem.location}: {problem.message}", highlight=False, soft_wrap=True
            )
        err_console.print(f"{file}: {len(problems)} problem(s)")
    else:
        console.print(f"{file}: valid")
    if problems:
        raise typer.Exit(1)


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


@app.command("stats")
@handle_errors
def stats(
    key: str = typer.Argument(..., help="The flow's key (or id)."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    version: int | None = typer.Option(
        None, "--version", min=1, help="Version (default: current)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Per-node figures of a flow version: reached, ended, options chosen, free text, time."""
    from rich.table import Table

    from resolutionflow.accounts.service import get_account
    from resolutionflow.cli.common import ensure_schema, run
    from resolutionflow.db import unit_of_work
    from resolutionflow.flowhealth.schemas import FlowStats
    from resolutionflow.flowhealth.service import flow_stats

    async def work() -> FlowStats:
        await ensure_schema()
        async with unit_of_work(write=False) as db:
            acc = await get_account(db, slug=account)
            return await flow_stats(db, account=acc, key=key, version=version)

    figures = run(work)
    if json_out:
        print_json(figures.model_dump(mode="json"))
        return
    o = figures.outcomes
    console.print(
        f"{figures.name} (version {figures.version} of {figures.current_version}): "
        f"{figures.sessions:,} sessions, {o.resolved:,} resolved, {o.escalated:,} escalated, "
        f"{o.abandoned:,} abandoned, {o.active:,} active; success {_rate(o.success_rate)}",
        highlight=False,
    )
    table = Table(title="Nodes")
    for column in (
        "node",
        "type",
        "reached",
        "success",
        "ended resolved",
        "ended escalated",
        "ended abandoned",
        "free text",
        "median time",
        "options",
    ):
        table.add_column(column)
    for n in figures.nodes:
        options = "; ".join(f"{x.label}: {x.count} ({x.share:.0%})" for x in n.options)
        table.add_row(
            n.node_id,
            n.type,
            f"{n.reached:,}",
            _rate(n.reached_outcomes.success_rate),
            f"{n.ended.resolved:,}",
            f"{n.ended.escalated:,}",
            f"{n.ended.abandoned:,}",
            _rate(n.free_text_rate),
            _seconds(n.median_seconds),
            options or "-",
        )
    console.print(table)
    if figures.paths:
        paths = Table(title="Paths, most sessions first")
        for column in ("path", "sessions", "resolved", "escalated", "abandoned", "success"):
            paths.add_column(column)
        for p in figures.paths:
            paths.add_row(
                " > ".join(p.nodes),
                f"{p.sessions:,}",
                f"{p.outcomes.resolved:,}",
                f"{p.outcomes.escalated:,}",
                f"{p.outcomes.abandoned:,}",
                _rate(p.outcomes.success_rate),
            )
        console.print(paths)


@app.command("verify")
@handle_errors
def verify(
    key: str = typer.Argument(..., help="The flow's key (or id)."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    as_user: str = typer.Option(
        ..., "--as", help="Email of the user verifying: the flow's owner or an admin."
    ),
) -> None:
    """Confirm a flow is still right; its review-by date moves on."""
    from resolutionflow.accounts.service import get_account, user_in_account
    from resolutionflow.cli.common import ensure_schema, run
    from resolutionflow.db import unit_of_work
    from resolutionflow.errors import NotFound
    from resolutionflow.flowhealth.service import verify_flow

    async def work() -> tuple[str, str]:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            user = await user_in_account(db, account_id=acc.id, email=as_user)
            if user is None:
                raise NotFound(f"no user {as_user} in account {account}")
            flow = await verify_flow(db, account=acc, user=user, key=key)
            return str(flow.key or flow.id), flow.review_by.date().isoformat()  # type: ignore[union-attr]

    flow_key, due = run(work)
    console.print(f"{flow_key}: verified; next review by {due}")


@app.command("owner")
@handle_errors
def owner(
    key: str = typer.Argument(..., help="The flow's key (or id)."),
    new_owner: str = typer.Argument(..., help="Email of the new owner."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    as_user: str = typer.Option(..., "--as", help="Email of the admin making the change."),
) -> None:
    """Give a flow a new owner (an admin's action)."""
    from resolutionflow.accounts.service import get_account, user_in_account
    from resolutionflow.cli.common import ensure_schema, run
    from resolutionflow.db import unit_of_work
    from resolutionflow.errors import NotFound
    from resolutionflow.flowhealth.service import set_owner

    async def work() -> str:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await get_account(db, slug=account)
            actor = await user_in_account(db, account_id=acc.id, email=as_user)
            if actor is None:
                raise NotFound(f"no user {as_user} in account {account}")
            flow = await set_owner(db, account=acc, actor=actor, key=key, owner_email=new_owner)
            return str(flow.key or flow.id)

    console.print(f"{run(work)}: owner is now {new_owner}")
