"""Flows over HTTP: search, read, versions, create and publish changes, export."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from resolutionflow.api_errors import error_response
from resolutionflow.flows import service
from resolutionflow.flows.diff import compare_trees
from resolutionflow.flows.export import to_mermaid
from resolutionflow.flows.schemas import (
    FlowIn,
    FlowRead,
    FlowSummaryRead,
    FlowUpdate,
    FlowVersionRead,
)
from resolutionflow.sessions.schemas import ProblemDomain
from resolutionflow.tenancy.deps import DB, CurrentPrincipal, Reviewer
from resolutionflow.tenancy.ratelimit import read_limit

router = APIRouter(prefix="/flows", tags=["flows"], dependencies=[Depends(read_limit)])

# Bounds keep numbers inside what the databases' integer columns can hold.
MAX_VERSION = 1_000_000
Origin = Literal["manual", "imported", "ai_generated", "ai_enhanced"]


class FlowPage(BaseModel):
    items: list[FlowSummaryRead]
    total: int
    skip: int
    limit: int


@router.get("", response_model=FlowPage, summary="Search flows by text, domain and origin")
async def list_flows(
    principal: CurrentPrincipal,
    db: DB,
    q: str | None = Query(
        default=None, max_length=200, description="Text in name, description, key"
    ),
    domain: ProblemDomain | None = None,
    origin: Origin | None = None,
    skip: int = Query(default=0, ge=0, le=1_000_000),
    limit: int = Query(default=50, ge=1, le=200),
) -> FlowPage:
    rows, total = await service.search_flows(
        db, account=principal.account, q=q, domain=domain, origin=origin, skip=skip, limit=limit
    )
    items = await service.read_models(db, principal.account, rows, FlowSummaryRead)
    return FlowPage(items=items, total=total, skip=skip, limit=limit)


@router.post(
    "", response_model=FlowRead, status_code=201, summary="Create a flow (team admin, admin)"
)
async def create_flow(body: FlowIn, principal: Reviewer, db: DB) -> FlowRead:
    flow = await service.create_flow(
        db, account=principal.account, data=body, author=principal.user
    )
    await db.commit()
    return (await service.read_models(db, principal.account, [flow], FlowRead))[0]


@router.get("/{flow_id}", response_model=FlowRead, summary="A flow at its current version")
async def get_flow(flow_id: uuid.UUID, principal: CurrentPrincipal, db: DB) -> FlowRead:
    flow = await service.get_flow(db, account=principal.account, flow_id=flow_id)
    return (await service.read_models(db, principal.account, [flow], FlowRead))[0]


@router.put(
    "/{flow_id}",
    response_model=FlowRead,
    summary="Publish a change as the next version (team admin, admin)",
    responses={
        409: error_response("The flow moved past base_version"),
        422: error_response("The flow is not valid; every problem is listed"),
    },
)
async def update_flow(
    flow_id: uuid.UUID, body: FlowUpdate, principal: Reviewer, db: DB
) -> FlowRead:
    flow = await service.update_flow(
        db, account=principal.account, flow_id=flow_id, changes=body, author=principal.user
    )
    await db.commit()
    return (await service.read_models(db, principal.account, [flow], FlowRead))[0]


@router.get(
    "/{flow_id}/versions", response_model=list[FlowVersionRead], summary="Versions, newest first"
)
async def list_versions(
    flow_id: uuid.UUID, principal: CurrentPrincipal, db: DB
) -> list[FlowVersionRead]:
    rows = await service.list_versions(db, account=principal.account, flow_id=flow_id)
    return [FlowVersionRead.model_validate(v) for v in rows]


@router.get("/{flow_id}/versions/{number}", response_model=FlowVersionRead, summary="One version")
async def get_version(
    flow_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DB,
    number: int = Path(ge=1, le=MAX_VERSION),
) -> FlowVersionRead:
    version = await service.get_version(
        db, account=principal.account, flow_id=flow_id, number=number
    )
    return FlowVersionRead.model_validate(version)


@router.get("/{flow_id}/compare", summary="What changed between two versions")
async def compare_versions(
    flow_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DB,
    from_version: int = Query(ge=1, le=MAX_VERSION, alias="from"),
    to_version: int = Query(ge=1, le=MAX_VERSION, alias="to"),
) -> dict[str, object]:
    before = await service.get_version(
        db, account=principal.account, flow_id=flow_id, number=from_version
    )
    after = await service.get_version(
        db, account=principal.account, flow_id=flow_id, number=to_version
    )
    return {
        "from": from_version,
        "to": to_version,
        "changes": compare_trees(before.tree_structure, after.tree_structure),
    }


@router.get(
    "/{flow_id}/export",
    summary="Export as JSON (the import format) or Mermaid text",
    response_model=None,
    responses={200: {"content": {"application/json": {}, "text/plain": {}}}},
)
async def export_flow(
    flow_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DB,
    format: Literal["json", "mermaid"] = "json",
) -> JSONResponse | PlainTextResponse:
    flow = await service.get_flow(db, account=principal.account, flow_id=flow_id)
    if format == "mermaid":
        return PlainTextResponse(to_mermaid(flow.tree_structure))
    return JSONResponse(service.export_flow(flow))
