"""Engineers' feedback on a flow node: "this step was wrong or unclear", with a note."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from resolutionflow.models.base import Base, new_id, utcnow


class NodeFeedback(Base):
    """One flag on one node of one flow version, raised from the runner."""

    __tablename__ = "node_feedback"
    __table_args__ = (
        # The flow page lists a flow's flags; the gap report reads an account's over a period.
        Index("ix_node_feedback_flow_node", "flow_id", "node_id"),
        Index("ix_node_feedback_account_created", "account_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    flow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    flow_version: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(100))
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL")
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
