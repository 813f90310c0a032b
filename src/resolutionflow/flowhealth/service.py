"""Per-node figures of a flow version, and flow ownership: verifying and reassigning flows.

Which sessions count for a version: the sessions matched to the flow that were created while
that version was the current one (from its publication to the next version's; version 1 also
takes sessions dated before it, such as imported history).

Where a session went: a step is at a node of the version when its type and recorded text
match the node (a question whose `context_message` is the decision's question, an action or
resolution whose text is the action's or solution's title), exactly as the runner and the
import format record them. Choosing an option that leads to a solution reaches that solution
even when no step is recorded there. A session "ended" at the last node it reached.

Time at a node: from the previous step's `responded_at` (or the session's start, for its
first step or when the step before has no response time) to the `responded_at` of the step
at the node; steps at the node without a response time are left out; the median is over the
steps at the node (the mean of the two middle ones for an even count).

Success: resolved / (resolved + escalated + requesting_escalation + abandoned); active
sessions are counted apart and never as failures.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import get_settings
from resolutionflow.errors import Forbidden, Invalid, NotFound, Problem
from resolutionflow.flowhealth import repository as repo
from resolutionflow.flowhealth import staleness
from resolutionflow.flowhealth.repository import Implied, NodeKey, RawFigures
from resolutionflow.flowhealth.schemas import (
    FlowStats,
    NodeFigure,
    OptionFigure,
    Outcomes,
    PathFigure,
)
from resolutionflow.flows import service as flows_service
from resolutionflow.flows.service import review_due
from resolutionflow.flows.structure import node_index
from resolutionflow.gaps.cache import ReportCache
from resolutionflow.models import Account, Flow, FlowVersion, User
from resolutionflow.models.base import utcnow
from resolutionflow.sessions import service as sessions_service
from resolutionflow.tenancy.roles import ADMIN
from resolutionflow.tenancy.scope import get_scoped

# Figures per flow version, dropped when the account's sessions change (its data version).
figures_cache = ReportCache()
STEP_OF = {"decision": "question", "action": "action", "solution": "resolution"}


async def find_flow(db: AsyncSession, *, account: Account, key: str) -> Flow:
    """A flow of the account by its key, or by its id."""
    found = (await flows_service.flows_by_keys(db, account_id=account.id, keys=[key])).get(key)
    if found is not None:
        return found
    try:
        return await get_scoped(db, Flow, uuid.UUID(key), account.id, what="flow")
    except ValueError:
        raise NotFound(f"flow {key} not found") from None


def node_keys(tree: dict[str, Any]) -> tuple[list[NodeKey], list[Implied]]:
    """How each node of a tree shows in session steps, and the solutions reached by answers."""
    index = node_index(tree)
    keys: list[NodeKey] = []
    implied: list[Implied] = []
    for node_id, node in index.items():
        kind = node.get("type")
        if kind not in STEP_OF:
            continue
        text = node.get("question") if kind == "decision" else None
        text = text or node.get("title")
        if isinstance(text, str) and text:
            keys.append(NodeKey(node_id, STEP_OF[kind], text))
        for option in node.get("options") or [] if kind == "decision" else []:
            target = option.get("next_node_id") if isinstance(option, dict) else None
            if not isinstance(target, str) or (index.get(target) or {}).get("type") != "solution":
                continue
            for choice in {str(option.get("id") or ""), str(option.get("label") or "")} - {""}:
                implied.append(Implied(node_id, choice, target))
    return keys, implied


def outcomes(counts: dict[str, int]) -> Outcomes:
    resolved = counts.get("resolved", 0)
    escalated = counts.get("escalated", 0) + counts.get("requesting_escalation", 0)
    abandoned = counts.get("abandoned", 0)
    finished = resolved + escalated + abandoned
    return Outcomes(
        resolved=resolved,
        escalated=escalated,
        abandoned=abandoned,
        active=counts.get("active", 0),
        success_rate=round(resolved / finished, 4) if finished else None,
    )


def _norm(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def _option_figures(
    node: dict[str, Any], answers: list[tuple[str | None, bool, int]]
) -> tuple[int, int, list[OptionFigure]]:
    """Answers at a decision: total, typed, and per option (unknown choices apart)."""
    options = [o for o in node.get("options") or [] if isinstance(o, dict)]
    by_id = {str(o.get("id")): o for o in options if o.get("id")}
    by_label = {_norm(o.get("label")): o for o in options if o.get("label")}
    counts: dict[str, int] = defaultdict(int)
    other: dict[str, int] = defaultdict(int)
    total = free = 0
    for choice, was_free, n in answers:
        total += n
        if was_free:
            free += n
            continue
        option = by_id.get(str(choice)) or by_label.get(_norm(choice))
        if option is not None:
            counts[str(option.get("id"))] += n
        elif choice:
            other[str(choice)] += n
    figures = [
        OptionFigure(
            option_id=str(o.get("id")),
            label=str(o.get("label") or o.get("id")),
            next_node_id=o.get("next_node_id"),
            count=counts[str(o.get("id"))],
            share=round(counts[str(o.get("id"))] / total, 4) if total else 0.0,
        )
        for o in options
    ]
    figures += [
        OptionFigure(
            option_id=None, label=choice, count=n, share=round(n / total, 4) if total else 0.0
        )
        for choice, n in sorted(other.items(), key=lambda x: (-x[1], x[0]))
    ]
    return total, free, figures


def shape(
    flow: Flow,
    version: FlowVersion,
    start: datetime | None,
    end: datetime | None,
    raw: RawFigures,
) -> FlowStats:
    tree = version.tree_structure
    reached: dict[str, dict[str, int]] = defaultdict(dict)
    for node_id, status, n in raw.reached:
        reached[node_id][status] = n
    ended: dict[str, dict[str, int]] = defaultdict(dict)
    for node_id, status, n in raw.ends:
        ended[node_id][status] = n
    answers: dict[str, list[tuple[str | None, bool, int]]] = defaultdict(list)
    for node_id, choice, was_free, n in raw.answers:
        answers[node_id].append((choice, was_free, n))
    nodes = []
    for node_id, node in node_index(tree).items():
        total, free, options = (
            _option_figures(node, answers[node_id])
            if node.get("type") == "decision"
            else (0, 0, [])
        )
        nodes.append(
            NodeFigure(
                node_id=node_id,
                type=str(node.get("type")),
                title=str(node.get("title") or node.get("question") or node_id),
                reached=sum(reached[node_id].values()),
                reached_outcomes=outcomes(reached[node_id]),
                ended=outcomes(ended[node_id]),
                answers=total,
                options=options,
                free_text_count=free,
                free_text_rate=round(free / total, 4) if total else None,
                median_seconds=(
                    round(raw.median_seconds[node_id], 1) if node_id in raw.median_seconds else None
                ),
                timed_steps=raw.timed.get(node_id, 0),
            )
        )
    by_path: dict[str, dict[str, int]] = defaultdict(dict)
    for path, status, n in raw.paths:
        by_path[path][status] = by_path[path].get(status, 0) + n
    paths = sorted(
        (
            PathFigure(nodes=p.split(">"), sessions=sum(c.values()), outcomes=outcomes(c))
            for p, c in by_path.items()
        ),
        key=lambda f: (-f.sessions, f.nodes),
    )[: repo.PATH_LIMIT]
    return FlowStats(
        flow_id=flow.id,
        key=flow.key,
        name=version.name,
        version=version.version,
        current_version=flow.version,
        window_start=start,
        window_end=end,
        sessions=sum(raw.sessions.values()),
        outcomes=outcomes(raw.sessions),
        nodes=nodes,
        paths=paths,
    )


async def flow_stats(
    db: AsyncSession,
    *,
    account: Account,
    key: str,
    version: int | None = None,
    use_cache: bool = True,
) -> FlowStats:
    """The per-node figures of one version of a flow (the current one by default); served
    from the report cache while the account's sessions and the flow are unchanged."""
    flow = await find_flow(db, account=account, key=key)
    cache_key = None
    if use_cache:
        data_version = await sessions_service.data_version(db, account_id=account.id)
        kind = f"flowstats:{flow.id}:{flow.version}:{version or flow.version}"
        cache_key = (kind, account.id, 0, data_version)
        cached = figures_cache.get(cache_key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
    stats = await _flow_stats(db, account=account, flow=flow, version=version)
    if cache_key is not None:
        figures_cache.put(cache_key, stats, get_settings().gaps_cache_seconds)
    return stats


async def _flow_stats(
    db: AsyncSession, *, account: Account, flow: Flow, version: int | None
) -> FlowStats:
    versions = await flows_service.versions_of(db, account_id=account.id, flow_id=flow.id)
    number = version or flow.version
    position = next((i for i, v in enumerate(versions) if v.version == number), None)
    if position is None:
        raise NotFound(f"flow {flow.key or flow.id} has no version {number}")
    shown = versions[position]
    start = shown.created_at if position < len(versions) - 1 else None
    end = versions[position - 1].created_at if position > 0 else None
    keys, implied = node_keys(shown.tree_structure)
    raw = await repo.node_figures(
        db,
        account_id=account.id,
        flow_id=flow.id,
        start=start,
        end=end,
        nodes=keys,
        implied=implied,
    )
    return shape(flow, shown, start, end, raw)


def may_verify(user: User, flow: Flow) -> bool:
    return user.role == ADMIN or (flow.owner_id is not None and flow.owner_id == user.id)


async def verify_flow(
    db: AsyncSession, *, account: Account, user: User, key: str, now: datetime | None = None
) -> Flow:
    """Confirm the flow is still right: its owner or an admin; the review-by date moves on."""
    flow = await find_flow(db, account=account, key=key)
    if not may_verify(user, flow):
        raise Forbidden("only the flow's owner or an account admin can verify it")
    now = now or utcnow()
    flow.verified_at = now
    flow.review_by = review_due(now)
    await db.flush()
    await sessions_service.data_changed(
        db, account_id=account.id
    )  # the gap report's staleness signal changes
    return flow


async def set_owner(
    db: AsyncSession,
    *,
    account: Account,
    actor: User,
    key: str,
    owner_email: str | None = None,
    owner_id: uuid.UUID | None = None,
) -> Flow:
    """Give the flow a new owner (an account admin's action); the owner is a user of the
    account."""
    if actor.role != ADMIN:
        raise Forbidden("only account admins can change a flow's owner")
    flow = await find_flow(db, account=account, key=key)
    if (owner_email is None) == (owner_id is None):
        raise Invalid(
            "give the new owner",
            problems=[Problem("owner_email", "give owner_email or owner_id, exactly one")],
        )
    if owner_id is not None:
        owner = await get_scoped(db, User, owner_id, account.id, what="user")
    else:
        from resolutionflow.accounts.service import user_in_account

        found = await user_in_account(db, account_id=account.id, email=str(owner_email))
        if found is None:
            raise Invalid(
                "no such user",
                problems=[Problem("owner_email", f"no user {owner_email} in this account")],
            )
        owner = found
    flow.owner_id = owner.id
    await db.flush()
    return flow


async def flow_signals(
    db: AsyncSession, *, account: Account, since: datetime, now: datetime
) -> list[dict[str, Any]]:
    """The gap report's flow signals: flows past their review-by date, and flows whose success
    rate fell clearly from the period before `since` to the period since (see `staleness`)."""
    signals = [
        staleness.stale_flow_signal(
            staleness.DueFlow(
                flow_id=f.id,
                key=f.key,
                name=f.name,
                review_by=f.review_by,  # type: ignore[arg-type]
                verified_at=f.verified_at,
                owner_email=owner.email if owner else None,
            ),
            now,
        )
        for f, owner in await repo.flows_due(db, account.id, now)
    ]
    period = now - since
    counts: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for flow_id, recent, finished, resolved in await repo.outcome_windows(
        db, account.id, since - period, since, now
    ):
        row = counts[flow_id]
        row[2 if recent else 0] += finished
        row[3 if recent else 1] += resolved
    candidates = {
        flow_id: row
        for flow_id, row in counts.items()
        if staleness.declining(staleness.FlowWindows(flow_id, None, "", *row))
    }
    if candidates:
        flows = await flows_service.flows_by_ids(db, account_id=account.id, ids=candidates)
        for flow_id, row in candidates.items():
            flow = flows.get(flow_id)
            if flow is not None:
                w = staleness.FlowWindows(flow_id, flow.key, flow.name, *row)
                signals.append(staleness.declining_flow_signal(w, max(1, period.days)))
    return signals
