"""The FastAPI application: the JSON API under /api/v1, the web pages, and operations."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from resolutionflow import __version__
from resolutionflow.api_errors import (
    ERROR_RESPONSES,
    install_error_handlers,
    reject_nul_characters,
)
from resolutionflow.config import Settings, get_settings
from resolutionflow.db import dispose_engines
from resolutionflow.httpguard import BodyLimit, SecurityHeaders
from resolutionflow.ops.api import router as ops_router
from resolutionflow.ops.context import RequestContext
from resolutionflow.ops.metrics import HttpMetrics

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    from resolutionflow.accounts.api import router as accounts_router
    from resolutionflow.analytics.api import routers as analytics_routers
    from resolutionflow.flowhealth.api import router as flowhealth_router
    from resolutionflow.flows.api import router as flows_router
    from resolutionflow.imports.api import router as imports_router
    from resolutionflow.notifications.api import router as notifications_router
    from resolutionflow.review.api import router as review_router
    from resolutionflow.runner.api import router as runner_router
    from resolutionflow.scriptgen.api import router as scripts_router
    from resolutionflow.sessions.api import router as sessions_router
    from resolutionflow.tenancy.api import router as auth_router

    router = APIRouter(
        prefix=API_PREFIX,
        responses=ERROR_RESPONSES,
        dependencies=[Depends(reject_nul_characters)],
    )
    for sub in (
        auth_router,
        accounts_router,
        review_router,
        flows_router,
        sessions_router,
        notifications_router,
        scripts_router,
        *analytics_routers,
        runner_router,
        flowhealth_router,
        imports_router,
    ):
        router.include_router(sub)
    return router


def create_app(settings: Settings | None = None, *, run_worker: bool = False) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = worker = None
        if run_worker:
            from resolutionflow.flywheel.scheduler import start_periodic
            from resolutionflow.flywheel.worker import Worker

            worker = Worker(settings)
            scheduler = start_periodic(worker, interval_seconds=settings.worker_interval_seconds)
        try:
            yield
        finally:
            if scheduler is not None and worker is not None:
                from resolutionflow.flywheel.scheduler import stop_periodic

                await stop_periodic(scheduler, worker, grace_seconds=25)
            from resolutionflow.notifications import webhooks

            await webhooks.drain(10)  # let webhooks in flight finish before the loop closes
            await dispose_engines()

    app = FastAPI(
        title="ResolutionFlow",
        version=__version__,
        description="Turn resolved troubleshooting sessions into reviewed, reusable flows.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    # Inside the metrics middleware, whose task group would wrap a refusal raised mid-body.
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        large_limit=settings.max_import_bytes,
        large_paths=(f"{API_PREFIX}/sessions/import",),
    )
    app.add_middleware(HttpMetrics)
    app.include_router(ops_router)
    app.include_router(api_router())
    from resolutionflow.web.router import web_router

    app.include_router(web_router)
    from resolutionflow.web.docs import install_docs

    install_docs(app)  # the API docs, with their viewers served from here (no CDN)
    # Every response, the 413s included, carries the security headers and the request id.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestContext)
    return app


def serve_app() -> FastAPI:
    """The app as `resolutionflow serve` runs it (a factory, so several processes can)."""
    import os
    import sys

    from resolutionflow import logs
    from resolutionflow.cli.serve import SERVE_WORKER_ENV, secret_key_problem

    logs.configure(level=os.environ.get("RESOLUTIONFLOW_LOG_LEVEL") or "INFO")
    problem = secret_key_problem(get_settings(), workers=1)
    if problem:
        sys.stderr.write(f"error: {problem}\n")
        raise SystemExit(2)
    app = create_app(run_worker=os.environ.get(SERVE_WORKER_ENV, "1") == "1")
    # The process now holds everything it imported (a quarter of a million objects, with the
    # analysis libraries) for good. Under load, objects of requests in flight keep reaching
    # the oldest GC generation, and each full collection re-scanned that whole heap: a 200-300
    # ms pause of every request on the worker, about once a second. Freezing the startup heap
    # leaves full collections only what requests create.
    gc.collect()
    gc.freeze()
    return app
