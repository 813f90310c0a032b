"""Reading Retry-After, the backoff schedule and the error text taken from a server's answer."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from resolutionflow.ai.http import RetryPolicy, error_message, join_url, parse_retry_after

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def headers(**values: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})


def test_retry_after_in_seconds() -> None:
    assert parse_retry_after(headers(retry_after="7")) == 7.0
    assert parse_retry_after(headers(retry_after="1.5")) == 1.5


def test_retry_after_as_an_http_date() -> None:
    value = headers(retry_after="Sun, 01 Mar 2026 12:00:30 GMT")
    assert parse_retry_after(value, now=NOW) == 30.0


def test_retry_after_in_the_past_means_now() -> None:
    assert parse_retry_after(headers(retry_after="Sun, 01 Mar 2026 11:00:00 GMT"), now=NOW) == 0
    assert parse_retry_after(headers(retry_after="-3")) == 0


def test_retry_after_ms_is_preferred_for_its_precision() -> None:
    assert parse_retry_after(headers(retry_after="1", retry_after_ms="250")) == 0.25


def test_unreadable_or_missing_retry_after_is_ignored() -> None:
    assert parse_retry_after(headers(retry_after="soon")) is None
    assert parse_retry_after(headers()) is None


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    policy = RetryPolicy(max_retries=10, base_delay=1.0, max_delay=5.0)
    for retry, ceiling in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 5.0), (8, 5.0)]:
        for _ in range(20):
            delay = policy.backoff(retry)
            assert ceiling / 2 <= delay <= ceiling


def test_error_messages_come_from_each_usual_shape() -> None:
    openai = httpx.Response(400, json={"error": {"message": "bad model", "type": "x"}})
    ollama = httpx.Response(404, json={"error": "model 'x' not found"})
    other = httpx.Response(422, json={"detail": "field required"})
    text = httpx.Response(502, text="<html>  Bad\n gateway </html>")
    empty = httpx.Response(503)
    assert error_message(openai) == "bad model"
    assert error_message(ollama) == "model 'x' not found"
    assert error_message(other) == "field required"
    assert error_message(text) == "<html> Bad gateway </html>"
    assert error_message(empty) == "Service Unavailable"


def test_join_url_handles_slashes_and_keeps_the_query() -> None:
    assert str(join_url("http://h/v1/", "/chat/completions")) == "http://h/v1/chat/completions"
    assert str(join_url("http://h", "v1/messages")) == "http://h/v1/messages"
    joined = join_url("https://h/openai/deployments/d?api-version=1", "chat/completions")
    assert str(joined) == "https://h/openai/deployments/d/chat/completions?api-version=1"
