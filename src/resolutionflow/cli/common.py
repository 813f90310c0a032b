"""What every command shares: running async services, one-line errors, JSON output."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

import typer
from rich.console import Console
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from resolutionflow.errors import ResolutionFlowError

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


class SchemaNotReady(Exception):
    pass


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=_default, indent=2, ensure_ascii=False) + "\n")


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:500] if text else type(exc).__name__


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn any failure into one clear line on stderr and a non-zero exit, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt, typer.BadParameter):
            raise  # usage errors (a bad option value) are click's to report, with exit 2
        except ResolutionFlowError as exc:
            lines = [exc.message] + [f"  {p}" for p in exc.problems]
            err_console.print(
                "[bold red]error:[/] " + "\n".join(lines), highlight=False, soft_wrap=True
            )
            raise typer.Exit(2 if exc.status_code == 422 else 1) from None
        except SchemaNotReady as exc:
            fail(str(exc))
        except (OperationalError, ProgrammingError, DBAPIError) as exc:
            if os.environ.get("RESOLUTIONFLOW_DEBUG"):
                raise
            fail(f"database error: {_one_line(exc.orig or exc)}")
        except (OSError, ValueError) as exc:
            if os.environ.get("RESOLUTIONFLOW_DEBUG"):
                raise
            fail(_one_line(exc))
        except Exception as exc:
            if os.environ.get("RESOLUTIONFLOW_DEBUG"):
                raise
            fail(f"{type(exc).__name__}: {_one_line(exc)} (set RESOLUTIONFLOW_DEBUG=1 for details)")
        raise AssertionError("unreachable")

    return wrapper


def run(coro_fn: Callable[[], Awaitable[R]]) -> R:
    """Run one async unit of work, disposing of the engine before the loop closes."""

    async def main() -> R:
        from resolutionflow.db import dispose_engines

        try:
            return await coro_fn()
        finally:
            await dispose_engines()

    return asyncio.run(main())


async def ensure_schema() -> None:
    """Refuse to work on a database whose schema is missing or behind this code."""
    from resolutionflow.db import get_engine
    from resolutionflow.migrations.runner import current_revision, head_revision

    current = await current_revision(get_engine())
    head = head_revision()
    if current != head:
        state = "has no schema yet" if current is None else f"is at revision {current}"
        raise SchemaNotReady(
            f"the database {state}, this version needs {head}: run `resolutionflow db upgrade`"
        )


def print_rows(headers: list[str], rows: list[list[str]], *, cap: int = 24) -> None:
    """One line per row, columns aligned, the first (an id) always whole so it can be copied;
    middle columns are cut at `cap` characters and the last one (a summary or title) at the
    terminal's edge. `--json` gives everything in full."""
    from rich.text import Text

    def cut(value: str, width: int) -> str:
        return value if len(value) <= width else value[: max(0, width - 1)] + "…"

    widths = [len(h) for h in headers]
    for row in rows:
        for i, value in enumerate(row[:-1]):
            widths[i] = max(widths[i], min(len(value), cap if i else len(value)))
    used = sum(w + 2 for w in widths[:-1])
    last = max(20, console.width - used - 1)
    for i, row in enumerate([headers, *rows]):
        cells = [cut(v, w).ljust(w) for v, w in zip(row[:-1], widths, strict=False)]
        line = "  ".join([*cells, cut(row[-1], last)]).rstrip()
        console.print(Text(line, style="bold" if i == 0 else ""), soft_wrap=True)


def analysis_note(status: str | None, error: str | None, not_before: datetime | None) -> str:
    """Why a session's analysis is where it is, in a few words: when it resumes for a session
    parked by the daily budget or waiting for a retry, the error of a failed one."""
    if status == "waiting":
        when = f"resumes {not_before:%Y-%m-%d %H:%M} UTC" if not_before else "resumes later"
        return f"daily proposal budget spent; {when}"
    if status == "pending" and not_before is not None and error:
        return f"retry at {not_before:%Y-%m-%d %H:%M} UTC after: {error}"
    if status == "failed" and error:
        return error
    return ""
