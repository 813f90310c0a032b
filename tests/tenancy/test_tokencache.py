"""Reads remember whose an API token is, and forget at once whenever that changes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import Engine, event

from resolutionflow.config import Settings
from resolutionflow.db import get_sessionmaker
from resolutionflow.models import SIGN_IN_CHANNEL
from resolutionflow.tenancy.tokencache import TokenCache, cache_for, changes_sign_in
from tests.dbutil import sync_pg_url
from tests.fixtures.api import World

# What these tests watch exists on PostgreSQL only (SQLite has no NOTIFY and remembers nothing).
postgres_only = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

ME = "/api/v1/auth/me"
USERS = "/api/v1/users"  # admins only


@pytest.fixture
def lookups() -> Iterator[list[str]]:
    """The token lookups this process sends to the database while the test runs."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM api_tokens" in statement:
            seen.append(statement)

    event.listen(Engine, "after_cursor_execute", count)
    yield seen
    event.remove(Engine, "after_cursor_execute", count)


async def _listening(client: httpx.AsyncClient, world: World, settings: Settings) -> TokenCache:
    """The cache once its LISTEN connection is up (the first read starts it) and the admin's
    token is remembered."""
    cache = cache_for(settings)
    assert cache is not None
    for _ in range(500):
        if cache.connection is not None:
            assert (await client.get(ME, headers=world.admin.headers)).status_code == 200
            return cache
        assert (await client.get(ME, headers=world.admin.headers)).status_code == 200
        await asyncio.sleep(0.01)
    raise AssertionError("the cache never started listening")


def _plain_url(settings: Settings) -> str:
    """The database's URL as psycopg itself takes it (no SQLAlchemy driver name)."""
    return sync_pg_url(settings.database_url).replace("postgresql+psycopg://", "postgresql://")


def _elsewhere(settings: Settings, sql: str, *params: Any) -> None:
    """A write from another process's connection: no SQLAlchemy, so only the notice tells."""
    with psycopg.connect(_plain_url(settings), autocommit=True) as conn:
        conn.execute(sql, params)


async def _until(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], status: int
) -> None:
    for _ in range(300):
        if (await client.get(path, headers=headers)).status_code == status:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} never answered {status}")


@pytest.mark.parametrize(
    ("statement", "changes"),
    [
        ("UPDATE api_tokens SET last_used_at=$1::TIMESTAMP WHERE api_tokens.id = $2", False),
        ("UPDATE api_tokens SET revoked_at=$1 WHERE api_tokens.id = $2", True),
        ('UPDATE "api_tokens" SET last_used_at=%s, revoked_at=%s WHERE id = %s', True),
        ("UPDATE users SET name=$1 WHERE users.id = $2", True),
        ("update users set is_active = false", True),
        ("UPDATE accounts SET data_version=(accounts.data_version + $1) WHERE id = $2", False),
        ("UPDATE accounts SET settings=$1::JSONB WHERE accounts.id = $2", True),
        ("DELETE FROM accounts WHERE accounts.id = $1", True),
        ("DELETE FROM sessions WHERE id = $1", False),
        ("TRUNCATE flow_proposals, users, accounts CASCADE", True),
        ("TRUNCATE TABLE sessions", False),
        ("UPDATE sessions SET status=$1 WHERE id = $2", False),
        ("SELECT * FROM users", False),
        ("INSERT INTO api_tokens (id) VALUES ($1)", False),
    ],
)
def test_which_writes_change_sign_in(statement: str, changes: bool) -> None:
    assert changes_sign_in(statement) is changes


async def test_reads_remember_the_token_on_postgres_only(
    client: httpx.AsyncClient, world: World, app_settings: Settings, lookups: list[str]
) -> None:
    if app_settings.is_sqlite:
        assert cache_for(app_settings) is None  # no NOTIFY: every read asks the database
        for _ in range(3):
            assert (await client.get(ME, headers=world.admin.headers)).status_code == 200
        assert len(lookups) == 3
        return
    await _listening(client, world, app_settings)
    lookups.clear()
    for _ in range(3):
        response = await client.get(ME, headers=world.admin.headers)
        assert response.status_code == 200
        assert response.json()["user"]["email"] == world.admin.user.email
    assert lookups == []
    # Writes always ask the database.
    posted = await client.post("/api/v1/notifications/read", json={}, headers=world.admin.headers)
    assert posted.status_code == 200 and len(lookups) == 1


async def test_turned_off_it_remembers_nothing(app_settings: Settings) -> None:
    assert cache_for(app_settings.model_copy(update={"token_cache": False})) is None


@postgres_only
@pytest.mark.parametrize(
    ("sql", "path", "status"),
    [
        ("UPDATE api_tokens SET revoked_at = now() WHERE user_id = %s", ME, 401),
        ("UPDATE users SET is_active = false WHERE id = %s", ME, 401),
        ("UPDATE users SET role = 'engineer' WHERE id = %s", USERS, 403),
        ("DELETE FROM api_tokens WHERE user_id = %s", ME, 401),
    ],
)
async def test_a_change_made_elsewhere_is_noticed(
    client: httpx.AsyncClient,
    world: World,
    app_settings: Settings,
    sql: str,
    path: str,
    status: int,
) -> None:
    await _listening(client, world, app_settings)
    assert (await client.get(path, headers=world.admin.headers)).status_code == 200
    _elsewhere(app_settings, sql, world.admin.user.id)
    await _until(client, path, world.admin.headers, status)


@postgres_only
async def test_an_account_renamed_elsewhere_is_noticed(
    client: httpx.AsyncClient, world: World, app_settings: Settings
) -> None:
    await _listening(client, world, app_settings)
    _elsewhere(
        app_settings, "UPDATE accounts SET slug = 'northwind-2' WHERE id = %s", world.account.id
    )
    for _ in range(300):
        me = (await client.get(ME, headers=world.admin.headers)).json()
        if me["account_slug"] == "northwind-2":
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the renamed account was never seen")


@postgres_only
async def test_ordinary_writes_keep_what_is_remembered(
    client: httpx.AsyncClient,
    world: World,
    app_settings: Settings,
    lookups: list[str],
) -> None:
    await _listening(client, world, app_settings)
    _elsewhere(
        app_settings,
        "UPDATE api_tokens SET last_used_at = now() WHERE user_id = %s",
        world.admin.user.id,
    )
    _elsewhere(
        app_settings,
        "UPDATE accounts SET data_version = data_version + 1 WHERE id = %s",
        world.account.id,
    )
    await asyncio.sleep(0.2)  # time for a notice, had one been sent
    lookups.clear()
    assert (await client.get(ME, headers=world.admin.headers)).status_code == 200
    assert lookups == []


@postgres_only
async def test_a_revocation_in_this_process_counts_at_once(
    client: httpx.AsyncClient, world: World, app_settings: Settings
) -> None:
    await _listening(client, world, app_settings)
    assert (await client.get(ME, headers=world.engineer.headers)).status_code == 200
    tokens = (await client.get("/api/v1/tokens", headers=world.admin.headers)).json()
    mine = next(t for t in tokens if t["user_id"] == str(world.engineer.user.id))
    revoked = await client.delete(f"/api/v1/tokens/{mine['id']}", headers=world.admin.headers)
    assert revoked.status_code == 200
    # No waiting for the notice: the very next read is refused.
    assert (await client.get(ME, headers=world.engineer.headers)).status_code == 401


@postgres_only
async def test_without_its_listening_connection_every_read_asks_the_database(
    client: httpx.AsyncClient,
    world: World,
    app_settings: Settings,
    lookups: list[str],
) -> None:
    cache = await _listening(client, world, app_settings)
    pid = cache.connection.get_server_pid()
    cache.retry_at = float("inf")  # hold the reconnection back while the test looks
    _elsewhere(app_settings, "SELECT pg_terminate_backend(%s)", pid)
    for _ in range(300):
        if cache.connection is None:
            break
        await asyncio.sleep(0.01)
    assert cache.connection is None and cache.entries == {}
    lookups.clear()
    for _ in range(3):
        assert (await client.get(ME, headers=world.admin.headers)).status_code == 200
    assert len(lookups) == 3
    cache.retry_at = 0.0  # it comes back by itself
    await _listening(client, world, app_settings)
    assert cache.connection.get_server_pid() != pid


@postgres_only
async def test_a_listener_that_cannot_connect_is_logged_and_reads_still_work(
    client: httpx.AsyncClient,
    world: World,
    app_settings: Settings,
    lookups: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = cache_for(app_settings)
    assert cache is not None
    cache.dsn = "postgresql://postgres@127.0.0.1:1/nowhere"
    with caplog.at_level(logging.WARNING, logger="resolutionflow.tenancy.tokencache"):
        for _ in range(5):
            assert (await client.get(ME, headers=world.admin.headers)).status_code == 200
            await asyncio.sleep(0.05)
    assert len(lookups) == 5 and cache.connection is None
    assert "cannot listen for sign-in changes" in caplog.text


@postgres_only
async def test_each_request_gets_its_own_copies(
    client: httpx.AsyncClient, world: World, app_settings: Settings
) -> None:
    cache = await _listening(client, world, app_settings)
    (known,) = cache.entries.values()
    maker = get_sessionmaker(app_settings)
    async with maker() as one, maker() as two:
        user, account = known.user_and_account(one)
        again, _ = known.user_and_account(two)
        assert user is not again and user.email == world.admin.user.email
        # Attached as if loaded: nothing to write, and refresh works.
        assert user in one and account in one and not one.dirty and not one.new
        await one.refresh(account)
        account.settings["webhook_url"] = "https://example.invalid/changed"
    assert "webhook_url" not in (known.account["settings"] or {})


@postgres_only
def test_the_triggers_notify_on_the_columns_that_count(app_settings: Settings) -> None:
    url = _plain_url(app_settings)
    with (
        psycopg.connect(url, autocommit=True) as listener,
        psycopg.connect(url, autocommit=True) as writer,
    ):
        listener.execute(f"LISTEN {SIGN_IN_CHANNEL}")
        writer.execute("UPDATE api_tokens SET last_used_at = now()")
        writer.execute("UPDATE accounts SET data_version = data_version + 1")
        assert list(listener.notifies(timeout=0.3)) == []
        writer.execute("UPDATE api_tokens SET revoked_at = NULL")
        writer.execute("UPDATE users SET name = name")
        writer.execute("UPDATE accounts SET settings = settings")
        got = [n.payload for n in listener.notifies(timeout=0.5, stop_after=3)]
        assert sorted(got) == ["accounts", "api_tokens", "users"]
