"""The PostgreSQL pool hands out working connections without pinging busy ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from resolutionflow import db as dbmod
from tests.dbutil import create_pg_database, drop_pg_database, postgres_admin_url, sync_pg_url


async def _backend_pid(engine: dbmod.AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.fixture
def pg_url() -> Iterator[str]:
    # PostgreSQL only: SQLite has no server to drop a connection, and no pool to ping.
    if postgres_admin_url() is None:
        pytest.skip("PostgreSQL not configured")
    url = create_pg_database("rf_pool")
    yield url
    drop_pg_database(url)


async def test_a_dropped_idle_connection_is_replaced_unseen(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_database_url = pg_url
    engine = dbmod.make_engine(fresh_database_url, pool_size=1)
    pings: list[object] = []
    real_ping = engine.sync_engine.dialect.do_ping

    def counting_ping(connection: object) -> bool:
        pings.append(connection)
        return real_ping(connection)

    monkeypatch.setattr(engine.sync_engine.dialect, "do_ping", counting_ping)
    try:
        first = await _backend_pid(engine)
        assert await _backend_pid(engine) == first and pings == []  # busy: never pinged
        # The server drops the pooled connection while it sits idle (a restart, a timeout).
        admin = create_engine(sync_pg_url(fresh_database_url))
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        admin.dispose()
        monkeypatch.setattr(dbmod, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it idled long
        second = await _backend_pid(engine)  # no error: the ping found it dead, a new one came
        assert second != first and len(pings) == 1
    finally:
        await engine.dispose()
