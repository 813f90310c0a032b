"""Drain throughput of the flywheel worker: sessions analysed per second, one line per case.

Cases: offline provider on SQLite (1 worker process); offline on PostgreSQL (1 and 2
processes); a fake OpenAI-compatible server answering after 500 ms, at model concurrency 1
and 16. Sessions are a realistic mix of the three analysis paths (devtools/synthetic.py).
The data is loaded once per database and the queue reset between cases. Peak RSS of each
worker process is sampled from /proc while it drains.

    python bench/drain.py [--sessions 20000] [--sqlite-sessions 5000] [--model-sessions 320]

PostgreSQL: RESOLUTIONFLOW_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
a database rf_bench_drain is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from resolutionflow.config import Settings
from resolutionflow.db import dispose_engines, unit_of_work
from resolutionflow.demo.dataset import load_demo_flows
from resolutionflow.devtools.fake_openai import FakeOpenAI, ThreadedServer
from resolutionflow.devtools.synthetic import synthetic_sessions
from resolutionflow.migrations.runner import upgrade
from resolutionflow.sessions import importer

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


async def _load(url: str, n: int, *, novel_only: bool = False) -> None:
    from resolutionflow.accounts import service as accounts
    from resolutionflow.flows import service as flows

    settings = Settings(database_url=url)
    sessions = synthetic_sessions(
        n * (3 if novel_only else 1), load_demo_flows(), now=datetime.now(UTC)
    )
    if novel_only:
        sessions = [s for s in sessions if "matched_flow" not in s][:n]
    async with unit_of_work(settings) as db:
        account = await accounts.create_account(db, slug="bench", name="Bench")
        await accounts.create_user(
            db, account=account, email="lead@bench.example", role="team_admin"
        )
        await flows.import_flows(db, account=account, items=load_demo_flows())
    for start in range(0, len(sessions), 2000):
        chunk = [json.dumps(s) for s in sessions[start : start + 2000]]
        async with unit_of_work(settings) as db:
            from resolutionflow.accounts.service import get_account

            account = await get_account(db, slug="bench")
            summary = await importer.import_sessions(db, account=account, lines=chunk)
            assert not summary.errors, summary.errors[:3]
    await dispose_engines()


def _sync(url: str) -> str:
    if url.startswith("sqlite"):
        return url.replace("+aiosqlite", "")
    return url.replace("postgresql+asyncpg://", "postgresql+psycopg://").replace(
        "postgresql://", "postgresql+psycopg://"
    )


def _reset(url: str) -> int:
    engine = create_engine(_sync(url))
    with engine.begin() as conn:
        for table in ("notifications", "flow_proposals", "proposal_budgets", "model_usage"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("UPDATE flows SET success_rate = NULL, last_matched_at = NULL"))
        n = conn.execute(
            text(
                "UPDATE sessions SET analysis_status = 'pending', analysis_attempts = 0, "
                "analysis_error = NULL, analysis_not_before = NULL, lease_owner = NULL, "
                "lease_expires_at = NULL, analyzed_at = NULL"
            )
        ).rowcount
    if not url.startswith("sqlite"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return int(n)


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _drain(url: str, processes: int, env: dict[str, str]) -> tuple[float, int, int]:
    """Run `processes` drain workers; return (seconds, sessions processed, peak RSS KiB).

    The seconds are the longest drain time the workers report: from their first claim to
    their exit, so interpreter start-up (about 2 s of imports) is not counted."""
    full = {
        **os.environ,
        "RESOLUTIONFLOW_DATABASE_URL": url,
        "RESOLUTIONFLOW_DAILY_PROPOSAL_BUDGET": "0",
        **env,
    }
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "resolutionflow.cli.main", "worker", "--drain", "--json"],
            env=full,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    peak = 0
    while any(p.poll() is None for p in procs):
        peak = max([peak, *(_rss_kib(p.pid) for p in procs if p.poll() is None)])
        time.sleep(0.2)
    wall = time.perf_counter() - started
    processed, seconds = 0, 0.0
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"worker failed: {err.strip()[-500:]}")
        report = json.loads(out)
        processed += report["processed"]
        seconds = max(seconds, report["seconds"])
    print(f"  (wall time with start-up: {wall:.1f} s)", flush=True)
    return seconds, processed, peak


def _line(case: str, n: int, seconds: float, peak: int) -> None:
    print(
        f"{case:<52} {n:>6} sessions {seconds:>7.1f} s {n / seconds:>8.1f} sessions/s"
        f"  peak worker RSS {peak / 1024:>5.0f} MB",
        flush=True,
    )


def _pg_database(base: str, name: str, *, drop: bool = False) -> str:
    admin = create_engine(_sync(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description="Flywheel drain throughput")
    parser.add_argument("--sessions", type=int, default=20000, help="PostgreSQL offline cases")
    parser.add_argument("--sqlite-sessions", type=int, default=5000)
    parser.add_argument(
        "--model-sessions", type=int, default=320, help="fake 500 ms model cases (0: skip them)"
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    pg = os.environ.get("RESOLUTIONFLOW_BENCH_POSTGRES_URL", PG_DEFAULT)

    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/drain.db"
            upgrade(Settings(database_url=url))
            asyncio.run(_load(url, args.sqlite_sessions))
            n = _reset(url)
            seconds, done, peak = _drain(url, 1, {})
            _line("offline, SQLite, 1 worker process", done, seconds, peak)

    url = _pg_database(pg, "rf_bench_drain")
    try:
        upgrade(Settings(database_url=url))
        asyncio.run(_load(url, args.sessions))
        for processes in (1, 2):
            n = _reset(url)
            seconds, done, peak = _drain(url, processes, {})
            assert done >= n
            _line(f"offline, PostgreSQL, {processes} worker process(es)", n, seconds, peak)
    finally:
        _pg_database(pg, "rf_bench_drain", drop=True)

    if args.model_sessions <= 0:
        return  # the model cases were asked away
    url = _pg_database(pg, "rf_bench_drain_model")
    server = ThreadedServer(FakeOpenAI(delay=0.5)).start()
    try:
        upgrade(Settings(database_url=url))
        asyncio.run(_load(url, args.model_sessions, novel_only=True))
        rates = {}
        for concurrency in (1, 16):
            sample = args.model_sessions if concurrency > 1 else max(10, args.model_sessions // 16)
            _reset(url)
            engine = create_engine(_sync(url))
            with engine.begin() as conn:  # only `sample` sessions are queued for this case
                conn.execute(
                    text(
                        "UPDATE sessions SET analysis_status = 'completed' WHERE id NOT IN "
                        f"(SELECT id FROM sessions ORDER BY resolved_at LIMIT {sample})"
                    )
                )
            engine.dispose()
            env = {
                "RESOLUTIONFLOW_AI_PROVIDER": "openai",
                "RESOLUTIONFLOW_OPENAI_BASE_URL": server.base_url,
                "RESOLUTIONFLOW_OPENAI_API_KEY": "bench",
                "RESOLUTIONFLOW_AI_MODEL": "fake-500ms",
                "RESOLUTIONFLOW_AI_CONCURRENCY": str(concurrency),
            }
            seconds, done, peak = _drain(url, 1, env)
            rates[concurrency] = done / seconds
            _line(f"fake 500 ms model, PostgreSQL, concurrency {concurrency}", done, seconds, peak)
        print(f"concurrency 16 / concurrency 1 = {rates[16] / rates[1]:.1f}x", flush=True)
    finally:
        server.stop()
        _pg_database(pg, "rf_bench_drain_model", drop=True)


if __name__ == "__main__":
    main()
