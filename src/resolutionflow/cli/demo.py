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

    from resolutionflow.demo.loader import load_demo
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
    _print_summary(summary, path)


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
    console.print(
        "Explore it: RESOLUTIONFLOW_DATABASE_URL=" + json.dumps(f"sqlite:///{path}")
        + " resolutionflow sessions list --account northwind"
    )  # fmt: skip
