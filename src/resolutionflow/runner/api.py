"""The runner over HTTP (/api/v1/runner): flow search, sessions walked step by step, feedback."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from resolutionflow.runner import service
from resolutionflow.runner.schemas import (
    BackIn,
    FeedbackIn,
    FeedbackRead,
    FlaggedNodeRead,
    FlowMatchRead,
    FreeStepIn,
    RunAbandonIn,
    RunEscalateIn,
    RunRead,
    RunResolveIn,
    StartIn,
    WalkStepIn,
)
from resolutionflow.runner.service import FlowMatch, Run
from resolutionflow.sessions.schemas import StepRead
from resolutionflow.tenancy.deps import DB, CurrentPrincipal

router = APIRouter(prefix="/runner", tags=["runner"])


def match_read(match: FlowMatch) -> FlowMatchRead:
    flow = match.flow
    return FlowMatchRead(
        flow_id=flow.id,
        key=flow.key,
        name=flow.name,
        description=flow.description,
        problem_domain=flow.problem_domain,
        success_rate=flow.success_rate,
        usage_count=flow.usage_count or 0,
        score=match.score,
    )


def run_read(run: Run) -> RunRead:
    s = run.session
    return RunRead(
        id=s.id,
        status=s.status,
        analysis_status=s.analysis_status,
        problem_summary=s.problem_summary,
        psa_ticket_id=s.psa_ticket_id,
        customer=s.customer,
        flow_id=run.flow.id if run.flow else None,
        flow_name=run.flow.name if run.flow else None,
        node=run.node,
        on_flow=run.node is not None,
        left_flow=run.position.left_flow,
        next_order=run.next_order,
        match_score=s.match_score if s.status != "active" else run.score(),
        steps=[StepRead.model_validate(step) for step in run.steps],
    )


@router.get("/flows", response_model=list[FlowMatchRead], summary="Flows matching a problem")
async def search_flows(
    principal: CurrentPrincipal,
    db: DB,
    q: str = Query(min_length=1, max_length=5000),
    limit: int = Query(default=service.SEARCH_LIMIT, ge=1, le=50),
) -> list[FlowMatchRead]:
    matches = await service.search_flows(db, account=principal.account, problem=q, limit=limit)
    return [match_read(m) for m in matches]


@router.get(
    "/flows/{flow_id}/feedback",
    response_model=list[FlaggedNodeRead],
    summary="A flow's nodes flagged as wrong or unclear",
)
async def flow_feedback(
    flow_id: uuid.UUID, principal: CurrentPrincipal, db: DB
) -> list[FlaggedNodeRead]:
    flagged = await service.flagged_nodes_of(db, account=principal.account, flow_id=flow_id)
    return [FlaggedNodeRead.model_validate(f, from_attributes=True) for f in flagged]


@router.post("/sessions", response_model=RunRead, status_code=201, summary="Start a session")
async def start(body: StartIn, principal: CurrentPrincipal, db: DB) -> RunRead:
    session = await service.start_session(
        db, account=principal.account, user=principal.user, data=body
    )
    await db.commit()
    return run_read(await service.get_run(db, account=principal.account, session_id=session.id))


@router.get("/sessions/{session_id}", response_model=RunRead, summary="Where a session stands")
async def get_run(session_id: uuid.UUID, principal: CurrentPrincipal, db: DB) -> RunRead:
    return run_read(await service.get_run(db, account=principal.account, session_id=session_id))


@router.post(
    "/sessions/{session_id}/walk",
    response_model=RunRead,
    summary="Answer the current node (409 when the session moved on since expected_order)",
)
async def walk(
    session_id: uuid.UUID, body: WalkStepIn, principal: CurrentPrincipal, db: DB
) -> RunRead:
    run = await service.record_walk_step(
        db, account=principal.account, session_id=session_id, data=body
    )
    await db.commit()
    return run_read(run)


@router.post(
    "/sessions/{session_id}/steps",
    response_model=RunRead,
    summary="Record a step freely: a question and what was found, an action, a note",
)
async def free_step(
    session_id: uuid.UUID, body: FreeStepIn, principal: CurrentPrincipal, db: DB
) -> RunRead:
    run = await service.record_free_step(
        db, account=principal.account, session_id=session_id, data=body
    )
    await db.commit()
    return run_read(run)


@router.post("/sessions/{session_id}/back", response_model=RunRead, summary="Undo the last step")
async def back(session_id: uuid.UUID, body: BackIn, principal: CurrentPrincipal, db: DB) -> RunRead:
    run = await service.step_back(
        db, account=principal.account, session_id=session_id, expected_order=body.expected_order
    )
    await db.commit()
    return run_read(run)


@router.post(
    "/sessions/{session_id}/resolve",
    response_model=RunRead,
    summary="Resolve (records the match score, queues analysis)",
)
async def resolve(
    session_id: uuid.UUID, principal: CurrentPrincipal, db: DB, body: RunResolveIn | None = None
) -> RunRead:
    run = await service.resolve(
        db, account=principal.account, session_id=session_id, data=body or RunResolveIn()
    )
    await db.commit()
    return run_read(run)


@router.post("/sessions/{session_id}/escalate", response_model=RunRead, summary="Escalate")
async def escalate(
    session_id: uuid.UUID, body: RunEscalateIn, principal: CurrentPrincipal, db: DB
) -> RunRead:
    run = await service.escalate(db, account=principal.account, session_id=session_id, data=body)
    await db.commit()
    return run_read(run)


@router.post("/sessions/{session_id}/abandon", response_model=RunRead, summary="Abandon")
async def abandon(
    session_id: uuid.UUID, principal: CurrentPrincipal, db: DB, body: RunAbandonIn | None = None
) -> RunRead:
    run = await service.abandon(
        db, account=principal.account, session_id=session_id, data=body or RunAbandonIn()
    )
    await db.commit()
    return run_read(run)


@router.post(
    "/sessions/{session_id}/feedback",
    response_model=FeedbackRead,
    status_code=201,
    summary="Flag a node of the session's flow as wrong or unclear",
)
async def feedback(
    session_id: uuid.UUID, body: FeedbackIn, principal: CurrentPrincipal, db: DB
) -> FeedbackRead:
    flag = await service.flag_node(
        db, account=principal.account, user=principal.user, session_id=session_id, data=body
    )
    await db.commit()
    return FeedbackRead.model_validate(flag)
