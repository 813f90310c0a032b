"""Webhooks reach public https addresses only: refused when saved (every listed form) and at
send time on the resolved address, which is the address connected to; redirects not followed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.app import create_app
from resolutionflow.config import Settings
from resolutionflow.notifications import egress, webhooks
from tests.fixtures.api import World

SETTINGS_URL = "/api/v1/account/settings"

REFUSED = [
    "http://127.0.0.1:8080/hook",
    "https://127.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://localhost:5432/",
    "https://10.0.0.1/hook",
    "https://2130706433/hook",
    "https://0x7f.0.0.1/hook",
    "https://0177.0.0.1/hook",
    "https://127.1/hook",
    "https://user:pass@127.0.0.1/hook",
    "https://user:pass@hooks.example.com/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://192.168.1.20/hook",
    "https://172.16.5.4/hook",
    "https://100.64.0.1/hook",
    "https://224.0.0.1/hook",
    "https://240.0.0.1/hook",
    "https://0.0.0.0/hook",
    "https://[fe80::1]/hook",
    "https://intranet/hook",
    "https://printers.corp.local/hook",
    "http://hooks.slack.com/services/T0/B0/x",
    "ftp://hooks.example.com/x",
    "not a url",
]


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        yield c


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A resolver under the test's control: name -> addresses (public by default)."""
    table: dict[str, list[str]] = {}

    async def resolve(host: str, port: int) -> list[str]:
        if host in table:
            return table[host]
        raise OSError("no such name")

    monkeypatch.setattr(egress, "resolve", resolve)
    return table


@pytest.mark.parametrize("url", REFUSED)
async def test_internal_destinations_are_refused_when_saved(
    url: str, client: httpx.AsyncClient, world: World, public_dns: dict[str, list[str]]
) -> None:
    response = await client.put(
        SETTINGS_URL, json={"webhook_url": url}, headers=world.admin.headers
    )
    assert response.status_code == 422, (url, response.text)
    body = response.json()
    assert body["problems"][0]["location"] == "webhook_url"
    assert body["detail"].startswith("the webhook address cannot be used")


async def test_a_name_resolving_inward_is_refused_and_a_public_one_kept(
    client: httpx.AsyncClient, world: World, public_dns: dict[str, list[str]]
) -> None:
    public_dns["sneaky.example.com"] = ["93.184.216.34", "10.1.2.3"]
    public_dns["hooks.example.com"] = ["93.184.216.34"]
    sneaky = await client.put(
        SETTINGS_URL,
        json={"webhook_url": "https://sneaky.example.com/x"},
        headers=world.admin.headers,
    )
    assert sneaky.status_code == 422 and "private" in sneaky.json()["detail"]
    ok = await client.put(
        SETTINGS_URL,
        json={"webhook_url": "https://hooks.example.com/services/T1/B2/abc"},
        headers=world.admin.headers,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["webhook_url"] == "https://hooks.example.com/services/T1/B2/abc"


class Receiver:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.redirect_to: str | None = None

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
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append(
            {"path": scope["path"], "host": headers.get("host"), "body": json.loads(raw or b"null")}
        )
        if self.redirect_to:
            out = [(b"location", self.redirect_to.encode())]
            await send({"type": "http.response.start", "status": 302, "headers": out})
        else:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _serve(app: Receiver) -> tuple[uvicorn.Server, asyncio.Task[None], int]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no "listening" event
        await asyncio.sleep(0.01)
    return server, task, server.servers[0].sockets[0].getsockname()[1]


@pytest.fixture
async def receivers() -> AsyncIterator[tuple[Receiver, int, Receiver, int]]:
    first, second = Receiver(), Receiver()
    a, a_task, a_port = await _serve(first)
    b, b_task, b_port = await _serve(second)
    yield first, a_port, second, b_port
    await webhooks.drain(5)
    for server, task in ((a, a_task), (b, b_task)):
        server.should_exit = True
        await task


def _message(url: str, *, loopback: bool) -> webhooks.WebhookMessage:
    return webhooks.WebhookMessage(
        url=url,
        body={"text": "New flow proposal"},
        account_id=None,  # type: ignore[arg-type]
        kind="proposal.pending",
        allow_http_loopback=loopback,
    )


FAST = webhooks.DeliveryPolicy(attempts=2, base_delay=0.0, timeout=5)


async def test_send_time_check_refuses_a_name_that_now_resolves_inward(
    receivers: tuple[Receiver, int, Receiver, int], public_dns: dict[str, list[str]]
) -> None:
    receiver, port, _, _ = receivers
    # Saved while it pointed outside; by the time of sending it points at this machine.
    public_dns["hooks.example.com"] = ["127.0.0.1"]
    result = await webhooks.deliver(
        _message(f"https://hooks.example.com:{port}/x", loopback=False), policy=FAST
    )
    assert not result.delivered and result.attempts == 1
    assert result.last_error and "loopback" in result.last_error
    assert receiver.requests == []


async def test_the_request_goes_to_the_address_that_was_checked(
    receivers: tuple[Receiver, int, Receiver, int], public_dns: dict[str, list[str]]
) -> None:
    receiver, port, _, _ = receivers
    calls: list[str] = []

    async def rebinding(host: str, p: int) -> list[str]:
        calls.append(host)
        # The first answer is checked and used; any second lookup would get somewhere else.
        return ["127.0.0.1"] if len(calls) == 1 else ["10.9.9.9"]

    original = egress.resolve
    egress.resolve = rebinding  # type: ignore[assignment]
    try:
        result = await webhooks.deliver(
            _message(f"http://localhost:{port}/hook", loopback=True), policy=FAST
        )
    finally:
        egress.resolve = original  # type: ignore[assignment]
    assert result.delivered, result
    assert calls == ["localhost"]  # resolved once, by the check; the client did not resolve
    assert receiver.requests[0]["host"] == f"localhost:{port}"  # the name still travels


async def test_redirects_are_not_followed(
    receivers: tuple[Receiver, int, Receiver, int],
) -> None:
    first, port, second, second_port = receivers
    first.redirect_to = f"http://127.0.0.1:{second_port}/elsewhere"
    result = await webhooks.deliver(
        _message(f"http://127.0.0.1:{port}/hook", loopback=True), policy=FAST
    )
    assert not result.delivered and result.attempts == 1
    assert result.last_error and "redirect" in result.last_error
    assert len(first.requests) == 1 and second.requests == []


async def test_plain_http_to_loopback_needs_the_development_setting(
    receivers: tuple[Receiver, int, Receiver, int],
    client: httpx.AsyncClient,
    world: World,
    settings: Settings,
    db: AsyncSession,
) -> None:
    receiver, port, _, _ = receivers
    url = f"http://127.0.0.1:{port}/hook"
    refused = await client.put(SETTINGS_URL, json={"webhook_url": url}, headers=world.admin.headers)
    assert refused.status_code == 422
    result = await webhooks.deliver(_message(url, loopback=False), policy=FAST)
    assert not result.delivered and receiver.requests == []
    dev = create_app(settings.model_copy(update={"webhook_allow_http_loopback": True}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=dev), base_url="http://testserver"
    ) as dev_client:
        saved = await dev_client.put(
            SETTINGS_URL, json={"webhook_url": url}, headers=world.admin.headers
        )
    assert saved.status_code == 200, saved.text
    # Private addresses stay refused even then: the setting is for a local receiver only.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=dev), base_url="http://testserver"
    ) as dev_client:
        private = await dev_client.put(
            SETTINGS_URL,
            json={"webhook_url": "http://10.0.0.1/hook"},
            headers=world.admin.headers,
        )
    assert private.status_code == 422
