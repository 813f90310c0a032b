"""The OpenAI-compatible provider sends chat completions as servers expect and reads the answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from resolutionflow.ai.base import InMemoryUsageRecorder, PermanentProviderError
from resolutionflow.ai.providers.openai import OpenAIProvider
from tests.ai.fake_servers import FakeModelServer, Reply

MESSAGES = [
    {"role": "user", "content": "Session transcript"},
    {"role": "assistant", "content": "{}"},
    {"role": "user", "content": "Please fix it"},
]


@pytest.fixture
async def provider(openai_server: FakeModelServer) -> AsyncIterator[OpenAIProvider]:
    made = OpenAIProvider(
        base_url=openai_server.url + "/v1",
        api_key="sk-test",
        model="gpt-test",
        timeout=2.0,
        max_retries=1,
        retry_base_delay=0.01,
        usage_recorder=InMemoryUsageRecorder(),
    )
    yield made
    await made.aclose()


def _completion(message: dict[str, Any], usage: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "gpt-test-2024",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }
    if usage is not None:
        body["usage"] = usage
    return body


async def test_success_returns_the_text_and_token_counts(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    result = await provider.generate_json("Answer in JSON.", MESSAGES, 700)
    assert json.loads(result.text) == {"title": "Printer offline"}
    assert (result.input_tokens, result.output_tokens) == (120, 45)
    assert (result.provider, result.model) == ("openai", "gpt-test")
    assert result.latency_seconds >= 0
    recorder = provider.usage_recorder
    assert isinstance(recorder, InMemoryUsageRecorder)
    assert recorder.totals() == {("openai", "gpt-test"): (1, 120, 45)}


async def test_the_request_is_a_json_mode_chat_completion(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    await provider.generate_json("You write flows. Answer in JSON.", MESSAGES, 700)
    [seen] = openai_server.requests
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["authorization"] == "Bearer sk-test"
    assert seen.headers["content-type"] == "application/json"
    assert seen.body == {
        "model": "gpt-test",
        "messages": [{"role": "system", "content": "You write flows. Answer in JSON."}, *MESSAGES],
        "max_tokens": 700,
        "response_format": {"type": "json_object"},
        "temperature": 0,
    }


async def test_a_server_without_a_key_gets_no_authorization_header(
    openai_server: FakeModelServer,
) -> None:
    local = OpenAIProvider(base_url=openai_server.url + "/v1/", model="llama3")
    try:
        await local.generate_json("JSON please", MESSAGES, 100)
    finally:
        await local.aclose()
    [seen] = openai_server.requests
    assert "authorization" not in seen.headers
    assert seen.path == "/v1/chat/completions"


async def test_the_model_the_server_names_is_reported(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    openai_server.default = Reply(body=_completion({"role": "assistant", "content": "{}"}))
    result = await provider.generate_json("JSON", MESSAGES, 100)
    assert result.model == "gpt-test-2024"
    # A server that reports no usage costs nothing we can count, rather than failing.
    assert (result.input_tokens, result.output_tokens) == (0, 0)


async def test_content_given_as_parts_is_joined(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    parts = [{"type": "text", "text": '{"a":'}, {"type": "text", "text": " 1}"}]
    openai_server.default = Reply(body=_completion({"role": "assistant", "content": parts}))
    result = await provider.generate_json("JSON", MESSAGES, 100)
    assert result.text == '{"a": 1}'


async def test_a_refusal_is_permanent(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    message = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
    openai_server.default = Reply(body=_completion(message))
    with pytest.raises(PermanentProviderError, match="refused"):
        await provider.generate_json("JSON", MESSAGES, 100)


async def test_a_server_without_json_mode_is_asked_again_without_it(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    error = {"error": "'response_format.type' must be 'json_schema' or 'text'"}
    openai_server.script(Reply(400, error))
    first = await provider.generate_json("JSON", MESSAGES, 100)
    second = await provider.generate_json("JSON", MESSAGES, 100)
    assert first.text and second.text
    bodies = [seen.body for seen in openai_server.requests]
    assert len(bodies) == 3
    assert "response_format" in bodies[0]
    # The adjustment is remembered: the next call does not trip over it again.
    assert "response_format" not in bodies[1] and "response_format" not in bodies[2]


async def test_a_model_that_wants_max_completion_tokens_gets_it(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    message = (
        "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead."
    )
    openai_server.script(Reply(400, {"error": {"message": message, "type": "invalid_request"}}))
    await provider.generate_json("JSON", MESSAGES, 321)
    retried = openai_server.requests[1].body
    assert retried["max_completion_tokens"] == 321
    assert "max_tokens" not in retried


async def test_other_400s_are_not_adjusted_or_retried(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    openai_server.default = Reply(400, {"error": {"message": "context length exceeded"}})
    with pytest.raises(PermanentProviderError, match="context length exceeded"):
        await provider.generate_json("JSON", MESSAGES, 100)
    assert len(openai_server.requests) == 1


async def test_azure_keys_go_in_the_api_key_header_and_the_query_is_kept() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=_completion({"role": "assistant", "content": "{}"}))

    azure = OpenAIProvider(
        base_url="https://acme.openai.azure.com/openai/deployments/gpt4o?api-version=2024-10-21",
        api_key="azure-key",
        model="gpt4o",
        transport=httpx.MockTransport(answer),
    )
    try:
        await azure.generate_json("JSON", MESSAGES, 100)
    finally:
        await azure.aclose()
    [request] = seen
    assert request.headers["api-key"] == "azure-key"
    assert "authorization" not in request.headers
    assert request.url.path == "/openai/deployments/gpt4o/chat/completions"
    assert request.url.params["api-version"] == "2024-10-21"
