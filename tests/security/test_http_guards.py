"""Security headers on every response, and request bodies over the limit answered 413."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.app import create_app
from resolutionflow.config import Settings
from resolutionflow.models import Session
from tests.fixtures.api import World
from tests.helpers import session_line


@asynccontextmanager
async def client_for(
    settings: Settings, base_url: str = "http://testserver", **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False, **overrides}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


def assert_guarded(response: httpx.Response) -> None:
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, response.url
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_every_kind_of_response_carries_the_headers(settings: Settings, world: World) -> None:
    async with client_for(settings) as client:
        responses = [
            await client.get("/login"),
            await client.get("/static/app.css"),
            await client.get("/static/app.js"),
            await client.get("/healthz"),
            await client.get("/api/v1/flows", headers=world.engineer.headers),
            await client.get("/api/v1/flows"),  # 401
            await client.get("/api/v1/flows/not-a-uuid", headers=world.engineer.headers),  # 422
            await client.get("/no-such-page"),  # 404
            await client.get("/review"),  # redirect to sign in
        ]
        for response in responses:
            assert_guarded(response)
            assert "strict-transport-security" not in response.headers  # plain http
    async with client_for(settings, base_url="https://testserver") as tls:
        response = await tls.get("/login")
        assert_guarded(response)
        assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_the_csp_allows_no_inline_script(settings: Settings) -> None:
    async with client_for(settings) as client:
        csp = (await client.get("/login")).headers["content-security-policy"]
    script = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script


async def test_a_body_over_the_limit_is_refused_by_its_length(
    settings: Settings, world: World
) -> None:
    async with client_for(settings, max_body_bytes=10_000) as client:
        big = {"problem_summary": "x" * 20_000, "status": "active"}
        response = await client.post("/api/v1/sessions", json=big, headers=world.engineer.headers)
        assert response.status_code == 413
        assert response.json()["error"] == "too_large"
        assert_guarded(response)
        small = await client.post(
            "/api/v1/sessions",
            json={"problem_summary": "Printer offline", "status": "active"},
            headers=world.engineer.headers,
        )
        assert small.status_code == 201, small.text


async def test_a_streamed_body_is_cut_off_as_it_passes_the_limit(
    settings: Settings, world: World
) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(1000):  # up to 64 MB if nothing stopped it
            sent += 1
            yield b"x" * 65536

    async with client_for(settings, max_body_bytes=100_000) as client:
        response = await client.post(
            "/api/v1/sessions",
            content=chunks(),
            headers={**world.engineer.headers, "content-type": "application/json"},
        )
    assert response.status_code == 413
    assert sent < 10  # refused after a few chunks, not after reading everything


async def test_a_web_form_over_the_limit_gets_a_page_not_a_crash(settings: Settings) -> None:
    async with client_for(settings, max_body_bytes=5_000) as client:
        response = await client.post("/login", data={"email": "a@b.c", "password": "x" * 10_000})
    assert response.status_code == 413
    assert_guarded(response)


async def test_imports_stream_under_their_larger_limit(
    settings: Settings, world: World, db: AsyncSession
) -> None:
    lines = [json.dumps(session_line()) for _ in range(300)]
    body = ("\n".join(lines) + "\n").encode()
    assert len(body) > 50_000
    limits = {"max_body_bytes": 50_000, "max_import_bytes": 5_000_000}
    async with client_for(settings, **limits) as client:

        async def streamed() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 4096):  # line breaks fall inside chunks
                yield body[start : start + 4096]

        response = await client.post(
            "/api/v1/sessions/import",
            content=streamed(),
            headers={**world.team_admin.headers, "content-type": "application/x-ndjson"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["stored"] == 300 and response.json()["errors"] == []
    await db.commit()
    assert (await db.execute(select(func.count()).select_from(Session))).scalar_one() == 300
    async with client_for(settings, max_body_bytes=50_000, max_import_bytes=100_000) as client:
        over = await client.post(
            "/api/v1/sessions/import",
            content=body,
            headers={**world.team_admin.headers, "content-type": "application/x-ndjson"},
        )
        assert over.status_code == 413


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
async def test_streamed_import_reports_the_right_line_numbers(
    settings: Settings, world: World, newline: str
) -> None:
    good = [json.dumps(session_line()) for _ in range(3)]
    text = newline.join([good[0], good[1], "{not json", good[2]]) + newline
    body = text.encode()
    async with client_for(settings) as client:

        async def byte_by_byte() -> AsyncIterator[bytes]:
            for i in range(0, len(body), 7):
                yield body[i : i + 7]

        response = await client.post(
            "/api/v1/sessions/import",
            content=byte_by_byte(),
            headers={**world.team_admin.headers, "content-type": "application/x-ndjson"},
        )
    assert response.status_code == 200, response.text
    assert [e["line"] for e in response.json()["errors"]] == [3]
    assert response.json()["stored"] == 3
