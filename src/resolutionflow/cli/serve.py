"""`resolutionflow serve`: the API, the web UI and (unless told not to) the periodic worker."""

from __future__ import annotations

import ipaddress
import os
import socket

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
    log_level = (os.environ.get("RESOLUTIONFLOW_LOG_LEVEL") or "info").lower()
    if workers == 1:
        _serve_one(host, port, log_level, None)
    else:
        _serve_many(host, port, log_level, workers)


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening socket of its own for one server process, sharing the port with the others.

    With SO_REUSEPORT the kernel spreads new connections evenly over the processes' sockets.
    One socket inherited by every process (uvicorn's --workers) instead lets whichever
    process is first to accept take a whole burst while the others sit idle.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _serve_one(host: str, port: int, log_level: str, sock: socket.socket | None) -> None:
    import uvicorn

    config = uvicorn.Config(
        "resolutionflow.app:serve_app",
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        # The server's own lines go through the app's structured logging (serve_app sets it
        # up in every process), not uvicorn's text handlers.
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock] if sock is not None else None)


def _child(host: str, port: int, log_level: str) -> None:
    _serve_one(host, port, log_level, reuse_port_socket(host, port))


def _serve_many(host: str, port: int, log_level: str, workers: int) -> None:
    """Run `workers` server processes, each with its own socket on the port; restart any that
    dies; stop them all on SIGINT or SIGTERM."""
    import multiprocessing
    import signal
    import time

    reuse_port_socket(host, port).close()  # fail here, in one line, if the port is taken
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_child, args=(host, port, log_level), daemon=False)
        process.start()
        return process

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    processes = [start() for _ in range(workers)]
    typer.echo(f"serving on http://{host}:{port} with {workers} processes", err=True)
    while not stopping:
        time.sleep(0.5)
        for index, process in enumerate(processes):
            if not process.is_alive() and not stopping:
                typer.echo(f"server process {process.pid} exited; starting another", err=True)
                processes[index] = start()
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=30)
