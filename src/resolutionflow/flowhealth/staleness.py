"""Flows that need their owner: past their review-by date, or clearly less successful lately.

Pure scoring, used by the knowledge-gap report (`gaps.service`) as two more signals.

stale_flow: a flow whose review-by date has passed (it was last verified, or published, more
than RESOLUTIONFLOW_FLOW_REVIEW_DAYS ago). High when more than 90 days overdue, medium past
30, else low.

declining_flow: the flow's success rate over the report's period (recent window) against the
period just before it (earlier window), counting finished sessions only (resolved /
resolved + escalated + requesting_escalation + abandoned). It fell "clearly" when each window
has at least MIN_FINISHED finished sessions, the rate fell by at least MIN_DROP, and a
one-sided two-proportion z-test puts the fall beyond chance (z >= Z_CLEAR, about 95%). High
when it fell by DROP_HIGH or more, else medium.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MIN_FINISHED = 5
MIN_DROP = 0.15
DROP_HIGH = 0.3
Z_CLEAR = 1.645
OVERDUE_HIGH_DAYS = 90
OVERDUE_MEDIUM_DAYS = 30


@dataclass(frozen=True)
class DueFlow:
    flow_id: uuid.UUID
    key: str | None
    name: str
    review_by: datetime
    verified_at: datetime | None
    owner_email: str | None


@dataclass(frozen=True)
class FlowWindows:
    flow_id: uuid.UUID
    key: str | None
    name: str
    earlier_finished: int
    earlier_resolved: int
    recent_finished: int
    recent_resolved: int


def overdue_severity(days: int) -> str:
    if days > OVERDUE_HIGH_DAYS:
        return "high"
    return "medium" if days > OVERDUE_MEDIUM_DAYS else "low"


def stale_flow_signal(flow: DueFlow, now: datetime) -> dict[str, Any]:
    days = max(0, (now - flow.review_by).days)
    owner = flow.owner_email or "no owner"
    return {
        "gap_type": "stale_flow",
        "severity": overdue_severity(days),
        "title": f"Flow due for review: {flow.name}",
        "description": (
            f"'{flow.name}' was due for review on {flow.review_by.date().isoformat()} "
            f"({days} days ago); owner: {owner}."
        ),
        "evidence": {
            "flow_id": str(flow.flow_id),
            "flow_key": flow.key,
            "name": flow.name,
            "review_by": flow.review_by.isoformat(),
            "days_overdue": int(days),
            "verified_at": flow.verified_at.isoformat() if flow.verified_at else None,
            "owner_email": flow.owner_email,
        },
        "suggested_action": "Have its owner walk the flow and verify it, or give it an owner.",
    }


def fall_z(w: FlowWindows) -> float:
    """The one-sided two-proportion z statistic of the fall from earlier to recent."""
    p1 = w.earlier_resolved / w.earlier_finished
    p2 = w.recent_resolved / w.recent_finished
    pooled = (w.earlier_resolved + w.recent_resolved) / (w.earlier_finished + w.recent_finished)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / w.earlier_finished + 1 / w.recent_finished))
    if spread == 0:
        return 0.0
    return (p1 - p2) / spread


def declining(w: FlowWindows) -> bool:
    if w.earlier_finished < MIN_FINISHED or w.recent_finished < MIN_FINISHED:
        return False
    drop = w.earlier_resolved / w.earlier_finished - w.recent_resolved / w.recent_finished
    return drop >= MIN_DROP - 1e-9 and fall_z(w) >= Z_CLEAR


def declining_flow_signal(w: FlowWindows, period_days: int) -> dict[str, Any]:
    before = w.earlier_resolved / w.earlier_finished
    after = w.recent_resolved / w.recent_finished
    return {
        "gap_type": "declining_flow",
        "severity": "high" if before - after >= DROP_HIGH - 1e-9 else "medium",
        "title": f"Flow succeeds less often: {w.name}",
        "description": (
            f"'{w.name}' resolved {w.recent_resolved} of {w.recent_finished} finished sessions "
            f"({after:.0%}) in the last {period_days} days, against {w.earlier_resolved} of "
            f"{w.earlier_finished} ({before:.0%}) in the {period_days} days before."
        ),
        "evidence": {
            "flow_id": str(w.flow_id),
            "flow_key": w.key,
            "name": w.name,
            "earlier_finished": int(w.earlier_finished),
            "earlier_resolved": int(w.earlier_resolved),
            "earlier_success_rate": round(before, 3),
            "recent_finished": int(w.recent_finished),
            "recent_resolved": int(w.recent_resolved),
            "recent_success_rate": round(after, 3),
            "z": round(fall_z(w), 3),
        },
        "suggested_action": (
            "Open the flow's per-node figures to see where sessions now end, and fix that step."
        ),
    }
