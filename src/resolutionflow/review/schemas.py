"""API shapes of the review queue."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ProposalType = Literal["new_flow", "enhancement", "branch_addition", "auto_reinforced"]
ProposalStatus = Literal[
    "pending", "approved", "modified", "rejected", "dismissed", "auto_reinforced"
]
SortBy = Literal["newest", "confidence", "sessions"]


class ProposalSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    proposal_type: str
    status: str
    title: str
    problem_domain: str | None
    confidence_score: float
    supporting_session_count: int
    target_flow_id: uuid.UUID | None
    created_at: datetime
    reviewed_at: datetime | None


class ProposalPage(BaseModel):
    items: list[ProposalSummary]
    total: int
    skip: int
    limit: int


class DomainCount(BaseModel):
    domain: str
    count: int


class ProposalStats(BaseModel):
    pending_count: int
    approved_this_week: int
    rejected_this_week: int
    auto_reinforced_this_week: int
    top_domains: list[DomainCount]


class ProposalDetail(ProposalSummary):
    description: str | None
    team_id: uuid.UUID | None
    source_session_id: uuid.UUID
    supporting_session_ids: list[str]
    proposed_flow_data: dict[str, Any]
    proposed_diff: dict[str, Any] | None
    match_keywords: list[str]
    reviewed_by: uuid.UUID | None
    reviewer_notes: str | None
    published_flow_id: uuid.UUID | None
    # For new flows: the proposed tree. For enhancements: the flow before and after, and what
    # changed between them (after is re-based on the flow's current version if it moved on).
    flow: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    change: dict[str, Any] | None = None
    target_flow_version: int | None = None
    current_target_version: int | None = None
    conflict: str | None = None
    # Risky commands in the flow as it would be published (each with its node), and what a
    # reviewer acknowledged when they published one holding high-risk commands.
    risks: list[dict[str, Any]] = Field(default_factory=list)
    risk_acknowledgement: dict[str, Any] | None = None
    # What wrote the content: the provider, or "offline_fallback" (the offline draft, used
    # because the model's answer could not be), with the model's error in `model_error`.
    generated_by: str | None = None
    model_error: str | None = None


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "modify", "reject", "dismiss"]
    reviewer_notes: str | None = Field(default=None, max_length=5000)
    modified_flow_data: dict[str, Any] | None = Field(
        default=None,
        description="A flow ({tree_structure, match_keywords?, name?, description?}) or a bare "
        "tree_structure; required for modify.",
    )
    acknowledge_risks: bool = Field(
        default=False,
        description="Required to approve or modify when the flow holds high-risk commands "
        "(see `risks` in the detail): the reviewer confirms they read them.",
    )


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)
