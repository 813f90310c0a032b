"""API shapes of the analytics dashboard: plain ints and floats, None where nothing to measure."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from resolutionflow.gaps.schemas import PeriodDays


class TierStats(BaseModel):
    tier: str
    sessions: int
    resolved: int
    escalated: int = Field(description="escalated or requesting escalation")
    resolution_rate: float | None = Field(description="resolved / sessions, 3 decimals")
    escalation_rate: float | None = Field(description="escalated / sessions, 3 decimals")
    mean_minutes_to_resolve: float | None = None
    median_minutes_to_resolve: float | None = None


class PsaStats(BaseModel):
    sessions_with_ticket: int
    resolved: int
    escalated: int
    mean_minutes_to_resolution: float | None = None
    median_minutes_to_resolution: float | None = None
    time_logged_minutes: int = Field(description="sum of time_spent_minutes")
    first_time_fixes: int = Field(description="resolved sessions with no failed action step")
    first_time_fix_rate: float | None = Field(description="first_time_fixes / resolved")
    eventual_successes: int = Field(
        description="sessions where an action failed and a later action succeeded, each once"
    )


class FlowUse(BaseModel):
    flow_id: uuid.UUID
    name: str
    uses: int = Field(description="sessions of the period matched to the flow")
    resolved: int
    escalated: int
    success_rate: float | None = Field(
        description="successes / uses, the one success rate: resolved / (resolved + escalated)"
    )
    success_text: str = Field(default="—", description='"82% of 11 sessions"')


class FlywheelStats(BaseModel):
    proposals: int
    by_type: dict[str, int]
    by_status: dict[str, int]
    acceptance_rate: float | None = Field(
        description="(approved + modified) / (approved + modified + rejected)"
    )
    median_hours_to_review: float | None = None
    flows_published: int = Field(description="proposals that published a flow")
    reinforcements: int = Field(description="auto_reinforced proposals")
    top_flows_by_use: list[FlowUse]
    top_flows_by_success: list[FlowUse] = Field(
        description="flows with at least 5 resolved or escalated sessions, best first"
    )


class TrendPoint(BaseModel):
    period: str = Field(description="a day (YYYY-MM-DD) or an ISO week (YYYY-Www)")
    created: int
    resolved: int = Field(description="of the sessions created then, how many are resolved")
    escalated: int


class Dashboard(BaseModel):
    generated_at: datetime
    period_days: PeriodDays
    since: datetime
    sessions: int
    by_status: dict[str, int]
    tiers: list[TierStats]
    psa: PsaStats
    flywheel: FlywheelStats
    daily: list[TrendPoint]
    weekly: list[TrendPoint]
