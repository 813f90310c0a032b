"""Programmatic Alembic: upgrade, current revision, and an autogenerate check."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from resolutionflow.config import Settings, get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url)
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return cfg


def upgrade(settings: Settings | None = None, revision: str = "head") -> None:
    """Bring the database up to `revision`. Runs its own event loop: call from sync code."""
    settings = settings or get_settings()
    command.upgrade(alembic_config(settings.database_url), revision)


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    def _current(sync_conn):  # type: ignore[no-untyped-def]
        return MigrationContext.configure(sync_conn).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(_current)
