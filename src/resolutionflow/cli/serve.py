"""`resolutionflow serve`: the API, the web UI and (unless told not to) the periodic worker."""

from __future__ import annotations

import ipaddress
import os

import typer

from resolutionflow.cli.common import fail, handle_errors, run
from resolutionflow.config import Settings, get_settings

SERVE_WORKER_ENV = "RESOLUTIONFLOW_SERVE_WORKER"
COOKIE_SECURE_ENV = "RESOLUTIONFLOW_COOKIE_SECURE"


def secret_key_problem(settings: Settings, *, workers: int) -> str | None:
    """Why the server must not start without RESOLUTIONFLOW_SECRET_KEY, if it must not.

    Without it every process signs cookies with a key of its own: with several processes (or
    several servers sharing PostgreSQL) a sign-in made on one is refused by the others."""
    if settings.secret_key:
        return None
    if workers > 1:
        return (
            f"--workers {workers} needs RESOLUTIONFLOW_SECRET_KEY: without it each process signs "
            "sign-ins with its own random key and signs people out at random"
        )
    if not settings.is_sqlite:
        return (
            "PostgreSQL needs RESOLUTIONFLOW_SECRET_KEY: every server sharing the database must "
            "sign sign-ins with the same key"
        )
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    no_worker: bool = typer.Option(False, "--no-worker", help="Do not run the flywheel worker."),
    workers: int = typer.Option(1, "--workers", min=1, help="HTTP worker processes."),
) -> None:
    """Serve the API under /api/v1, the web UI, /healthz, /readyz and /metrics."""
    import uvicorn

    from resolutionflow.cli.common import ensure_schema

    problem = secret_key_problem(get_settings(), workers=workers)
    if problem:
        fail(problem, code=2)
    run(ensure_schema)
    os.environ[SERVE_WORKER_ENV] = "0" if no_worker else "1"
    if not _is_loopback(host) and COOKIE_SECURE_ENV not in os.environ:
        # Reachable from other machines: sign-in cookies travel over https only. Plain http
        # stays usable for local use on loopback, or with RESOLUTIONFLOW_COOKIE_SECURE=false.
        os.environ[COOKIE_SECURE_ENV] = "true"
    uvicorn.run(
        "resolutionflow.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=(os.environ.get("RESOLUTIONFLOW_LOG_LEVEL") or "info").lower(),
        # The server's own lines go through the app's structured logging (serve_app sets it
        # up in every process), not uvicorn's text handlers.
        log_config=None,
        access_log=False,
    )
