"""Retries, timeouts, errors and concurrency, for both HTTP providers against real local servers."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from resolutionflow.ai.base import (
    GenerationResult,
    InMemoryUsageRecorder,
    PermanentProviderError,
    TransientProviderError,
)
from resolutionflow.ai.providers.anthropic import AnthropicProvider
from resolutionflow.ai.providers.openai import OpenAIProvider
from tests.ai.fake_servers import FakeModelServer, Reply

MESSAGES = [{"role": "user", "content": "Session transcript"}]
Factory = Callable[..., Any]


@pytest.fixture(params=["openai", "anthropic"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server(
    kind: str, openai_server: FakeModelServer, anthropic_server: FakeModelServer
) -> FakeModelServer:
    return openai_server if kind == "openai" else anthropic_server


@pytest.fixture
async def make(kind: str, server: FakeModelServer) -> AsyncIterator[Factory]:
    """Builds providers of this test's kind against its server, and closes them afterwards."""
    made: list[Any] = []

    def factory(base_url: str | None = None, **options: Any) -> Any:
        settings: dict[str, Any] = {
            "model": "test-model",
            "api_key": "key-123",
            "timeout": 2.0,
            "max_retries": 2,
            "retry_base_delay": 0.01,
            **options,
        }
        if kind == "openai":
            provider: Any = OpenAIProvider(base_url=base_url or server.url + "/v1", **settings)
        else:
            provider = AnthropicProvider(base_url=base_url or server.url, **settings)
        made.append(provider)
        return provider

    yield factory
    for provider in made:
        await provider.aclose()


async def generate(provider: Any) -> GenerationResult:
    result: GenerationResult = await provider.generate_json("Answer in JSON.", MESSAGES, 500)
    return result


def _error(message: str) -> dict[str, Any]:
    # Both APIs put the human-readable text at error.message.
    return {"type": "error", "error": {"type": "some_error", "message": message}}


async def test_429_is_retried_after_the_servers_retry_after(
    server: FakeModelServer, make: Factory
) -> None:
    server.script(Reply(429, _error("slow down"), headers={"Retry-After": "1"}))
    result = await generate(make())
    assert result.text
    assert len(server.requests) == 2
    gap = server.requests[1].at - server.requests[0].at
    assert gap >= 0.9, f"the retry came {gap:.2f}s after the 429, before Retry-After: 1"


async def test_500_is_retried(server: FakeModelServer, make: Factory) -> None:
    server.script(Reply(500, _error("internal error")))
    result = await generate(make())
    assert result.text
    assert len(server.requests) == 2


async def test_5xx_without_a_json_body_is_retried(server: FakeModelServer, make: Factory) -> None:
    server.script(Reply(502, "<html>Bad Gateway</html>"), Reply(529, _error("overloaded")))
    result = await generate(make())
    assert result.text
    assert len(server.requests) == 3


async def test_persistent_500_gives_a_transient_error_after_every_attempt(
    server: FakeModelServer, make: Factory
) -> None:
    server.default = Reply(500, _error("the model is on fire"))
    with pytest.raises(TransientProviderError) as caught:
        await generate(make(max_retries=3))
    assert len(server.requests) == 4
    assert caught.value.status == 500
    assert "the model is on fire" in str(caught.value)
    assert "4 attempts" in str(caught.value)


async def test_no_retries_means_one_attempt(server: FakeModelServer, make: Factory) -> None:
    server.default = Reply(503, _error("unavailable"))
    with pytest.raises(TransientProviderError):
        await generate(make(max_retries=0))
    assert len(server.requests) == 1


async def test_a_slow_server_times_out_as_transient(server: FakeModelServer, make: Factory) -> None:
    server.default = Reply(delay=1.5)
    with pytest.raises(TransientProviderError) as caught:
        await generate(make(timeout=0.2, max_retries=1))
    assert len(server.requests) == 2
    assert "timeout" in str(caught.value)


async def test_a_refused_connection_is_transient(make: Factory) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port once the socket is closed.
    with pytest.raises(TransientProviderError) as caught:
        await generate(make(base_url=f"http://127.0.0.1:{port}", max_retries=1))
    assert "connection failed" in str(caught.value)


async def test_401_is_permanent_and_not_retried(server: FakeModelServer, make: Factory) -> None:
    server.default = Reply(401, _error("invalid x-api-key"))
    with pytest.raises(PermanentProviderError) as caught:
        await generate(make())
    assert len(server.requests) == 1
    assert caught.value.status == 401
    assert "invalid x-api-key" in str(caught.value)


async def test_400_with_a_plain_text_body_is_permanent(
    server: FakeModelServer, make: Factory
) -> None:
    server.default = Reply(404, "no such model: test-model")
    with pytest.raises(PermanentProviderError) as caught:
        await generate(make())
    assert len(server.requests) == 1
    assert "no such model" in str(caught.value)


async def test_a_200_with_a_body_that_is_not_json_is_permanent(
    server: FakeModelServer, make: Factory
) -> None:
    server.default = Reply(200, "<html>captive portal</html>")
    with pytest.raises(PermanentProviderError) as caught:
        await generate(make())
    assert len(server.requests) == 1
    assert "not JSON" in str(caught.value)


async def test_a_200_with_json_of_the_wrong_shape_is_permanent(
    server: FakeModelServer, make: Factory
) -> None:
    server.default = Reply(200, {"unexpected": True})
    with pytest.raises(PermanentProviderError):
        await generate(make())
    assert len(server.requests) == 1


async def test_a_retry_after_beyond_the_cap_is_not_waited_out(
    server: FakeModelServer, make: Factory
) -> None:
    server.default = Reply(429, _error("daily limit"), headers={"Retry-After": "3600"})
    started = time.monotonic()
    with pytest.raises(TransientProviderError) as caught:
        await generate(make(max_retry_delay=5.0))
    assert len(server.requests) == 1
    assert caught.value.retry_after == 3600
    assert time.monotonic() - started < 5.0


async def test_usage_is_recorded_once_per_successful_call(
    server: FakeModelServer, make: Factory, kind: str
) -> None:
    recorder = InMemoryUsageRecorder()
    server.script(Reply(500, _error("once")))
    provider = make(usage_recorder=recorder)
    result = await generate(provider)
    assert len(recorder.records) == 1
    record = recorder.records[0]
    assert (record.provider, record.model) == (kind, "test-model")
    assert (record.input_tokens, record.output_tokens) == (
        result.input_tokens,
        result.output_tokens,
    )


async def test_a_failing_usage_recorder_does_not_lose_the_answer(make: Factory) -> None:
    class Broken:
        async def record(self, provider: str, model: str, tokens_in: int, tokens_out: int) -> None:
            raise RuntimeError("database down")

    result = await generate(make(usage_recorder=Broken()))
    assert result.text


async def test_many_calls_run_at_once_on_one_provider(
    server: FakeModelServer, make: Factory
) -> None:
    server.default = Reply(delay=0.3)
    provider = make()
    started = time.monotonic()
    results = await asyncio.gather(*(generate(provider) for _ in range(16)))
    elapsed = time.monotonic() - started
    assert len(results) == 16 and all(r.text for r in results)
    assert len(server.requests) == 16
    # Sixteen calls in series would take 4.8s; concurrent calls overlap.
    assert elapsed < 8 * 0.3


async def test_a_closed_provider_can_be_used_again(server: FakeModelServer, make: Factory) -> None:
    provider = make()
    await generate(provider)
    await provider.aclose()
    assert (await generate(provider)).text
    assert len(server.requests) == 2


def test_a_provider_survives_being_used_under_a_second_event_loop(
    server: FakeModelServer, kind: str
) -> None:
    if kind == "openai":
        provider: Any = OpenAIProvider(base_url=server.url + "/v1", model="m")
    else:
        provider = AnthropicProvider(base_url=server.url, model="m")
    assert asyncio.run(generate(provider)).text
    assert asyncio.run(generate(provider)).text
    asyncio.run(provider.aclose())
    assert len(server.requests) == 2
