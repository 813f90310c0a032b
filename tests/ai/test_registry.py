"""Building the configured provider for an action from the settings."""

from __future__ import annotations

from typing import Any

import pytest

from resolutionflow.ai.base import InMemoryUsageRecorder, Provider, close_provider
from resolutionflow.ai.providers.anthropic import AnthropicProvider
from resolutionflow.ai.providers.openai import OpenAIProvider
from resolutionflow.ai.registry import get_provider, model_for
from resolutionflow.config import Settings
from tests.ai.fake_servers import FakeModelServer


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_the_action_model_wins_over_the_general_one() -> None:
    s = settings(ai_model="general", ai_models={"new_flow": "big"})
    assert model_for(s, "new_flow") == "big"
    assert model_for(s, "scripts") == "general"
    assert model_for(settings(), "anything") == ""


def test_offline_is_the_default_and_needs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESOLUTIONFLOW_AI_PROVIDER", raising=False)
    provider = get_provider(settings())
    assert type(provider).__name__ == "OfflineProvider"
    assert isinstance(provider, Provider)


def test_openai_is_built_from_the_settings() -> None:
    s = settings(
        ai_provider="OpenAI",
        ai_model="gpt-general",
        ai_models={"analysis": "gpt-analysis"},
        openai_base_url="http://localhost:11434/v1",
        ai_timeout_seconds=12.5,
        ai_max_retries=5,
    )
    provider = get_provider(s, "analysis")
    assert isinstance(provider, OpenAIProvider)
    assert provider.model == "gpt-analysis"
    assert str(provider.url) == "http://localhost:11434/v1/chat/completions"
    assert provider._poster.timeout == 12.5
    assert provider._poster.policy.max_retries == 5


def test_anthropic_is_built_from_the_settings() -> None:
    s = settings(ai_provider="anthropic", ai_model="claude-x", anthropic_api_key="k")
    provider = get_provider(s)
    assert isinstance(provider, AnthropicProvider)
    assert provider.model == "claude-x"
    assert str(provider.url) == "https://api.anthropic.com/v1/messages"


def test_an_unknown_provider_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError) as caught:
        get_provider(settings(ai_provider="gemini"))
    message = str(caught.value)
    assert "gemini" in message
    for name in ("offline", "openai", "anthropic"):
        assert name in message


def test_an_http_provider_without_a_model_is_refused() -> None:
    with pytest.raises(ValueError, match="RESOLUTIONFLOW_AI_MODEL"):
        get_provider(settings(ai_provider="openai", openai_api_key="k"), "new_flow")


def test_the_hosted_apis_need_a_key_but_local_servers_do_not() -> None:
    with pytest.raises(ValueError, match="RESOLUTIONFLOW_OPENAI_API_KEY"):
        get_provider(settings(ai_provider="openai", ai_model="m"))
    with pytest.raises(ValueError, match="RESOLUTIONFLOW_ANTHROPIC_API_KEY"):
        get_provider(settings(ai_provider="anthropic", ai_model="m"))
    local = settings(ai_provider="openai", ai_model="m", openai_base_url="http://127.0.0.1:8000/v1")
    assert isinstance(get_provider(local), OpenAIProvider)


async def test_a_configured_provider_calls_the_server_and_records_usage(
    openai_server: FakeModelServer,
) -> None:
    s = settings(
        ai_provider="openai",
        ai_model="m",
        openai_base_url=openai_server.url + "/v1",
        openai_api_key="sk-x",
    )
    recorder = InMemoryUsageRecorder()
    provider = get_provider(s, "analysis", usage_recorder=recorder, retry_base_delay=0.01)
    try:
        result = await provider.generate_json("JSON", [{"role": "user", "content": "hi"}], 50)
    finally:
        await close_provider(provider)
    assert result.text
    assert recorder.totals() == {("openai", "m"): (1, 120, 45)}
    assert openai_server.requests[0].headers["authorization"] == "Bearer sk-x"
