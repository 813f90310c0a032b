"""API shapes of the runner: flow search, starting a session, the walk's steps, feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from resolutionflow.sessions.schemas import ProblemDomain, StepRead


def _strip(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class FlowMatchRead(BaseModel):
    flow_id: uuid.UUID
    key: str | None
    name: str
    description: str | None
    problem_domain: str | None
    success_rate: float | None
    usage_count: int
    score: float = Field(description="How alike the problem and the flow are, 0..1")


class StartIn(BaseModel):
    """A session to start: the problem in the engineer's words, and the flow picked (if any)."""

    model_config = ConfigDict(extra="forbid")

    problem_summary: str = Field(min_length=1, max_length=5000)
    psa_ticket_id: str | None = Field(default=None, max_length=100)
    customer: str | None = Field(default=None, max_length=255)
    problem_domain: ProblemDomain | None = None
    flow_id: uuid.UUID | None = Field(default=None, description="None: record steps freely")

    @field_validator("problem_summary")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("psa_ticket_id", "customer")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return _strip(value)


WalkChoice = Literal["option", "none_of_these", "worked", "did_not_fix", "resolved", "not_resolved"]


class WalkStepIn(BaseModel):
    """An answer at the current node of the flow.

    - a question: `option` with `option_id` (and an optional note in `text`), or
      `none_of_these` with the engineer's own answer in `text`;
    - an action: `worked` or `did_not_fix`, notes in `text`;
    - a solution: `resolved` (ends the session, resolved) or `not_resolved`, notes in `text`.
    `expected_order` is the number of steps the caller saw; when the session has moved on
    since, the answer is refused (409) rather than recorded against a stale view.
    """

    model_config = ConfigDict(extra="forbid")

    node_id: str = Field(min_length=1, max_length=100)
    choice: WalkChoice
    option_id: str | None = Field(default=None, max_length=100)
    text: str | None = Field(default=None, max_length=20000)
    expected_order: int | None = Field(default=None, ge=0)

    @field_validator("text")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return _strip(value)


class FreeStepIn(BaseModel):
    """A step recorded without a flow (or after leaving it): a question asked and what was
    found, an action and its result, or a note."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["question", "action", "note"]
    text: str = Field(min_length=1, max_length=5000)
    detail: str | None = Field(default=None, max_length=20000)
    worked: bool | None = None
    expected_order: int | None = Field(default=None, ge=0)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("detail")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return _strip(value)


class BackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_order: int = Field(ge=0, description="The number of steps the caller saw")


class RunResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution_summary: str | None = Field(default=None, max_length=20000)

    @field_validator("resolution_summary")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return _strip(value)


class RunEscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=20000)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class RunAbandonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=5000)

    @field_validator("reason")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return _strip(value)


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    node_id: str = Field(min_length=1, max_length=100)
    note: str = Field(min_length=1, max_length=5000)

    @field_validator("note")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    flow_id: uuid.UUID
    flow_version: int
    node_id: str
    session_id: uuid.UUID | None
    note: str
    created_at: datetime


class FlaggedNodeRead(BaseModel):
    node_id: str
    title: str | None
    count: int
    notes: list[str]
    last_flagged_at: datetime


class RunRead(BaseModel):
    """A session as the runner sees it: where the walk stands and what was recorded."""

    id: uuid.UUID
    status: str
    analysis_status: str | None
    problem_summary: str
    psa_ticket_id: str | None
    customer: str | None
    flow_id: uuid.UUID | None
    flow_name: str | None
    node: dict[str, Any] | None = Field(description="The current node; None off the flow")
    on_flow: bool
    left_flow: bool
    next_order: int = Field(description="Send as expected_order with the next change")
    match_score: float | None
    steps: list[StepRead]
