"""Latency of a flow's per-node figures (`flows stats`) with 1,000,000 sessions stored.

Loads PostgreSQL by COPY with one account of 1,000,000 sessions / 10,000,000 steps over the
last 365 days: 70% of the sessions walk one of 100 flows of 13 nodes (questions answered by
option or, one time in ten, in free text; actions with results; the solution recorded when
resolved; notes between), the others have no flow. Flow use is skewed (weight 1/sqrt(rank)),
so the busiest flow has about 5% of all sessions. Runs the Alembic migrations first, VACUUM
ANALYZEs, then prints the median of 5 runs of the figures of the busiest flow, of a
median-sized one, and of the busiest flow's second version (published half-way through).

    python bench/node_figures.py [--sessions 1000000] [--flows 100] [--reuse] [--keep]

PostgreSQL: RESOLUTIONFLOW_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
a database rf_bench_nodes is created and dropped (--keep leaves it, --reuse loads nothing if it
is already there).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg

from resolutionflow.config import Settings, normalise_database_url
from resolutionflow.migrations.runner import upgrade

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "rf_bench_nodes"
RUNS = 5
NULL = "\\N"
STEPS_PER_SESSION = 10
MATCHED_SHARE = 0.7


def _uid(kind: int, n: int) -> str:
    return f"{(7 << 96) | (kind << 88) | n:032x}"


def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def tree_of(k: int) -> dict:  # type: ignore[type-arg]
    """A 13-node flow: three questions deep at most, actions before most solutions."""

    def decision(node_id: str, question: str, options: list[tuple[str, str]]) -> dict:  # type: ignore[type-arg]
        return {
            "id": node_id,
            "type": "decision",
            "title": question[:60],
            "question": question,
            "options": [
                {"id": f"{node_id}-{i}", "label": label, "next_node_id": target}
                for i, (label, target) in enumerate(options)
            ],
        }

    def action(node_id: str, title: str, nxt: str) -> dict:  # type: ignore[type-arg]
        return {
            "id": node_id,
            "type": "action",
            "title": title,
            "description": title,
            "next_node_id": nxt,
        }

    def solution(node_id: str, title: str) -> dict:  # type: ignore[type-arg]
        return {"id": node_id, "type": "solution", "title": title, "description": title}

    root = decision(
        "root",
        f"Flow {k}: what does the user see first?",
        [("An error", "q-error"), ("Nothing happens", "q-silent"), ("It is slow", "a-restart")],
    )
    children = [
        decision(
            "q-error",
            f"Flow {k}: which error code is shown?",
            [("Access denied", "a-perms"), ("Not found", "s-path")],
        ),
        decision(
            "q-silent",
            f"Flow {k}: is the service running?",
            [("No", "a-start"), ("Yes", "s-vendor")],
        ),
        action("a-restart", f"Flow {k}: restart the client", "q-better"),
        decision(
            "q-better", f"Flow {k}: is it faster now?", [("Yes", "s-restart"), ("No", "s-escalate")]
        ),
        action("a-perms", f"Flow {k}: grant the missing permission", "s-perms"),
        action("a-start", f"Flow {k}: start the service", "s-started"),
        solution("s-path", f"Flow {k}: corrected the path"),
        solution("s-vendor", f"Flow {k}: vendor issue, raise a case"),
        solution("s-restart", f"Flow {k}: restart fixed it"),
        solution("s-escalate", f"Flow {k}: escalate to second line"),
        solution("s-perms", f"Flow {k}: permission granted"),
        solution("s-started", f"Flow {k}: service started"),
    ]
    return {**root, "children": children}


class Generator:
    def __init__(self, sessions: int, flows: int, now: datetime) -> None:
        self.sessions = sessions
        self.rnd = random.Random(7)
        self.now = now.timestamp()
        self.account = _uid(0, 0)
        self.user = _uid(1, 0)
        self.flow_ids = [_uid(2, k) for k in range(flows)]
        self.trees = [tree_of(k) for k in range(flows)]
        self.index = [{n["id"]: n for n in [t, *t["children"]]} for t in self.trees]
        weights = [1 / (k + 1) ** 0.5 for k in range(flows)]
        self.cumulative = list(_accumulate(weights))
        self.start = self.now - 365 * 86400
        self.plan: list[tuple[int, int]] = []  # per session: flow index (-1: none), step count

    def insert_people(self, conn: psycopg.Connection) -> None:
        conn.execute(
            "INSERT INTO accounts (id, slug, name, settings, data_version, created_at) "
            "VALUES (%s, 'bench-nodes', 'Bench nodes', '{}', 0, now())",
            (self.account,),
        )
        conn.execute(
            "INSERT INTO users (id, account_id, email, name, role, is_active, created_at) "
            "VALUES (%s, %s, 'lead@bench.example', 'Lead', 'admin', true, now())",
            (self.user, self.account),
        )

    def flows(self) -> Iterator[str]:
        created = _ts(self.start)
        for k, fid in enumerate(self.flow_ids):
            tree = json.dumps(self.trees[k])
            yield (
                f"{fid}\t{self.account}\tflow-{k}\tFlow {k}\t{NULL}\ttroubleshooting\t{tree}\t"
                f"[]\tother\timported\t0.8\t0\t1\t{created}\t{created}\t{self.user}\t"
                f"{created}\t{_ts(self.start + 180 * 86400)}\n"
            )

    def versions(self) -> Iterator[str]:
        for k, fid in enumerate(self.flow_ids):
            tree = json.dumps(self.trees[k])
            yield (
                f"{_uid(3, k)}\t{fid}\t{self.account}\t1\tFlow {k}\t{tree}\t[]\tother\t"
                f"{_ts(self.start)}\n"
            )
        # The busiest flow got a second version half-way through (same tree).
        yield (
            f"{_uid(3, 10_000)}\t{self.flow_ids[0]}\t{self.account}\t2\tFlow 0\t"
            f"{json.dumps(self.trees[0])}\t[]\tother\t{_ts(self.start + 182 * 86400)}\n"
        )

    def _flow(self) -> int:
        if self.rnd.random() >= MATCHED_SHARE:
            return -1
        r = self.rnd.random() * self.cumulative[-1]
        lo, hi = 0, len(self.cumulative) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cumulative[mid] <= r:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def session_rows(self) -> Iterator[str]:
        """Sessions, and (kept for the steps pass) a walk per session."""
        rnd, span = self.rnd, 365 * 86400
        self.walks: list[tuple[float, str, list[tuple[str, str, str, bool]]]] = []
        for i in range(self.sessions):
            created = self.start + (i + rnd.random()) * span / self.sessions
            k = self._flow()
            steps: list[tuple[str, str, str, bool]] = []  # type, text, option id, free
            status = "resolved"
            if k >= 0:
                index, node = self.index[k], self.trees[k]
                while True:
                    if node["type"] == "decision":
                        if rnd.random() < 0.1:
                            steps.append(("question", node["question"], "", True))
                            status = rnd.choice(("escalated", "abandoned", "resolved"))
                            break
                        option = rnd.choice(node["options"])
                        steps.append(("question", node["question"], option["id"], False))
                        node = index[option["next_node_id"]]
                    elif node["type"] == "action":
                        steps.append(("action", node["title"], "", False))
                        node = index[node["next_node_id"]]
                    else:
                        if node["id"] in ("s-escalate", "s-vendor"):
                            status = "escalated"
                        elif rnd.random() < 0.08:
                            status = "abandoned"
                        else:
                            steps.append(("resolution", node["title"], "", False))
                        break
            else:
                status = rnd.choices(("resolved", "escalated", "abandoned"), (75, 20, 5))[0]
            if created > self.now - 2 * 86400 and rnd.random() < 0.4:
                status = "active"
            self.walks.append((created, status, steps))
            closed = status != "active"
            yield (
                f"{_uid(4, i)}\t{self.account}\tSomething is wrong {i % 997}\tother\t{status}\t"
                f"{'high' if k >= 0 else 'discovery'}\t0.7\t"
                f"{self.flow_ids[k] if k >= 0 else NULL}\t{0.9 if k >= 0 else NULL}\t"
                f"{_ts(created)}\t{_ts(created + 1800) if closed else NULL}\t"
                f"{'completed' if status == 'resolved' else 'skipped' if closed else NULL}\t0\n"
            )

    def step_rows(self) -> Iterator[str]:
        rnd, counter = self.rnd, 0
        options_cache: dict[str, str] = {}
        for i, (created, _status, walk) in enumerate(self.walks):
            sid = _uid(4, i)
            # Notes between the walk's steps bring every session to 10 steps on average.
            total = max(len(walk), STEPS_PER_SESSION + rnd.randint(-3, 3))
            notes = total - len(walk)
            slots = sorted(rnd.sample(range(total), notes)) if notes else []
            at = created
            order, w = 0, iter(walk)
            slot_set = set(slots)
            for order in range(total):
                counter += 1
                at += rnd.uniform(15, 240)
                head = f"{_uid(5, counter)}\t{sid}\t{self.account}\t{order}\t"
                if order in slot_set:
                    yield head + (
                        f'info\t{{"text": "Checked the logs", "type": "info"}}\t{NULL}\t'
                        f"{NULL}\t{NULL}\t{NULL}\tf\tf\t{NULL}\t{_ts(at)}\n"
                    )
                    continue
                kind, text, option, free = next(w)
                content = json.dumps({"text": text, "type": kind})
                if kind == "question":
                    opts = options_cache.get(text)
                    if opts is None:
                        opts = options_cache[text] = json.dumps(
                            [{"value": f"{o}", "label": o} for o in ("a", "b")]
                        )
                    picked = NULL if free else option
                    typed = "something else entirely" if free else NULL
                    yield head + (
                        f"question\t{content}\t{text}\t{opts}\t{picked}\t{typed}\t"
                        f"{'t' if free else 'f'}\tf\t{NULL}\t{_ts(at)}\n"
                    )
                elif kind == "action":
                    result = '{"success": true, "details": "done"}'
                    yield head + (
                        f"action\t{content}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\tf\tf\t"
                        f"{result}\t{_ts(at)}\n"
                    )
                else:
                    yield head + (
                        f"resolution\t{content}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\tf\tf\t"
                        f"{NULL}\t{_ts(at)}\n"
                    )


def _accumulate(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


FLOW_COLUMNS = [
    "id",
    "account_id",
    "key",
    "name",
    "description",
    "tree_type",
    "tree_structure",
    "match_keywords",
    "problem_domain",
    "origin",
    "success_rate",
    "usage_count",
    "version",
    "created_at",
    "updated_at",
    "owner_id",
    "verified_at",
    "review_by",
]
VERSION_COLUMNS = [
    "id",
    "flow_id",
    "account_id",
    "version",
    "name",
    "tree_structure",
    "match_keywords",
    "problem_domain",
    "created_at",
]
SESSION_COLUMNS = [
    "id",
    "account_id",
    "problem_summary",
    "problem_domain",
    "status",
    "confidence_tier",
    "confidence_score",
    "matched_flow_id",
    "match_score",
    "created_at",
    "resolved_at",
    "analysis_status",
    "analysis_attempts",
]
STEP_COLUMNS = [
    "id",
    "session_id",
    "account_id",
    "step_order",
    "step_type",
    "content",
    "context_message",
    "options_presented",
    "selected_option",
    "free_text_input",
    "was_free_text",
    "was_skipped",
    "action_result",
    "responded_at",
]


def _plain_url(url: str, database: str) -> str:
    base = url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0]
    return f"{base}/{database}"


def _admin(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _exists(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
    return row is not None


def _copy(conn: psycopg.Connection, table: str, columns: list[str], rows: Iterator[str]) -> None:
    t = time.perf_counter()
    count = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        buffer: list[str] = []
        for line in rows:
            buffer.append(line)
            count += 1
            if len(buffer) >= 5000:
                cp.write("".join(buffer))
                buffer.clear()
        if buffer:
            cp.write("".join(buffer))
    print(f"  {count:>10,} {table} in {time.perf_counter() - t:6.1f}s", flush=True)


def _load(url: str, gen: Generator) -> None:
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        # The generator writes consistent references: skip the foreign-key triggers.
        conn.execute("SET session_replication_role = replica")
        gen.insert_people(conn)
        _copy(conn, "flows", FLOW_COLUMNS, gen.flows())
        _copy(conn, "flow_versions", VERSION_COLUMNS, gen.versions())
        _copy(conn, "sessions", SESSION_COLUMNS, gen.session_rows())
        _copy(conn, "session_steps", STEP_COLUMNS, gen.step_rows())
        conn.execute("UPDATE flows SET version = 2 WHERE key = 'flow-0'")
        conn.execute("SET session_replication_role = DEFAULT")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - t:.1f}s", flush=True)
    print(f"loaded in {time.perf_counter() - started:.0f}s", flush=True)


async def _measure(settings: Settings, flows: int) -> None:
    from sqlalchemy import func, select

    from resolutionflow.db import dispose_engines, get_sessionmaker
    from resolutionflow.flowhealth.service import flow_stats
    from resolutionflow.models import Account, Session, SessionStep

    maker = get_sessionmaker(settings)
    try:
        async with maker() as db:
            account = (
                await db.execute(select(Account).where(Account.slug == "bench-nodes"))
            ).scalar_one()
            sessions = (await db.execute(select(func.count()).select_from(Session))).scalar_one()
            steps = (await db.execute(select(func.count()).select_from(SessionStep))).scalar_one()
        print(f"stored: {sessions:,} sessions, {steps:,} steps", flush=True)
        cases = [
            ("busiest flow, current version (2)", "flow-0", None),
            ("busiest flow, version 1", "flow-0", 1),
            ("median flow", f"flow-{flows // 2}", None),
        ]
        for label, key, version in cases:
            times: list[float] = []
            detail = ""
            for _ in range(RUNS + 1):  # the first run warms connections and caches
                async with maker() as db:
                    t = time.perf_counter()
                    stats = await flow_stats(
                        db, account=account, key=key, version=version, use_cache=False
                    )
                    times.append(time.perf_counter() - t)
                    visits = sum(n.reached for n in stats.nodes)
                    detail = f"{stats.sessions:,} sessions, {visits:,} node visits"
            print(
                f"flows stats {key} ({label}): median of {RUNS} runs "
                f"{statistics.median(times[1:]) * 1000:7.1f} ms ({detail})",
                flush=True,
            )
    finally:
        await dispose_engines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--flows", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="keep an existing loaded database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()

    admin = os.environ.get("RESOLUTIONFLOW_BENCH_POSTGRES_URL", PG_DEFAULT)
    admin_plain = _plain_url(normalise_database_url(admin), admin.rsplit("/", 1)[1])
    url = _plain_url(normalise_database_url(admin), DB_NAME)
    settings = Settings(database_url=url, rate_limit_enabled=False)
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    fresh = not (args.reuse and _exists(admin_plain))
    try:
        if fresh:
            _admin(admin_plain, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            _admin(admin_plain, f'CREATE DATABASE "{DB_NAME}"')
            upgrade(settings)
            print(f"loading {DB_NAME} (random seed fixed, now={now.isoformat()})", flush=True)
            _load(url, Generator(args.sessions, args.flows, now))
        else:
            upgrade(settings)
        asyncio.run(_measure(settings, args.flows))
    finally:
        if not args.keep:
            _admin(admin_plain, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
