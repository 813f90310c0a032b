"""Proposal counts per account, status, type and domain, kept current by database triggers.

The review queue shows the total matching a filter on every page and the pending count on its
stats; counting ~100k proposals per request was most of its cost. Triggers on flow_proposals
keep this rollup exact in the same transaction as the change, whoever writes (the ORM, bulk
inserts, COPY or plain SQL), so the totals are a SUM over a few hundred rows.

The trigger DDL lives here, once: `metadata.create_all` attaches it to flow_proposals, and the
migration that adds the rollup runs the same statements.
"""

from __future__ import annotations

import uuid

from sqlalchemy import DDL, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from resolutionflow.models.base import Base
from resolutionflow.models.proposal import FlowProposal

# A NULL domain is counted under '' so the four columns can form the primary key.
NO_DOMAIN = ""


class ProposalCount(Base):
    """How many proposals of an account have this status, type and domain ('' for none)."""

    __tablename__ = "proposal_counts"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    proposal_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    problem_domain: Mapped[str] = mapped_column(String(100), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


# PostgreSQL. Inserts and deletes use statement-level triggers over transition tables, so a
# COPY or a bulk insert of 200,000 rows costs one grouped upsert, not 200,000. Deletes only
# update (the counters exist since those proposals were counted in), which also keeps an
# account's cascading delete from re-creating counters for an account that is going away.
# Updates use a row-level trigger whose WHEN clause skips, without calling any function, every
# update that leaves the counted columns alone (most of them: merges, reviews' notes...).
# Upserts run in key order, so transactions adding to the same counters queue, not deadlock.
_PG_ADDED = """
CREATE OR REPLACE FUNCTION proposal_counts_added() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO proposal_counts AS c (account_id, status, proposal_type, problem_domain, n)
    SELECT account_id, status, proposal_type, coalesce(problem_domain, ''), count(*)
    FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (account_id, status, proposal_type, problem_domain)
    DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$fn$
"""
_PG_REMOVED = """
CREATE OR REPLACE FUNCTION proposal_counts_removed() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE proposal_counts AS c SET n = c.n - d.n
    FROM (
        SELECT account_id, status, proposal_type, coalesce(problem_domain, '') AS problem_domain,
               count(*) AS n
        FROM old_rows GROUP BY 1, 2, 3, 4
    ) AS d
    WHERE c.account_id = d.account_id AND c.status = d.status
        AND c.proposal_type = d.proposal_type AND c.problem_domain = d.problem_domain;
    RETURN NULL;
END
$fn$
"""
_PG_MOVED = """
CREATE OR REPLACE FUNCTION proposal_counts_moved() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE proposal_counts SET n = n - 1
    WHERE account_id = OLD.account_id AND status = OLD.status
        AND proposal_type = OLD.proposal_type
        AND problem_domain = coalesce(OLD.problem_domain, '');
    INSERT INTO proposal_counts AS c (account_id, status, proposal_type, problem_domain, n)
    VALUES (NEW.account_id, NEW.status, NEW.proposal_type, coalesce(NEW.problem_domain, ''), 1)
    ON CONFLICT (account_id, status, proposal_type, problem_domain) DO UPDATE SET n = c.n + 1;
    RETURN NULL;
END
$fn$
"""
_COUNTED_CHANGED = (
    "OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.proposal_type IS DISTINCT FROM NEW.proposal_type "
    "OR OLD.problem_domain IS DISTINCT FROM NEW.problem_domain"
)

PG_CREATE: tuple[str, ...] = (
    _PG_ADDED,
    _PG_REMOVED,
    _PG_MOVED,
    "CREATE TRIGGER proposal_counts_insert AFTER INSERT ON flow_proposals "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION proposal_counts_added()",
    "CREATE TRIGGER proposal_counts_update "
    "AFTER UPDATE OF account_id, status, proposal_type, problem_domain ON flow_proposals "
    f"FOR EACH ROW WHEN ({_COUNTED_CHANGED}) EXECUTE FUNCTION proposal_counts_moved()",
    "CREATE TRIGGER proposal_counts_delete AFTER DELETE ON flow_proposals "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION proposal_counts_removed()",
)
PG_DROP: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS proposal_counts_insert ON flow_proposals",
    "DROP TRIGGER IF EXISTS proposal_counts_update ON flow_proposals",
    "DROP TRIGGER IF EXISTS proposal_counts_delete ON flow_proposals",
    "DROP FUNCTION IF EXISTS proposal_counts_added()",
    "DROP FUNCTION IF EXISTS proposal_counts_removed()",
    "DROP FUNCTION IF EXISTS proposal_counts_moved()",
)

_SQLITE_ADD = """
    INSERT INTO proposal_counts (account_id, status, proposal_type, problem_domain, n)
    VALUES (NEW.account_id, NEW.status, NEW.proposal_type, coalesce(NEW.problem_domain, ''), 1)
    ON CONFLICT (account_id, status, proposal_type, problem_domain) DO UPDATE SET n = n + 1;
"""
_SQLITE_REMOVE = """
    UPDATE proposal_counts SET n = n - 1
    WHERE account_id = OLD.account_id AND status = OLD.status
        AND proposal_type = OLD.proposal_type
        AND problem_domain = coalesce(OLD.problem_domain, '');
"""

SQLITE_CREATE: tuple[str, ...] = (
    f"CREATE TRIGGER proposal_counts_insert AFTER INSERT ON flow_proposals BEGIN {_SQLITE_ADD} END",
    "CREATE TRIGGER proposal_counts_update "
    "AFTER UPDATE OF account_id, status, proposal_type, problem_domain ON flow_proposals "
    "WHEN OLD.account_id IS NOT NEW.account_id OR OLD.status IS NOT NEW.status "
    "OR OLD.proposal_type IS NOT NEW.proposal_type "
    "OR OLD.problem_domain IS NOT NEW.problem_domain "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
    f"CREATE TRIGGER proposal_counts_delete AFTER DELETE ON flow_proposals "
    f"BEGIN {_SQLITE_REMOVE} END",
)
SQLITE_DROP: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS proposal_counts_insert",
    "DROP TRIGGER IF EXISTS proposal_counts_update",
    "DROP TRIGGER IF EXISTS proposal_counts_delete",
)

# Counts the proposals already there (the migration runs it before creating the triggers).
BACKFILL = (
    "INSERT INTO proposal_counts (account_id, status, proposal_type, problem_domain, n) "
    "SELECT account_id, status, proposal_type, coalesce(problem_domain, ''), count(*) "
    "FROM flow_proposals GROUP BY account_id, status, proposal_type, coalesce(problem_domain, '')"
)


def trigger_ddl(dialect: str, *, drop: bool = False) -> tuple[str, ...]:
    """The statements that create (or drop) the triggers on this dialect, one per entry."""
    if dialect == "postgresql":
        return PG_DROP if drop else PG_CREATE
    if dialect == "sqlite":
        return SQLITE_DROP if drop else SQLITE_CREATE
    raise ValueError(f"no proposal_counts triggers for {dialect}")


def _attach() -> None:
    table = FlowProposal.__table__
    for dialect in ("postgresql", "sqlite"):
        for statement in trigger_ddl(dialect):
            # DDL %-formats its text (for table names): escape any literal percent sign.
            ddl = DDL(statement.replace("%", "%%")).execute_if(dialect=dialect)
            event.listen(table, "after_create", ddl)
    for statement in PG_DROP[3:]:  # the functions outlive the table's triggers
        event.listen(table, "after_drop", DDL(statement).execute_if(dialect="postgresql"))


_attach()
