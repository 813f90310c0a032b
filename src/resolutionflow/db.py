"""Database engine, session factory and the unit of work used at every edge."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

import orjson
from sqlalchemy import event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from resolutionflow.config import Settings, get_settings

_engines: dict[str, AsyncEngine] = {}
_makers: dict[tuple[str, bool], async_sessionmaker[AsyncSession]] = {}


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself: the driver's own transaction handling breaks
    # SAVEPOINTs, which per-line import isolation relies on.
    dbapi_connection.isolation_level = None
    # WAL lets readers run beside the single writer; busy_timeout makes writers queue
    # instead of failing at once when a worker and the API write together.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE) and queue on busy_timeout; a
    # deferred transaction that reads and then writes could instead fail at once when another
    # connection wrote in between.
    mode = conn.get_execution_options().get("sqlite_begin", "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


# A pooled connection idle longer than this is pinged before it is handed out; one used more
# recently is not. A ping on asyncpg is three round trips (BEGIN, a query, ROLLBACK), which
# on every checkout cost each API request more than its own query. A connection the server
# dropped while in recent use fails its first statement instead, and SQLAlchemy then
# replaces the whole pool.
PING_AFTER_IDLE_SECONDS = 10.0


def _stamp_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(engine: AsyncEngine) -> Any:
    dialect = engine.sync_engine.dialect

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            if dialect.is_disconnect(cast(Any, exc), dbapi_connection, None):
                raise DisconnectionError("the pooled connection was closed") from exc
            raise

    return checkout


def _json_default(value: Any) -> Any:
    if isinstance(value, float):  # a float subclass (numpy's float64)
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_text(value: Any) -> str:
    """JSON columns' text: orjson, several times faster than the standard library on the
    trees, diffs and lists the flywheel writes per session. Keys that are not strings are
    written as strings, as the standard library writes them; NaN and infinity, which
    PostgreSQL's jsonb refuses, become null."""
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": 30},
            json_serializer=json_text,
            json_deserializer=orjson.loads,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        json_serializer=json_text,
        json_deserializer=orjson.loads,
    )
    event.listen(engine.sync_engine, "checkin", _stamp_checkin)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle(engine))
    return engine


def get_engine(settings: Settings | None = None) -> AsyncEngine:
    settings = settings or get_settings()
    url = settings.database_url
    if url not in _engines:
        _engines[url] = make_engine(
            url, echo=settings.database_echo, pool_size=settings.database_pool_size
        )
    return _engines[url]


def get_sessionmaker(
    settings: Settings | None = None, *, write: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions for reading, or for writing (on SQLite these take the write lock at BEGIN)."""
    settings = settings or get_settings()
    key = (settings.database_url, write)
    if key not in _makers:
        engine = get_engine(settings)
        if write and settings.is_sqlite:
            engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        _makers[key] = async_sessionmaker(engine, expire_on_commit=False)
    return _makers[key]


@asynccontextmanager
async def unit_of_work(
    settings: Settings | None = None, *, write: bool = True
) -> AsyncIterator[AsyncSession]:
    """One transaction: commits if the block ends normally, rolls back on any error."""
    maker = get_sessionmaker(settings, write=write)
    async with maker() as db:
        try:
            yield db
            await db.commit()
        except BaseException:
            await db.rollback()
            raise


_on_dispose: list[Callable[[], Awaitable[None]]] = []


def on_dispose(close: Callable[[], Awaitable[None]]) -> None:
    """Run `close` whenever the engines are disposed (shutdown, tests): for connections an
    area keeps outside the pools, such as a LISTEN connection."""
    if close not in _on_dispose:
        _on_dispose.append(close)


async def dispose_engines() -> None:
    for close in list(_on_dispose):
        await close()
    for engine in list(_engines.values()):
        await engine.dispose()
    _engines.clear()
    _makers.clear()


def is_postgres(db: AsyncSession) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched (its cursor result's rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)


_REPORT_SETTINGS = (
    "jit = off",
    "random_page_cost = 1.1",
    "work_mem = '64MB'",
    "enable_hashjoin = off",
    "enable_mergejoin = off",
)


async def tune_for_reports(db: AsyncSession) -> None:
    """Per-transaction planner settings for the reporting queries on PostgreSQL.

    Every report joins a period's sessions (a few percent of the history) to their steps.
    The planner misjudges how many steps the partial indexes' predicates select and prefers
    hashing every step of the account, ten times slower than probing the steps of each
    session of the period once the history is large; so hash and merge joins are off for
    this transaction (the reports' other queries join nothing big). JIT compilation costs
    more than it saves on sub-second aggregates; work_mem lets the groupings hash in memory
    instead of sorting text. None of this outlives the transaction.
    """
    if is_postgres(db):
        for setting in _REPORT_SETTINGS:
            await db.execute(text(f"SET LOCAL {setting}"))
