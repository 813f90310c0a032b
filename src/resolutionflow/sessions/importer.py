"""JSON Lines import of sessions: per-line errors, idempotent by external_id, strict mode."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import Invalid, format_location
from resolutionflow.models import Account
from resolutionflow.sessions import repository as repo
from resolutionflow.sessions.schemas import SessionIn
from resolutionflow.sessions.service import References, check_session, create_session


@dataclass
class LineError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ImportSummary:
    stored: int = 0
    already_present: int = 0
    teams_created: int = 0
    engineers_created: int = 0
    errors: list[LineError] = field(default_factory=list)
    strict_rejected: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "stored": self.stored,
            "already_present": self.already_present,
            "teams_created": self.teams_created,
            "engineers_created": self.engineers_created,
            "errors": [e.as_dict() for e in self.errors],
        }


def _nul_paths(value: Any, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "line"] if "\x00" in value else []
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in ([f"{path}.{key}" if path else str(key)] if "\x00" in str(key) else [])
            + _nul_paths(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in _nul_paths(item, f"{path}[{i}]")]
    return []


def parse_lines(lines: Iterable[str]) -> tuple[list[tuple[int, SessionIn]], list[LineError]]:
    """Parse and type-check every line; blank lines and lines starting with # are ignored."""
    good: list[tuple[int, SessionIn]] = []
    errors: list[LineError] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.append(
                LineError(number, "line", f"not valid JSON ({exc.msg} at column {exc.colno})")
            )
            continue
        if not isinstance(obj, dict):
            errors.append(LineError(number, "line", "must be a JSON object"))
            continue
        nul = _nul_paths(obj)
        if nul:
            # PostgreSQL cannot store NUL in text or JSON; refuse it here, not mid-write.
            errors += [LineError(number, p, "must not contain a NUL character") for p in nul]
            continue
        try:
            good.append((number, SessionIn.model_validate(obj)))
        except ValidationError as exc:
            for err in exc.errors():
                errors.append(LineError(number, format_location(err["loc"]), err["msg"]))
    return good, errors


async def import_sessions(
    db: AsyncSession, *, account: Account, lines: Iterable[str], strict: bool = False
) -> ImportSummary:
    """Store every good line; report each bad one by line number.

    Each line is written inside its own savepoint, so a line that fails at the database leaves
    nothing behind. With `strict`, any bad line means nothing is stored (the caller's
    transaction is rolled back by raising Invalid after the summary is built).
    """
    summary = ImportSummary()
    parsed, summary.errors = parse_lines(lines)
    refs = References(db, account)
    await refs.prefetch([item for _, item in parsed])
    seen = await repo.existing_external_ids(
        db, account.id, [item.external_id for _, item in parsed if item.external_id]
    )
    for number, item in parsed:
        if item.external_id and item.external_id in seen:
            summary.already_present += 1
            continue
        _, problems = await check_session(refs, item)
        if problems:
            summary.errors.extend(LineError(number, p.location, p.message) for p in problems)
            continue
        teams_before, engineers_before = len(refs.created_teams), len(refs.created_engineers)
        savepoint = await db.begin_nested()
        try:
            await create_session(
                db, account=account, data=item, refs=refs, external_id_checked=True
            )
            await savepoint.commit()
        except IntegrityError as exc:
            await savepoint.rollback()
            refs.forget(
                refs.created_teams[teams_before:], refs.created_engineers[engineers_before:]
            )
            if item.external_id and await repo.existing_external_ids(
                db, account.id, [item.external_id]
            ):
                summary.already_present += 1  # stored by a concurrent import meanwhile
            else:
                summary.errors.append(LineError(number, "line", f"could not be stored: {exc.orig}"))
            continue
        except Invalid as exc:
            await savepoint.rollback()
            refs.forget(
                refs.created_teams[teams_before:], refs.created_engineers[engineers_before:]
            )
            summary.errors.extend(LineError(number, p.location, p.message) for p in exc.problems)
            continue
        if item.external_id:
            seen.add(item.external_id)
        summary.stored += 1
    summary.errors.sort(key=lambda e: e.line)
    summary.teams_created = len(refs.created_teams)
    summary.engineers_created = len(refs.created_engineers)
    if strict and summary.errors:
        summary.strict_rejected = True
    return summary
