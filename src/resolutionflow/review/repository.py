"""SQL for flow proposals as the review queue reads them."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    Select,
    bindparam,
    func,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import rowcount
from resolutionflow.models import Flow, FlowProposal, ProposalCount
from resolutionflow.models.proposal_counts import NO_DOMAIN
from resolutionflow.tenancy.scope import scoped


async def all_proposals(
    db: AsyncSession,
    account_id: uuid.UUID,
    *,
    status: str | None = None,
    proposal_type: str | None = None,
    domain: str | None = None,
) -> list[FlowProposal]:
    stmt = scoped(FlowProposal, account_id)
    if status:
        stmt = stmt.where(FlowProposal.status == status)
    if proposal_type:
        stmt = stmt.where(FlowProposal.proposal_type == proposal_type)
    if domain:
        stmt = stmt.where(FlowProposal.problem_domain == domain)
    stmt = stmt.order_by(FlowProposal.created_at.desc(), FlowProposal.id)
    return list((await db.execute(stmt)).scalars())


SUMMARY_COLUMNS = (
    FlowProposal.id,
    FlowProposal.proposal_type,
    FlowProposal.status,
    FlowProposal.title,
    FlowProposal.problem_domain,
    FlowProposal.confidence_score,
    FlowProposal.supporting_session_count,
    FlowProposal.target_flow_id,
    FlowProposal.created_at,
    FlowProposal.reviewed_at,
)

# The hot read paths use Core over the tables, with statements built once per shape and
# values bound at execution: building and cache-keying a statement per request cost about as
# much as running it.
_P = FlowProposal.__table__.c
_C = ProposalCount.__table__.c
_ORDERS = {
    "confidence": (_P.confidence_score.desc(), _P.created_at.desc()),
    "sessions": (_P.supporting_session_count.desc(), _P.created_at.desc()),
    "newest": (_P.created_at.desc(),),
}


def _conditions(columns: Any, status: bool, proposal_type: bool, domain: bool) -> list[Any]:
    conditions = [columns.account_id == bindparam("account_id")]
    if status:
        conditions.append(columns.status == bindparam("status"))
    if proposal_type:
        conditions.append(columns.proposal_type == bindparam("proposal_type"))
    if domain:
        conditions.append(columns.problem_domain == bindparam("domain"))
    return conditions


@lru_cache(maxsize=64)
def _total_statement(status: bool, proposal_type: bool, domain: bool) -> Select[Any]:
    """How many proposals match, from the trigger-kept rollup (a few hundred rows at most)."""
    conditions = _conditions(_C, status, proposal_type, domain)
    return select(func.coalesce(func.sum(_C.n), 0)).where(*conditions)


@lru_cache(maxsize=64)
def _page_statement(status: bool, proposal_type: bool, domain: bool, sort_by: str) -> Select[Any]:
    # The total rides along as an uncorrelated subquery (evaluated once): one round trip.
    total = _total_statement(status, proposal_type, domain).scalar_subquery().label("total")
    return (
        select(*(_P[c.key] for c in SUMMARY_COLUMNS), total)
        .where(*_conditions(_P, status, proposal_type, domain))
        .order_by(*_ORDERS.get(sort_by, _ORDERS["newest"]), _P.id)
        .offset(bindparam("skip", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )


async def page(
    db: AsyncSession,
    account_id: uuid.UUID,
    *,
    status: str | None,
    proposal_type: str | None,
    domain: str | None,
    sort_by: str,
    skip: int,
    limit: int,
) -> tuple[list[Row[Any]], int]:
    """One page of proposal summaries (no flow payloads) and the total matching count."""
    shape = (bool(status), bool(proposal_type), bool(domain))
    params = {
        "account_id": account_id,
        "status": status,
        "proposal_type": proposal_type,
        "domain": domain,
        "skip": skip,
        "limit": limit,
    }
    # On the session's connection: plain rows, without the ORM's handling of a result.
    connection = await db.connection()
    rows = list((await connection.execute(_page_statement(*shape, sort_by), params)).all())
    if not rows:
        # A page past the end carries no total with it: count on its own.
        total = (
            (await connection.execute(_total_statement(*shape), params)).scalar_one() if skip else 0
        )
        return rows, int(total)
    # Rows, read by attribute (the response model reads them so); each carries the total.
    return rows, int(rows[0].total)


_DETAIL = select(FlowProposal.__table__).where(
    _P.id == bindparam("proposal_id"), _P.account_id == bindparam("account_id")
)


async def proposal_row(
    db: AsyncSession, account_id: uuid.UUID, proposal_id: uuid.UUID
) -> Row[Any] | None:
    """Every column of one proposal of the account, as a plain row (no ORM identity)."""
    params = {"proposal_id": proposal_id, "account_id": account_id}
    return (await (await db.connection()).execute(_DETAIL, params)).one_or_none()


TOP_DOMAINS = 5


def _stats_statement() -> Any:
    """One round trip for the whole stats panel, as (kind, domain, n, rank) rows.

    Pending and its top domains come from the rollup; each week window is a range count over
    an (account_id, status, time) index, so its cost follows the week's volume, not the queue's.
    """
    mine = _P.account_id == bindparam("account_id")
    since: Any = bindparam("since")

    def window(kind: str, statuses: tuple[str, ...], column: Any) -> Any:
        return select(literal(kind), null(), func.count(), null()).where(
            mine, _P.status.in_(statuses), column >= since
        )

    pending = (_C.account_id == bindparam("account_id"), _C.status == "pending")
    n = func.sum(_C.n)
    ranked = (
        select(
            _C.problem_domain,
            n.label("n"),
            func.row_number().over(order_by=(n.desc(), _C.problem_domain)).label("rank"),
        )
        .where(*pending, _C.problem_domain != NO_DOMAIN)
        .group_by(_C.problem_domain)
        .having(n > 0)
        .subquery()
    )
    return union_all(
        select(literal("pending"), null(), func.coalesce(n, 0), null()).where(*pending),
        select(literal("domain"), ranked.c.problem_domain, ranked.c.n, ranked.c.rank).where(
            ranked.c.rank <= TOP_DOMAINS
        ),
        window("approved", ("approved", "modified"), _P.reviewed_at),
        window("rejected", ("rejected",), _P.reviewed_at),
        window("auto_reinforced", ("auto_reinforced",), _P.created_at),
    )


_STATS = _stats_statement()


async def stats(db: AsyncSession, account_id: uuid.UUID, *, since: datetime) -> dict[str, Any]:
    """The seed's week windows: reviewed_at for decisions, created_at for reinforcements."""
    rows = (await db.execute(_STATS, {"account_id": account_id, "since": since})).all()
    counts = {kind: int(n) for kind, _, n, _ in rows if kind != "domain"}
    domains = sorted((rank, domain, int(n)) for kind, domain, n, rank in rows if kind == "domain")
    return {
        "pending_count": counts["pending"],
        "approved_this_week": counts["approved"],
        "rejected_this_week": counts["rejected"],
        "auto_reinforced_this_week": counts["auto_reinforced"],
        "top_domains": [{"domain": d, "count": c} for _, d, c in domains],
    }


async def flow_in_account(
    db: AsyncSession, account_id: uuid.UUID, flow_id: uuid.UUID
) -> Flow | None:
    stmt = select(Flow).where(Flow.id == flow_id, Flow.account_id == account_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def update_if_status(
    db: AsyncSession,
    *,
    account_id: uuid.UUID,
    proposal_id: uuid.UUID,
    status: str,
    values: dict[str, Any],
) -> bool:
    """Compare-and-set on the proposal's status: two reviewers cannot both decide it."""
    result = await db.execute(
        update(FlowProposal)
        .where(
            FlowProposal.id == proposal_id,
            FlowProposal.account_id == account_id,
            FlowProposal.status == status,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1
