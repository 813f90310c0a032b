"""The Anthropic provider speaks the Messages API as the server expects and reads its answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from resolutionflow.ai.base import InMemoryUsageRecorder, PermanentProviderError
from resolutionflow.ai.providers.anthropic import AnthropicProvider
from tests.ai.fake_servers import FakeModelServer, Reply

MESSAGES = [
    {"role": "user", "content": "Session transcript"},
    {"role": "assistant", "content": "{}"},
    {"role": "user", "content": "Please fix it"},
]


@pytest.fixture
async def provider(anthropic_server: FakeModelServer) -> AsyncIterator[AnthropicProvider]:
    made = AnthropicProvider(
        base_url=anthropic_server.url,
        api_key="ak-test",
        model="claude-test",
        timeout=2.0,
        max_retries=1,
        retry_base_delay=0.01,
        usage_recorder=InMemoryUsageRecorder(),
    )
    yield made
    await made.aclose()


async def test_success_joins_the_text_blocks_and_counts_tokens(
    anthropic_server: FakeModelServer, provider: AnthropicProvider
) -> None:
    result = await provider.generate_json("Answer in JSON.", MESSAGES, 900)
    assert json.loads(result.text) == {"title": "Printer offline"}
    assert (result.input_tokens, result.output_tokens) == (200, 30)
    assert (result.provider, result.model) == ("anthropic", "claude-test")
    recorder = provider.usage_recorder
    assert isinstance(recorder, InMemoryUsageRecorder)
    assert recorder.totals() == {("anthropic", "claude-test"): (1, 200, 30)}


async def test_the_request_puts_the_system_prompt_beside_the_messages(
    anthropic_server: FakeModelServer, provider: AnthropicProvider
) -> None:
    await provider.generate_json("You write flows.", MESSAGES, 900)
    [seen] = anthropic_server.requests
    assert seen.path == "/v1/messages"
    assert seen.headers["x-api-key"] == "ak-test"
    assert seen.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in seen.headers
    assert seen.body["model"] == "claude-test"
    assert seen.body["max_tokens"] == 900
    assert seen.body["system"] == "You write flows."
    assert seen.body["messages"] == MESSAGES


async def test_system_turns_in_the_messages_join_the_system_prompt(
    anthropic_server: FakeModelServer, provider: AnthropicProvider
) -> None:
    messages = [{"role": "system", "content": "Be brief."}, *MESSAGES]
    await provider.generate_json("You write flows.", messages, 100)
    body = anthropic_server.requests[0].body
    assert body["system"] == "You write flows.\n\nBe brief."
    assert all(m["role"] != "system" for m in body["messages"])


async def test_a_base_url_that_already_ends_in_v1_is_not_doubled(
    anthropic_server: FakeModelServer,
) -> None:
    made = AnthropicProvider(base_url=anthropic_server.url + "/v1/", model="m", api_key="k")
    try:
        await made.generate_json("JSON", MESSAGES, 100)
    finally:
        await made.aclose()
    assert anthropic_server.requests[0].path == "/v1/messages"


async def test_cached_prompt_tokens_count_as_input(
    anthropic_server: FakeModelServer, provider: AnthropicProvider
) -> None:
    anthropic_server.default = Reply(
        body={
            "content": [{"type": "text", "text": "{}"}],
            "usage": {
                "input_tokens": 10,
                "cache_creation_input_tokens": 100,
                "cache_read_input_tokens": 1000,
                "output_tokens": 5,
            },
        }
    )
    result = await provider.generate_json("JSON", MESSAGES, 100)
    assert (result.input_tokens, result.output_tokens) == (1110, 5)


async def test_an_answer_without_text_is_permanent(
    anthropic_server: FakeModelServer, provider: AnthropicProvider
) -> None:
    anthropic_server.default = Reply(
        body={"content": [{"type": "tool_use", "id": "t", "input": {}}], "stop_reason": "tool_use"}
    )
    with pytest.raises(PermanentProviderError, match="no text"):
        await provider.generate_json("JSON", MESSAGES, 100)
    assert len(anthropic_server.requests) == 1
