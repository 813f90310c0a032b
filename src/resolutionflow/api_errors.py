"""Mapping errors to JSON responses: service errors, bad request bodies, and the unexpected."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from resolutionflow.errors import (
    Invalid,
    Problem,
    RateLimited,
    ResolutionFlowError,
    format_location,
)

log = logging.getLogger(__name__)


class ProblemBody(BaseModel):
    location: str
    message: str


class ErrorBody(BaseModel):
    """Every error answer: a code, a sentence, and for bad input each problem and where it is."""

    error: str
    detail: str
    problems: list[ProblemBody] | None = None


def error_response(description: str) -> dict[str, Any]:
    """An OpenAPI response entry with the error shape, for a route's own `responses`."""
    return {"model": ErrorBody, "description": description}


# Declared on every API route, so clients (and schema checkers) know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: error_response("A rule of the action is not met"),
    401: error_response("Not signed in, or the token is not valid"),
    403: error_response("The role may not do this, or the CSRF token is missing"),
    404: error_response("No such object in the account"),
    409: error_response("Changed by someone else meanwhile"),
    422: error_response("The request is not valid; every problem is listed"),
    429: error_response("Too many requests; see Retry-After"),
}


def _location(loc: tuple[object, ...]) -> str:
    parts = tuple(p for p in loc if p not in ("body",)) or loc
    return format_location(parts)


def nul_paths(value: Any, path: str = "") -> list[str]:
    """Where a parsed JSON value holds a NUL character, as 'steps[0].content.text'."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            out += [where] if "\x00" in str(key) else []
            out += nul_paths(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += nul_paths(item, f"{path}[{index}]")
    return out


async def reject_nul_characters(request: Request) -> None:
    """422 for NUL characters in the query or a JSON body: PostgreSQL cannot store them in text
    or JSON, so they would otherwise fail at the database, mid-write."""
    problems = [
        Problem(f"query.{key}", "must not contain a NUL character")
        for key, value in request.query_params.multi_items()
        if "\x00" in key or "\x00" in value
    ]
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):  # JSON Lines: per line, later
        try:
            data = json.loads(await request.body())
        except ValueError:
            data = None  # FastAPI reports a body that is not JSON
        problems += [Problem(p, "must not contain a NUL character") for p in nul_paths(data)]
    if problems:
        raise Invalid("the request is not valid", problems=problems)


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
        from resolutionflow.httpguard import security_headers

        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # This answer is made outside the middleware stack, so it adds the headers itself.
        headers = {k.decode(): v.decode() for k, v in security_headers(request.url.path, "http")}
        return JSONResponse(
            {"error": "internal", "detail": "something went wrong on our side; it was logged"},
            status_code=500,
            headers=headers,
        )
