"""API shapes of signing in: the credentials, and who the caller is."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str | None
    role: str
    team_id: uuid.UUID | None
    is_active: bool
    created_at: datetime


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=200)


class MeRead(BaseModel):
    user: UserRead
    account_slug: str
    account_name: str
    csrf_token: str | None = None
