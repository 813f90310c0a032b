"""`resolutionflow db`: schema migrations."""

from __future__ import annotations

import typer

from resolutionflow.cli.common import console, handle_errors
from resolutionflow.config import get_settings

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
@handle_errors
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create or migrate the schema to the current version (SQLite and PostgreSQL alike)."""
    from resolutionflow.migrations.runner import upgrade as run_upgrade

    settings = get_settings()
    run_upgrade(settings, revision)
    console.print(f"database at {_redact(settings.database_url)} is up to date")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://{user}@{host}"
    return url
