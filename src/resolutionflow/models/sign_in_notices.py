"""PostgreSQL tells every process when something an API token's sign-in depends on changes.

Server processes remember who a token belongs to between requests (tenancy/tokencache.py).
A token revoked, a user deactivated or given another role, an account renamed or given other
settings must stop or change at once in every process, whoever made the change (the API,
the CLI, plain SQL). Statement triggers on api_tokens, users and accounts NOTIFY on
`SIGN_IN_CHANNEL` when such a column is written, and each process forgets what it remembered.

Columns written on ordinary use are left out, so they do not empty every cache: a token's
`last_used_at` (touched once a minute per token) and an account's `data_version` (bumped on
every resolved session). `SIGN_IN_COLUMNS` names what counts; None is every column.

The DDL lives here, once: `metadata.create_all` attaches it, and the migration that adds the
notices runs the same statements. SQLite has no NOTIFY: there nothing is remembered.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from resolutionflow.models.account import Account, ApiToken, User

SIGN_IN_CHANNEL = "rf_sign_in_changed"

SIGN_IN_COLUMNS: dict[str, tuple[str, ...] | None] = {
    "api_tokens": ("revoked_at", "token_hash", "user_id", "account_id"),
    "users": None,
    "accounts": ("slug", "name", "settings"),
}

_FUNCTION = "rf_sign_in_changed"

PG_CREATE_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN PERFORM pg_notify('{SIGN_IN_CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
)
PG_DROP_FUNCTION = f"DROP FUNCTION IF EXISTS {_FUNCTION}()"


def _trigger(table: str) -> str:
    columns = SIGN_IN_COLUMNS[table]
    update = "UPDATE" if columns is None else f"UPDATE OF {', '.join(columns)}"
    return (
        f"CREATE TRIGGER {_FUNCTION} AFTER {update} OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()"
    )


def trigger_ddl(*, drop: bool = False) -> tuple[str, ...]:
    """The PostgreSQL statements that create (or drop) the function and its triggers."""
    if drop:
        return (
            *(f"DROP TRIGGER IF EXISTS {_FUNCTION} ON {table}" for table in SIGN_IN_COLUMNS),
            PG_DROP_FUNCTION,
        )
    return (PG_CREATE_FUNCTION, *(_trigger(table) for table in SIGN_IN_COLUMNS))


def _attach() -> None:
    # accounts is created first (users and api_tokens refer to it): it brings the function.
    tables = {"accounts": Account, "users": User, "api_tokens": ApiToken}
    for name, model in tables.items():
        first = (PG_CREATE_FUNCTION,) if name == "accounts" else ()
        for statement in (*first, _trigger(name)):
            ddl = DDL(statement.replace("%", "%%")).execute_if(dialect="postgresql")
            event.listen(model.__table__, "after_create", ddl)


_attach()
