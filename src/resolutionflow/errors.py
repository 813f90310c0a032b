"""The errors services raise; the API, the web pages and the CLI each map them once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    location: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"location": self.location, "message": self.message}

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ResolutionFlowError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "detail": self.message}
        if self.problems:
            body["problems"] = [p.as_dict() for p in self.problems]
        return body


class BadRequest(ResolutionFlowError):
    status_code = 400
    code = "bad_request"


class Unauthorized(ResolutionFlowError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ResolutionFlowError):
    status_code = 403
    code = "forbidden"


class NotFound(ResolutionFlowError):
    status_code = 404
    code = "not_found"


class Conflict(ResolutionFlowError):
    status_code = 409
    code = "conflict"


class Invalid(ResolutionFlowError):
    """Input that cannot be used as it is; carries every problem found."""

    status_code = 422
    code = "invalid"


class RateLimited(ResolutionFlowError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def format_location(loc: tuple[Any, ...]) -> str:
    """('steps', 2, 'step_type') -> 'steps[2].step_type'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in {"str", "ContentIn", "function-after[_not_blank(), str]"}:
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "line"
