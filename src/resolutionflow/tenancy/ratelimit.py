"""Per-user rate limits (reads and reviews), in memory or in Redis so they hold across processes."""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from resolutionflow.config import Settings
from resolutionflow.errors import RateLimited
from resolutionflow.tenancy.auth import Principal
from resolutionflow.tenancy.deps import CurrentPrincipal


class RateLimits:
    """One limiter per application: the storage is chosen once from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        storage: Storage
        if settings.redis_url:
            uri = settings.redis_url.replace("redis://", "async+redis://", 1)
            storage = RedisStorage(uri, implementation="redispy", key_prefix="resolutionflow")
        else:
            storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(storage)
        self.reads: RateLimitItem = parse(settings.rate_limit_reads)
        self.reviews: RateLimitItem = parse(settings.rate_limit_reviews)

    async def hit(self, item: RateLimitItem, scope: str, principal: Principal) -> None:
        if not self.enabled:
            return
        key = str(principal.user.id)
        if await self.limiter.hit(item, scope, key):
            return
        stats = await self.limiter.get_window_stats(item, scope, key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(
            f"too many requests: the limit is {item}; try again in {retry_after}s",
            retry_after=retry_after,
        )


def limits_of(request: Request) -> RateLimits:
    state = request.app.state
    if getattr(state, "rate_limits", None) is None:
        state.rate_limits = RateLimits(state.settings)
    return state.rate_limits  # type: ignore[no-any-return]


async def read_limit(request: Request, principal: CurrentPrincipal) -> None:
    limits = limits_of(request)
    await limits.hit(limits.reads, "reads", principal)


async def review_limit(request: Request, principal: CurrentPrincipal) -> None:
    limits = limits_of(request)
    await limits.hit(limits.reviews, "reviews", principal)
