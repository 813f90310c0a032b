"""Liveness, readiness (database reachable, migrations current) and the metrics endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text

from resolutionflow.db import get_engine, get_sessionmaker
from resolutionflow.migrations.runner import current_revision, head_revision
from resolutionflow.ops.metrics import REGISTRY, SESSIONS_BY_STATUS
from resolutionflow.sessions.service import analysis_counts

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database reachable and schema current")
async def readyz(request: Request) -> JSONResponse:
    settings = request.app.state.settings
    checks: dict[str, str] = {}
    try:
        engine = get_engine(settings)
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current, head = await current_revision(engine), head_revision()
        checks["migrations"] = "ok" if current == head else f"at {current}, need {head}"
    except Exception as exc:  # readiness must answer, whatever is wrong
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values()) and len(checks) == 2
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> PlainTextResponse:
    settings = request.app.state.settings
    try:
        async with get_sessionmaker(settings)() as db:
            counts = await analysis_counts(db)
        for status in ("pending", "processing", "completed", "failed", "skipped", "waiting"):
            SESSIONS_BY_STATUS.labels(status).set(counts.get(status, 0))
    except Exception:  # metrics still answer when the database does not
        pass
    return PlainTextResponse(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
