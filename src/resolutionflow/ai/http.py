"""POSTing JSON to a model API with timeouts, retries and backoff, shared by the HTTP providers.

What is retried: timeouts, connection failures, 408, 429 and every 5xx (529 "overloaded"
included), with exponential backoff and jitter, or after the server's Retry-After when it
sends one. When retries run out the caller gets `TransientProviderError`. A Retry-After
longer than `max_delay` is not waited out here: the error is raised at once carrying the
value, so the worker can park the session instead of holding a slot.

What is not: any other 4xx (bad key, unknown model, request too large), redirects (a wrong
base URL) and a 2xx whose body is not a JSON object (a server or proxy that answered with
something other than the protocol): those raise `PermanentProviderError` at once.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from resolutionflow.ai.base import PermanentProviderError, TransientProviderError

RETRYABLE_STATUSES = frozenset({408, 429})
_EXCERPT = 300


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 30.0

    def backoff(self, retry: int) -> float:
        """Delay before retry number `retry` (0-based): doubling, capped, with jitter.

        The jitter keeps many concurrent callers that failed together from returning together.
        """
        delay = min(self.max_delay, self.base_delay * (2.0**retry))
        return delay * random.uniform(0.5, 1.0)


def parse_retry_after(headers: httpx.Headers, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait, from `retry-after-ms` or `Retry-After`.

    Retry-After may be a number of seconds or an HTTP date; a date in the past means 0.
    Anything unreadable is ignored (None), so the normal backoff applies.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_count(value: Any) -> int:
    """A token count from a response, 0 when the server left it out or sent something else."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def text_or(value: Any, default: str) -> str:
    return value if isinstance(value, str) and value else default


def error_message(response: httpx.Response) -> str:
    """The server's own words about a failed request, from any of the usual error shapes."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return excerpt(error["message"])
        if isinstance(error, str):
            return excerpt(error)
        for key in ("message", "detail"):
            if isinstance(body.get(key), str):
                return excerpt(body[key])
    text = response.text.strip()
    return excerpt(text) if text else response.reason_phrase or "no details"


class JsonPoster:
    """One pooled HTTP client for one provider instance; safe for concurrent calls."""

    def __init__(
        self,
        *,
        provider: str,
        headers: dict[str, str],
        timeout: float,
        policy: RetryPolicy,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self.timeout = timeout
        self.policy = policy
        self._headers = headers
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _get_client(self) -> httpx.AsyncClient:
        # Created on first use, so a provider built outside an event loop binds to the loop
        # that actually uses it; a provider reused under a new loop (one `asyncio.run` per CLI
        # command) gets a new client, as the old one's connections died with their loop.
        loop = asyncio.get_running_loop()
        if self._client is not None and self._loop is not loop:
            self._client = None
        if self._client is None:
            self._loop = loop
            self._client = httpx.AsyncClient(
                headers=self._headers,
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                follow_redirects=False,
                transport=self._transport,
            )
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        # A client from a loop that has ended cannot be closed from this one; its sockets
        # went with that loop.
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()

    async def post(self, url: str | httpx.URL, payload: dict[str, Any]) -> dict[str, Any]:
        """POST `payload` and return the decoded JSON object of a 2xx answer."""
        client = self._get_client()
        retry = 0
        while True:
            failure = await self._attempt(client, url, payload)
            if isinstance(failure, dict):
                return failure
            if retry >= self.policy.max_retries:
                raise TransientProviderError(
                    f"{failure.message} (gave up after {retry + 1} attempts)",
                    provider=failure.provider,
                    status=failure.status,
                    retry_after=failure.retry_after,
                )
            if failure.retry_after is not None:
                if failure.retry_after > self.policy.max_delay:
                    raise failure
                delay = failure.retry_after
            else:
                delay = self.policy.backoff(retry)
            await asyncio.sleep(delay)
            retry += 1

    async def _attempt(
        self, client: httpx.AsyncClient, url: str | httpx.URL, payload: dict[str, Any]
    ) -> dict[str, Any] | TransientProviderError:
        """One request: the body on success, a transient error to retry, or a permanent raise."""
        name = self.provider
        started = time.monotonic()
        try:
            # httpx's timeout bounds each read; this bounds the whole exchange, so a server
            # that trickles bytes cannot hold a call forever.
            async with asyncio.timeout(self.timeout):
                response = await client.post(url, json=payload)
        except (TimeoutError, httpx.TimeoutException):
            waited = time.monotonic() - started
            return TransientProviderError(
                f"{name}: no answer within {waited:.1f}s (timeout {self.timeout:g}s)",
                provider=name,
            )
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            raise PermanentProviderError(
                f"{name}: cannot send the request to {url}: {exc}", provider=name
            ) from exc
        except httpx.TransportError as exc:
            return TransientProviderError(
                f"{name}: connection failed: {type(exc).__name__}: {exc}", provider=name
            )
        status = response.status_code
        if 200 <= status < 300:
            return self._decode(response)
        message = error_message(response)
        if status in RETRYABLE_STATUSES or status >= 500:
            return TransientProviderError(
                f"{name}: HTTP {status}: {message}",
                provider=name,
                status=status,
                retry_after=parse_retry_after(response.headers),
            )
        if 300 <= status < 400:
            where = response.headers.get("location", "elsewhere")
            message = f"redirected to {where}; check the base URL"
        raise PermanentProviderError(
            f"{name}: HTTP {status}: {message}", provider=name, status=status
        )

    def _decode(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PermanentProviderError(
                f"{self.provider}: HTTP {response.status_code} with a body that is not JSON: "
                f"{excerpt(response.text, 120)!r}",
                provider=self.provider,
                status=response.status_code,
            ) from exc
        if not isinstance(body, dict):
            raise PermanentProviderError(
                f"{self.provider}: expected a JSON object, got {type(body).__name__}",
                provider=self.provider,
                status=response.status_code,
            )
        return body


def join_url(base_url: str, suffix: str) -> httpx.URL:
    """`base_url` + `suffix`, keeping any query string of the base (Azure's api-version)."""
    base = httpx.URL(base_url.strip())
    path = base.path.rstrip("/") + "/" + suffix.lstrip("/")
    return base.copy_with(path=path)
