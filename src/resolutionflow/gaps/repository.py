"""SQL for the knowledge-gap signals: aggregates over one account's sessions of a period.

Every statement is scoped to the account and to sessions created at or after `since`; the
step aggregates reach the steps through the period's sessions (see `gaps.detection` for the
indexes this relies on). Counts come back as plain ints whatever the driver returns.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, String, and_, case, cast, func, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import is_postgres
from resolutionflow.flows.structure import node_index
from resolutionflow.gaps.detection import (
    MIN_ANSWERS,
    MIN_DISCOVERY,
    MIN_OUTCOMES,
    TOP_ANSWERS,
    DiscoveryCount,
    DomainOutcome,
    FlaggedStep,
    QuestionStat,
)
from resolutionflow.gaps.patterns import SummaryCount
from resolutionflow.models import Flow, NodeFeedback, Session, SessionStep
from resolutionflow.models.session import (
    ANSWER_BYTES_LIMIT,
    ANSWER_BYTES_PG,
    ANSWER_BYTES_SQLITE,
    ANSWERED_QUESTION,
)

ESCALATED = ("escalated", "requesting_escalation")


def _in_period(account_id: uuid.UUID, since: datetime) -> list:  # type: ignore[type-arg]
    return [Session.account_id == account_id, Session.created_at >= since]


async def question_stats(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> tuple[list[QuestionStat], dict[str, list[tuple[str, int]]]]:
    """Per question answered at least MIN_ANSWERS times: answers and free-text answers, and
    its most common free-text answers (ignoring case and surrounding spaces), in one pass.

    The steps are reached only through the account's sessions of the period, which scopes
    them; PostgreSQL probes the covering partial indexes of those sessions' steps and never
    reads the steps table itself (see `gaps.detection`).
    """
    bytes_of = ANSWER_BYTES_PG if is_postgres(db) else ANSWER_BYTES_SQLITE
    typed = and_(
        SessionStep.was_free_text.is_(True),
        SessionStep.free_text_input.is_not(None),
        func.length(func.trim(SessionStep.free_text_input)) > 0,
    )

    def answered(compare: str) -> Select:  # type: ignore[type-arg]
        # Written out literally so the planner can match the partial indexes' predicates.
        predicate = text(f"{ANSWERED_QUESTION} AND {bytes_of} {compare} {ANSWER_BYTES_LIMIT}")
        return (
            select(
                SessionStep.context_message.label("question"),
                case((SessionStep.was_free_text.is_(True), 1), else_=0).label("free"),
                case((typed, func.lower(func.trim(SessionStep.free_text_input)))).label("key"),
                SessionStep.free_text_input.label("answer"),
            )
            .join(Session, Session.id == SessionStep.session_id)
            .where(Session.account_id == account_id, Session.created_at >= since, predicate)
        )

    rows = union_all(answered("<="), answered(">")).subquery("answered")
    question, key = rows.c.question, rows.c.key
    count = func.count()
    # One row per (question, typed answer), plus one per question for the picked options
    # (key NULL); window sums carry the question's totals onto each row, so only the top
    # answers of each question need to leave the database.
    grouped = (
        select(
            question.label("question"),
            key.label("key"),
            func.min(rows.c.answer).label("answer"),
            count.label("n"),
            func.sum(count).over(partition_by=question).label("total"),
            func.sum(func.sum(rows.c.free)).over(partition_by=question).label("free"),
            func.row_number()
            .over(partition_by=question, order_by=(key.is_(None), count.desc(), key))
            .label("rank"),
        )
        .group_by(question, key)
        .subquery()
    )
    g = grouped.c
    stmt = (
        select(g.question, g.total, g.free, g.key, g.answer, g.n)
        .where(g.total >= MIN_ANSWERS, g.rank <= TOP_ANSWERS)
        .order_by(g.question, g.rank)
    )
    stats: dict[str, QuestionStat] = {}
    answers: dict[str, list[tuple[str, int]]] = {}
    for asked, total, free_count, answer_key, answer, n in (await db.execute(stmt)).all():
        stats[asked] = QuestionStat(
            question=asked, total=int(total), free_text=int(free_count or 0)
        )
        if answer_key is not None:
            answers.setdefault(asked, []).append((" ".join(str(answer).split()), int(n)))
    return list(stats.values()), answers


async def domain_outcomes(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> list[DomainOutcome]:
    resolved = func.sum(case((Session.status == "resolved", 1), else_=0))
    escalated = func.sum(case((Session.status.in_(ESCALATED), 1), else_=0))
    stmt = (
        select(Session.problem_domain, func.count(), resolved, escalated)
        .where(
            *_in_period(account_id, since),
            Session.problem_domain.is_not(None),
            Session.status.in_(("resolved", *ESCALATED)),
        )
        .group_by(Session.problem_domain)
        .having(func.count() >= MIN_OUTCOMES)
    )
    rows = (await db.execute(stmt)).all()
    return [
        DomainOutcome(domain=d, total=int(t), resolved=int(r or 0), escalated=int(e or 0))
        for d, t, r, e in rows
    ]


async def discovery_counts(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> list[DiscoveryCount]:
    stmt = (
        select(Session.problem_domain, func.count())
        .where(
            *_in_period(account_id, since),
            Session.status == "resolved",
            Session.confidence_tier == "discovery",
        )
        .group_by(Session.problem_domain)
        .having(func.count() >= MIN_DISCOVERY)
    )
    return [DiscoveryCount(domain=d, count=int(c)) for d, c in (await db.execute(stmt)).all()]


def _unmatched(account_id: uuid.UUID, since: datetime) -> list:  # type: ignore[type-arg]
    return [*_in_period(account_id, since), Session.matched_flow_id.is_(None)]


async def unmatched_sessions(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> tuple[list[SummaryCount], dict[str, str]]:
    """Distinct summaries of the period's unmatched sessions with their session counts, and
    the ids behind each summary as one comma-separated string (split only for the groups
    reported: a period can hold tens of thousands of them)."""
    stmt = (
        select(
            Session.problem_summary,
            Session.problem_domain,
            Session.customer,
            func.count(),
            func.aggregate_strings(cast(Session.id, String), ","),
        )
        .where(*_unmatched(account_id, since))
        .group_by(Session.problem_summary, Session.problem_domain, Session.customer)
    )
    rows: list[SummaryCount] = []
    ids: dict[str, str] = {}
    for summary, domain, customer, count, joined in (await db.execute(stmt)).all():
        rows.append(
            SummaryCount(summary=summary, domain=domain, count=int(count), customer=customer)
        )
        ids[summary] = f"{ids[summary]},{joined}" if summary in ids else joined
    return rows, ids


def split_ids(joined: str | None) -> list[str]:
    """Session ids from `unmatched_sessions`, in the canonical UUID form on every database."""
    return sorted(str(uuid.UUID(x)) for x in joined.split(",") if x) if joined else []


async def flagged_steps(
    db: AsyncSession, account_id: uuid.UUID, since: datetime, limit: int = 2000
) -> list[FlaggedStep]:
    """Runner feedback of the period grouped by flow and node (the latest `limit` flags)."""
    stmt = (
        select(NodeFeedback, Flow.name, Flow.problem_domain, Flow.tree_structure)
        .join(Flow, Flow.id == NodeFeedback.flow_id)
        .where(
            NodeFeedback.account_id == account_id,
            NodeFeedback.created_at >= since,
            Flow.account_id == account_id,
        )
        .order_by(NodeFeedback.created_at.desc())
        .limit(limit)
    )
    grouped: dict[tuple[uuid.UUID, str], FlaggedStep] = {}
    for feedback, name, domain, tree in (await db.execute(stmt)).all():
        key = (feedback.flow_id, feedback.node_id)
        row = grouped.get(key)
        if row is None:
            node = node_index(tree).get(feedback.node_id) or {}
            row = grouped[key] = FlaggedStep(
                flow_id=str(feedback.flow_id),
                flow_name=name,
                domain=domain,
                node_id=feedback.node_id,
                node_title=node.get("title") or node.get("question"),
                count=0,
            )
        row.count += 1
        row.notes.append(feedback.note)
    return list(grouped.values())
