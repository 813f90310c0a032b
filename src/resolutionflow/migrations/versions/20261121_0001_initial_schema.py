"""Initial schema: accounts, teams, users, tokens, flows and versions, sessions, steps,
proposals, notifications.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 04:48:55.542717
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from resolutionflow.models.base import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _late_fk(columns: list[str], table: str, name: str) -> list[sa.ForeignKeyConstraint]:
    """Foreign keys that close a cycle between tables.

    SQLite accepts them inline (it does not check the referenced table at creation) but cannot
    add them later; PostgreSQL adds them once both tables exist.
    """
    if _sqlite():
        return [sa.ForeignKeyConstraint(columns, [f"{table}.id"], name=name, ondelete="SET NULL")]
    return []


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("slug", name=op.f("uq_accounts_slug")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_teams_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("account_id", "slug", name=op.f("uq_teams_account_id_slug")),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_account_id"), ["account_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('engineer', 'team_admin', 'admin')", name=op.f("ck_users_role")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_users_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_users_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_team_id"), ["team_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_api_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_api_tokens_user_id", ["user_id"], unique=False)

    op.create_table(
        "flows",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("key", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tree_type", sa.String(length=30), nullable=False),
        sa.Column("tree_structure", JSON, nullable=False),
        sa.Column("match_keywords", JSON, nullable=False),
        sa.Column("problem_domain", sa.String(length=100), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("source_session_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("success_rate", sa.Float(), nullable=True),
        sa.Column("last_matched_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("usage_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "origin IN ('manual', 'imported', 'ai_generated', 'ai_enhanced')",
            name=op.f("ck_flows_origin"),
        ),
        sa.CheckConstraint(
            "success_rate >= 0 AND success_rate <= 1", name=op.f("ck_flows_success_rate")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_flows_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_flows_author_id_users"), ondelete="SET NULL"
        ),
        *_late_fk(["source_session_id"], "sessions", "fk_flows_source_session_id_sessions"),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_flows_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flows")),
        sa.UniqueConstraint("account_id", "key", name=op.f("uq_flows_account_id_key")),
    )
    with op.batch_alter_table("flows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_flows_account_domain", ["account_id", "problem_domain"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_flows_account_id"), ["account_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notifications_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_user_created", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "flow_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("flow_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tree_structure", JSON, nullable=False),
        sa.Column("match_keywords", JSON, nullable=False),
        sa.Column("problem_domain", sa.String(length=100), nullable=True),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("proposal_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_flow_versions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_flow_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["flows.id"],
            name=op.f("fk_flow_versions_flow_id_flows"),
            ondelete="CASCADE",
        ),
        *_late_fk(["proposal_id"], "flow_proposals", "fk_flow_versions_proposal_id_flow_proposals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_versions")),
        sa.UniqueConstraint("flow_id", "version", name=op.f("uq_flow_versions_flow_id_version")),
    )
    with op.batch_alter_table("flow_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_flow_versions_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("engineer_id", sa.Uuid(), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("problem_summary", sa.Text(), nullable=False),
        sa.Column("problem_domain", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("confidence_tier", sa.String(length=20), nullable=False),
        sa.Column("confidence_score", sa.Float(), nullable=False),
        sa.Column("matched_flow_id", sa.Uuid(), nullable=True),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.Column("resolution_summary", sa.Text(), nullable=True),
        sa.Column("escalation_reason", sa.Text(), nullable=True),
        sa.Column("psa_provider", sa.String(length=50), nullable=True),
        sa.Column("psa_ticket_id", sa.String(length=100), nullable=True),
        sa.Column("time_spent_minutes", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("analysis_status", sa.String(length=20), nullable=True),
        sa.Column("analysis_attempts", sa.Integer(), nullable=False),
        sa.Column("analysis_error", sa.Text(), nullable=True),
        sa.Column("analysis_not_before", UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("analyzed_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "analysis_status IS NULL OR analysis_status IN ('pending', 'processing', 'completed', 'failed', 'skipped', 'waiting')",
            name=op.f("ck_sessions_analysis_status"),
        ),
        sa.CheckConstraint(
            "confidence_tier IN ('high', 'medium', 'low', 'discovery')",
            name=op.f("ck_sessions_confidence_tier"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'resolved', 'escalated', 'requesting_escalation', 'abandoned')",
            name=op.f("ck_sessions_status"),
        ),
        sa.CheckConstraint(
            "confidence_score >= 0 AND confidence_score <= 1",
            name=op.f("ck_sessions_confidence_score"),
        ),
        sa.CheckConstraint(
            "match_score IS NULL OR (match_score >= 0 AND match_score <= 1)",
            name=op.f("ck_sessions_match_score"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["users.id"],
            name=op.f("fk_sessions_engineer_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["matched_flow_id"],
            ["flows.id"],
            name=op.f("fk_sessions_matched_flow_id_flows"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_sessions_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint(
            "account_id", "external_id", name=op.f("uq_sessions_account_id_external_id")
        ),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sessions_account_created", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_sessions_account_domain", ["account_id", "problem_domain"], unique=False
        )
        batch_op.create_index(
            "ix_sessions_analysis_queue", ["analysis_status", "resolved_at"], unique=False
        )

    op.create_table(
        "flow_proposals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("source_session_id", sa.Uuid(), nullable=False),
        sa.Column("proposal_type", sa.String(length=30), nullable=False),
        sa.Column("target_flow_id", sa.Uuid(), nullable=True),
        sa.Column("target_flow_version", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("proposed_flow_data", JSON, nullable=False),
        sa.Column("proposed_diff", JSON, nullable=True),
        sa.Column("merged_flow_data", JSON, nullable=True),
        sa.Column("match_keywords", JSON, nullable=False),
        sa.Column("confidence_score", sa.Float(), nullable=False),
        sa.Column("supporting_session_count", sa.Integer(), nullable=False),
        sa.Column("supporting_session_ids", JSON, nullable=False),
        sa.Column("problem_domain", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        sa.Column("reviewer_notes", sa.Text(), nullable=True),
        sa.Column("published_flow_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "proposal_type IN ('new_flow', 'enhancement', 'branch_addition', 'auto_reinforced')",
            name=op.f("ck_flow_proposals_type"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'modified', 'rejected', 'dismissed', 'auto_reinforced')",
            name=op.f("ck_flow_proposals_status"),
        ),
        sa.CheckConstraint(
            "confidence_score >= 0 AND confidence_score <= 1",
            name=op.f("ck_flow_proposals_confidence"),
        ),
        sa.CheckConstraint(
            "supporting_session_count >= 1", name=op.f("ck_flow_proposals_supporting_count")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_flow_proposals_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_flow_id"],
            ["flows.id"],
            name=op.f("fk_flow_proposals_published_flow_id_flows"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["users.id"],
            name=op.f("fk_flow_proposals_reviewed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_session_id"],
            ["sessions.id"],
            name=op.f("fk_flow_proposals_source_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_flow_id"],
            ["flows.id"],
            name=op.f("fk_flow_proposals_target_flow_id_flows"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_flow_proposals_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_proposals")),
    )
    with op.batch_alter_table("flow_proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_flow_proposals_account_created", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_flow_proposals_account_domain",
            ["account_id", "problem_domain", "status"],
            unique=False,
        )
        batch_op.create_index(
            "ix_flow_proposals_account_status", ["account_id", "status", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_flow_proposals_source_session", ["source_session_id"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_flow_proposals_team_id"), ["team_id"], unique=False)

    op.create_table(
        "session_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("step_order", sa.Integer(), nullable=False),
        sa.Column("step_type", sa.String(length=20), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("context_message", sa.Text(), nullable=True),
        sa.Column("options_presented", JSON, nullable=True),
        sa.Column("selected_option", sa.String(length=500), nullable=True),
        sa.Column("free_text_input", sa.Text(), nullable=True),
        sa.Column("was_free_text", sa.Boolean(), nullable=False),
        sa.Column("was_skipped", sa.Boolean(), nullable=False),
        sa.Column("action_result", JSON, nullable=True),
        sa.Column("responded_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "step_type IN ('question', 'action', 'info', 'resolution')",
            name=op.f("ck_session_steps_step_type"),
        ),
        sa.CheckConstraint("step_order >= 0", name=op.f("ck_session_steps_step_order")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_session_steps_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_steps_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_steps")),
        sa.UniqueConstraint(
            "session_id", "step_order", name=op.f("uq_session_steps_session_id_step_order")
        ),
    )
    with op.batch_alter_table("session_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_steps_account_id"), ["account_id"], unique=False
        )

    if not _sqlite():
        op.create_foreign_key(
            "fk_flows_source_session_id_sessions",
            "flows",
            "sessions",
            ["source_session_id"],
            ["id"],
            ondelete="SET NULL",
        )
        op.create_foreign_key(
            "fk_flow_versions_proposal_id_flow_proposals",
            "flow_versions",
            "flow_proposals",
            ["proposal_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    if not _sqlite():
        op.drop_constraint("fk_flow_versions_proposal_id_flow_proposals", "flow_versions")
        op.drop_constraint("fk_flows_source_session_id_sessions", "flows")
    with op.batch_alter_table("session_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_steps_account_id"))

    op.drop_table("session_steps")
    with op.batch_alter_table("flow_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flow_proposals_team_id"))
        batch_op.drop_index("ix_flow_proposals_source_session")
        batch_op.drop_index("ix_flow_proposals_account_status")
        batch_op.drop_index("ix_flow_proposals_account_domain")
        batch_op.drop_index("ix_flow_proposals_account_created")

    op.drop_table("flow_proposals")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_analysis_queue")
        batch_op.drop_index("ix_sessions_account_domain")
        batch_op.drop_index("ix_sessions_account_created")

    op.drop_table("sessions")
    with op.batch_alter_table("flow_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flow_versions_account_id"))

    op.drop_table("flow_versions")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_created")
        batch_op.drop_index(batch_op.f("ix_notifications_account_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("flows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flows_account_id"))
        batch_op.drop_index("ix_flows_account_domain")

    op.drop_table("flows")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_api_tokens_user_id")
        batch_op.drop_index(batch_op.f("ix_api_tokens_account_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_team_id"))
        batch_op.drop_index(batch_op.f("ix_users_account_id"))

    op.drop_table("users")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_account_id"))

    op.drop_table("teams")
    op.drop_table("accounts")
