"""Structured logs: one JSON object per line, carrying who and what each line is about.

Every record gets the context bound where it was logged: the HTTP request's id, the account,
the worker's id and the session being analysed. They are context variables, so concurrent
requests and a worker's concurrent jobs each log their own. Lines are JSON (for a log
collector) unless `RESOLUTIONFLOW_LOG_FORMAT=text`, or `auto` and a terminal is attached.
The JSON formatter is python-json-logger's.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

CONTEXT_FIELDS = ("request_id", "account", "worker_id", "session_id")
_context: dict[str, ContextVar[str | None]] = {
    name: ContextVar(f"resolutionflow_log_{name}", default=None) for name in CONTEXT_FIELDS
}
_HANDLER_NAME = "resolutionflow"


def bind(**values: Any) -> None:
    """Attach values to every later log line of this task (and the tasks it starts)."""
    for name, value in values.items():
        _context[name].set(None if value is None else str(value))


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Attach values to the log lines written inside the block, then restore the old ones."""
    tokens = [
        (name, _context[name].set(None if v is None else str(v))) for name, v in values.items()
    ]
    try:
        yield
    finally:
        for name, token in reversed(tokens):
            _context[name].reset(token)


def current() -> dict[str, str]:
    return {name: value for name, var in _context.items() if (value := var.get()) is not None}


class ContextFilter(logging.Filter):
    """Copies the bound context onto each record, so any formatter can show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, _context[name].get())
        return True


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = " ".join(
            f"{n}={getattr(record, n)}" for n in CONTEXT_FIELDS if getattr(record, n, None)
        )
        return f"{line} [{extra}]" if extra else line


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    )


def configure(*, level: str | None = None, fmt: str | None = None, stream: Any = None) -> None:
    """Send the package's and the server's logs to `stream` (stderr) in the chosen format.

    Idempotent: calling it again replaces the handler it installed, never adds a second.
    """
    level = (level or os.environ.get("RESOLUTIONFLOW_LOG_LEVEL") or "INFO").upper()
    fmt = (fmt or os.environ.get("RESOLUTIONFLOW_LOG_FORMAT") or "auto").lower()
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "text" if getattr(stream, "isatty", lambda: False)() else "json"
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
        if fmt == "text"
        else json_formatter()
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
