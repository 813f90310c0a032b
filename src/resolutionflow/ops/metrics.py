"""Prometheus metrics: HTTP traffic, analyses, model latency and tokens, queue depth."""

from __future__ import annotations

import re
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "resolutionflow_http_requests_total",
    "HTTP requests",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "resolutionflow_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SESSIONS_BY_STATUS = Gauge(
    "resolutionflow_sessions_by_analysis_status",
    "Sessions per analysis status",
    ["status"],
    registry=REGISTRY,
)
ANALYSES = Counter(
    "resolutionflow_analyses_total", "Session analyses by outcome", ["outcome"], registry=REGISTRY
)
MODEL_LATENCY = Histogram(
    "resolutionflow_model_call_seconds",
    "Model call latency",
    ["provider", "model"],
    registry=REGISTRY,
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
MODEL_TOKENS = Counter(
    "resolutionflow_model_tokens_total",
    "Model tokens",
    ["provider", "model", "direction"],
    registry=REGISTRY,
)


def observe_outcome(result: str) -> None:
    """Count one analysis by how it ended (proposed, merged, reinforced, failed, ...)."""
    ANALYSES.labels(outcome=result).inc()


def observe_model_calls(usage: list[Any]) -> None:
    for call in usage:
        MODEL_LATENCY.labels(call.provider, call.model or "-").observe(call.latency_seconds)
        MODEL_TOKENS.labels(call.provider, call.model or "-", "input").inc(call.input_tokens)
        MODEL_TOKENS.labels(call.provider, call.model or "-", "output").inc(call.output_tokens)


class HttpMetrics:
    """Counts and times every HTTP request by method, route template and status.

    A plain ASGI middleware: it adds no task group or response re-streaming per request (as
    Starlette's BaseHTTPMiddleware does), only a wrapper around `send` that notes the status.
    The route label is the matched route's template with its mount prefix, for example
    `/api/v1/proposals/{proposal_id}`, so ids never become label values.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.templates: RouteTemplates | None = None

    def _templates(self, scope: Scope) -> RouteTemplates | None:
        if self.templates is None:
            owner = scope.get("app")
            openapi = getattr(owner, "openapi", None)
            if openapi is None:
                return None
            self.templates = RouteTemplates(list(openapi().get("paths", {})))
        return self.templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            method = scope.get("method", "GET")
            label = route_label(scope, self._templates(scope))
            HTTP_REQUESTS.labels(method, label, str(status)).inc()
            HTTP_LATENCY.labels(method, label).observe(time.perf_counter() - started)


_PARAM = re.compile(r"\{([^}:]+)(:path)?\}")


class RouteTemplates:
    """Maps a request path to its API route template ("/api/v1/proposals/{proposal_id}").

    Built once from the app's OpenAPI paths, the public list of every API route with its
    prefix. Templates with fewer parameters are tried first, so a literal segment
    ("/proposals/stats") wins over a parameter ("/proposals/{proposal_id}").
    """

    def __init__(self, paths: list[str]) -> None:
        ordered = sorted(paths, key=lambda p: (len(_PARAM.findall(p)), -len(p)))
        self.patterns = [(re.compile(self._regex(p)), p) for p in ordered]

    @staticmethod
    def _regex(template: str) -> str:
        out, last = "^", 0
        for match in _PARAM.finditer(template):
            out += re.escape(template[last : match.start()])
            out += ".+" if match.group(2) else "[^/]+"
            last = match.end()
        return out + re.escape(template[last:]) + "$"

    def match(self, path: str) -> str | None:
        for pattern, template in self.patterns:
            if pattern.match(path):
                return template
        return None


def route_label(scope: Scope, templates: RouteTemplates | None = None) -> str:
    path = scope.get("path", "")
    if templates is not None:
        found = templates.match(path)
        if found:
            return found
    # Pages outside the API: the route the router matched, when one did.
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if template and not path.startswith("/api/"):
        return str(template)
    return "unmatched"
