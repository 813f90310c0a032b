"""The session runner: find a flow for a problem, start a session, walk the flow node by node
(or record steps freely), step back, resolve, escalate or abandon, and flag unclear nodes.

Every step goes through `sessions.service` in the import format (built by `runner.steps`),
so a session run here is stored, analysed and reported exactly like an imported one. Where
the walk stands is never stored: it is replayed from the steps (`runner.walk.replay`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import BadRequest, Conflict, Invalid, NotFound, Problem
from resolutionflow.flows import service as flows_service
from resolutionflow.flows.structure import node_index
from resolutionflow.flywheel.similarity import ProposalText, rank
from resolutionflow.models import Account, Flow, NodeFeedback, Session, SessionStep, User
from resolutionflow.models.base import utcnow
from resolutionflow.runner import repository as repo
from resolutionflow.runner import steps as build
from resolutionflow.runner.schemas import (
    FeedbackIn,
    FreeStepIn,
    RunAbandonIn,
    RunEscalateIn,
    RunResolveIn,
    StartIn,
    WalkStepIn,
)
from resolutionflow.runner.walk import Position, match_score, replay
from resolutionflow.sessions import service as sessions_service
from resolutionflow.sessions.schemas import EscalateIn, ResolveIn, SessionIn, StepIn
from resolutionflow.sessions.snapshot import session_snapshot

SEARCH_LIMIT = 8


@dataclass
class FlowMatch:
    flow: Flow
    score: float


@dataclass
class Run:
    """A session with its flow, steps and the replayed position of the walk."""

    session: Session
    flow: Flow | None
    steps: list[SessionStep]
    position: Position
    node: dict[str, Any] | None

    @property
    def next_order(self) -> int:
        return self.steps[-1].step_order + 1 if self.steps else 0

    @property
    def tree(self) -> dict[str, Any] | None:
        return self.flow.tree_structure if self.flow is not None else None

    def plain_steps(self) -> list[dict[str, Any]]:
        return session_snapshot(self.session, self.steps)["steps"]  # type: ignore[no-any-return]

    def score(self) -> float | None:
        """The walk's match score (None without a flow)."""
        if self.flow is None:
            return None
        return match_score(self.plain_steps(), self.tree)


# --- Finding a flow -------------------------------------------------------------------------


def flow_text(flow: Flow, summaries: list[str]) -> ProposalText:
    """What flow search compares of a flow, as the flywheel compares proposals: its name as
    the title, its keywords, and as the problems it is about, its name and description and
    the summaries of the sessions that used it."""
    return ProposalText(
        id=str(flow.id),
        title=flow.name,
        description=flow.description or "",
        keywords=list(flow.match_keywords or []),
        summaries=[flow.name, flow.description or "", *summaries],
    )


def problem_text(problem: str) -> ProposalText:
    """A problem as the engineer typed it: one line of the kind a flow's name, keywords and
    session summaries are, so it is compared with those. It is left out of the description
    field (which `rank` then skips): a flow's description is a paragraph of generic service
    desk words, and matching a one-line problem against it field by field ranked worse on
    `bench/flow_search.py`; the description still counts, as one of the flow's summaries."""
    return ProposalText(id="problem", title=problem, keywords=[problem], summaries=[problem])


async def search_flows(
    db: AsyncSession, *, account: Account, problem: str, limit: int = SEARCH_LIMIT
) -> list[FlowMatch]:
    """The account's flows most alike the problem, best first, ranked by the flywheel's
    similarity over name, description, keywords and the summaries of sessions that used them.
    Flows sharing nothing with the problem are left out."""
    problem = problem.strip()
    if not problem:
        return []
    flows = await flows_service.all_flows(db, account_id=account.id)
    if not flows:
        return []
    summaries = await repo.summaries_by_flow(db, account.id)
    scores = rank(problem_text(problem), [flow_text(f, summaries.get(f.id, [])) for f in flows])
    ranked = sorted(zip(flows, scores, strict=True), key=lambda p: (-p[1], p[0].name))
    return [FlowMatch(flow, round(score, 4)) for flow, score in ranked[:limit] if score > 0]


# --- Starting and reading a run -------------------------------------------------------------


async def start_session(
    db: AsyncSession, *, account: Account, user: User, data: StartIn
) -> Session:
    """An active session for the engineer, guided by the flow picked (or by none)."""
    flow = None
    if data.flow_id is not None:
        flow = await flows_service.get_flow(db, account=account, flow_id=data.flow_id)
    domain = data.problem_domain or (flow.problem_domain if flow else None)
    session = await sessions_service.create_session(
        db,
        account=account,
        engineer=user,
        data=SessionIn.model_validate(
            {
                "problem_summary": data.problem_summary,
                "status": "active",
                "problem_domain": domain,
                "matched_flow_id": flow.id if flow else None,
                "psa_ticket_id": data.psa_ticket_id,
                "customer": data.customer,
            }
        ),
    )
    if flow is not None:
        flow.last_matched_at = utcnow()
    return session


async def get_run(db: AsyncSession, *, account: Account, session_id: uuid.UUID | str) -> Run:
    session = await sessions_service.get_session(db, account=account, session_id=session_id)
    steps = await sessions_service.get_steps(db, session=session)
    flow = None
    if session.matched_flow_id is not None:
        try:
            flow = await flows_service.get_flow(
                db, account=account, flow_id=session.matched_flow_id
            )
        except NotFound:
            flow = None
    run = Run(session, flow, steps, Position(None, 0, 0, False, False), None)
    run.position = replay(run.tree, run.plain_steps()) if flow else run.position
    if run.position.node_id is not None and run.tree is not None:
        run.node = node_index(run.tree).get(run.position.node_id)
    return run


def _active(run: Run) -> None:
    if run.session.status != "active":
        raise BadRequest(f"the session is {run.session.status}; it can no longer change")


# --- Recording steps ------------------------------------------------------------------------


def _walk_step(node: dict[str, Any], data: WalkStepIn) -> dict[str, Any]:
    """The import-format step for an answer at `node`; Invalid when it does not fit the node."""
    kind = node.get("type")
    allowed = {
        "decision": ("option", "none_of_these"),
        "action": ("worked", "did_not_fix"),
        "solution": ("resolved", "not_resolved"),
    }.get(str(kind), ())
    if data.choice not in allowed:
        raise Invalid(
            "that answer does not fit this step",
            problems=[Problem("choice", f"a {kind} node takes {' or '.join(allowed)}")],
        )
    if data.choice == "option":
        ids = [str(o.get("id")) for o in node.get("options") or [] if isinstance(o, dict)]
        if data.option_id not in ids:
            raise Invalid(
                "pick one of the options",
                problems=[Problem("option_id", f"must be one of: {', '.join(ids)}")],
            )
        return build.question_step(node, option_id=data.option_id, note=data.text)
    if data.choice == "none_of_these":
        if not data.text:
            raise Invalid(
                "say what you found instead",
                problems=[Problem("text", "describe what you found when no option fits")],
            )
        return build.question_step(node, free_text=data.text)
    if kind == "action":
        return build.action_step(node, worked=data.choice == "worked", notes=data.text)
    return build.solution_step(node, resolved=data.choice == "resolved", notes=data.text)


async def _add(
    db: AsyncSession, account: Account, run: Run, step: dict[str, Any], expected: int | None
) -> None:
    step["responded_at"] = utcnow()
    await sessions_service.add_step(
        db,
        account=account,
        session_id=run.session.id,
        step=StepIn.model_validate(step),
        expected_order=expected,
    )


async def record_walk_step(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, data: WalkStepIn
) -> Run:
    """An answer at the node the walk is at. "resolved" at a solution also resolves the session."""
    run = await get_run(db, account=account, session_id=session_id)
    _active(run)
    if run.flow is None:
        raise BadRequest("this session has no flow; record its steps freely")
    if data.expected_order is not None and data.expected_order != run.next_order:
        raise Conflict(sessions_service.STALE_VIEW)
    if run.node is None or run.node.get("id") != data.node_id:
        raise Conflict(
            f"the walk is not at node '{data.node_id}' any more (in another tab?); reload it"
        )
    step = _walk_step(run.node, data)
    await _add(db, account, run, step, run.next_order)
    if data.choice == "resolved":
        summary = str(run.node.get("description") or run.node.get("title") or "")
        if data.text:
            summary = f"{summary}\n\n{data.text}".strip()
        return await resolve(
            db,
            account=account,
            session_id=run.session.id,
            data=RunResolveIn(resolution_summary=summary or None),
        )
    return await get_run(db, account=account, session_id=run.session.id)


async def record_free_step(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, data: FreeStepIn
) -> Run:
    """A step the flow does not have (a question asked and what was found, an action and its
    result) or a note. On a flow, a free question or action leaves the flow."""
    run = await get_run(db, account=account, session_id=session_id)
    _active(run)
    if data.kind == "question":
        if not data.detail:
            raise Invalid("say what you found", problems=[Problem("detail", "what the answer was")])
        step = build.free_question(data.text, data.detail)
    elif data.kind == "action":
        if data.worked is None:
            raise Invalid("say whether it worked", problems=[Problem("worked", "true or false")])
        step = build.free_action(data.text, worked=data.worked, result=data.detail)
    else:
        step = build.note_step(data.text)
    expected = data.expected_order
    if expected is not None and expected != run.next_order:
        raise Conflict(sessions_service.STALE_VIEW)
    await _add(db, account, run, step, expected)
    return await get_run(db, account=account, session_id=run.session.id)


async def step_back(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, expected_order: int
) -> Run:
    """Undo the latest step (the walk returns to where it was before it)."""
    await sessions_service.remove_last_step(
        db, account=account, session_id=session_id, expected_order=expected_order
    )
    return await get_run(db, account=account, session_id=session_id)


# --- Ending a run ---------------------------------------------------------------------------


def _minutes_since(start: datetime) -> int:
    return max(1, round((utcnow() - start).total_seconds() / 60))


def confidence_of(run: Run, score: float | None) -> float:
    """The engineer's confidence recorded with a resolved session: a walk that stayed on its
    flow is as sure as the flow (0.5 + score / 2, so 1.0 for a walk straight to a solution);
    a session with no flow to guide it is a discovery, recorded at 0.5."""
    if run.flow is None or score is None:
        return 0.5
    return round(0.5 + score / 2, 4)


async def resolve(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, data: RunResolveIn
) -> Run:
    """Resolve at any point: closes the path with a resolution step if it has none, records
    the match score, and queues the session for analysis (through the sessions service)."""
    run = await get_run(db, account=account, session_id=session_id)
    _active(run)
    if not run.steps or run.steps[-1].step_type != "resolution":
        text = data.resolution_summary or "Resolved"
        step = {"step_type": "resolution", "content": {"text": text[:5000], "type": "resolution"}}
        await _add(db, account, run, step, None)
        run = await get_run(db, account=account, session_id=session_id)
    score = run.score()
    sessions_service.set_walk_score(run.session, score)
    await sessions_service.resolve_session(
        db,
        account=account,
        session_id=run.session.id,
        data=ResolveIn(
            resolution_summary=data.resolution_summary,
            time_spent_minutes=_minutes_since(run.session.created_at),
            confidence_score=confidence_of(run, score),
        ),
    )
    return await get_run(db, account=account, session_id=session_id)


async def escalate(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, data: RunEscalateIn
) -> Run:
    run = await get_run(db, account=account, session_id=session_id)
    _active(run)
    sessions_service.set_walk_score(run.session, run.score())
    await sessions_service.escalate_session(
        db,
        account=account,
        session_id=run.session.id,
        data=EscalateIn(
            escalation_reason=data.reason,
            time_spent_minutes=_minutes_since(run.session.created_at),
        ),
    )
    return await get_run(db, account=account, session_id=session_id)


async def abandon(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, data: RunAbandonIn
) -> Run:
    run = await get_run(db, account=account, session_id=session_id)
    _active(run)
    if data.reason:
        await _add(db, account, run, build.note_step(f"Abandoned: {data.reason}"), None)
        run = await get_run(db, account=account, session_id=session_id)
    sessions_service.set_walk_score(run.session, run.score())
    run.session.time_spent_minutes = _minutes_since(run.session.created_at)
    await sessions_service.abandon_session(db, account=account, session_id=run.session.id)
    return await get_run(db, account=account, session_id=session_id)


# --- Feedback on nodes ----------------------------------------------------------------------


async def flag_node(
    db: AsyncSession,
    *,
    account: Account,
    user: User,
    session_id: uuid.UUID | str,
    data: FeedbackIn,
) -> NodeFeedback:
    """ "This step was wrong or unclear": a note on a node of the session's flow."""
    run = await get_run(db, account=account, session_id=session_id)
    if run.flow is None:
        raise BadRequest("this session follows no flow; there is no step to flag")
    if data.node_id not in node_index(run.tree):
        raise Invalid(
            "no such step in this flow",
            problems=[Problem("node_id", f"'{data.node_id}' is not a node of the flow")],
        )
    feedback = NodeFeedback(
        id=uuid.uuid4(),
        account_id=account.id,
        flow_id=run.flow.id,
        flow_version=run.flow.version,
        node_id=data.node_id,
        session_id=run.session.id,
        user_id=user.id,
        note=data.note,
        created_at=utcnow(),
    )
    await repo.add_feedback(db, feedback)
    # The gap report is cached per data version; a new flag must show there.
    await sessions_service.data_changed(db, account_id=account.id)
    await db.flush()
    return feedback


@dataclass
class FlaggedNode:
    node_id: str
    title: str | None
    count: int
    notes: list[str]
    last_flagged_at: datetime


async def flagged_nodes(db: AsyncSession, *, account: Account, flow: Flow) -> list[FlaggedNode]:
    """The flow's flagged nodes, most flagged first, with their latest notes."""
    rows = await repo.feedback_of_flow(db, account.id, flow.id)
    index = node_index(flow.tree_structure)
    grouped: dict[str, list[NodeFeedback]] = defaultdict(list)
    for row in rows:
        grouped[row.node_id].append(row)
    out = []
    for node_id, items in grouped.items():
        node = index.get(node_id) or {}
        out.append(
            FlaggedNode(
                node_id=node_id,
                title=node.get("title") or node.get("question"),
                count=len(items),
                notes=[i.note for i in items[:5]],
                last_flagged_at=items[0].created_at,
            )
        )
    out.sort(key=lambda f: (-f.count, f.node_id))
    return out


async def flagged_nodes_of(
    db: AsyncSession, *, account: Account, flow_id: uuid.UUID | str
) -> list[FlaggedNode]:
    flow = await flows_service.get_flow(db, account=account, flow_id=flow_id)
    return await flagged_nodes(db, account=account, flow=flow)


async def recent_runs(db: AsyncSession, *, account: Account, user: User) -> list[Session]:
    """The engineer's sessions still active, newest first (to pick up where they left off)."""
    return await repo.active_sessions_of(db, account.id, user.id)
