"""`resolutionflow serve`: one process, or several sharing the port through SO_REUSEPORT."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, deadline: float = 60.0) -> None:
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered")


def test_several_processes_each_listen_on_the_port_and_stop_together(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "RESOLUTIONFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "RESOLUTIONFLOW_SECRET_KEY": "k" * 40,
        "RESOLUTIONFLOW_LOG_FORMAT": "json",
    }
    subprocess.run(
        [sys.executable, "-m", "resolutionflow.cli.main", "db", "upgrade"], env=env, check=True
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resolutionflow.cli.main",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz")
        children = psutil.Process(server.pid).children()
        assert len(children) >= 2
        listening = {
            c.pid
            for c in children
            for conn in c.net_connections(kind="tcp")
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port
        }
        assert len(listening) == 2, "each process has a socket of its own on the port"
        for _ in range(20):
            assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hang is the failure
            server.kill()
            pytest.fail("serve did not stop on SIGTERM")
    # multiprocessing's resource tracker, also a child, leaves once it reads its pipe's end
    # after serve exits: under load that takes a moment, so give the children a few seconds.
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
