"""Troubleshooting sessions and their steps; the sessions table is also the analysis queue."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from resolutionflow.models.base import Base, JSONType, new_id, utcnow

SESSION_STATUSES = ("active", "resolved", "escalated", "requesting_escalation", "abandoned")
CONFIDENCE_TIERS = ("high", "medium", "low", "discovery")
ANALYSIS_STATUSES = ("pending", "processing", "completed", "failed", "skipped", "waiting")
STEP_TYPES = ("question", "action", "info", "resolution")

# Answered questions, as the knowledge-gap report counts them. An index entry holds at most
# ~2.7 kB, so answers whose question and typed text together pass 2,000 bytes are indexed
# apart, without their texts (such steps are rare; both indexes together cover all).
ANSWERED_QUESTION = (
    "step_type = 'question' AND responded_at IS NOT NULL AND context_message IS NOT NULL"
)
ANSWER_BYTES_PG = "octet_length(context_message) + coalesce(octet_length(free_text_input), 0)"
ANSWER_BYTES_SQLITE = (
    "length(CAST(context_message AS BLOB)) + coalesce(length(CAST(free_text_input AS BLOB)), 0)"
)
ANSWER_BYTES_LIMIT = 2000
# Action outcomes as the dashboard reads them, written out per database (JSON differs).
ACTION_FAILED_PG = "step_type = 'action' AND (action_result ->> 'success') = 'false'"
ACTION_SUCCEEDED_PG = "step_type = 'action' AND (action_result ->> 'success') = 'true'"
ACTION_FAILED_SQLITE = "step_type = 'action' AND json_extract(action_result, '$.success') = 0"
ACTION_SUCCEEDED_SQLITE = "step_type = 'action' AND json_extract(action_result, '$.success') = 1"


class Session(Base):
    """One engineer working one problem, usually one PSA ticket."""

    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        CheckConstraint(
            "status IN ('active', 'resolved', 'escalated', 'requesting_escalation', 'abandoned')",
            name="status",
        ),
        CheckConstraint(
            "confidence_tier IN ('high', 'medium', 'low', 'discovery')", name="confidence_tier"
        ),
        CheckConstraint(
            "analysis_status IS NULL OR analysis_status IN "
            "('pending', 'processing', 'completed', 'failed', 'skipped', 'waiting')",
            name="analysis_status",
        ),
        CheckConstraint("confidence_score >= 0 AND confidence_score <= 1", name="confidence_score"),
        CheckConstraint(
            "match_score IS NULL OR (match_score >= 0 AND match_score <= 1)", name="match_score"
        ),
        # The worker takes the oldest pending sessions by resolved_at.
        Index("ix_sessions_analysis_queue", "analysis_status", "resolved_at"),
        Index("ix_sessions_account_created", "account_id", "created_at"),
        Index("ix_sessions_account_domain", "account_id", "problem_domain"),
        # A flow's sessions by date, for its per-node figures (one version's date range).
        Index(
            "ix_sessions_flow_created",
            "matched_flow_id",
            "created_at",
            postgresql_include=["status", "account_id", "id"],
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    engineer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The caller's own id for the session (a PSA or chat id): the import idempotency key.
    external_id: Mapped[str | None] = mapped_column(String(200))
    problem_summary: Mapped[str] = mapped_column(Text)
    problem_domain: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30), default="active")
    confidence_tier: Mapped[str] = mapped_column(String(20), default="discovery")
    confidence_score: Mapped[float] = mapped_column(Float, default=0.0)
    matched_flow_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("flows.id", ondelete="SET NULL")
    )
    match_score: Mapped[float | None] = mapped_column(Float)
    resolution_summary: Mapped[str | None] = mapped_column(Text)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    psa_provider: Mapped[str | None] = mapped_column(String(50))
    psa_ticket_id: Mapped[str | None] = mapped_column(String(100))
    # The customer (company) the ticket is for, as the PSA names it. Shown to engineers, and
    # used to keep customer names out of what the flywheel compares and writes.
    customer: Mapped[str | None] = mapped_column(String(255))
    time_spent_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()

    # Analysis queue. NULL while the session is active.
    analysis_status: Mapped[str | None] = mapped_column(String(20))
    analysis_attempts: Mapped[int] = mapped_column(Integer, default=0)
    analysis_error: Mapped[str | None] = mapped_column(Text)
    # Not to be claimed before this moment (retry backoff, or the next budget day).
    analysis_not_before: Mapped[datetime | None] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    analyzed_at: Mapped[datetime | None] = mapped_column()
    # The proposal the analysis produced or merged the session into (none for skipped ones).
    proposal_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("flow_proposals.id", ondelete="SET NULL", use_alter=True), index=True
    )


class SessionStep(Base):
    """One exchange in a session: a question answered, an action tried, a note, the resolution."""

    __tablename__ = "session_steps"
    __table_args__ = (
        UniqueConstraint("session_id", "step_order"),
        CheckConstraint(
            "step_type IN ('question', 'action', 'info', 'resolution')", name="step_type"
        ),
        CheckConstraint("step_order >= 0", name="step_order"),
        # The gap report's answers per question over one period's sessions: PostgreSQL reads
        # them from this index alone (index-only scan) instead of visiting ten million rows.
        Index(
            "ix_session_steps_answers",
            "session_id",
            postgresql_include=["context_message", "was_free_text", "free_text_input"],
            postgresql_where=text(
                f"{ANSWERED_QUESTION} AND {ANSWER_BYTES_PG} <= {ANSWER_BYTES_LIMIT}"
            ),
            sqlite_where=text(
                f"{ANSWERED_QUESTION} AND {ANSWER_BYTES_SQLITE} <= {ANSWER_BYTES_LIMIT}"
            ),
        ),
        Index(
            "ix_session_steps_long_answers",
            "session_id",
            postgresql_where=text(
                f"{ANSWERED_QUESTION} AND {ANSWER_BYTES_PG} > {ANSWER_BYTES_LIMIT}"
            ),
            sqlite_where=text(
                f"{ANSWERED_QUESTION} AND {ANSWER_BYTES_SQLITE} > {ANSWER_BYTES_LIMIT}"
            ),
        ),
        # Failed and successful actions by session, for first-time fixes and eventual
        # successes on the dashboard (index-only on PostgreSQL, like the answers above).
        Index(
            "ix_session_steps_failed_actions",
            "session_id",
            postgresql_include=["step_order"],
            postgresql_where=text(ACTION_FAILED_PG),
            sqlite_where=text(ACTION_FAILED_SQLITE),
        ),
        Index(
            "ix_session_steps_succeeded_actions",
            "session_id",
            postgresql_include=["step_order"],
            postgresql_where=text(ACTION_SUCCEEDED_PG),
            sqlite_where=text(ACTION_SUCCEEDED_SQLITE),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    # Copied from the session so step queries scope to an account without a join.
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    step_order: Mapped[int] = mapped_column(Integer)
    step_type: Mapped[str] = mapped_column(String(20))
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    context_message: Mapped[str | None] = mapped_column(Text)
    options_presented: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    selected_option: Mapped[str | None] = mapped_column(String(500))
    free_text_input: Mapped[str | None] = mapped_column(Text)
    was_free_text: Mapped[bool] = mapped_column(Boolean, default=False)
    was_skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    action_result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    responded_at: Mapped[datetime | None] = mapped_column()
