"""Browser test fixtures: the demo data set behind a real server, and Chromium driven by Playwright.

The demo database is built once (demo data plus a drained flywheel) and copied for each test,
so tests can approve and publish without affecting one another. Every request the browser
makes to any other host fails the test.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
REQUIRE_ENV = "RESOLUTIONFLOW_REQUIRE_BROWSER"
DEMO_PASSWORD = "demo-password"
TEAM_ADMIN = "priya.raman@northwind-msp.example"
ENGINEER = "sam.keller@northwind-msp.example"

pytestmark = pytest.mark.browser


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _browser_missing()
    here = Path(__file__).parent
    for item in items:
        if here not in Path(str(item.fspath)).parents:
            continue
        item.add_marker(pytest.mark.browser)
        if reason and os.environ.get(REQUIRE_ENV) != "1":
            item.add_marker(pytest.mark.skip(reason=reason))


def _settings(url: str) -> Any:
    from resolutionflow.config import Settings

    return Settings(
        database_url=url, secret_key="e2e-secret", rate_limit_enabled=False, ai_provider="offline"
    )


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data with the flywheel run over it, built once per test run."""
    reason = _browser_missing()
    if reason and os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
    if reason:
        pytest.skip(reason)
    from resolutionflow.db import dispose_engines
    from resolutionflow.demo.loader import load_demo
    from resolutionflow.flywheel.worker import Worker

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    settings = _settings(f"sqlite+aiosqlite:///{path}")

    async def build() -> None:
        await load_demo(settings, now=datetime.now(UTC))
        await Worker(settings).drain()
        await dispose_engines()

    def run() -> None:
        create_schema(path)
        asyncio.run(build())

    # In a thread of its own: the test runner may already have an event loop in this one.
    failures: list[BaseException] = []
    worker = threading.Thread(target=lambda: _capture(run, failures))
    worker.start()
    worker.join()
    if failures:
        raise failures[0]
    return path


def _capture(fn: Any, failures: list[BaseException]) -> None:
    try:
        fn()
    except BaseException as exc:  # handed to the test thread to raise
        failures.append(exc)


def create_schema(path: Path) -> None:
    """The current schema straight from the models (migrations have tests of their own)."""
    from sqlalchemy import create_engine

    from resolutionflow import models

    engine = create_engine(f"sqlite:///{path}")
    models.Base.metadata.create_all(engine)
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(demo_database: Path, tmp_path: Path) -> Iterator[str]:
    """A real server (uvicorn in a thread) over a private copy of the demo database."""
    import uvicorn

    from tests.fixtures.web import app_with_pages

    copy = tmp_path / "demo.db"
    shutil.copy(demo_database, copy)
    app = app_with_pages(_settings(f"sqlite+aiosqlite:///{copy}"))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: str, tmp_path: Path) -> Iterator[Any]:
    """A page at 1280x800 whose every request must go to the local server; screenshot at end."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server)
    elsewhere: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(server + "/") or url == server:
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    context.route("**/*", guard)
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.set_default_timeout(10_000)
    yield tab
    tab.screenshot(path=str(tmp_path / "final.png"), full_page=True)
    context.close()
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
    assert not errors, f"script errors on the page: {errors}"


def sign_in(page: Any, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Engineers land on "Start a session", team admins and admins on the review queue.
    page.wait_for_url(re.compile(r"/(review|start)$"))
