"""Database helpers for tests: where PostgreSQL is, and making and dropping test databases."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from resolutionflow.config import normalise_database_url

PG_URL_ENV = "RESOLUTIONFLOW_TEST_POSTGRES_URL"


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


def postgres_admin_url() -> str | None:
    """The PostgreSQL URL tests may use, or None. Fails hard when CI demands PostgreSQL."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        if _truthy("RESOLUTIONFLOW_REQUIRE_POSTGRES"):
            pytest.fail(f"{PG_URL_ENV} is not set but RESOLUTIONFLOW_REQUIRE_POSTGRES=1")
        return None
    return url


def sync_pg_url(url: str, database: str | None = None) -> str:
    """A psycopg (sync) URL for the same server, optionally another database."""
    base = normalise_database_url(url).replace("postgresql+asyncpg://", "postgresql+psycopg://")
    if database is not None:
        base = base.rsplit("/", 1)[0] + "/" + database
    return base


def create_pg_database(prefix: str) -> str:
    """Create a fresh PostgreSQL database; returns its async URL."""
    admin = postgres_admin_url()
    assert admin is not None
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(sync_pg_url(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return normalise_database_url(admin).rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    admin = postgres_admin_url()
    assert admin is not None
    name = url.rsplit("/", 1)[1]
    engine = create_engine(sync_pg_url(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()
