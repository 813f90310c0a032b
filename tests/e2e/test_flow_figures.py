"""The flow page's node figures in a real browser, on the demo data: the overlay on the
diagram and the table, and the figures moving after a new session is stored and drained."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import TEAM_ADMIN, _settings, sign_in

FLOW_KEY = "printer-offline"


def _in_thread(coro_fn: Any) -> Any:
    """Run async work on a loop of its own (the browser's sync API owns this thread)."""
    out: list[Any] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            out.append(asyncio.run(coro_fn()))
        except BaseException as exc:
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]
    return out[0]


def _add_session_and_drain(database: Path) -> str:
    """A resolved session that walks the printer flow's first question, stored and analysed."""
    from sqlalchemy import select

    from resolutionflow.db import dispose_engines, unit_of_work
    from resolutionflow.demo.dataset import load_demo_flows
    from resolutionflow.flywheel.worker import Worker
    from resolutionflow.models import Account, Flow
    from resolutionflow.sessions.schemas import SessionIn
    from resolutionflow.sessions.service import create_session

    settings = _settings(f"sqlite+aiosqlite:///{database}")
    tree = next(f for f in load_demo_flows() if f["key"] == FLOW_KEY)["tree_structure"]
    option = tree["options"][0]
    now = datetime.now(UTC).replace(microsecond=0)

    async def work() -> str:
        async with unit_of_work(settings) as db:
            flow = (await db.execute(select(Flow).where(Flow.key == FLOW_KEY))).scalars().first()
            assert flow is not None
            account = await db.get(Account, flow.account_id)
            assert account is not None
            data = SessionIn.model_validate(
                {
                    "problem_summary": "Reception printer shows offline again",
                    "problem_domain": "printing",
                    "status": "resolved",
                    "confidence_tier": "high",
                    "confidence_score": 0.9,
                    "matched_flow_id": str(flow.id),
                    "match_score": 0.95,
                    "resolution_summary": "Power cycled the printer",
                    "created_at": now.isoformat(),
                    "resolved_at": now.isoformat(),
                    "steps": [
                        {
                            "step_type": "question",
                            "content": {"text": tree["question"], "type": "question"},
                            "options_presented": [
                                {"value": o["id"], "label": o["label"]} for o in tree["options"]
                            ],
                            "selected_option": option["id"],
                            "responded_at": now.isoformat(),
                        }
                    ],
                }
            )
            await create_session(db, account=account, data=data)
            flow_id = str(flow.id)
        await Worker(settings).drain()
        await dispose_engines()
        return flow_id

    return str(_in_thread(work))


def _reached(page: Any, node_id: str) -> int:
    return int(page.locator(f'g.fd-figure[data-node="{node_id}"]').get_attribute("data-reached"))


def test_node_figures_show_and_move_after_a_drained_session(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    page.goto(f"/flows?q={FLOW_KEY}")
    page.locator("#flow-list a").first.click()
    expect(page.locator("svg.flow-diagram g.fd-figures")).to_be_visible()
    expect(page.locator("#node-figures-table")).to_be_visible()
    root_before = _reached(page, "root")
    table_before = page.locator('#node-figures-table tr[data-node="root"] td[data-reached]')
    assert int(table_before.get_attribute("data-reached")) == root_before
    page.screenshot(path=str(tmp_path / "figures-before.png"), full_page=True)

    # The server's private copy of the demo database is tmp_path / "demo.db".
    _add_session_and_drain(tmp_path / "demo.db")

    page.reload()
    assert _reached(page, "root") == root_before + 1
    row = page.locator('#node-figures-table tr[data-node="root"] td[data-reached]')
    assert int(row.get_attribute("data-reached")) == root_before + 1
    page.screenshot(path=str(tmp_path / "figures-after.png"), full_page=True)
