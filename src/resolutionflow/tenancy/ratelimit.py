"""Rate limits, in memory or in Redis so they hold across processes: per user (reads and
reviews) and per client address and e-mail for failed sign-ins."""

from __future__ import annotations

import hashlib
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
        # Sign-in limits hold even when the per-user ones are switched off: they are what
        # stops password guessing. An empty setting turns one off.
        self.sign_in: list[tuple[str, RateLimitItem]] = [
            (scope, parse(value))
            for scope, value in (
                ("sign-in-email", settings.login_limit_per_email),
                ("sign-in-address", settings.login_limit_per_address),
            )
            if value.strip()
        ]

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

    def _sign_in_keys(self, address: str, email: str) -> list[tuple[str, RateLimitItem, str]]:
        # E-mail addresses are kept as digests: the limits storage is no place for them.
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        keys = {"sign-in-email": digest, "sign-in-address": address or "unknown"}
        return [(scope, item, keys[scope]) for scope, item in self.sign_in]

    async def check_sign_in(self, address: str, email: str) -> None:
        """RateLimited when this address or this e-mail has failed too often lately; checked
        before the password, so the right one is refused too until the window passes."""
        for scope, item, key in self._sign_in_keys(address, email):
            if not await self.limiter.test(item, scope, key):
                stats = await self.limiter.get_window_stats(item, scope, key)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                whom = "for this e-mail address" if scope == "sign-in-email" else "from here"
                raise RateLimited(
                    f"too many failed sign-ins {whom}; try again in {retry_after}s",
                    retry_after=retry_after,
                )

    async def sign_in_failed(self, address: str, email: str) -> None:
        for scope, item, key in self._sign_in_keys(address, email):
            await self.limiter.hit(item, scope, key)


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy, uvicorn's proxy headers set it)."""
    return request.client.host if request.client else ""


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
