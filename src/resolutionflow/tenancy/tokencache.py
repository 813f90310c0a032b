"""Who an API token belongs to, remembered between reads in one server process.

Every API call starts by finding its token, the token's user and their account: a round trip
and three ORM objects built, which cost a read of the review queue about as much as its own
query. Reads (GET, HEAD) on PostgreSQL take them from here; writes always ask the database.

What is remembered never outlives a change to it. Triggers on api_tokens, users and accounts
NOTIFY every process when a column sign-in depends on is written (models/sign_in_notices.py);
each process LISTENs on a connection of its own and forgets everything when told. The process
that writes forgets at once too, at the statement and again at its commit, without waiting for
the notice. Nothing is remembered while the listening connection is not up (it is opened in
the background on the first read and again after it is lost), nor on SQLite, which has no
NOTIFY. An entry also lapses after `TTL_SECONDS`, and at most `MAX_ENTRIES` tokens are kept.
Unknown or revoked tokens are never remembered: every guess still goes to the database.

Each request gets its own copies of the user and account, attached to its own session, as if
it had loaded them: nothing one request changes reaches another.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import Engine, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from resolutionflow.config import Settings
from resolutionflow.db import on_dispose
from resolutionflow.models import Account, ApiToken, User
from resolutionflow.models.sign_in_notices import SIGN_IN_CHANNEL, SIGN_IN_COLUMNS

log = logging.getLogger(__name__)

_Model = TypeVar("_Model", User, Account)

TTL_SECONDS = 30.0
MAX_ENTRIES = 10_000
RETRY_SECONDS = 5.0


def _columns(obj: Any) -> dict[str, Any]:
    return {attr.key: getattr(obj, attr.key) for attr in sa_inspect(type(obj)).column_attrs}


@dataclass(frozen=True, slots=True)
class Known:
    """A token found valid: its owner's and account's columns, as read from the database."""

    token_id: uuid.UUID
    last_used_at: datetime | None
    user: dict[str, Any]
    account: dict[str, Any]
    stored_at: float

    def user_and_account(self, db: AsyncSession) -> tuple[User, Account]:
        """Fresh copies for this request, attached to its session as if it had loaded them."""
        account_values = dict(self.account)
        account_values["settings"] = orjson.loads(orjson.dumps(account_values["settings"]))
        user, account = _loaded(User, self.user), _loaded(Account, account_values)
        db.add(user)
        db.add(account)
        return user, account


def _loaded(cls: type[_Model], values: dict[str, Any]) -> _Model:
    """An instance holding these column values as if a query had loaded them (no change
    history), detached: the constructor's attribute events are skipped, as a load skips them."""
    obj: _Model = sa_inspect(cls).class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    return obj


class TokenCache:
    """The tokens one process remembers for one PostgreSQL database."""

    def __init__(self, database_url: str) -> None:
        self.dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
        self.entries: OrderedDict[str, Known] = OrderedDict()
        # Bumped by every forget: an answer read before a change is not stored after it.
        self.generation = 0
        self.connection: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.connecting: asyncio.Task[None] | None = None
        self.retry_at = 0.0

    # -- what is remembered ------------------------------------------------------------

    def get(self, token_hash: str) -> Known | None:
        if not self.listening():
            return None
        known = self.entries.get(token_hash)
        if known is None:
            return None
        if time.monotonic() - known.stored_at > TTL_SECONDS:
            del self.entries[token_hash]
            return None
        self.entries.move_to_end(token_hash)
        return known

    def put(
        self, token_hash: str, token: ApiToken, user: User, account: Account, generation: int
    ) -> None:
        if generation != self.generation or not self.listening():
            return  # something changed while it was read, or nobody would tell us of a change
        self.entries[token_hash] = Known(
            token_id=token.id,
            last_used_at=token.last_used_at,
            user=_columns(user),
            account=_columns(account),
            stored_at=time.monotonic(),
        )
        self.entries.move_to_end(token_hash)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)

    def touched(self, token_hash: str, when: datetime) -> None:
        known = self.entries.get(token_hash)
        if known is not None:
            self.entries[token_hash] = replace(known, last_used_at=when)

    def forget(self) -> None:
        self.generation += 1
        self.entries.clear()

    # -- listening -----------------------------------------------------------------------

    def listening(self) -> bool:
        """True when this loop's LISTEN connection is up; else start one in the background."""
        loop = asyncio.get_running_loop()
        connection = self.connection
        if connection is not None and self.loop is loop and not connection.is_closed():
            return True
        if self.loop is not loop:
            self._drop()  # a connection of another event loop is of no use here
        if connection is not None and connection.is_closed():
            self._lost()
        if self.connecting is None and time.monotonic() >= self.retry_at:
            self.loop = loop
            self.connecting = loop.create_task(self._connect())
        return False

    async def _connect(self) -> None:
        import asyncpg

        connection = None
        try:
            connection = await asyncpg.connect(self.dsn, timeout=5)
            connection.add_termination_listener(lambda _connection: self._lost())
            await connection.add_listener(SIGN_IN_CHANNEL, self._notified)
        except asyncio.CancelledError:
            _terminate(connection)
            raise
        except Exception as exc:  # any failure: keep asking the database
            self.retry_at = time.monotonic() + RETRY_SECONDS
            log.warning(
                "cannot listen for sign-in changes; API tokens are checked in the database "
                "on every request until it can (retrying in %.0f s): %s",
                RETRY_SECONDS,
                exc,
            )
            _terminate(connection)
            return
        finally:
            self.connecting = None
        self.forget()  # anything remembered before now was not watched
        self.connection = connection

    def _notified(self, *_args: Any) -> None:
        self.forget()

    def _lost(self) -> None:
        self.connection = None
        self.forget()

    def _drop(self) -> None:
        if self.connecting is not None:
            self.connecting.cancel()
            self.connecting = None
        _terminate(self.connection)
        self.connection = None
        self.loop = None
        self.forget()

    async def close(self) -> None:
        connecting, connection = self.connecting, self.connection
        same_loop = self.loop is asyncio.get_running_loop()
        self.connecting = self.connection = self.loop = None
        self.forget()
        if connecting is not None and same_loop:
            connecting.cancel()
            await asyncio.gather(connecting, return_exceptions=True)
        if connection is not None and not connection.is_closed():
            if same_loop:
                try:
                    await connection.close(timeout=2)
                except Exception:  # a broken connection: drop it rather than fail shutdown
                    _terminate(connection)
            else:
                _terminate(connection)


def _terminate(connection: Any) -> None:
    """Close a connection at once, even one whose event loop has ended (tests run one loop
    each): its socket goes, and nothing of it is awaited."""
    if connection is None:
        return
    try:
        connection.terminate()
    except Exception as exc:  # a closed loop refuses the callback; the socket is gone anyway
        log.debug("closing the sign-in listener: %s", exc)


_caches: dict[str, TokenCache] = {}


def cache_for(settings: Settings) -> TokenCache | None:
    """This process's token cache for the settings' database, or None where there is none."""
    if settings.is_sqlite or not settings.token_cache:
        return None
    cache = _caches.get(settings.database_url)
    if cache is None:
        cache = _caches[settings.database_url] = TokenCache(settings.database_url)
    return cache


def forget_everywhere() -> None:
    for cache in _caches.values():
        cache.forget()


async def _close_all() -> None:
    for cache in list(_caches.values()):
        await cache.close()
    _caches.clear()


on_dispose(_close_all)


# -- this process's own writes ------------------------------------------------------------

_WRITE = re.compile(
    r"\s*(?:UPDATE\s+\"?(?P<update>\w+)\"?\s+SET\s+(?P<set>.*?)(?:\s+(?:WHERE|FROM|RETURNING)\s|$)"
    r"|DELETE\s+FROM\s+\"?(?P<delete>\w+)\"?"
    r"|TRUNCATE\s+(?:TABLE\s+)?(?P<truncate>[^;]*))",
    re.IGNORECASE | re.DOTALL,
)
_SET_COLUMN = re.compile(r"(?:^|,)\s*\"?(\w+)\"?\s*=")


def changes_sign_in(statement: str) -> bool:
    """Whether a SQL statement writes what a token's sign-in depends on (SIGN_IN_COLUMNS)."""
    head = statement[:12].lstrip().upper()
    if not head.startswith(("UPDATE", "DELETE", "TRUNCATE")):
        return False
    match = _WRITE.match(statement)
    if match is None:
        return True  # a write we cannot read: forgetting costs one lookup
    if match["truncate"] is not None:
        tables = {name.strip('" ').lower() for name in re.split(r"[,\s]+", match["truncate"])}
        return bool(tables & SIGN_IN_COLUMNS.keys())
    table = (match["update"] or match["delete"]).lower()
    if table not in SIGN_IN_COLUMNS:
        return False
    columns = SIGN_IN_COLUMNS[table]
    if match["delete"] is not None or columns is None:
        return True
    written = {name.lower() for name in _SET_COLUMN.findall(match["set"])}
    return not written or bool(written & set(columns))


_TOUCHED = "rf_sign_in_written"


@event.listens_for(Engine, "after_cursor_execute")
def _after_statement(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if _caches and changes_sign_in(statement):
        forget_everywhere()
        conn.info[_TOUCHED] = True


@event.listens_for(Engine, "commit")
def _after_commit(conn: Any) -> None:
    # Forget again as the transaction commits: another request may have read the old rows
    # since the statement. One that reads them in the instant before the commit lands is
    # forgotten by the notice, which comes after it.
    if conn.info.pop(_TOUCHED, False):
        forget_everywhere()


@event.listens_for(Engine, "rollback")
def _after_rollback(conn: Any) -> None:
    conn.info.pop(_TOUCHED, None)
