"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from resolutionflow import models
from resolutionflow.config import Settings
from resolutionflow.migrations.runner import head_revision, upgrade
from resolutionflow.models.sign_in_notices import SIGN_IN_COLUMNS
from tests.dbutil import create_pg_database, drop_pg_database, postgres_admin_url, sync_pg_url


def _diff_after_upgrade(async_url: str, sync_url: str) -> tuple[list, set[str], str | None]:
    upgrade(Settings(database_url=async_url))
    engine = create_engine(sync_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, models.Base.metadata)
            tables = set(inspect(conn).get_table_names())
            revision = ctx.get_current_revision()
    finally:
        engine.dispose()
    return diff, tables, revision


def _check(diff: list, tables: set[str], revision: str | None) -> None:
    assert diff == [], f"migrations and models disagree: {diff}"
    assert set(models.Base.metadata.tables) <= tables
    assert revision == head_revision()


def test_sqlite_migrations_match_models(tmp_path: Path) -> None:
    path = tmp_path / "migrated.db"
    _check(*_diff_after_upgrade(f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"))


def test_postgres_migrations_match_models() -> None:
    if postgres_admin_url() is None:
        pytest.skip("PostgreSQL not configured")
    url = create_pg_database("rf_migrate")
    try:
        _check(*_diff_after_upgrade(url, sync_pg_url(url)))
        assert _sign_in_triggers(sync_pg_url(url)) == set(SIGN_IN_COLUMNS)
        # Running the upgrade again is a no-op, not an error.
        upgrade(Settings(database_url=url))
    finally:
        drop_pg_database(url)


def _sign_in_triggers(sync_url: str) -> set[str]:
    """The tables whose writes notify sign-in changes (models/sign_in_notices.py)."""
    engine = create_engine(sync_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT tgrelid::regclass::text FROM pg_trigger "
                    "WHERE tgname = 'rf_sign_in_changed' AND NOT tgisinternal"
                )
            )
            return {row[0] for row in rows}
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgres_schema_from_models_has_the_sign_in_triggers(database_url: str) -> None:
    assert _sign_in_triggers(sync_pg_url(database_url)) == set(SIGN_IN_COLUMNS)


def test_models_declare_the_seed_checks() -> None:
    proposals = models.Base.metadata.tables["flow_proposals"]
    checks = {
        c.name: str(c.sqltext)
        for c in proposals.constraints
        if c.__class__.__name__ == "CheckConstraint"
    }
    joined = " ".join(checks.values())
    for value in models.PROPOSAL_TYPES + models.PROPOSAL_STATUSES:
        assert f"'{value}'" in joined
