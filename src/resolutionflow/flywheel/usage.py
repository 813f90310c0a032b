"""Model usage: counted in memory per analysis, written now and then in one short transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.ai.base import GenerationResult
from resolutionflow.flywheel import repository as repo


class UsageTally:
    """Model usage added up in memory and written in one short transaction now and then.

    One counter row per account, day, provider and model is shared by every analysis; writing
    it inside each analysis's transaction would make them all queue on that row.
    """

    def __init__(self) -> None:
        self.totals: dict[tuple[uuid.UUID, Any, str, str], list[int]] = {}

    def add(self, account_id: uuid.UUID, usage: list[GenerationResult], now: datetime) -> None:
        for result in usage:
            key = (account_id, now.date(), result.provider, result.model)
            entry = self.totals.setdefault(key, [0, 0, 0])
            entry[0] += 1
            entry[1] += result.input_tokens
            entry[2] += result.output_tokens

    async def flush(self, db: AsyncSession) -> None:
        totals, self.totals = self.totals, {}
        for (account_id, day, provider, model), (calls, tokens_in, tokens_out) in sorted(
            totals.items(), key=lambda kv: (str(kv[0][0]), kv[0][1], kv[0][2], kv[0][3])
        ):
            await repo.add_usage(
                db,
                account_id=account_id,
                day=day,
                provider=provider,
                model=model,
                calls=calls,
                input_tokens=tokens_in,
                output_tokens=tokens_out,
            )
