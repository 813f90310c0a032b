"""The one helper that scopes queries to an account: another account's rows are never seen."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import NotFound

T = TypeVar("T")


def scoped(model: type[T], account_id: uuid.UUID) -> Select[T]:
    """`SELECT model WHERE account_id = :account_id`, the start of every account-owned query."""
    return select(model).where(model.account_id == account_id)  # type: ignore[attr-defined]


def scope(stmt: Select[Any], model: type[Any], account_id: uuid.UUID) -> Select[Any]:
    """Add the account condition to an existing statement over `model`."""
    return stmt.where(model.account_id == account_id)


async def get_scoped(
    db: AsyncSession,
    model: type[T],
    obj_id: uuid.UUID | str,
    account_id: uuid.UUID,
    *,
    what: str | None = None,
    for_update: bool = False,
) -> T:
    """One row of the account, or NotFound: the same answer whether missing or foreign."""
    label = what or getattr(model, "__tablename__", "object").rstrip("s")
    try:
        key = obj_id if isinstance(obj_id, uuid.UUID) else uuid.UUID(str(obj_id))
    except ValueError:
        raise NotFound(f"{label} {obj_id} not found") from None
    stmt = scoped(model, account_id).where(model.id == key)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update(key_share=True)
    obj = (await db.execute(stmt)).scalar_one_or_none()
    if obj is None:
        raise NotFound(f"{label} {obj_id} not found")
    return obj
