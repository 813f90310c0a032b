"""Shapes of import requests and answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ConnectorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(min_length=1, max_length=500)
    credentials: dict[str, str] = Field(default_factory=dict)
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=500)


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=190)
    text: str = Field(max_length=1_000_000)


class ArticlesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(min_length=1, max_length=200)


class PsaSummaryRead(BaseModel):
    vendor: str
    stored: int
    updated: int
    already_present: int
    errors: list[dict[str, Any]]
