"""API shapes of the knowledge-gap report."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

GapType = Literal[
    "weak_options",
    "high_escalation",
    "uncharted_territory",
    "repeated_pattern",
    "flagged_steps",
    "stale_flow",
    "declining_flow",
]
Severity = Literal["high", "medium", "low"]
PeriodDays = Literal[7, 30, 90]


class KnowledgeGapRead(BaseModel):
    gap_type: GapType
    domain: str | None = None
    severity: Severity
    title: str
    description: str
    evidence: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Plain numbers and strings. weak_options: context_message, total_responses, "
            "free_text_count, free_text_rate, common_free_text_answers [{answer, count}]. "
            "high_escalation: domain, total, resolved, escalated, escalation_rate. "
            "uncharted_territory: domain, discovery_resolution_count. repeated_pattern: label, "
            "unmatched_session_count, domain, typical_summaries, session_ids. flagged_steps: "
            "flow_id, flow_name, node_id, flag_count, notes. "
            "stale_flow: flow_id, flow_key, name, review_by, days_overdue, verified_at, "
            "owner_email. declining_flow: flow_id, flow_key, name, earlier_/recent_finished, "
            "earlier_/recent_resolved, earlier_/recent_success_rate, z."
        ),
    )
    suggested_action: str


class KnowledgeGapReport(BaseModel):
    generated_at: datetime
    period_days: PeriodDays = 30
    gaps: list[KnowledgeGapRead]
