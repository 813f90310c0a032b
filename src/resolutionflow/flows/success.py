"""A flow's success rate, one figure everywhere: successes / uses, shown with the count.

A use is a session matched to the flow that ended resolved or escalated (a session still
open or abandoned has no outcome yet); a success is one that ended resolved. The
`success_rate` column on flows is something else: a moving average raised by each
auto-reinforcement (the seed rule), kept as a recent trend and labelled as one.
"""

from __future__ import annotations

from dataclasses import dataclass

SUCCESS_STATUSES = ("resolved",)
FAILURE_STATUSES = ("escalated", "requesting_escalation")


@dataclass(frozen=True)
class Success:
    successes: int
    uses: int

    @property
    def rate(self) -> float | None:
        return round(self.successes / self.uses, 3) if self.uses else None

    @property
    def text(self) -> str:
        """ "82% of 11 sessions", or a dash when no session has an outcome yet."""
        return success_text(self.rate, self.uses)


def success_text(rate: float | None, uses: int) -> str:
    if rate is None or not uses:
        return "—"
    noun = "session" if uses == 1 else "sessions"
    return f"{rate:.0%} of {uses} {noun}"
