"""How fast every web page answers on the demo data: p50 and p95 per page, target < 300 ms.

Loads the demo into a temporary SQLite database, runs the flywheel over it, signs in as a team
admin and requests each page N times through the app in-process (no network in the figures).

    python bench/pages.py [--repeat 20] [--user priya.raman@northwind-msp.example]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from resolutionflow.app import create_app
from resolutionflow.config import Settings
from resolutionflow.db import dispose_engines
from resolutionflow.demo.dataset import DEMO_PASSWORD
from resolutionflow.demo.loader import load_demo
from resolutionflow.flywheel.worker import Worker

TARGET_MS = 300.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_schema(path: Path) -> None:
    from sqlalchemy import create_engine

    from resolutionflow import models

    engine = create_engine(f"sqlite:///{path}")
    models.Base.metadata.create_all(engine)
    engine.dispose()


def app_for(settings: Settings) -> Any:
    from resolutionflow.web.router import web_router

    app = create_app(settings)
    if not any(getattr(route, "path", "") == "/review" for route in app.routes):
        app.include_router(web_router)
    return app


def _first(pattern: str, html: str) -> str:
    found = re.search(pattern, html)
    if not found:
        raise SystemExit(f"no link matching {pattern!r} on the page")
    return found.group(1)


async def discover(client: httpx.AsyncClient) -> list[str]:
    """The pages to time, with real ids taken from the demo's own listings."""
    queue = (await client.get("/review?type=new_flow")).text
    new_flow = _first(r'href="(/review/[0-9a-f-]{36})', queue)
    enhancements = (await client.get("/review?type=enhancement")).text
    enhancement = _first(r'href="(/review/[0-9a-f-]{36})', enhancements)
    flows = (await client.get("/flows")).text
    flow = _first(r'href="(/flows/[0-9a-f-]{36})"', flows)
    sessions = (await client.get("/sessions")).text
    session = _first(r'href="(/sessions/[0-9a-f-]{36})"', sessions)
    ids = ",".join(re.findall(r'href="/sessions/([0-9a-f-]{36})"', sessions)[:8])
    runner = await runner_pages(client, flow.rsplit("/", 1)[-1])
    return [
        "/login",
        "/review",
        "/review?status=all&sort=confidence",
        new_flow,
        enhancement,
        f"{new_flow}/edit",
        "/flows",
        "/flows?q=printer",
        flow,
        f"{flow}/edit",
        f"{flow}/export.json",
        f"{flow}/export.mmd",
        "/sessions",
        "/sessions?domain=networking",
        f"/sessions?ids={ids}",
        session,
        "/notifications",
        "/analytics?period=7",
        "/analytics?period=30",
        "/analytics?period=90",
        *runner,
    ]


async def runner_pages(client: httpx.AsyncClient, flow_id: str) -> list[str]:
    """The runner's pages: the start page with a search, and a session walked part way along
    a flow (one answer given) and one run without a flow."""
    start = await client.get("/start")
    token = _first(_CSRF.pattern, start.text)
    runs = []
    for chosen in (flow_id, ""):
        made = await client.post(
            "/start",
            data={
                "csrf_token": token,
                "problem": "Reception printer says offline",
                "flow_id": chosen,
            },
        )
        runs.append(made.headers["location"])
    walk = await client.get(runs[0])
    node = _first(r'name="node_id" value="([^"]+)"', walk.text)
    answer = _first(r'name="answer" value="([^"]+)"', walk.text)
    await client.post(
        f"{runs[0]}/walk",
        data={
            "csrf_token": token,
            "node_id": node,
            "answer": answer,
            "expected_order": "0",
        },
    )
    return ["/start", "/start?q=printer+offline+on+the+second+floor", *runs]


async def run(repeat: int, user: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            secret_key="bench",
            rate_limit_enabled=False,
            ai_provider="offline",
        )
        create_schema(Path(tmp) / "bench.db")
        await load_demo(settings, now=datetime.now(UTC))
        await Worker(settings).drain()
        transport = httpx.ASGITransport(app=app_for(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            login = await client.get("/login")
            token = _first(_CSRF.pattern, login.text)
            signed = await client.post(
                "/login", data={"email": user, "password": DEMO_PASSWORD, "csrf_token": token}
            )
            if signed.status_code != 303:
                raise SystemExit(f"sign-in failed: {signed.status_code}")
            pages = await discover(client)
            print(f"{'page':<62} {'first':>8} {'p50 ms':>8} {'p95 ms':>8}  status")
            slow = 0
            for path in pages:
                timings: list[float] = []
                status = 0
                for _ in range(repeat + 1):
                    start = time.perf_counter()
                    response = await client.get(path)
                    timings.append((time.perf_counter() - start) * 1000)
                    status = response.status_code
                first, timings = timings[0], timings[1:]  # the first one fills caches
                p50 = statistics.median(timings)
                p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
                ok_status = status < 400
                flag = "ok" if p95 < TARGET_MS and ok_status else "SLOW" if ok_status else "FAILED"
                slow += flag != "ok"
                shown = path if len(path) <= 60 else path[:57] + "..."
                print(f"{shown:<62} {first:>8.1f} {p50:>8.1f} {p95:>8.1f}  {status} {flag}")
        await dispose_engines()
    print(f"{len(pages)} pages, {repeat} requests each; {slow} over {TARGET_MS:.0f} ms or failing")
    return 1 if slow else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--user", default="priya.raman@northwind-msp.example")
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.repeat, args.user)))


if __name__ == "__main__":
    main()
