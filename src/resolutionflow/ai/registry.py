"""Choosing and building the provider for an action from the settings."""

from __future__ import annotations

from typing import Any

from resolutionflow.ai.base import Provider, UsageRecorder
from resolutionflow.config import Settings

PROVIDERS = ("offline", "openai", "anthropic")
OPENAI_HOSTED_URL = "https://api.openai.com"
ANTHROPIC_HOSTED_URL = "https://api.anthropic.com"


def model_for(settings: Settings, action: str = "default") -> str:
    """The model configured for `action`, else the general one ("" when neither is set)."""
    return (settings.ai_models.get(action) or settings.ai_model or "").strip()


def _provider_name(settings: Settings) -> str:
    name = (settings.ai_provider or "").strip().lower()
    if name not in PROVIDERS:
        raise ValueError(
            f"unknown AI provider {settings.ai_provider!r} (RESOLUTIONFLOW_AI_PROVIDER): "
            f"choose one of {', '.join(PROVIDERS)}"
        )
    return name


def _require_model(name: str, model: str, action: str) -> str:
    if not model:
        raise ValueError(
            f"the {name} provider needs a model: set RESOLUTIONFLOW_AI_MODEL, or "
            f"RESOLUTIONFLOW_AI_MODELS with an entry for {action!r}"
        )
    return model


def _require_key(name: str, key: str, base_url: str, hosted: str, env: str) -> str:
    # Self-hosted compatible servers often need no key; the hosted APIs always do, so say so
    # now rather than with a 401 on the first session.
    if not key and base_url.strip().rstrip("/").startswith(hosted):
        raise ValueError(f"the {name} provider at {base_url} needs an API key: set {env}")
    return key


def get_provider(
    settings: Settings,
    action: str = "default",
    usage_recorder: UsageRecorder | None = None,
    **overrides: Any,
) -> Provider:
    """A new provider for `action`. The caller owns it: close it with `close_provider`.

    `overrides` go to the HTTP providers' constructors (e.g. `retry_base_delay`, `transport`).
    """
    name = _provider_name(settings)
    if name == "offline":
        # Imported here so that configuring an HTTP provider never loads the offline one.
        from resolutionflow.ai.providers.offline import OfflineProvider

        return OfflineProvider()
    common: dict[str, Any] = {
        "model": _require_model(name, model_for(settings, action), action),
        "timeout": settings.ai_timeout_seconds,
        "max_retries": settings.ai_max_retries,
        "usage_recorder": usage_recorder,
        **overrides,
    }
    if name == "openai":
        from resolutionflow.ai.providers.openai import OpenAIProvider

        key = _require_key(
            name,
            settings.openai_api_key,
            settings.openai_base_url,
            OPENAI_HOSTED_URL,
            "RESOLUTIONFLOW_OPENAI_API_KEY",
        )
        return OpenAIProvider(base_url=settings.openai_base_url, api_key=key, **common)
    from resolutionflow.ai.providers.anthropic import AnthropicProvider

    key = _require_key(
        name,
        settings.anthropic_api_key,
        settings.anthropic_base_url,
        ANTHROPIC_HOSTED_URL,
        "RESOLUTIONFLOW_ANTHROPIC_API_KEY",
    )
    return AnthropicProvider(base_url=settings.anthropic_base_url, api_key=key, **common)
