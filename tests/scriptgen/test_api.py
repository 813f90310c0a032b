"""Script generation over HTTP: library answers, reviewed model answers, history, tenancy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.app import create_app
from resolutionflow.config import Settings
from resolutionflow.sessions.schemas import SessionIn
from resolutionflow.sessions.service import create_session
from tests.ai.fake_servers import FakeModelServer, Reply, openai_success
from tests.fixtures.api import World
from tests.helpers import session_line

GUARDED = """[CmdletBinding(SupportsShouldProcess = $true)]
param([string]$ServiceName = 'Spooler')
if ($PSCmdlet.ShouldProcess($ServiceName, 'Restart service')) {
    Restart-Service -Name $ServiceName
}
"""
LEAKY = """[CmdletBinding()]
param()
$password = 'Winter2026!'
$secure = ConvertTo-SecureString $password -AsPlainText -Force
"""


async def _session(db: AsyncSession, world: World, domain: str = "printing") -> str:
    session = await create_session(
        db,
        account=world.account,
        data=SessionIn.model_validate(
            session_line(status="active", resolved_at=None, problem_domain=domain)
        ),
    )
    await db.commit()
    return str(session.id)


async def test_offline_library_answer_and_history(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    sid = await _session(db, world)
    ask = await client.post(
        f"/api/v1/sessions/{sid}/scripts",
        headers=world.engineer.headers,
        json={"request": "the print queue is stuck, clear it"},
    )
    assert ask.status_code == 201, ask.text
    body = ask.json()
    assert body["template"] == "print-spooler-reset"
    assert body["language"] == "powershell"
    assert "ShouldProcess" in body["script"]
    assert body["requires_confirmation"] is True
    assert {r["rule"] for r in body["risks"]} >= {"service_stop"}
    assert body["parameters"] and body["explanation"]

    bash = await client.post(
        f"/api/v1/sessions/{sid}/scripts",
        headers=world.engineer.headers,
        json={"request": "check disk usage on the linux box", "language": "bash"},
    )
    assert bash.json()["language"] == "bash" and bash.json()["script"].startswith("#!")

    nothing = await client.post(
        f"/api/v1/sessions/{sid}/scripts",
        headers=world.engineer.headers,
        json={"request": "write me a poem about the weekend"},
    )
    assert nothing.status_code == 201
    assert nothing.json()["matched"] is False and nothing.json()["script"] == ""
    assert len(nothing.json()["suggestions"]) == 3

    history = await client.get(f"/api/v1/sessions/{sid}/scripts", headers=world.admin.headers)
    assert [h["request_text"] for h in history.json()] == [
        "write me a poem about the weekend",
        "check disk usage on the linux box",
        "the print queue is stuck, clear it",
    ]


async def test_bad_requests_and_other_accounts(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    sid = await _session(db, world)
    for body in (
        {"request": ""},
        {"request": "x", "language": "cobol"},
        {"nope": 1},
        {"request": "flush dns", "step_order": 99},
    ):
        response = await client.post(
            f"/api/v1/sessions/{sid}/scripts", headers=world.engineer.headers, json=body
        )
        assert response.status_code == 422, (body, response.text)
    foreign = await client.post(
        f"/api/v1/sessions/{sid}/scripts",
        headers=world.outsider.headers,
        json={"request": "flush dns"},
    )
    assert foreign.status_code == 404
    assert (
        await client.get(f"/api/v1/sessions/{sid}/scripts", headers=world.outsider.headers)
    ).status_code == 404


@pytest.fixture
def model_server() -> Iterator[FakeModelServer]:
    server = FakeModelServer(openai_success)
    server.start()
    yield server
    server.stop()


def _chat(content: dict[str, Any]) -> Reply:
    return Reply(
        body={
            "id": "c",
            "object": "chat.completion",
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": json.dumps(content)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10},
        }
    )


async def test_model_scripts_are_reviewed(
    settings: Settings, world: World, db: AsyncSession, model_server: FakeModelServer
) -> None:
    sid = await _session(db, world)
    app = create_app(
        settings.model_copy(
            update={
                "ai_provider": "openai",
                "openai_base_url": model_server.url + "/v1",
                "openai_api_key": "k",
                "ai_model": "m",
                "rate_limit_enabled": False,
            }
        )
    )
    model_server.script(
        _chat({"script": GUARDED, "explanation": "Restarts a service", "parameters": []}),
        _chat({"script": LEAKY, "explanation": "Uses a password", "parameters": []}),
        _chat({"script": LEAKY, "explanation": "Still a password", "parameters": []}),
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        ok = await c.post(
            f"/api/v1/sessions/{sid}/scripts",
            headers=world.engineer.headers,
            json={"request": "restart the spooler service"},
        )
        assert ok.status_code == 201, ok.text
        assert ok.json()["script"] == GUARDED
        assert ok.json()["requires_confirmation"] is True and ok.json()["refused"] is False
        refused = await c.post(
            f"/api/v1/sessions/{sid}/scripts",
            headers=world.engineer.headers,
            json={"request": "map the drive with my password"},
        )
        assert refused.status_code == 201
        assert refused.json()["refused"] is True
        assert refused.json()["script"] == ""
        assert "Winter2026" not in refused.text
    # The refused answer got one repair request listing its problems.
    assert len(model_server.requests) == 3
