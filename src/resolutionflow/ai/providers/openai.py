"""A provider for any server that speaks OpenAI's chat completions: OpenAI, Azure, Ollama, vLLM.

Requests ask for JSON mode at temperature 0. Servers differ in what they accept, so when a
server rejects the request naming one of the few known sticking points (JSON mode on
servers that only know `json_schema`, `max_tokens` on models that want
`max_completion_tokens`, a fixed temperature) the request is adjusted once and sent again,
and the adjustment is kept for later calls on this instance.

When the caller gives the answer's JSON Schema, the request carries it as
`response_format: {"type": "json_schema", ...}` (vLLM, llama.cpp, Ollama and OpenAI enforce
it while generating). A server that rejects that (HTTP 400/422 naming the response format
or the schema) is asked again with `json_object` and the schema written into the system
prompt, and one that rejects JSON mode too gets plain text with the schema in the prompt.
What worked is remembered per server (base URL), by every provider in the process, so the
downgrade costs one rejected request per server, not one per call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
from resolutionflow.ai.schema import schema_text

# How a schema reaches the server, best first.
SCHEMA_MODES = ("json_schema", "json_object", "text")
# Words in a 400/422 that mean the server does not take the response format we sent.
_FORMAT_COMPLAINTS = ("response_format", "json_schema", "json_object", "schema", "json mode")


class ServerMemory:
    """What each server accepted: base URL -> the schema mode that worked."""

    def __init__(self) -> None:
        self._modes: dict[str, str] = {}

    def mode(self, server: str) -> str:
        return self._modes.get(server, SCHEMA_MODES[0])

    def downgrade(self, server: str, from_mode: str) -> str | None:
        """The next mode after `from_mode` (remembered), or None when none is left."""
        index = SCHEMA_MODES.index(from_mode)
        if index + 1 >= len(SCHEMA_MODES):
            return None
        self._modes[server] = SCHEMA_MODES[index + 1]
        return self._modes[server]

    def forget(self) -> None:
        self._modes.clear()


SERVERS = ServerMemory()


def schema_instructions(schema: ResponseSchema) -> str:
    """The schema as written into a system prompt, for servers that cannot enforce it."""
    return (
        "Your answer must be one JSON object that validates against this JSON Schema "
        f"(named {schema.name}):\n{schema_text(schema.schema)}"
    )


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
        memory: ServerMemory | None = None,
    ) -> None:
        self.model = model
        self.url = join_url(base_url, "chat/completions")
        self.memory = memory if memory is not None else SERVERS
        self._server = str(self.url)
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

    def schema_in_prompt(self) -> bool:
        """Whether a schema given now would be written into the prompt (costing context)."""
        return self.memory.mode(self._server) != "json_schema"

    async def aclose(self) -> None:
        await self._poster.aclose()

    def build_payload(
        self,
        system_prompt: str,
        messages: list[dict[str, Any]],
        max_tokens: int,
        *,
        schema: ResponseSchema | None = None,
        mode: str | None = None,
    ) -> dict[str, Any]:
        mode = mode or (self.memory.mode(self._server) if schema is not None else "json_object")
        if schema is not None and mode != "json_schema":
            system_prompt = f"{system_prompt}\n\n{schema_instructions(schema)}"
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system_prompt}, *messages],
            "max_tokens": max_tokens,
            "temperature": 0,
        }
        if schema is not None and mode == "json_schema":
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema.name, "schema": schema.schema, "strict": False},
            }
        elif mode != "text":
            payload["response_format"] = {"type": "json_object"}
        for name, _, _, adjust in _ADJUSTMENTS:
            if name in self._adjusted and (name != "no_json_mode" or schema is None):
                adjust(payload)
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
        if schema is None:
            payload = self.build_payload(system_prompt, messages, max_tokens)
            body = await self._post_adjusting(payload)
        else:
            body = await self._post_with_schema(system_prompt, messages, max_tokens, schema)
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

    async def _post_adjusting(
        self, payload: dict[str, Any], *, schema_mode: str | None = None
    ) -> dict[str, Any]:
        while True:
            try:
                return await self._poster.post(self.url, payload)
            except PermanentProviderError as exc:
                if schema_mode is not None and self._rejects_format(exc):
                    raise  # the schema modes step down in `_post_with_schema`
                adjustment = self._adjustment_for(exc, payload)
                if adjustment is None:
                    raise
                name, adjust = adjustment
                self._adjusted.add(name)
                adjust(payload)

    async def _post_with_schema(
        self,
        system_prompt: str,
        messages: list[dict[str, Any]],
        max_tokens: int,
        schema: ResponseSchema,
    ) -> dict[str, Any]:
        mode = self.memory.mode(self._server)
        while True:
            payload = self.build_payload(
                system_prompt, messages, max_tokens, schema=schema, mode=mode
            )
            try:
                return await self._post_adjusting(payload, schema_mode=mode)
            except PermanentProviderError as exc:
                if not self._rejects_format(exc) or mode == "text":
                    raise
                # Another call may have moved this server on already; go at least one further.
                remembered = self.memory.mode(self._server)
                if SCHEMA_MODES.index(remembered) > SCHEMA_MODES.index(mode):
                    mode = remembered
                    continue
                mode = self.memory.downgrade(self._server, mode) or "text"

    @staticmethod
    def _rejects_format(exc: PermanentProviderError) -> bool:
        if exc.status not in (400, 422):
            return False
        complaint = exc.message.lower()
        return any(words in complaint for words in _FORMAT_COMPLAINTS)

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
