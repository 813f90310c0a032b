"""The provider interface every model backend implements, its result type and its errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from resolutionflow.errors import ResolutionFlowError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationResult:
    """What one `generate_json` call produced: the raw text (not yet parsed) and its cost."""

    text: str
    input_tokens: int
    output_tokens: int
    model: str
    provider: str
    latency_seconds: float


class ProviderError(ResolutionFlowError):
    """A model call that did not produce text. `status` is the HTTP status when there was one."""

    status_code = 502
    code = "model_error"

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status
        # How long the server asked us to wait, when it said; the worker may use it to schedule.
        self.retry_after = retry_after


class TransientProviderError(ProviderError):
    """Worth trying again later: timeouts, connection failures, 429 and 5xx once retries ran out."""

    status_code = 503
    code = "model_unavailable"


class PermanentProviderError(ProviderError):
    """Trying again will not help: bad credentials, a rejected request, a malformed response."""

    status_code = 502
    code = "model_rejected"


@dataclass(frozen=True)
class ResponseSchema:
    """The JSON Schema the answer must follow, with a short name for APIs that want one."""

    name: str
    schema: dict[str, Any]


@runtime_checkable
class Provider(Protocol):
    """A model backend. Implementations must allow many concurrent calls on one instance.

    `schema`, when given, is the shape the answer must have: providers pass it to servers
    that can enforce it (and may write it into the prompt for those that cannot); providers
    that know no such thing ignore it. The caller still validates the answer.
    """

    async def generate_json(
        self,
        system_prompt: str,
        messages: list[dict[str, Any]],
        max_tokens: int,
        *,
        schema: ResponseSchema | None = None,
    ) -> GenerationResult:
        """Ask for a JSON answer; returns the raw text, which the caller parses and validates."""
        ...


class UsageRecorder(Protocol):
    """Where a provider reports the tokens of each successful call."""

    async def record(
        self, provider: str, model: str, input_tokens: int, output_tokens: int
    ) -> None: ...


@dataclass(frozen=True)
class UsageRecord:
    provider: str
    model: str
    input_tokens: int
    output_tokens: int


@dataclass
class InMemoryUsageRecorder:
    """Keeps every record in a list: for tests and for one-off runs that print a summary."""

    records: list[UsageRecord] = field(default_factory=list)

    async def record(
        self, provider: str, model: str, input_tokens: int, output_tokens: int
    ) -> None:
        self.records.append(UsageRecord(provider, model, input_tokens, output_tokens))

    def totals(self) -> dict[tuple[str, str], tuple[int, int, int]]:
        """(provider, model) -> (calls, input tokens, output tokens)."""
        out: dict[tuple[str, str], tuple[int, int, int]] = {}
        for r in self.records:
            calls, tokens_in, tokens_out = out.get((r.provider, r.model), (0, 0, 0))
            out[(r.provider, r.model)] = (
                calls + 1,
                tokens_in + r.input_tokens,
                tokens_out + r.output_tokens,
            )
        return out


async def report_usage(recorder: UsageRecorder | None, result: GenerationResult) -> None:
    """Tell the recorder about a successful call.

    A recorder that fails is logged, not raised: the call has been made and paid for, and
    losing its answer would cost more than losing one usage row.
    """
    if recorder is None:
        return
    try:
        await recorder.record(
            result.provider, result.model, result.input_tokens, result.output_tokens
        )
    except Exception:
        log.exception("could not record model usage for %s/%s", result.provider, result.model)


async def close_provider(provider: Provider) -> None:
    """Release a provider's connections, for providers that hold any."""
    aclose = getattr(provider, "aclose", None)
    if aclose is not None:
        await aclose()
