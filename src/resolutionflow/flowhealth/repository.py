"""SQL for the per-node figures of one flow version, aggregated in the database.

One statement reads the version's sessions (`ix_sessions_flow_created`: the flow's sessions
as one date range) and their steps (the `(session_id, step_order)` key), places each step on
a node of the version's tree, and returns a few hundred aggregate rows at most: visits per
node, answers per (node, option), where sessions ended and how, the median time per node, and
sessions per path. Works the same on SQLite and PostgreSQL; only JSON access and date
arithmetic are written per dialect.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Uuid, bindparam, case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import is_postgres
from resolutionflow.models import Flow, Session, User
from resolutionflow.models.base import UTCDateTime

# Far enough in the future to stand for "no later version".
_OPEN_END = datetime(9999, 1, 1)
PATH_LIMIT = 20
_SETTINGS = ("jit = off", "work_mem = '64MB'")


@dataclass(frozen=True)
class NodeKey:
    """How a node is recognised in a session's steps: the step type and the text it records."""

    node_id: str
    step_type: str
    label: str


@dataclass(frozen=True)
class Implied:
    """Choosing `choice` (an option id or label, any case) at `node_id` reaches `target_id`
    even when the session records no step there (a solution reached by an answer)."""

    node_id: str
    choice: str
    target_id: str


@dataclass
class RawFigures:
    sessions: dict[str, int] = field(default_factory=dict)  # status -> sessions
    reached: list[tuple[str, str, int]] = field(default_factory=list)  # node, status, sessions
    answers: list[tuple[str, str | None, bool, int]] = field(default_factory=list)
    ends: list[tuple[str, str, int]] = field(default_factory=list)  # node, status, sessions
    median_seconds: dict[str, float] = field(default_factory=dict)
    timed: dict[str, int] = field(default_factory=dict)
    paths: list[tuple[str, str, int]] = field(default_factory=list)  # path, status, sessions


def _values(name: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> tuple[str, dict]:  # type: ignore[type-arg]
    """A CTE of literal rows as bound parameters (a row of NULLs that matches nothing if empty)."""
    params: dict[str, str] = {}
    selects = []
    for i, row in enumerate(rows or [tuple("" for _ in columns)]):
        parts = []
        for column, value in zip(columns, row, strict=True):
            key = f"{name}_{column}_{i}"
            params[key] = value
            parts.append(f"CAST(:{key} AS VARCHAR(5000)) AS {column}")
        selects.append("SELECT " + ", ".join(parts))
    body = " UNION ALL ".join(selects)
    return f"{name} AS ({body})", params


def _statement(postgres: bool, nodes_cte: str, targets_cte: str) -> str:
    # What a step records at a node: the question asked, else the step's text.
    label = (
        "coalesce(s.context_message, s.content ->> 'text')"
        if postgres
        else "coalesce(s.context_message, json_extract(s.content, '$.text'))"
    )
    columns = (
        f"s.session_id, s.step_order, s.step_type, s.selected_option, s.was_free_text, "
        f"s.responded_at, {label} AS label"
    )
    # The steps of the version's sessions, probed session by session through the
    # (session_id, step_order) key, with the previous step's time from the same pass. On
    # PostgreSQL the lateral subquery with OFFSET 0 keeps the planner from scanning every step
    # of the database to match the node texts first.
    steps_of_fs = (
        f"fs CROSS JOIN LATERAL (SELECT {columns}, lag(s.responded_at) OVER "
        "(ORDER BY s.step_order) AS prev_at FROM session_steps s WHERE s.session_id = fs.id "
        "OFFSET 0) st"
        if postgres
        else f"fs JOIN (SELECT {columns}, lag(s.responded_at) OVER (PARTITION BY s.session_id "
        "ORDER BY s.step_order) AS prev_at FROM session_steps s "
        "WHERE s.session_id IN (SELECT id FROM fs)) st ON st.session_id = fs.id"
    )
    if postgres:
        seconds = "extract(epoch FROM (h.responded_at - coalesce(h.prev_at, h.started_at)))"
        free = "CASE WHEN was_free_text THEN 1 ELSE 0 END"
    else:
        seconds = (
            "(julianday(h.responded_at) - julianday(coalesce(h.prev_at, h.started_at))) * 86400.0"
        )
        free = "CASE WHEN was_free_text THEN 1 ELSE 0 END"
    if postgres:
        per_session = """per_session AS (
  SELECT session_id, min(status) AS status, string_agg(node_id, '>' ORDER BY pos) AS path,
         (array_agg(node_id ORDER BY pos DESC))[1] AS last_node
  FROM visits GROUP BY session_id
)"""
        ends = "SELECT 'end', last_node, NULL, status, 0, count(*), NULL FROM per_session "
        ends += "GROUP BY last_node, status"
        median = """SELECT 'time', node_id, NULL, NULL, 0, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY secs)
  FROM durations WHERE secs >= 0 GROUP BY node_id"""
    else:
        # SQLite keeps the order of an ordered subquery in group_concat; it has no
        # percentile_cont, so the median is the mean of the middle one or two by rank.
        per_session = """per_session AS (
  SELECT session_id, min(status) AS status, group_concat(node_id, '>') AS path
  FROM (SELECT * FROM visits ORDER BY session_id, pos) GROUP BY session_id
),
last_visit AS (
  SELECT node_id, status, row_number() OVER (PARTITION BY session_id ORDER BY pos DESC) AS rn
  FROM visits
),
ranked AS (
  SELECT node_id, secs, row_number() OVER (PARTITION BY node_id ORDER BY secs) AS rn,
         count(*) OVER (PARTITION BY node_id) AS c
  FROM durations WHERE secs >= 0
)"""
        ends = "SELECT 'end', node_id, NULL, status, 0, count(*), NULL FROM last_visit "
        ends += "WHERE rn = 1 GROUP BY node_id, status"
        median = """SELECT 'time', node_id, NULL, NULL, 0, max(c), avg(secs)
  FROM ranked WHERE rn IN ((c + 1) / 2, (c + 2) / 2) GROUP BY node_id"""
    return f"""
WITH {nodes_cte}, {targets_cte},
fs AS (
  SELECT id, status, created_at FROM sessions
  WHERE matched_flow_id = :flow_id AND account_id = :account_id
    AND created_at >= :start AND created_at < :end
),
hits AS (
  SELECT st.session_id, fs.status, n.node_id, n.step_type, st.step_order AS pos,
         st.selected_option, st.was_free_text, st.responded_at, st.prev_at,
         fs.created_at AS started_at
  FROM {steps_of_fs}
  JOIN nodes n ON n.step_type = st.step_type AND n.label = st.label
),
visits AS (
  SELECT session_id, status, node_id, CAST(pos AS FLOAT) AS pos FROM hits
  UNION ALL
  SELECT h.session_id, h.status, t.target_id, h.pos + 0.5 FROM hits h
  JOIN targets t ON t.node_id = h.node_id AND t.choice = lower(h.selected_option)
),
durations AS (
  SELECT h.node_id, {seconds} AS secs FROM hits h WHERE h.responded_at IS NOT NULL
),
{per_session}
SELECT 'sessions' AS part, CAST(NULL AS VARCHAR(5000)) AS node,
       CAST(NULL AS VARCHAR(5000)) AS choice, status, 0 AS free, count(*) AS n,
       CAST(NULL AS FLOAT) AS value
  FROM fs GROUP BY status
UNION ALL
SELECT 'reached', node_id, NULL, status, 0, count(DISTINCT session_id), NULL
  FROM visits GROUP BY node_id, status
UNION ALL
SELECT 'answer', node_id, selected_option, NULL, {free}, count(*), NULL
  FROM hits WHERE step_type = 'question' GROUP BY node_id, selected_option, {free}
UNION ALL
{ends}
UNION ALL
{median}
UNION ALL
SELECT 'path', NULL, path, status, 0, count(*), NULL FROM per_session GROUP BY path, status
"""


async def node_figures(
    db: AsyncSession,
    *,
    account_id: uuid.UUID,
    flow_id: uuid.UUID,
    start: datetime | None,
    end: datetime | None,
    nodes: list[NodeKey],
    implied: list[Implied],
) -> RawFigures:
    """The raw aggregates of the sessions of one flow created in [start, end)."""
    nodes_cte, node_params = _values(
        "nodes",
        ("node_id", "step_type", "label"),
        [(n.node_id, n.step_type, n.label) for n in nodes],
    )
    targets_cte, target_params = _values(
        "targets",
        ("node_id", "choice", "target_id"),
        sorted({(t.node_id, t.choice.lower(), t.target_id) for t in implied}),
    )
    stmt = text(_statement(is_postgres(db), nodes_cte, targets_cte)).bindparams(
        bindparam("flow_id", type_=Uuid()),
        bindparam("account_id", type_=Uuid()),
        bindparam("start", type_=UTCDateTime()),
        bindparam("end", type_=UTCDateTime()),
    )
    params = {
        "flow_id": flow_id,
        "account_id": account_id,
        "start": start or datetime(1970, 1, 1),
        "end": end or _OPEN_END,
        **node_params,
        **target_params,
    }
    out = RawFigures()
    postgres = is_postgres(db)
    if postgres:
        # One sub-second aggregate: JIT compilation would cost seconds here, and the sorts
        # fit in memory. Session settings (reads may run in autocommit), reset right after.
        for setting in _SETTINGS:
            await db.execute(text(f"SET {setting}"))
    try:
        rows = (await db.execute(stmt, params)).all()
    finally:
        if postgres:
            for setting in _SETTINGS:
                await db.execute(text(f"RESET {setting.split(' ')[0]}"))
    for part, node, choice, status, free, n, value in rows:
        n = int(n or 0)
        if part == "sessions":
            out.sessions[status] = n
        elif part == "reached":
            out.reached.append((node, status, n))
        elif part == "answer":
            out.answers.append((node, choice, bool(free), n))
        elif part == "end":
            out.ends.append((node, status, n))
        elif part == "time" and value is not None:
            out.median_seconds[node] = float(value)
            out.timed[node] = n
        elif part == "path" and choice is not None:
            out.paths.append((choice, status, n))
    return out


async def flows_due(
    db: AsyncSession, account_id: uuid.UUID, now: datetime
) -> list[tuple[Flow, User | None]]:
    """The account's flows past their review-by date, most overdue first, with their owner."""
    stmt = (
        select(Flow, User)
        .outerjoin(User, User.id == Flow.owner_id)
        .where(Flow.account_id == account_id, Flow.review_by.is_not(None), Flow.review_by < now)
        .order_by(Flow.review_by)
    )
    return [(f, u) for f, u in (await db.execute(stmt)).all()]


async def outcome_windows(
    db: AsyncSession, account_id: uuid.UUID, earlier: datetime, middle: datetime, now: datetime
) -> list[tuple[uuid.UUID, bool, int, int]]:
    """Per flow and window (recent = created in [middle, now), else [earlier, middle)): its
    finished sessions and how many were resolved."""
    recent = case((Session.created_at >= middle, 1), else_=0)
    resolved = func.sum(case((Session.status == "resolved", 1), else_=0))
    stmt = (
        select(Session.matched_flow_id, recent, func.count(), resolved)
        .where(
            Session.account_id == account_id,
            Session.matched_flow_id.is_not(None),
            Session.created_at >= earlier,
            Session.created_at < now,
            Session.status != "active",
        )
        .group_by(Session.matched_flow_id, recent)
    )
    return [
        (flow_id, bool(is_recent), int(finished or 0), int(won or 0))
        for flow_id, is_recent, finished, won in (await db.execute(stmt)).all()
    ]
