"""Periodic mode: APScheduler triggers a drain every interval, never two at once in a process."""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from resolutionflow.flywheel.worker import Worker
from resolutionflow.models.base import utcnow

log = logging.getLogger(__name__)


class _DrainStillRunning(logging.Filter):
    """A drain longer than the interval is how a busy queue looks: the scheduler's warning
    that it skipped a tick for it, once per interval, would only bury real warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


_SKIPS = _DrainStillRunning()


def start_periodic(worker: Worker, *, interval_seconds: int) -> AsyncIOScheduler:
    """Start draining the queue now and then every `interval_seconds`.

    `max_instances=1` and `coalesce` keep one drain at a time in this process; other
    processes are kept apart by the row locks and leases of the queue, not by the scheduler.
    """

    async def tick() -> None:
        stats = await worker.drain()
        if stats.processed:
            log.info("flywheel drained %d session(s): %s", stats.processed, stats.outcomes)

    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if _SKIPS not in scheduler_log.filters:
        scheduler_log.addFilter(_SKIPS)
    # "Running job" and "executed successfully" every tick say less than the drain's own log.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        "interval",
        seconds=interval_seconds,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(utcnow().tzinfo),
        id="flywheel-drain",
    )
    scheduler.start()
    return scheduler


async def stop_periodic(
    scheduler: AsyncIOScheduler, worker: Worker, *, grace_seconds: float
) -> None:
    """Stop ticking and let a drain in progress finish the sessions it holds (no new
    claims), waiting up to `grace_seconds` for it."""
    worker.stop()
    scheduler.pause()  # no new tick; shutting down now would cancel the running one
    if not await worker.wait_idle(grace_seconds):
        log.warning(
            "the flywheel worker did not finish within %.0f s; its leases will lapse", grace_seconds
        )
    scheduler.shutdown(wait=False)
