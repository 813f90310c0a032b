"""Where each PSA pull connector of an account stopped, so the next run goes on from there."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from resolutionflow.models.base import Base, new_id, utcnow


class ImportCursor(Base):
    """One account's pull from one vendor: the updated-time mark and the page it had reached."""

    __tablename__ = "import_cursors"
    __table_args__ = (UniqueConstraint("account_id", "vendor"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    vendor: Mapped[str] = mapped_column(String(30))
    # Tickets updated after this were not all taken yet (None: never pulled).
    updated_since: Mapped[datetime | None] = mapped_column()
    # The newest update time seen in the run under way; becomes updated_since when it ends.
    run_high_mark: Mapped[datetime | None] = mapped_column()
    # The page the run under way reached (its next page number or token); None between runs.
    next_page: Mapped[str | None] = mapped_column(Text)
    tickets_seen: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
