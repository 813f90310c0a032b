"""PSA ticket import throughput on PostgreSQL: tickets per second, first run and re-run.

Writes an export of N ConnectWise-shaped tickets (a detail note, two internal notes, a
resolution note and a time entry each; most closed, some escalated, some open) to a
temporary JSON Lines file, then times `import psa` end to end as the command does it: read
the file, map every record, write the sessions and steps in bulk, one transaction, with a
progress bar. A second run over the same file must store nothing (idempotency) and is timed
too.

    python bench/psa_import.py [--tickets 100000] [--vendor connectwise]

PostgreSQL: RESOLUTIONFLOW_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
a database rf_bench_import is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import create_engine, func, select, text

from resolutionflow.config import Settings
from resolutionflow.db import dispose_engines, unit_of_work
from resolutionflow.imports import psa
from resolutionflow.imports.files import load_export
from resolutionflow.imports.vendors import vendor_module
from resolutionflow.migrations.runner import upgrade
from resolutionflow.models import Session, SessionStep

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "rf_bench_import"
PROBLEMS = [
    ("Outlook keeps prompting for password", "Cleared cached credentials in Credential Manager"),
    ("Printer offline for the whole floor", "Restarted the print spooler and cleared the queue"),
    ("VPN disconnects every hour", "Matched the phase 2 lifetimes on both ends"),
    ("User locked out of domain account", "Removed stale credentials from an old laptop"),
    ("Shared mailbox missing in Outlook", "Granted Full Access with automapping"),
    ("Laptop cannot get an IP address", "Freed stale DHCP leases and shortened lease time"),
]
COMPANIES = ["Northwind Traders", "Contoso Dental", "Fabrikam Legal", "Tailspin Toys"]


def _ticket(n: int, rng: random.Random) -> dict[str, object]:
    summary, fix = PROBLEMS[n % len(PROBLEMS)]
    roll = rng.random()
    closed = roll < 0.8
    status = ">Closed" if closed else ("Escalated" if roll < 0.9 else "In Progress")
    day = 1 + n % 28
    notes = [
        {
            "id": n * 10 + 1,
            "ticketId": n,
            "text": f"{summary} reported by the user (ref {n}).",
            "detailDescriptionFlag": True,
            "dateCreated": f"2026-09-{day:02d}T08:00:00Z",
        },
        {
            "id": n * 10 + 2,
            "ticketId": n,
            "text": "Checked the event log and reproduced it.",
            "internalAnalysisFlag": True,
            "member": {"name": "Jorge Lopez"},
            "dateCreated": f"2026-09-{day:02d}T08:20:00Z",
        },
        {
            "id": n * 10 + 3,
            "ticketId": n,
            "text": f"Tried: {fix.lower()}.",
            "internalAnalysisFlag": True,
            "member": {"name": "Jorge Lopez"},
            "dateCreated": f"2026-09-{day:02d}T08:40:00Z",
        },
    ]
    if closed:
        notes.append(
            {
                "id": n * 10 + 4,
                "ticketId": n,
                "text": fix,
                "resolutionFlag": True,
                "dateCreated": f"2026-09-{day:02d}T09:00:00Z",
            }
        )
    return {
        "id": 100000 + n,
        "summary": f"{summary} ({n})",
        "board": {"id": 1, "name": "Service Desk"},
        "status": {"id": 1, "name": status},
        "company": {"id": n % 4, "name": COMPANIES[n % 4]},
        "closedFlag": closed,
        "closedDate": f"2026-09-{day:02d}T09:00:00Z" if closed else None,
        "actualHours": 1.0,
        "_info": {
            "dateEntered": f"2026-09-{day:02d}T07:55:00Z",
            "lastUpdated": f"2026-09-{day:02d}T09:00:00Z",
        },
        "notes": notes,
        "timeEntries": [
            {
                "id": n,
                "chargeToId": n,
                "chargeToType": "ServiceTicket",
                "timeStart": f"2026-09-{day:02d}T08:05:00Z",
                "actualHours": 1.0,
                "internalNotes": "Remote session with the user.",
            }
        ],
    }


def _pg_urls(base: str) -> tuple[str, str]:
    root = base.rsplit("/", 1)[0]
    admin = root.replace("postgresql://", "postgresql+psycopg://", 1) + "/postgres"
    return admin, root.replace("postgresql://", "postgresql+asyncpg://", 1) + "/" + DB_NAME


def _recreate(admin: str, drop_only: bool = False) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    engine.dispose()


async def _run(settings: Settings, path: Path, vendor: str) -> tuple[psa.PsaSummary, float]:
    module = vendor_module(vendor)
    started, cpu = time.perf_counter(), time.process_time()
    records, lookups = load_export(module, path.read_text(encoding="utf-8"))  # noqa: ASYNC240
    read_s = time.perf_counter() - started
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task(f"{vendor} tickets", total=len(records))
        async with unit_of_work(settings) as db:
            from resolutionflow.accounts.service import get_account

            account = await get_account(db, slug="bench")
            summary = await psa.import_records(
                db,
                account=account,
                vendor=module,
                records=records,
                lookups=lookups,
                progress=lambda n: bar.advance(task, n),
            )
            import_s = time.perf_counter() - started - read_s
    total = time.perf_counter() - started
    print(
        f"  read {read_s:.1f} s, map and write {import_s:.1f} s, "
        f"commit {total - read_s - import_s:.1f} s; this process's CPU "
        f"{time.process_time() - cpu:.1f} s (load average {os.getloadavg()[0]:.1f})"
    )
    return summary, total


async def _counts(settings: Settings) -> tuple[int, int]:
    async with unit_of_work(settings) as db:
        sessions = (await db.execute(select(func.count()).select_from(Session))).scalar_one()
        steps = (await db.execute(select(func.count()).select_from(SessionStep))).scalar_one()
    return int(sessions), int(steps)


def main(tickets: int, vendor: str) -> int:
    base = os.environ.get("RESOLUTIONFLOW_BENCH_POSTGRES_URL", PG_DEFAULT)
    admin, url = _pg_urls(base)
    _recreate(admin)
    try:
        settings = Settings(database_url=url)
        upgrade(settings)
        return asyncio.run(_bench(settings, tickets, vendor))
    finally:
        _recreate(admin, drop_only=True)


async def _bench(settings: Settings, tickets: int, vendor: str) -> int:
    try:
        async with unit_of_work(settings) as db:
            from resolutionflow.accounts import service as accounts

            await accounts.create_account(db, slug="bench", name="Bench")
        rng = random.Random(15)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tickets.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for n in range(tickets):
                    out.write(json.dumps(_ticket(n, rng)) + "\n")
            size_mb = path.stat().st_size / 1e6
            first, first_s = await _run(settings, path, vendor)
            sessions, steps = await _counts(settings)
            again, again_s = await _run(settings, path, vendor)
        await dispose_engines()
        print(f"file: {tickets} {vendor} tickets, {size_mb:.1f} MB JSON Lines")
        print(
            f"first import: {first_s:.1f} s, {tickets / first_s:,.0f} tickets/s, "
            f"{first.stored} stored, {len(first.errors)} errors; "
            f"{sessions} sessions and {steps} steps in the database"
        )
        print(
            f"re-import:    {again_s:.1f} s, {again.stored} stored, {again.updated} updated, "
            f"{again.already_present} already present"
        )
        target = "met" if first_s < 120 else "MISSED"
        print(f"target (100,000 tickets < 120 s): {target} at this size")
        return 0 if first.stored == tickets and again.stored == 0 and again.updated == 0 else 1
    finally:
        await dispose_engines()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100000)
    parser.add_argument("--vendor", default="connectwise")
    args = parser.parse_args()
    sys.exit(main(args.tickets, args.vendor))
