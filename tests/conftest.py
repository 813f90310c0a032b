"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, each on clean tables."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow import models
from resolutionflow.config import Settings, reset_settings
from resolutionflow.db import dispose_engines, get_sessionmaker
from tests.dbutil import (
    PG_URL_ENV,
    create_pg_database,
    drop_pg_database,
    postgres_admin_url,
    sync_pg_url,
)

# Fixtures shared across areas live in tests/fixtures/, one module per kind of harness.
pytest_plugins = [
    "tests.fixtures.ai",
    "tests.fixtures.api",
    "tests.fixtures.cli",
    "tests.fixtures.desk",
    "tests.fixtures.web",
]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    models.Base.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[str | None]:
    if postgres_admin_url() is None:
        yield None
        return
    url = create_pg_database("rf_test")
    engine = create_engine(sync_pg_url(url))
    models.Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    drop_pg_database(url)


_TABLES = ", ".join(t.name for t in models.Base.metadata.sorted_tables)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path
) -> Iterator[str]:
    """A clean database with the current schema, on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(_sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("_postgres_database")
    if url is None:
        pytest.skip(f"PostgreSQL not configured ({PG_URL_ENV})")
    engine = create_engine(sync_pg_url(url))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {_TABLES} CASCADE"))
    engine.dispose()
    yield url


@pytest.fixture
def backend(database_url: str) -> str:
    return "postgres" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
async def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Settings]:
    monkeypatch.setenv("RESOLUTIONFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("RESOLUTIONFLOW_SECRET_KEY", "test-secret-key")
    reset_settings()
    yield Settings()
    await dispose_engines()
    reset_settings()


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A database session for arranging and checking; commit to make rows visible to others."""
    async with get_sessionmaker(settings)() as session:
        yield session


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema at all), for migrations and the CLI."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    if postgres_admin_url() is None:
        pytest.skip(f"PostgreSQL not configured ({PG_URL_ENV})")
    url = create_pg_database("rf_fresh")
    yield url
    drop_pg_database(url)
