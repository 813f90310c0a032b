"""API shapes of the per-node figures and of flow ownership."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Outcomes(BaseModel):
    """Sessions by how they ended; escalated counts requesting_escalation too."""

    resolved: int = 0
    escalated: int = 0
    abandoned: int = 0
    active: int = 0
    success_rate: float | None = Field(
        default=None, description="resolved / (resolved + escalated + abandoned); null if none"
    )


class OptionFigure(BaseModel):
    option_id: str | None
    label: str
    next_node_id: str | None = None
    count: int
    share: float = Field(description="count / answers at the node")


class NodeFigure(BaseModel):
    node_id: str
    type: str
    title: str
    reached: int = Field(description="sessions that reached the node")
    reached_outcomes: Outcomes = Field(description="how the sessions that reached it ended")
    ended: Outcomes = Field(description="sessions whose last node this was, by outcome")
    answers: int = Field(default=0, description="answers recorded at a question node")
    options: list[OptionFigure] = Field(default_factory=list)
    free_text_count: int = 0
    free_text_rate: float | None = None
    median_seconds: float | None = Field(
        default=None,
        description=(
            "median time spent at the node: from the previous step's response (or the "
            "session's start, if none) to this step's response"
        ),
    )
    timed_steps: int = 0


class PathFigure(BaseModel):
    nodes: list[str]
    sessions: int
    outcomes: Outcomes


class FlowStats(BaseModel):
    flow_id: uuid.UUID
    key: str | None
    name: str
    version: int
    current_version: int
    window_start: datetime | None = Field(
        description="sessions created from here (null: from the first) count to this version"
    )
    window_end: datetime | None = Field(description="until the next version (null: none)")
    sessions: int
    outcomes: Outcomes
    nodes: list[NodeFigure]
    paths: list[PathFigure] = Field(description="the most common paths, most sessions first")


class FlowOwnershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str | None
    name: str
    owner_id: uuid.UUID | None
    verified_at: datetime | None
    review_by: datetime | None


class OwnerChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner_email: str | None = Field(
        default=None, max_length=320, description="the new owner's email"
    )
    owner_id: uuid.UUID | None = None
