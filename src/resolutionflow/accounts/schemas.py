"""API shapes for users, teams, tokens and account settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from resolutionflow.tenancy.schemas import UserRead as UserRead  # shared by both areas

Role = Literal["engineer", "team_admin", "admin"]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    role: Role = "engineer"
    password: str | None = Field(default=None, min_length=8, max_length=200)
    name: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=63, description="Team slug")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    password: str | None = Field(default=None, min_length=8, max_length=200)
    name: str | None = Field(default=None, max_length=200)
    is_active: bool | None = None


class TeamRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(min_length=1, max_length=63, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=200)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    user_id: uuid.UUID | None = Field(default=None, description="Defaults to the caller")


class TokenCreated(TokenRead):
    token: str = Field(description="Shown once; only its hash is stored")


class AccountSettingsRead(BaseModel):
    webhook_url: str | None = None
    webhook_format: Literal["slack", "teams"] = "slack"


class AccountSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhook_url: str | None = Field(
        default=None,
        max_length=2000,
        description="A public https:// address (Slack or Teams incoming webhook)",
    )
    webhook_format: Literal["slack", "teams"] = "slack"
