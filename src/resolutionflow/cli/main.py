"""The `resolutionflow` command: one Typer app gathering every area's sub-commands."""

from __future__ import annotations

import os

import typer

from resolutionflow import logs
from resolutionflow.cli import accounts, data, db, demo, flows, flywheel, insights, scripts, serve
from resolutionflow.cli import imports as imports_cli

app = typer.Typer(
    help="ResolutionFlow: turn resolved troubleshooting sessions into reviewed, reusable flows.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from resolutionflow import __version__

        print(f"resolutionflow {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """ResolutionFlow: turn resolved troubleshooting sessions into reviewed, reusable flows."""


app.add_typer(db.app, name="db")
app.add_typer(accounts.accounts_app, name="accounts")
app.add_typer(accounts.teams_app, name="teams")
app.add_typer(accounts.users_app, name="users")
app.add_typer(accounts.tokens_app, name="tokens")
app.add_typer(data.import_app, name="import")
app.add_typer(data.export_app, name="export")
imports_cli.register(data.import_app)
app.add_typer(imports_cli.psa_app, name="psa")
app.add_typer(data.sessions_app, name="sessions")
app.add_typer(flows.app, name="flows")
app.add_typer(flywheel.worker_app, name="worker")
app.add_typer(flywheel.proposals_app, name="proposals")
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.command("gaps")(insights.gaps)
app.command("analytics")(insights.analytics)
app.command("script")(scripts.script)


def run() -> None:
    # Commands print their own results; the long-running ones (serve, worker) lower this.
    logs.configure(level=os.environ.get("RESOLUTIONFLOW_LOG_LEVEL") or "WARNING")
    app()


if __name__ == "__main__":
    run()
