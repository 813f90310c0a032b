"""API shapes of script generation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ScriptAsk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request: str = Field(min_length=1, max_length=2000, description="What the script should do")
    language: Literal["powershell", "bash"] = "powershell"
    step_order: int | None = Field(default=None, ge=0, description="The step it is for")
    parameters: dict[str, str] | None = Field(default=None, description="Values to fill in")


class ScriptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    session_id: uuid.UUID
    step_order: int | None
    request_text: str
    language: str
    provider: str
    template: str | None
    matched: bool
    refused: bool
    requires_confirmation: bool
    script: str
    explanation: str
    parameters: list[dict[str, Any]]
    risks: list[dict[str, Any]]
    suggestions: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    created_at: datetime
