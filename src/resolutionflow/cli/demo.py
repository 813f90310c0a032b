"""`resolutionflow demo`: a fresh SQLite database with a realistic MSP's flows and sessions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from resolutionflow.cli.common import console, handle_errors, run
from resolutionflow.config import Settings, reset_settings


@handle_errors
def demo(
    database: Path = typer.Option(
        Path("resolutionflow-demo.db"), "--database", help="SQLite file to (re)create."
    ),
) -> None:
    """Create a fresh demo database, load the demo data and print what it holds."""
    import os

    from resolutionflow.demo.imports import load_demo_imports
    from resolutionflow.demo.loader import load_demo, run_flywheel
    from resolutionflow.migrations.runner import upgrade

    path = database.resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    os.environ["RESOLUTIONFLOW_DATABASE_URL"] = url
    reset_settings()
    settings = Settings()
    upgrade(settings)
    summary: dict[str, Any] = run(lambda: load_demo(settings, now=datetime.now(UTC)))
    imported = run(lambda: load_demo_imports(settings, account_slug=summary["counts"]["account"]))
    flywheel: dict[str, Any] = run(lambda: run_flywheel(settings))
    _print_summary(summary, path)
    _print_imports(imported)
    _print_flywheel(flywheel)


def _print_imports(imported: dict[str, Any]) -> None:
    tickets = imported["tickets"]
    console.print(
        f"[bold]Existing knowledge in[/]: {tickets['stored']} HaloPSA tickets imported as "
        f"sessions; articles proposed as flows: "
        + ", ".join(f"{a['title']} ({a['shape']})" for a in imported["articles"])
    )


def _print_flywheel(made: dict[str, Any]) -> None:
    outcomes = ", ".join(f"{k} {v}" for k, v in made["outcomes"].items())
    console.print(f"[bold]Flywheel[/] analysed the resolved sessions: {outcomes}")
    table = Table("proposal type", "count", title="Proposals")
    for kind, count in made["by_type"].items():
        table.add_row(kind, str(count))
    console.print(table)
    merged = Table("proposal", "type", "sessions", title="Merged proposals (similar sessions)")
    for row in made["merged"]:
        merged.add_row(row["proposal"], row["type"], str(row["sessions"]))
    console.print(merged)
    flows = Table("flow", "sessions", "reinforcement trend", title="Reinforced flows")
    for row in made["reinforced"]:
        flows.add_row(row["flow"], str(row["sessions"]), f"{row['success_rate']:.2f}")
    console.print(flows)


def _print_summary(summary: dict[str, Any], path: Path) -> None:
    console.print(f"[bold]ResolutionFlow demo[/] — database {path}")
    table = Table("what", "count", title="Loaded")
    for key, value in summary["counts"].items():
        table.add_row(key, str(value))
    console.print(table)
    for title, rows in summary.get("tables", {}).items():
        t = Table(*rows[0].keys(), title=title) if rows else None
        if t is None:
            continue
        for row in rows:
            t.add_row(*(str(v) for v in row.values()))
        console.print(t)
    console.print(
        "Sign in as " + ", ".join(summary["sign_in"]) + f" (password: {summary['password']})"
    )
    env = "RESOLUTIONFLOW_DATABASE_URL=" + json.dumps(f"sqlite:///{path}")
    command = command_name()
    console.print(
        f"Open the web UI: {env} {command} serve  (then http://127.0.0.1:8000)",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"Or look around: {env} {command} proposals list --account northwind",
        highlight=False,
        soft_wrap=True,
    )


def command_name() -> str:
    """How to run this command again: `resolutionflow` when that is on the PATH (the same
    program), else the path it was started by, such as `.venv/bin/resolutionflow`."""
    import shutil
    import sys

    invoked = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if invoked is None or invoked.name != "resolutionflow":
        invoked = Path(sys.executable).parent / "resolutionflow"
    on_path = shutil.which("resolutionflow")
    if on_path and invoked.exists() and Path(on_path).resolve() == invoked.resolve():
        return "resolutionflow"
    try:
        return str(invoked.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(invoked)
