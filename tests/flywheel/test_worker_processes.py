"""Real worker processes: several drain one queue without double work or deadlocks; a SIGKILLed one
loses nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from resolutionflow.config import Settings
from resolutionflow.db import dispose_engines, unit_of_work
from resolutionflow.demo.dataset import load_demo_flows
from resolutionflow.devtools.fake_openai import FakeOpenAI, ThreadedServer
from resolutionflow.devtools.synthetic import synthetic_sessions
from resolutionflow.migrations.runner import upgrade
from resolutionflow.sessions import importer
from tests.dbutil import sync_pg_url

pytestmark = pytest.mark.slow


def _sync_url(url: str) -> str:
    return sync_pg_url(url) if url.startswith("postgresql") else url.replace("+aiosqlite", "")


async def _load(url: str, n: int) -> None:
    from resolutionflow.accounts import service as accounts
    from resolutionflow.flows import service as flows

    settings = Settings(database_url=url)
    async with unit_of_work(settings) as db:
        account = await accounts.create_account(db, slug="load", name="Load")
        await accounts.create_user(
            db, account=account, email="lead@load.example", role="team_admin"
        )
        await flows.import_flows(db, account=account, items=load_demo_flows())
        lines = [
            json.dumps(s) for s in synthetic_sessions(n, load_demo_flows(), now=datetime.now(UTC))
        ]
        summary = await importer.import_sessions(db, account=account, lines=lines)
        assert summary.errors == []
    await dispose_engines()


def _prepare(url: str, n: int) -> None:
    upgrade(Settings(database_url=url))
    asyncio.run(_load(url, n))


def _worker(url: str, **env: str) -> subprocess.Popen[str]:
    full = {
        **os.environ,
        "RESOLUTIONFLOW_DATABASE_URL": url,
        "RESOLUTIONFLOW_DAILY_PROPOSAL_BUDGET": "0",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "resolutionflow.cli.main", "worker", "--drain", "--json"],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[str, str]:
    """The worker's output once it exits; its log in the failure if it fails or hangs."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the worker was still running after {timeout:.0f} s; its log:\n{err[-6000:]}")
    assert proc.returncode == 0, err[-6000:]
    return out, err


def _check_exactly_once(url: str, n: int) -> dict[str, Any]:
    engine = create_engine(_sync_url(url))
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(
                text("SELECT analysis_status, count(*) FROM sessions GROUP BY analysis_status")
            ).all()
        )
        rows = conn.execute(
            text("SELECT source_session_id, supporting_session_ids FROM flow_proposals")
        ).all()
    engine.dispose()
    counted: dict[str, int] = {}
    for source, supporting in rows:
        ids = json.loads(supporting) if isinstance(supporting, str) else supporting
        for sid in {str(source).replace("-", ""), *(s.replace("-", "") for s in ids)}:
            counted[sid] = counted.get(sid, 0) + 1
    assert statuses == {"completed": n}, statuses
    assert len(counted) == n, f"{n - len(counted)} sessions without an outcome"
    assert set(counted.values()) == {1}, "a session counted in two proposals"
    return statuses


def test_workers_analyse_each_session_once(fresh_database_url: str) -> None:
    postgres = fresh_database_url.startswith("postgresql")
    n = 2000 if postgres else 300
    _prepare(fresh_database_url, n)
    count = 3 if postgres else 2  # enough workers on the same few flows to find a lock cycle
    workers = [
        _worker(fresh_database_url, RESOLUTIONFLOW_WORKER_BATCH_SIZE="20") for _ in range(count)
    ]
    finished = [_finish(proc) for proc in workers]
    results = [json.loads(out) for out, _ in finished]
    # The workers' locks never deadlock one another (row locks that leave foreign-key checks
    # alone, taken in one order), so no batch is rolled back and sent round again.
    for _, err in finished:
        assert "deadlock" not in err, err[-6000:]
    assert sum(r["outcomes"].get("retry", 0) for r in results) == 0, results
    assert sum(r["processed"] for r in results) >= n
    assert all(r["processed"] > 0 for r in results), "one worker did all the work"
    assert sum(r["outcomes"].get("lost_lease", 0) for r in results) == 0
    _check_exactly_once(fresh_database_url, n)


def test_killed_worker_loses_nothing(fresh_database_url: str) -> None:
    n = 200
    _prepare(fresh_database_url, n)
    server = ThreadedServer(FakeOpenAI(delay=0.15)).start()
    env = {
        "RESOLUTIONFLOW_AI_PROVIDER": "openai",
        "RESOLUTIONFLOW_OPENAI_BASE_URL": server.base_url,
        "RESOLUTIONFLOW_OPENAI_API_KEY": "test",
        "RESOLUTIONFLOW_AI_MODEL": "fake",
        "RESOLUTIONFLOW_WORKER_LEASE_SECONDS": "3",
        "RESOLUTIONFLOW_AI_CONCURRENCY": "4",
    }
    try:
        doomed = _worker(fresh_database_url, **env)
        engine = create_engine(_sync_url(fresh_database_url))
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                done = conn.execute(
                    text("SELECT count(*) FROM sessions WHERE analysis_status = 'completed'")
                ).scalar_one()
                busy = conn.execute(
                    text("SELECT count(*) FROM sessions WHERE analysis_status = 'processing'")
                ).scalar_one()
            if done >= 20 and busy > 0:
                break
            time.sleep(0.05)
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
        assert 0 < done < n, "the worker was not killed mid-drain"
        with engine.connect() as conn:
            stranded = conn.execute(
                text("SELECT count(*) FROM sessions WHERE analysis_status = 'processing'")
            ).scalar_one()
        engine.dispose()
        assert stranded > 0, "nothing was in flight when the worker died"
        rescuer = _worker(fresh_database_url, **env)
        _finish(rescuer)
    finally:
        server.stop()
    _check_exactly_once(fresh_database_url, n)
