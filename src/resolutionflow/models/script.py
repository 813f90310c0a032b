"""Script requests kept with their session: what was asked and what was answered."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from resolutionflow.models.base import Base, JSONType, new_id, utcnow


class ScriptRequest(Base):
    __tablename__ = "script_requests"
    __table_args__ = (Index("ix_script_requests_session_created", "session_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    step_order: Mapped[int | None] = mapped_column(Integer)
    request_text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(50))
    template: Mapped[str | None] = mapped_column(String(100))
    matched: Mapped[bool] = mapped_column(Boolean, default=False)
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    script: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    risks: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
