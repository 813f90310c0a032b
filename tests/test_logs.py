"""Structured logs: JSON lines carrying the request, account, worker and session they are about."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow import logs
from resolutionflow.ai.base import PermanentProviderError
from tests.fixtures.api import World
from tests.fixtures.desk import Desk, import_lines
from tests.helpers import create_proposal


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    logs.configure(level="INFO", fmt="json", stream=stream)
    yield stream
    for handler in [h for h in root.handlers if h.get_name() == "resolutionflow"]:
        root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_each_line_is_json_with_the_bound_context(captured: io.StringIO) -> None:
    log = logging.getLogger("resolutionflow.test")
    with logs.bound(worker_id="w-1", session_id="s-1"):
        log.warning("retrying %s", "soon")
    log.info("outside")
    first, second = lines(captured)
    assert first["message"] == "retrying soon" and first["level"] == "WARNING"
    assert first["logger"] == "resolutionflow.test" and "time" in first
    assert first["worker_id"] == "w-1" and first["session_id"] == "s-1"
    assert second["message"] == "outside" and second.get("worker_id") is None


def test_concurrent_tasks_keep_their_own_context(captured: io.StringIO) -> None:
    log = logging.getLogger("resolutionflow.test")

    async def job(n: int) -> None:
        with logs.bound(session_id=f"s-{n}"):
            await asyncio.sleep(0.01 * (3 - n))
            log.info("done %d", n)

    async def main() -> None:
        await asyncio.gather(*(job(n) for n in range(3)))

    asyncio.run(main())
    assert {line["message"]: line["session_id"] for line in lines(captured)} == {
        "done 0": "s-0",
        "done 1": "s-1",
        "done 2": "s-2",
    }


def test_text_format_for_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    logs.configure(level="INFO", fmt="auto", stream=stream)
    try:
        with logs.bound(request_id="abc"):
            logging.getLogger("resolutionflow.test").info("hello")
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == "resolutionflow"]:
            root.removeHandler(handler)
    assert "INFO resolutionflow.test hello [request_id=abc]" in stream.getvalue()


async def test_requests_carry_an_id_and_their_account(
    client: httpx.AsyncClient, world: World, db: AsyncSession, captured: io.StringIO
) -> None:
    response = await client.get("/api/v1/flows", headers=world.admin.headers)
    assert len(response.headers["x-request-id"]) == 32
    kept = await client.get(
        "/api/v1/flows", headers={**world.admin.headers, "X-Request-ID": "lb-1234567890"}
    )
    assert kept.headers["x-request-id"] == "lb-1234567890"
    forged = await client.get("/healthz", headers={"X-Request-ID": "bad id\n{json}"})
    assert forged.headers["x-request-id"] != "bad id\n{json}"

    # A line logged while serving a request names the request and the account.
    proposal = await create_proposal(db, world.account)
    await db.commit()
    reviewed = await client.post(
        f"/api/v1/flow-proposals/{proposal.id}/review",
        json={"action": "reject", "reviewer_notes": "duplicate"},
        headers={**world.admin.headers, "X-Request-ID": "review-123456"},
    )
    assert reviewed.status_code == 200, reviewed.text
    [line] = [r for r in lines(captured) if r["logger"] == "resolutionflow.review.service"]
    assert line["request_id"] == "review-123456" and line["account"] == "northwind"
    assert "rejected by" in line["message"]


async def test_worker_lines_name_the_worker_and_the_session(
    db: AsyncSession, desk: Desk, captured: io.StringIO
) -> None:
    class Refusing:
        name = "refusing"
        model = "m"

        async def generate_json(self, *args: object, **kwargs: object) -> object:
            raise PermanentProviderError("no such model")

    line = {
        "external_id": "f1",
        "problem_summary": "VPN drops every hour",
        "status": "resolved",
        "resolution_summary": "Renewed the certificate",
        "steps": [],
    }
    await import_lines(db, desk.account, [line])
    worker = desk.worker(Refusing())
    await worker.drain()
    failed = [r for r in lines(captured) if r["level"] == "ERROR"]
    assert failed, lines(captured)
    assert failed[0]["worker_id"] == worker.worker_id
    assert failed[0]["session_id"]
    assert "no such model" in failed[0]["message"]
