"""The outgoing webhook against a real local HTTP server: shape, after commit, retries, no waits."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import Settings, reset_settings
from resolutionflow.models import Account
from resolutionflow.notifications import webhooks
from resolutionflow.notifications.service import (
    PROPOSAL_PENDING,
    notify_reviewers,
    proposal_pending_payload,
)
from tests.helpers import create_account, create_user

PAYLOAD = {
    "proposal_id": "3f0c2a1e-0000-4000-8000-000000000001",
    "title": "Printer offline after driver update",
    "proposal_type": "new_flow",
    "problem_domain": "printing",
    "link": "/review?proposal=3f0c2a1e-0000-4000-8000-000000000001",
}


class Receiver:
    """An ASGI app that records each POST, fails the first `fail_first`, and can hold answers."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.answered = 0
        self.fail_first = 0
        self.status_on_failure = 500
        self.gate: asyncio.Event | None = None
        self.arrived = asyncio.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(json.loads(raw))
        self.arrived.set()
        if self.gate is not None:
            await self.gate.wait()
        failing = len(self.bodies) <= self.fail_first
        status = self.status_on_failure if failing else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        self.answered += 1


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    app = Receiver()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no "listening" event
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield app, f"http://127.0.0.1:{port}/hooks/T000/B000/secret"
    if app.gate is not None:
        app.gate.set()
    await webhooks.drain(5)
    server.should_exit = True
    await task


@pytest.fixture(autouse=True)
def local_receiver_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests post to a receiver on 127.0.0.1 over http: the development setting."""
    monkeypatch.setenv("RESOLUTIONFLOW_WEBHOOK_ALLOW_HTTP_LOOPBACK", "1")
    reset_settings()


@pytest.fixture(autouse=True)
def fast_policy(monkeypatch: pytest.MonkeyPatch) -> webhooks.DeliveryPolicy:
    policy = webhooks.DeliveryPolicy(attempts=4, base_delay=0.01, timeout=5)
    monkeypatch.setattr(webhooks, "POLICY", policy)
    return policy


async def hooked_account(db: AsyncSession, url: str, fmt: str = "slack") -> Account:
    account = await create_account(db)
    account.settings = {"webhook_url": url, "webhook_format": fmt}
    await create_user(db, account, role="team_admin", password=None)
    await db.commit()
    return account


async def announce(db: AsyncSession, account: Account) -> None:
    await notify_reviewers(db, account_id=account.id, kind=PROPOSAL_PENDING, payload=PAYLOAD)


def test_slack_and_teams_bodies() -> None:
    slack = webhooks.build_body(
        "slack", PROPOSAL_PENDING, PAYLOAD, base_url="https://rf.example.com"
    )
    assert "Printer offline after driver update" in slack["text"]
    assert slack["blocks"][0]["type"] == "header"
    button = slack["blocks"][-1]["elements"][0]
    assert button["url"] == "https://rf.example.com" + PAYLOAD["link"]
    teams = webhooks.build_body("teams", PROPOSAL_PENDING, PAYLOAD)
    assert teams["@type"] == "MessageCard"
    assert teams["sections"][0]["activityTitle"] == PAYLOAD["title"]
    assert {"name": "Problem domain", "value": "printing"} in teams["sections"][0]["facts"]
    assert "potentialAction" not in teams  # a relative link is useless in a channel


def test_backoff_doubles() -> None:
    default = webhooks.DeliveryPolicy()
    assert [default.delay_before(n) for n in range(1, 6)] == [0.0, 1.0, 2.0, 4.0, 8.0]
    assert default.attempts == 5


@pytest.mark.parametrize("fmt", ["slack", "teams"])
async def test_sent_after_commit_in_the_account_format(
    db: AsyncSession, receiver: tuple[Receiver, str], fmt: str
) -> None:
    server, url = receiver
    account = await hooked_account(db, url, fmt)
    await announce(db, account)
    assert len(webhooks.outbox(db)) == 1
    assert webhooks.pending() == 0 and server.bodies == []
    await db.commit()
    results = await webhooks.drain(5)
    assert [r.delivered for r in results] == [True]
    assert len(server.bodies) == 1
    body = server.bodies[0]
    if fmt == "slack":
        assert set(body) == {"text", "blocks"} and PAYLOAD["title"] in body["text"]
    else:
        assert body["@type"] == "MessageCard" and body["title"] == "New flow proposal to review"
    assert webhooks.outbox(db) == []


async def test_rollback_sends_nothing(db: AsyncSession, receiver: tuple[Receiver, str]) -> None:
    server, url = receiver
    account = await hooked_account(db, url)
    await announce(db, account)
    await db.rollback()
    assert webhooks.outbox(db) == []
    await db.commit()
    assert webhooks.pending() == 0
    await webhooks.drain(5)
    assert server.bodies == []


async def test_savepoints_keep_or_drop_their_own(
    db: AsyncSession, receiver: tuple[Receiver, str]
) -> None:
    server, url = receiver
    account = await hooked_account(db, url)
    await db.get(Account, account.id)
    savepoint = await db.begin_nested()
    await notify_reviewers(db, account_id=account.id, kind=PROPOSAL_PENDING, payload={"title": "a"})
    await savepoint.rollback()
    savepoint = await db.begin_nested()
    await notify_reviewers(db, account_id=account.id, kind=PROPOSAL_PENDING, payload={"title": "b"})
    await savepoint.commit()
    assert webhooks.pending() == 0  # releasing a savepoint is not the commit
    await db.commit()
    await webhooks.drain(5)
    assert [b["text"] for b in server.bodies] == ["New flow proposal to review: b"]


async def test_retried_after_server_errors(
    db: AsyncSession, receiver: tuple[Receiver, str]
) -> None:
    server, url = receiver
    server.fail_first = 2
    account = await hooked_account(db, url)
    await announce(db, account)
    await db.commit()
    results = await webhooks.drain(5)
    assert [(r.delivered, r.attempts) for r in results] == [(True, 3)]
    assert len(server.bodies) == 3 and server.bodies[0] == server.bodies[2]


async def test_gives_up_after_the_limit_and_logs(
    db: AsyncSession, receiver: tuple[Receiver, str], caplog: pytest.LogCaptureFixture
) -> None:
    server, url = receiver
    server.fail_first = 100
    account = await hooked_account(db, url)
    await announce(db, account)
    with caplog.at_level(logging.ERROR, logger=webhooks.__name__):
        await db.commit()
        results = await webhooks.drain(5)
    assert [(r.delivered, r.attempts, r.last_error) for r in results] == [(False, 4, "HTTP 500")]
    assert len(server.bodies) == 4
    assert "gave up after 4 attempt(s)" in caplog.text
    assert "secret" not in caplog.text  # the URL path is the webhook's credential


async def test_a_refusal_is_not_retried(db: AsyncSession, receiver: tuple[Receiver, str]) -> None:
    server, url = receiver
    server.fail_first, server.status_on_failure = 100, 404
    account = await hooked_account(db, url)
    await announce(db, account)
    await db.commit()
    results = await webhooks.drain(5)
    assert [(r.delivered, r.attempts) for r in results] == [(False, 1)]


async def test_an_unreachable_receiver_is_retried_then_dropped() -> None:
    message = webhooks.WebhookMessage(
        url="http://127.0.0.1:9/nothing-listens",
        body={"text": "x"},
        account_id=None,  # type: ignore[arg-type]
        kind="k",
        allow_http_loopback=True,
    )
    result = await webhooks.deliver(message, policy=webhooks.DeliveryPolicy(3, 0.0, 1.0))
    assert (result.delivered, result.attempts) == (False, 3)
    assert result.last_error and "Connect" in result.last_error


async def test_commit_does_not_wait_for_the_receiver(
    db: AsyncSession, receiver: tuple[Receiver, str]
) -> None:
    server, url = receiver
    server.gate = asyncio.Event()
    account = await hooked_account(db, url)
    await announce(db, account)
    await db.commit()
    assert server.answered == 0 and webhooks.pending() == 1
    await asyncio.wait_for(server.arrived.wait(), timeout=5)
    assert server.answered == 0  # the request is in flight and the committer has moved on
    server.gate.set()
    results = await webhooks.drain(5)
    assert [r.delivered for r in results] == [True] and server.answered == 1


async def test_set_through_the_api_and_sent_by_the_worker(
    db: AsyncSession, settings: Settings, receiver: tuple[Receiver, str]
) -> None:
    """PUT /account/settings, then a session analysed by the real worker announces its
    proposal, without the worker knowing about webhooks."""
    worker = pytest.importorskip("resolutionflow.flywheel.worker")
    from resolutionflow.accounts import service as accounts
    from resolutionflow.ai.providers.offline import OfflineProvider
    from resolutionflow.app import create_app
    from resolutionflow.sessions import importer
    from tests.flywheel.test_worker import novel

    server, url = receiver
    account = await create_account(db)
    admin = await create_user(db, account, role="admin", password=None)
    token = (await accounts.create_token(db, user=admin)).token
    await db.commit()
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        answer = await c.put(
            "/api/v1/account/settings",
            json={"webhook_url": url, "webhook_format": "teams"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"webhook_url": url, "webhook_format": "teams"}
    summary = await importer.import_sessions(
        db, account=account, lines=[json.dumps(novel("cam-1"))]
    )
    assert summary.errors == []
    await db.commit()
    await worker.Worker(settings, provider=OfflineProvider()).drain()
    await webhooks.drain(5)
    assert len(server.bodies) == 1
    card = server.bodies[0]
    assert card["@type"] == "MessageCard"
    assert card["sections"][0]["facts"][0] == {"name": "Proposal type", "value": "new_flow"}


def test_proposal_payload_feeds_the_message() -> None:
    class P:
        id, title, proposal_type, problem_domain = "p1", "VPN drops", "enhancement", None

    body = webhooks.build_body("slack", PROPOSAL_PENDING, proposal_pending_payload(P()))
    assert body["text"].startswith("New flow proposal to review: VPN drops")
    assert "*Problem domain:* General" in json.dumps(body)
