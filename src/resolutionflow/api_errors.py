"""Mapping errors to JSON responses: service errors, bad request bodies, and the unexpected."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from resolutionflow.errors import RateLimited, ResolutionFlowError
from resolutionflow.sessions.schemas import format_location

log = logging.getLogger(__name__)


def _location(loc: tuple[object, ...]) -> str:
    parts = tuple(p for p in loc if p not in ("body",)) or loc
    return format_location(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ResolutionFlowError)
    async def _service_error(request: Request, exc: ResolutionFlowError) -> JSONResponse:
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(exc.as_dict(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"location": _location(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        return JSONResponse(
            {"error": "invalid", "detail": "the request is not valid", "problems": problems},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": "http_error", "detail": exc.detail},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": "internal", "detail": "something went wrong on our side; it was logged"},
            status_code=500,
        )
