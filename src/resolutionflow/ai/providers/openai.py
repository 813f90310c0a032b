"""A provider for any server that speaks OpenAI's chat completions: OpenAI, Azure, Ollama, vLLM.

Requests ask for JSON mode at temperature 0. Servers differ in what they accept, so when a
server rejects the request naming one of the few known sticking points (JSON mode on
servers that only know `json_schema`, `max_tokens` on models that want
`max_completion_tokens`, a fixed temperature) the request is adjusted once and sent again,
and the adjustment is kept for later calls on this instance.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from resolutionflow.ai.base import (
    GenerationResult,
    PermanentProviderError,
    UsageRecorder,
    report_usage,
)
from resolutionflow.ai.http import JsonPoster, RetryPolicy, as_count, excerpt, join_url, text_or


def _drop_json_mode(payload: dict[str, Any]) -> None:
    payload.pop("response_format", None)


def _rename_max_tokens(payload: dict[str, Any]) -> None:
    payload["max_completion_tokens"] = payload.pop("max_tokens")


def _drop_temperature(payload: dict[str, Any]) -> None:
    payload.pop("temperature", None)


# (name, words in the server's complaint, the key it is about, how to adjust the payload)
_ADJUSTMENTS: tuple[tuple[str, str, str, Callable[[dict[str, Any]], None]], ...] = (
    ("no_json_mode", "response_format", "response_format", _drop_json_mode),
    ("max_completion_tokens", "max_completion_tokens", "max_tokens", _rename_max_tokens),
    ("no_temperature", "temperature", "temperature", _drop_temperature),
)


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 60.0,
        max_retries: int = 3,
        retry_base_delay: float = 1.0,
        max_retry_delay: float = 30.0,
        json_mode: bool = True,
        usage_recorder: UsageRecorder | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.model = model
        self.url = join_url(base_url, "chat/completions")
        self.usage_recorder = usage_recorder
        self._adjusted: set[str] = set() if json_mode else {"no_json_mode"}
        headers = {"content-type": "application/json", "accept": "application/json"}
        if api_key:
            # Azure's API keys go in their own header; everyone else takes a bearer token.
            if self.url.host.endswith(".azure.com"):
                headers["api-key"] = api_key
            else:
                headers["authorization"] = f"Bearer {api_key}"
        self._poster = JsonPoster(
            provider=self.name,
            headers=headers,
            timeout=timeout,
            policy=RetryPolicy(max_retries, retry_base_delay, max_retry_delay),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._poster.aclose()

    def build_payload(
        self, system_prompt: str, messages: list[dict[str, Any]], max_tokens: int
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system_prompt}, *messages],
            "max_tokens": max_tokens,
            "response_format": {"type": "json_object"},
            "temperature": 0,
        }
        for name, _, _, adjust in _ADJUSTMENTS:
            if name in self._adjusted:
                adjust(payload)
        return payload

    async def generate_json(
        self, system_prompt: str, messages: list[dict[str, Any]], max_tokens: int
    ) -> GenerationResult:
        started = time.monotonic()
        payload = self.build_payload(system_prompt, messages, max_tokens)
        body = await self._post_adjusting(payload)
        result = GenerationResult(
            text=self._content(body),
            input_tokens=as_count((body.get("usage") or {}).get("prompt_tokens")),
            output_tokens=as_count((body.get("usage") or {}).get("completion_tokens")),
            model=text_or(body.get("model"), self.model),
            provider=self.name,
            latency_seconds=time.monotonic() - started,
        )
        await report_usage(self.usage_recorder, result)
        return result

    async def _post_adjusting(self, payload: dict[str, Any]) -> dict[str, Any]:
        while True:
            try:
                return await self._poster.post(self.url, payload)
            except PermanentProviderError as exc:
                adjustment = self._adjustment_for(exc, payload)
                if adjustment is None:
                    raise
                name, adjust = adjustment
                self._adjusted.add(name)
                adjust(payload)

    def _adjustment_for(
        self, exc: PermanentProviderError, payload: dict[str, Any]
    ) -> tuple[str, Callable[[dict[str, Any]], None]] | None:
        if exc.status not in (400, 422):
            return None
        complaint = exc.message.lower()
        for name, words, key, adjust in _ADJUSTMENTS:
            if words in complaint and key in payload:
                return name, adjust
        return None

    def _content(self, body: dict[str, Any]) -> str:
        choices = body.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise self._malformed(body, "no choices")
        choice = choices[0]
        message = choice.get("message")
        if not isinstance(message, dict):
            raise self._malformed(body, "choices[0] has no message")
        content = message.get("content")
        if isinstance(content, list):
            # Some compatible servers answer with content parts instead of one string.
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        if isinstance(content, str) and content.strip():
            return content
        refusal = message.get("refusal")
        if isinstance(refusal, str) and refusal:
            raise PermanentProviderError(
                f"{self.name}: the model refused: {excerpt(refusal, 200)}", provider=self.name
            )
        raise PermanentProviderError(
            f"{self.name}: the model returned no text "
            f"(finish_reason={choice.get('finish_reason')!r})",
            provider=self.name,
        )

    def _malformed(self, body: dict[str, Any], what: str) -> PermanentProviderError:
        return PermanentProviderError(
            f"{self.name}: malformed chat completion ({what}): {excerpt(str(body), 160)}",
            provider=self.name,
        )
