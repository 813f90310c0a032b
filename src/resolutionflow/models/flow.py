"""Troubleshooting flows (decision trees) and their version history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from resolutionflow.models.base import Base, JSONType, new_id, utcnow

FLOW_ORIGINS = ("manual", "imported", "ai_generated", "ai_enhanced")


class Flow(Base):
    """The current version of a flow. Every published change is also kept in FlowVersion."""

    __tablename__ = "flows"
    __table_args__ = (
        UniqueConstraint("account_id", "key"),
        CheckConstraint(
            "origin IN ('manual', 'imported', 'ai_generated', 'ai_enhanced')", name="origin"
        ),
        CheckConstraint("success_rate >= 0 AND success_rate <= 1", name="success_rate"),
        Index("ix_flows_account_domain", "account_id", "problem_domain"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    # A stable name for import, export and session matching across systems.
    key: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    tree_type: Mapped[str] = mapped_column(String(30), default="troubleshooting")
    tree_structure: Mapped[dict[str, Any]] = mapped_column(JSONType)
    match_keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    problem_domain: Mapped[str | None] = mapped_column(String(100))
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    source_session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL", use_alter=True)
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    success_rate: Mapped[float | None] = mapped_column(Float)
    last_matched_at: Mapped[datetime | None] = mapped_column()
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlowVersion(Base):
    """An immutable snapshot of a flow as published; version 1 is the first publication."""

    __tablename__ = "flow_versions"
    __table_args__ = (UniqueConstraint("flow_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    flow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    tree_structure: Mapped[dict[str, Any]] = mapped_column(JSONType)
    match_keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    problem_domain: Mapped[str | None] = mapped_column(String(100))
    change_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    proposal_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("flow_proposals.id", ondelete="SET NULL", use_alter=True), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
