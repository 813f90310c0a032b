"""Shapes of sessions and steps coming in (API bodies and import lines) and going out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from resolutionflow.vocabulary import ProblemDomain as ProblemDomain

SessionStatus = Literal["active", "resolved", "escalated", "requesting_escalation", "abandoned"]
ConfidenceTier = Literal["high", "medium", "low", "discovery"]
StepType = Literal["question", "action", "info", "resolution"]


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=500)
    label: str = Field(min_length=1, max_length=500)


class ContentIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str = Field(default="", max_length=20000)
    type: str | None = Field(default=None, max_length=50)


class ActionResultIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    success: bool
    details: str | None = Field(default=None, max_length=20000)


class StepIn(BaseModel):
    """One step. Missing fields get the documented defaults when the session is stored."""

    model_config = ConfigDict(extra="forbid")

    step_order: int | None = Field(default=None, ge=0, le=100000)
    step_type: StepType
    content: ContentIn | str = Field(default_factory=ContentIn)
    context_message: str | None = Field(default=None, max_length=5000)
    options_presented: list[OptionIn] | None = Field(default=None, max_length=50)
    selected_option: str | None = Field(default=None, max_length=500)
    free_text_input: str | None = Field(default=None, max_length=20000)
    was_free_text: bool | None = None
    was_skipped: bool = False
    action_result: ActionResultIn | None = None
    responded_at: datetime | None = None


class SessionIn(BaseModel):
    """A session to store: an import line or an API body."""

    model_config = ConfigDict(extra="forbid")

    external_id: str | None = Field(default=None, min_length=1, max_length=200)
    problem_summary: str = Field(min_length=1, max_length=5000)
    status: SessionStatus
    problem_domain: ProblemDomain | None = None
    team: str | None = Field(default=None, max_length=63)
    team_id: uuid.UUID | None = None
    engineer: str | None = Field(default=None, max_length=320)
    engineer_id: uuid.UUID | None = None
    matched_flow: str | None = Field(default=None, max_length=100)
    matched_flow_id: uuid.UUID | None = None
    match_score: float | None = Field(default=None, ge=0, le=1)
    confidence_tier: ConfidenceTier | None = None
    confidence_score: float | None = Field(default=None, ge=0, le=1)
    resolution_summary: str | None = Field(default=None, max_length=20000)
    escalation_reason: str | None = Field(default=None, max_length=20000)
    psa_provider: str | None = Field(default=None, max_length=50)
    psa_ticket_id: str | None = Field(default=None, max_length=100)
    customer: str | None = Field(default=None, max_length=255)
    time_spent_minutes: int | None = Field(default=None, ge=0, le=100000)
    created_at: datetime | None = None
    resolved_at: datetime | None = None
    steps: list[StepIn] = Field(default_factory=list, max_length=500)

    @field_validator("problem_summary")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class StepsAppend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: list[StepIn] = Field(min_length=1, max_length=500)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution_summary: str | None = Field(default=None, max_length=20000)
    time_spent_minutes: int | None = Field(default=None, ge=0, le=100000)
    confidence_score: float | None = Field(default=None, ge=0, le=1)


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    escalation_reason: str = Field(min_length=1, max_length=20000)
    requesting: bool = False
    time_spent_minutes: int | None = Field(default=None, ge=0, le=100000)


class StepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    step_order: int
    step_type: str
    content: dict[str, Any]
    context_message: str | None
    options_presented: list[dict[str, Any]] | None
    selected_option: str | None
    free_text_input: str | None
    was_free_text: bool
    was_skipped: bool
    action_result: dict[str, Any] | None
    responded_at: datetime | None


class SessionSummaryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    external_id: str | None
    status: str
    analysis_status: str | None
    problem_domain: str | None
    problem_summary: str


class SessionRead(SessionSummaryRead):
    team_id: uuid.UUID | None
    engineer_id: uuid.UUID | None
    confidence_tier: str
    confidence_score: float
    matched_flow_id: uuid.UUID | None
    match_score: float | None
    resolution_summary: str | None
    escalation_reason: str | None
    psa_provider: str | None
    psa_ticket_id: str | None
    customer: str | None
    time_spent_minutes: int | None
    created_at: datetime
    resolved_at: datetime | None
    analysis_attempts: int
    analysis_error: str | None
