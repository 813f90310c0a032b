"""`resolutionflow serve`: the API, the web UI and (unless told not to) the periodic worker."""

from __future__ import annotations

import os

import typer

from resolutionflow.cli.common import handle_errors, run

SERVE_WORKER_ENV = "RESOLUTIONFLOW_SERVE_WORKER"


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

    run(ensure_schema)
    os.environ[SERVE_WORKER_ENV] = "0" if no_worker else "1"
    uvicorn.run(
        "resolutionflow.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=os.environ.get("RESOLUTIONFLOW_LOG_LEVEL", "warning").lower(),
        access_log=False,
    )
