"""Prometheus metrics: HTTP traffic, analyses, model latency and tokens, queue depth."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.requests import Request
from starlette.responses import Response

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "resolutionflow_http_requests_total", "HTTP requests", ["method", "route", "status"],
    registry=REGISTRY,
)  # fmt: skip
HTTP_LATENCY = Histogram(
    "resolutionflow_http_request_seconds", "HTTP request latency", ["method", "route"],
    registry=REGISTRY, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)  # fmt: skip
SESSIONS_BY_STATUS = Gauge(
    "resolutionflow_sessions_by_analysis_status", "Sessions per analysis status",
    ["status"], registry=REGISTRY,
)  # fmt: skip
ANALYSES = Counter(
    "resolutionflow_analyses_total", "Session analyses by outcome", ["outcome"], registry=REGISTRY
)
MODEL_LATENCY = Histogram(
    "resolutionflow_model_call_seconds", "Model call latency", ["provider", "model"],
    registry=REGISTRY, buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)  # fmt: skip
MODEL_TOKENS = Counter(
    "resolutionflow_model_tokens_total", "Model tokens", ["provider", "model", "direction"],
    registry=REGISTRY,
)  # fmt: skip


def observe_outcome(result: str) -> None:
    """Count one analysis by how it ended (proposed, merged, reinforced, failed, ...)."""
    ANALYSES.labels(outcome=result).inc()


def observe_model_calls(usage: list[Any]) -> None:
    for call in usage:
        MODEL_LATENCY.labels(call.provider, call.model or "-").observe(call.latency_seconds)
        MODEL_TOKENS.labels(call.provider, call.model or "-", "input").inc(call.input_tokens)
        MODEL_TOKENS.labels(call.provider, call.model or "-", "output").inc(call.output_tokens)


async def http_metrics_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    path = getattr(route, "path", None) or "unmatched"
    HTTP_REQUESTS.labels(request.method, path, str(response.status_code)).inc()
    HTTP_LATENCY.labels(request.method, path).observe(time.perf_counter() - started)
    return response
