"""Shapes of flows coming in (create, update, import) and going out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from resolutionflow.sessions.schemas import ProblemDomain


class FlowIn(BaseModel):
    """A flow as created, imported or exported: `key` names it across systems."""

    model_config = ConfigDict(extra="forbid")

    key: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$"
    )
    name: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=20000)
    problem_domain: ProblemDomain | None = None
    match_keywords: list[str] = Field(default_factory=list, max_length=50)
    tree_structure: dict[str, Any]


class FlowUpdate(BaseModel):
    """A change to publish as the flow's next version; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=20000)
    problem_domain: ProblemDomain | None = None
    match_keywords: list[str] | None = Field(default=None, max_length=50)
    tree_structure: dict[str, Any] | None = None
    change_note: str | None = Field(default=None, max_length=2000)
    # Optimistic concurrency: publish only if the flow is still at this version.
    base_version: int | None = Field(default=None, ge=1, le=1_000_000)


class FlowSummaryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str | None
    name: str
    description: str | None
    problem_domain: str | None
    origin: str
    version: int
    success_rate: float | None = Field(
        default=None,
        description="successes / uses: matched sessions that ended resolved, over those that "
        "ended resolved or escalated; null before any has",
    )
    successes: int = Field(default=0, description="matched sessions that ended resolved")
    uses: int = Field(default=0, description="matched sessions that ended resolved or escalated")
    success_text: str = Field(
        default="—", description='the rate with its count: "82% of 11 sessions"'
    )
    reinforcement_trend: float | None = Field(
        default=None,
        description="a recent trend, not a rate: a moving average each auto-reinforcement "
        "moves 10% of the way towards 1",
    )
    usage_count: int
    last_matched_at: datetime | None
    updated_at: datetime


class FlowRead(FlowSummaryRead):
    tree_type: str
    tree_structure: dict[str, Any]
    match_keywords: list[str]
    team_id: uuid.UUID | None
    author_id: uuid.UUID | None
    source_session_id: uuid.UUID | None
    created_at: datetime


class FlowVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    flow_id: uuid.UUID
    version: int
    name: str
    description: str | None
    problem_domain: str | None
    match_keywords: list[str]
    tree_structure: dict[str, Any]
    change_note: str | None
    created_by: uuid.UUID | None
    proposal_id: uuid.UUID | None
    created_at: datetime
