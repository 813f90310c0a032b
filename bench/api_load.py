"""API load: list, stats and detail of the review queue at 200,000 proposals, while a
flywheel worker drains beside it.

Fills a PostgreSQL database (COPY, not row by row) with one account holding 200,000
proposals, imports the demo flows and 10,000 synthetic resolved sessions waiting for analysis
(through the importer, as a desk would), starts `resolutionflow serve` with 2 worker
processes and one `resolutionflow worker` process beside it, drives each endpoint with 32
concurrent keep-alive clients for 30 s, and prints requests/s and p50/p99 latency, and how
many sessions the worker analysed meanwhile. Before each endpoint the imported sessions are
queued again (their proposals deleted), so the worker is busy for the whole measurement; the
line says so if it ran out of work. The load generator runs on the same machine, in its own
process (a small asyncio HTTP/1.1 client), so its CPU is counted against the machine.

Every proposal has its own source session (one proposal per session is a rule of the
schema), so the account holds 200,000 sessions: more than the 50,000 the target names.

    python bench/api_load.py [--seconds 30] [--clients 32] [--proposals 200000]
                             [--drain-sessions 10000] [--no-worker]

PostgreSQL: RESOLUTIONFLOW_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
database rf_bench_api is created and dropped. Rate limits are off for the run: at 30 reads a
minute per user they would answer 429, which is their job, not what is measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import create_engine, text

from resolutionflow.config import Settings
from resolutionflow.db import dispose_engines, unit_of_work
from resolutionflow.demo.dataset import load_demo_flows
from resolutionflow.devtools.synthetic import synthetic_sessions
from resolutionflow.migrations.runner import upgrade
from resolutionflow.sessions import importer
from resolutionflow.tenancy.security import hash_password, new_token

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
DOMAINS = [
    "active_directory",
    "networking",
    "m365",
    "hardware",
    "endpoint",
    "virtualization",
    "security",
    "backup",
    "email",
    "printing",
    "cloud",
    "other",
]
STATUSES = {
    "pending": 45,
    "approved": 15,
    "modified": 5,
    "rejected": 10,
    "dismissed": 5,
    "auto_reinforced": 20,
}
TREE = {
    "id": "root",
    "type": "decision",
    "question": "Does the device power on?",
    "options": [
        {"id": "y", "label": "Yes", "next_node_id": "s1"},
        {"id": "n", "label": "No", "next_node_id": "s2"},
    ],
    "children": [
        {"id": "s1", "type": "solution", "title": "Check the cable"},
        {"id": "s2", "type": "solution", "title": "Replace the power supply"},
    ],
}


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _database(base: str, name: str, *, drop: bool = False) -> str:
    engine = create_engine(
        _plain(base).replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return _plain(base).rsplit("/", 1)[0] + "/" + name


def load(url: str, count: int) -> tuple[str, list[str]]:
    """Bulk-load the account; returns (an API token, the proposal ids)."""
    rng = random.Random(3)
    now = datetime.now(UTC)
    account, user = uuid.uuid4(), uuid.uuid4()
    token, token_hash, prefix = new_token()
    data = json.dumps({"tree_structure": TREE, "match_keywords": ["power", "device"]})
    names, weights = list(STATUSES), list(STATUSES.values())
    ids: list[str] = []
    with psycopg.connect(_plain(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO accounts (id, slug, name, settings, data_version, created_at) "
            "VALUES (%s, 'bench', 'Bench MSP', '{}', 0, now())",
            (account,),
        )
        cur.execute(
            "INSERT INTO users (id, account_id, email, role, password_hash, is_active, created_at)"
            " VALUES (%s, %s, 'lead@bench.example', 'team_admin', %s, true, now())",
            (user, account, hash_password("bench-password")),
        )
        cur.execute(
            "INSERT INTO api_tokens (id, account_id, user_id, name, token_hash, prefix, created_at)"
            " VALUES (%s, %s, %s, 'bench', %s, %s, now())",
            (uuid.uuid4(), account, user, token_hash, prefix),
        )
        sessions = [uuid.uuid4() for _ in range(count)]
        with cur.copy(
            "COPY sessions (id, account_id, external_id, problem_summary, problem_domain, status,"
            " confidence_tier, confidence_score, analysis_attempts, created_at, resolved_at,"
            " analysis_status) FROM STDIN"
        ) as copy:
            for i, sid in enumerate(sessions):
                created = now - timedelta(minutes=rng.randint(60, 60 * 24 * 120))
                copy.write_row(
                    (
                        sid,
                        account,
                        f"bench-{i}",
                        f"Problem {i % 700} on device {i}",
                        DOMAINS[i % 12],
                        "resolved",
                        "discovery",
                        0.4,
                        1,
                        created,
                        created + timedelta(minutes=30),
                        "completed",
                    )
                )
        with cur.copy(
            "COPY flow_proposals (id, account_id, source_session_id, proposal_type, status, title,"
            " description, proposed_flow_data, match_keywords, confidence_score,"
            " supporting_session_count, supporting_session_ids, supporting_summaries,"
            " problem_domain, created_at, reviewed_at) FROM STDIN"
        ) as copy:
            for i, sid in enumerate(sessions):
                status = rng.choices(names, weights)[0]
                kind = (
                    "auto_reinforced"
                    if status == "auto_reinforced"
                    else ("enhancement" if i % 3 == 0 else "new_flow")
                )
                created = now - timedelta(minutes=rng.randint(1, 60 * 24 * 60))
                reviewed = (
                    created + timedelta(hours=rng.randint(1, 48))
                    if status in ("approved", "modified", "rejected", "dismissed")
                    else None
                )
                pid = uuid.uuid4()
                ids.append(str(pid))
                copy.write_row(
                    (
                        pid,
                        account,
                        sid,
                        kind,
                        status,
                        f"Proposal {i}: problem {i % 700}",
                        "A bench proposal",
                        data,
                        '["power", "device"]',
                        round(rng.random(), 3),
                        rng.randint(1, 9),
                        json.dumps([str(sid)]),
                        json.dumps([f"Problem {i % 700}"]),
                        DOMAINS[rng.randrange(12)],
                        created,
                        reviewed,
                    )
                )
        conn.commit()
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return token, ids


async def _import_sessions(url: str, n: int) -> None:
    """The demo flows and `n` synthetic resolved sessions, imported into the bench account;
    they wait for analysis."""
    from resolutionflow.accounts.service import get_account
    from resolutionflow.flows import service as flows

    settings = Settings(database_url=url)
    sessions = synthetic_sessions(n, load_demo_flows(), now=datetime.now(UTC), prefix="DRAIN")
    async with unit_of_work(settings) as db:
        account = await get_account(db, slug="bench")
        await flows.import_flows(db, account=account, items=load_demo_flows())
    for start in range(0, len(sessions), 2000):
        lines = [json.dumps(s) for s in sessions[start : start + 2000]]
        async with unit_of_work(settings) as db:
            account = await get_account(db, slug="bench")
            summary = await importer.import_sessions(db, account=account, lines=lines)
            assert not summary.errors, summary.errors[:3]
    await dispose_engines()


def _requeue(url: str, since: datetime) -> None:
    """Queue the imported sessions again and drop what the worker made of them."""
    with psycopg.connect(_plain(url)) as conn:
        conn.execute("DELETE FROM notifications WHERE created_at >= %s", (since,))
        conn.execute("DELETE FROM flow_proposals WHERE created_at >= %s", (since,))
        conn.execute("DELETE FROM proposal_budgets")
        conn.execute(
            "UPDATE sessions SET analysis_status = 'pending', analysis_attempts = 0, "
            "analysis_error = NULL, analysis_not_before = NULL, lease_owner = NULL, "
            "lease_expires_at = NULL, analyzed_at = NULL WHERE external_id LIKE 'DRAIN-%'"
        )
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE sessions")
        conn.execute("VACUUM ANALYZE flow_proposals")


def _analysed(url: str, since: datetime) -> tuple[int, int]:
    """(sessions analysed since `since`, sessions still waiting)."""
    with psycopg.connect(_plain(url)) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE analyzed_at >= %s), "
            "count(*) FILTER (WHERE analysis_status = 'pending') "
            "FROM sessions WHERE external_id LIKE 'DRAIN-%%'",
            (since,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


# -- the load generator: raw HTTP/1.1 keep-alive over asyncio streams ----------------------


async def _client(
    port: int, token: str, paths: list[str], until: float, latencies: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random()
    head = f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: keep-alive\r\n\r\n"
    while time.perf_counter() < until:
        path = rng.choice(paths)
        started = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\n{head}".encode())
        status_line = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        if not status_line.startswith(b"HTTP/1.1 200"):
            errors.append(int(status_line.split()[1]))
    writer.close()


def _drive(
    port: int,
    token: str,
    paths: list[str],
    seconds: float,
    clients: int,
    out: multiprocessing.Queue,
) -> None:  # type: ignore[type-arg]
    async def run() -> None:
        latencies: list[float] = []
        errors: list[int] = []
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(port, token, paths, until, latencies, errors) for _ in range(clients))
        )
        out.put((latencies, errors))

    asyncio.run(run())


def measure(
    port: int, token: str, paths: list[str], seconds: float, clients: int
) -> dict[str, float]:
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    proc = multiprocessing.Process(
        target=_drive, args=(port, token, paths, seconds, clients, queue)
    )
    proc.start()
    latencies, errors = queue.get()
    proc.join()
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": len(errors),
    }


def _stop(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """SIGTERM, then SIGKILL if the process has not exited 30 s later (said on the output)."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print(f"  (process {proc.pid} did not stop within 30 s of SIGTERM: killed)", flush=True)
        proc.kill()
        proc.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description="Review-queue API load")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--proposals", type=int, default=200_000)
    parser.add_argument("--drain-sessions", type=int, default=10_000)
    parser.add_argument(
        "--no-worker", action="store_true", help="measure the API alone, no worker draining"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    base = os.environ.get("RESOLUTIONFLOW_BENCH_POSTGRES_URL", PG_DEFAULT)
    url = _database(base, "rf_bench_api")
    server = worker = None
    try:
        upgrade(Settings(database_url=url))
        started = time.perf_counter()
        token, ids = load(url, args.proposals)
        print(
            f"loaded {args.proposals} proposals and {args.proposals} sessions in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        if not args.no_worker:
            started = time.perf_counter()
            asyncio.run(_import_sessions(url, args.drain_sessions))
            print(
                f"imported {args.drain_sessions} sessions to analyse in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
        loaded_at = datetime.now(UTC)
        port = _free_port()
        env = {
            **os.environ,
            "RESOLUTIONFLOW_DATABASE_URL": url,
            "RESOLUTIONFLOW_RATE_LIMIT_ENABLED": "false",
            "RESOLUTIONFLOW_DATABASE_POOL_SIZE": "16",
            # Several processes must sign with one key (serve refuses to start otherwise).
            "RESOLUTIONFLOW_SECRET_KEY": os.environ.get(
                "RESOLUTIONFLOW_SECRET_KEY", f"bench-{random.getrandbits(128):032x}"
            ),
        }
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
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if server.poll() is not None:
                sys.exit(f"the server exited at start-up (status {server.returncode})")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        rng = random.Random(5)
        sample = rng.sample(ids, 2000)
        log_path = os.path.join(tempfile.gettempdir(), "rf_bench_api_worker.log")
        worker_log = open(log_path, "ab")  # noqa: SIM115 (open for the whole run)
        if not args.no_worker:
            print(f"the worker's log: {worker_log.name}", flush=True)
        cases = {
            "list": [
                f"/api/v1/flow-proposals?status={s}&sort_by={o}&skip={k}&limit=20"
                for s in ("pending", "approved", "rejected")
                for o in ("newest", "confidence", "sessions")
                for k in (0, 20, 100)
            ]
            + [f"/api/v1/flow-proposals?domain={d}&limit=20" for d in DOMAINS],
            "stats": ["/api/v1/flow-proposals/stats"],
            "detail": [f"/api/v1/flow-proposals/{pid}" for pid in sample],
        }
        for name, paths in cases.items():
            if not args.no_worker:
                _requeue(url, loaded_at)
                worker = subprocess.Popen(
                    [sys.executable, "-m", "resolutionflow.cli.main", "worker", "--interval", "1"],
                    env={**env, "RESOLUTIONFLOW_DAILY_PROPOSAL_BUDGET": "0"},
                    stdout=subprocess.DEVNULL,
                    stderr=worker_log,
                )
                time.sleep(3)  # interpreter start-up; the worker is draining by now
            measure(port, token, paths, 3, args.clients)  # warm up caches and connections
            since = datetime.now(UTC)
            r = measure(port, token, paths, args.seconds, args.clients)
            beside = ""
            if worker is not None:
                done, left = _analysed(url, since)
                _stop(worker)
                worker = None
                beside = f"; worker beside analysed {done} sessions ({done / args.seconds:.0f}/s)"
                beside += ", still busy at the end" if left else ", RAN OUT OF WORK before the end"
            print(
                f"{name:<7} {r['rps']:>7.0f} requests/s  p50 {r['p50']:>6.1f} ms  "
                f"p99 {r['p99']:>6.1f} ms  ({r['requests']} requests, {r['errors']} errors, "
                f"{args.clients} clients, {args.seconds:.0f} s{beside})",
                flush=True,
            )
    finally:
        for proc in (worker, server):
            if proc is not None:
                _stop(proc)
        if not args.keep:
            _database(base, "rf_bench_api", drop=True)


if __name__ == "__main__":
    main()
