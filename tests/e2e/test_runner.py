"""The session runner in a real browser on the demo data: an engineer describes a problem in
their own words, picks the flow found, walks it with one typed answer, resolves; the flywheel
then turns the session into an enhancement proposal of that flow."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import ENGINEER, _settings, sign_in


def _drain(database: Path) -> None:
    """Run the flywheel over the server's database, in a thread with its own event loop (the
    URL is spelled differently from the server's so the two never share an engine)."""
    from resolutionflow.db import get_engine
    from resolutionflow.flywheel.worker import Worker

    settings = _settings(f"sqlite+aiosqlite:///{database.parent}/./{database.name}")

    async def work() -> None:
        await Worker(settings).drain()
        await get_engine(settings).dispose()

    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(work())
        except BaseException as exc:  # handed to the test thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def test_find_a_flow_in_own_words_walk_it_and_the_flywheel_enhances_it(
    page: Any, tmp_path: Path
) -> None:
    sign_in(page, ENGINEER)
    assert page.url.endswith("/start")
    expect(page.get_by_role("heading", name="Start a session")).to_be_visible()
    page.get_by_label("What is the problem?").fill(
        "Nothing comes out of the reception printer, Windows lists it as offline"
    )
    page.get_by_label("PSA ticket number").fill("T-4711")
    page.get_by_role("button", name="Find flows").click()
    first = page.locator("#flow-matches .flow-match").first
    expect(first.locator(".flow-match-name")).to_have_text("Printer offline or not printing")
    expect(first).to_contain_text("Success rate")
    page.screenshot(path=str(tmp_path / "start.png"), full_page=True)
    first.get_by_role("button", name=re.compile("Use")).click()
    page.wait_for_url(re.compile(r"/run/[0-9a-f-]{36}$"))

    # Two answers from the flow's options, by keyboard only.
    current = page.locator("#current")
    expect(current).to_contain_text("print queue")
    current.get_by_label("The printer shows Offline").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator("#path li")).to_have_count(1)
    expect(page.locator("#current")).to_contain_text("ping")
    page.wait_for_load_state("load")  # the number keys are the page script's: wait for it
    page.keyboard.press("2")  # the second option, by its number key
    expect(page.locator("#current").get_by_label("No reply, or request timed out")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.locator("#path li")).to_have_count(2)
    # Then one the flow does not offer: typed instead.
    page.locator("#current").get_by_role("radio", name="None of these").check()
    page.get_by_label("Note, or what you found when none of these fits").fill(
        "The printer had joined the guest Wi-Fi after a firmware update"
    )
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#current")).to_contain_text("Record what you do")
    expect(page.locator("#path")).to_contain_text("guest Wi-Fi")
    page.get_by_label("How it was resolved").fill(
        "Moved the printer back to the office SSID and reserved its address"
    )
    page.screenshot(path=str(tmp_path / "walk.png"), full_page=True)
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#finished")).to_contain_text("resolved")
    expect(page.locator("#finished")).to_contain_text("queued for the flywheel")

    page.get_by_role("link", name="See the session and its transcript").click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]{36}$"))
    expect(page.locator("#transcript")).to_contain_text("guest Wi-Fi")
    _drain(tmp_path / "demo.db")
    page.reload()
    proposal = page.locator("#session-proposal")
    expect(proposal).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Enhancement")
    page.screenshot(path=str(tmp_path / "proposal.png"), full_page=True)
