"""A provider for Anthropic's Messages API (and servers that speak it).

When the caller gives the answer's JSON Schema, the request offers one tool whose
`input_schema` is that schema and forces the model to call it (`tool_choice`); the tool
call's input is the answer. A reply with text instead of a tool call is taken as text.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from resolutionflow.ai.base import (
    GenerationResult,
    PermanentProviderError,
    ResponseSchema,
    UsageRecorder,
    report_usage,
)
from resolutionflow.ai.http import JsonPoster, RetryPolicy, as_count, excerpt, join_url, text_or

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicProvider:
    name = "anthropic"

    def __init__(
        self,
        *,
        model: str,
        api_key: str = "",
        base_url: str = "https://api.anthropic.com",
        timeout: float = 60.0,
        max_retries: int = 3,
        retry_base_delay: float = 1.0,
        max_retry_delay: float = 30.0,
        usage_recorder: UsageRecorder | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.model = model
        # People paste the base URL with or without the version segment; accept both.
        suffix = "messages" if base_url.rstrip("/").endswith("/v1") else "v1/messages"
        self.url = join_url(base_url, suffix)
        self.usage_recorder = usage_recorder
        headers = {
            "content-type": "application/json",
            "accept": "application/json",
            "anthropic-version": ANTHROPIC_VERSION,
        }
        if api_key:
            headers["x-api-key"] = api_key
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
        self,
        system_prompt: str,
        messages: list[dict[str, Any]],
        max_tokens: int,
        *,
        schema: ResponseSchema | None = None,
    ) -> dict[str, Any]:
        # The Messages API takes the system prompt beside the conversation, never inside it,
        # so any system turns the caller put in the list join the system prompt.
        system_parts = [system_prompt] if system_prompt else []
        turns: list[dict[str, Any]] = []
        for message in messages:
            if message.get("role") == "system":
                system_parts.append(str(message.get("content", "")))
            else:
                turns.append({"role": message["role"], "content": message["content"]})
        payload: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "messages": turns,
            "temperature": 0,
        }
        if system_parts:
            payload["system"] = "\n\n".join(system_parts)
        if schema is not None:
            payload["tools"] = [
                {
                    "name": schema.name,
                    "description": "Record the answer. Its input is the complete JSON answer.",
                    "input_schema": schema.schema,
                }
            ]
            payload["tool_choice"] = {"type": "tool", "name": schema.name}
        return payload

    async def generate_json(
        self,
        system_prompt: str,
        messages: list[dict[str, Any]],
        max_tokens: int,
        *,
        schema: ResponseSchema | None = None,
    ) -> GenerationResult:
        started = time.monotonic()
        body = await self._poster.post(
            self.url, self.build_payload(system_prompt, messages, max_tokens, schema=schema)
        )
        usage: dict[str, Any] = body["usage"] if isinstance(body.get("usage"), dict) else {}
        # Cached prompt tokens are still input the account pays for, at whatever rate.
        input_tokens = sum(
            as_count(usage.get(key))
            for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        )
        result = GenerationResult(
            text=self._text(body, schema.name if schema is not None else None),
            input_tokens=input_tokens,
            output_tokens=as_count(usage.get("output_tokens")),
            model=text_or(body.get("model"), self.model),
            provider=self.name,
            latency_seconds=time.monotonic() - started,
        )
        await report_usage(self.usage_recorder, result)
        return result

    def _text(self, body: dict[str, Any], tool: str | None = None) -> str:
        content = body.get("content")
        if not isinstance(content, list):
            raise PermanentProviderError(
                f"{self.name}: malformed message (no content list): {excerpt(str(body), 160)}",
                provider=self.name,
            )
        for block in content:
            if (
                tool is not None
                and isinstance(block, dict)
                and block.get("type") == "tool_use"
                and block.get("name") == tool
            ):
                tool_input = block.get("input")
                if isinstance(tool_input, dict):
                    return json.dumps(tool_input, ensure_ascii=False)
        text = "".join(
            block.get("text", "")
            for block in content
            if isinstance(block, dict) and block.get("type") == "text"
        )
        if not text.strip():
            raise PermanentProviderError(
                f"{self.name}: the model returned no text "
                f"(stop_reason={body.get('stop_reason')!r})",
                provider=self.name,
            )
        return text
