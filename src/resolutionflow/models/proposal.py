"""Flow proposals: what the flywheel suggests and what reviewers decided."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from resolutionflow.models.base import Base, JSONType, new_id, utcnow

PROPOSAL_TYPES = ("new_flow", "enhancement", "branch_addition", "auto_reinforced")
PROPOSAL_STATUSES = ("pending", "approved", "modified", "rejected", "dismissed", "auto_reinforced")


class FlowProposal(Base):
    """A proposed new flow or change to a flow, or the record of a reinforcement.

    proposal_type: new_flow (nothing fits, a whole flow is proposed), enhancement (a flow
    fitted but the session left it), branch_addition (one new branch for a flow),
    auto_reinforced (the session followed a flow; kept for tracking, never reviewed).
    status: pending, approved, modified (edited before publishing), rejected, dismissed
    (parked, can still be reviewed), auto_reinforced.
    """

    __tablename__ = "flow_proposals"
    __table_args__ = (
        CheckConstraint(
            "proposal_type IN ('new_flow', 'enhancement', 'branch_addition', 'auto_reinforced')",
            name="type",
        ),
        CheckConstraint(
            "status IN ('pending', 'approved', 'modified', 'rejected', 'dismissed', "
            "'auto_reinforced')",
            name="status",
        ),
        CheckConstraint("confidence_score >= 0 AND confidence_score <= 1", name="confidence"),
        CheckConstraint("supporting_session_count >= 1", name="supporting_count"),
        Index("ix_flow_proposals_account_status", "account_id", "status", "created_at"),
        Index("ix_flow_proposals_account_domain", "account_id", "problem_domain", "status"),
        Index("ix_flow_proposals_account_created", "account_id", "created_at"),
        # The review queue: its DESC sorts under a status filter (scanned backward, so one
        # index serves both directions), its domain filter, and its week windows of decisions.
        Index(
            "ix_flow_proposals_account_status_confidence",
            "account_id",
            "status",
            "confidence_score",
            "created_at",
        ),
        Index(
            "ix_flow_proposals_account_status_sessions",
            "account_id",
            "status",
            "supporting_session_count",
            "created_at",
        ),
        Index(
            "ix_flow_proposals_account_domain_created", "account_id", "problem_domain", "created_at"
        ),
        Index("ix_flow_proposals_account_status_reviewed", "account_id", "status", "reviewed_at"),
        # One proposal per source session: analysing a session twice cannot add a second.
        Index("ix_flow_proposals_source_session", "source_session_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    source_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE")
    )
    proposal_type: Mapped[str] = mapped_column(String(30))
    target_flow_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("flows.id", ondelete="SET NULL")
    )
    # The version of the target flow the diff was written against.
    target_flow_version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    # new_flow: {tree_structure, match_keywords}; enhancement: {new_nodes, modified_options}.
    proposed_flow_data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # enhancement: {diff_description, new_nodes, modified_options}.
    proposed_diff: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # enhancement: the target flow with the diff applied, ready to publish.
    merged_flow_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # While pending: {"base": the tree it started with, "routes": [{"steps", "sessions",
    # "gained"}]}, the distinct routes folded in since, each with its session count and what
    # each option gained per session (flows.fold.refold). Read only when a session is merged
    # in, so it is not loaded with the proposal.
    fold_record: Mapped[dict[str, Any] | None] = mapped_column(JSONType, deferred=True)
    match_keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    confidence_score: Mapped[float] = mapped_column(Float, default=0.0)
    supporting_session_count: Mapped[int] = mapped_column(Integer, default=1)
    supporting_session_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The supporting sessions' problem summaries (capped), kept here so similarity checks
    # read one row per candidate instead of joining sessions.
    supporting_summaries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    problem_domain: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30), default="pending")
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewer_notes: Mapped[str | None] = mapped_column(Text)
    # When a reviewer published a flow holding high-risk commands: who acknowledged what, when.
    risk_acknowledgement: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    published_flow_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("flows.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column()
    # What wrote the content: the provider's name, or "offline_fallback" when the model's
    # answer could not be used and the offline draft was proposed; then `model_error` says why.
    generated_by: Mapped[str | None] = mapped_column(String(40))
    model_error: Mapped[str | None] = mapped_column(Text)
